"""The baseline of the load benchmark: the smallest honest Flask page.

Served by the same gunicorn command line as the platform, so that the ratio between the
two measures what the platform's own work costs, not the server setup or the client.
"""

from flask import Flask

app = Flask(__name__)

PAGE = (
    "<!doctype html><html lang=vi><head><meta charset=utf-8><title>Techfest</title></head>"
    "<body><h1>Techfest Hải Phòng 2025</h1><p>Chương trình</p></body></html>"
)


@app.get("/")
def index():
    return PAGE

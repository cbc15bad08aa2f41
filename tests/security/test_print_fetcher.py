"""WeasyPrint fetches nothing outside the project's own static files: no URL, no other file.

A printed document may carry text people typed (names, titles, pitches). Were it ever to
reach the HTML unescaped, or were a template to point at a remote asset, the renderer must
still not call out to the network nor read files elsewhere on the server. A local HTTP
server counts every request it gets; a PNG outside static/ shows whether a file was read.
"""

from __future__ import annotations

import http.server
import io
import threading

import pytest
from PIL import Image

from techfest.printing.render import STATIC_DIR, html_to_pdf, local_only_fetcher


@pytest.fixture
def listener():
    """A local HTTP server that records every path asked of it."""
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - the http.server API
            hits.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.end_headers()
            self.wfile.write(png_bytes())

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", hits
    server.shutdown()
    server.server_close()


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 40), (255, 0, 0)).save(out, format="PNG")
    return out.getvalue()


def image_count(pdf: bytes) -> int:
    from pypdf import PdfReader

    count = 0
    for page in PdfReader(io.BytesIO(pdf)).pages:
        resources = page.get("/Resources") or {}
        xobjects = resources.get("/XObject") or {}
        count += sum(1 for x in xobjects.values() if x.get_object().get("/Subtype") == "/Image")
    return count


def test_printing_never_calls_a_url(listener):
    base, hits = listener
    body = f"""
      <h1>Nguyễn Thị Mai</h1>
      <img src="{base}/img.png">
      <link rel="stylesheet" href="{base}/style.css">
      <style>@import url("{base}/import.css");
             h1 {{ background: url("{base}/bg.png"); }}
             @font-face {{ font-family: X; src: url("{base}/font.woff2"); }}</style>
      <object data="{base}/object"></object><iframe src="{base}/frame"></iframe>
      <svg><image href="{base}/svg.png" width="10" height="10"/></svg>
    """
    pdf, pages = html_to_pdf(body)
    assert pdf.startswith(b"%PDF")
    assert pages == 1
    assert hits == []


def test_printing_reads_no_file_outside_static(tmp_path):
    outside = tmp_path / "secret.png"
    outside.write_bytes(png_bytes())
    escape = "../" * 12 + str(outside).lstrip("/")
    body = f"""
      <img src="{outside.as_uri()}">
      <img src="{escape}">
      <img src="file://localhost{outside}">
      <img src="/static/../../{outside.name}">
    """
    pdf, _pages = html_to_pdf(body)
    assert image_count(pdf) == 0


def test_print_fetcher_serves_the_projects_own_static_files_and_data_uris():
    own = next(p for p in sorted(STATIC_DIR.rglob("*")) if p.is_file())
    fetched = local_only_fetcher().fetch(own.as_uri())
    body = fetched.read() if hasattr(fetched, "read") else fetched["string"]
    assert body == own.read_bytes()
    data = local_only_fetcher().fetch("data:text/plain;base64,eGluIGNow6Bv")
    assert (data.read() if hasattr(data, "read") else data["string"]) == "xin chào".encode()


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:1/x.png",
        "https://example.org/logo.png",
        "ftp://example.org/file",
        "file:///etc/passwd",
        (STATIC_DIR / ".." / "techfest" / "config.py").as_uri(),
        STATIC_DIR.as_uri() + "/../pyproject.toml",
        STATIC_DIR.as_uri(),
    ],
)
def test_print_fetcher_refuses_urls_and_files_outside_static(url):
    with pytest.raises(ValueError, match="may not fetch"):
        local_only_fetcher().fetch(url)

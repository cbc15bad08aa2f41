"""Messages between matched or meeting participants; organisers see reported threads only."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l


def init_app(app: Flask) -> None:
    """Register this domain with the application: pages, menu, demo."""
    from techfest.core.domains import add_demo_loader
    from techfest.core.navigation import add_nav
    from techfest.db import writes_on_get
    from techfest.messages import demo, views

    app.register_blueprint(views.bp)
    # opening a thread marks it read: on SQLite its transaction must queue as a writer
    writes_on_get(app, "messages.thread")
    # participants reach their messages from the matchmaking tabs (the bar is full at 1280 px)
    add_nav(app, _l("Reported messages"), "messages.moderation", roles=("organiser",))
    add_demo_loader(app, "messages", demo.load_demo)

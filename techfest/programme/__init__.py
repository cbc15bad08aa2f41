"""Tracks, rooms, sessions, sign-ups and stars."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l


def init_app(app: Flask) -> None:
    """Register this domain with the application: pages, menu, commands, jobs, demo."""
    from techfest.core.domains import add_commands, add_demo_loader
    from techfest.core.navigation import add_nav
    from techfest.programme import cli, demo, views

    app.register_blueprint(views.bp)
    add_nav(app, _l("Programme"), "programme.index")
    add_commands(app, cli.commands)
    add_demo_loader(app, "programme", demo.load_demo)

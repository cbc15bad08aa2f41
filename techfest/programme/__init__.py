"""Tracks, rooms, sessions, sign-ups and personal agendas."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l


def init_app(app: Flask) -> None:
    """Register this domain with the application: pages, menu, commands, jobs, demo."""
    from techfest.auth.models import ROLES
    from techfest.core.domains import add_commands, add_demo_loader
    from techfest.core.navigation import add_nav
    from techfest.programme import cli, demo, views

    app.register_blueprint(views.bp)
    add_nav(app, _l("Programme"), "programme.index")
    add_nav(app, _l("My agenda"), "programme.agenda", roles=ROLES)
    add_commands(app, cli.commands)
    add_demo_loader(app, demo.load_demo)

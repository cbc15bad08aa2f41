"""Organiser pages: dashboard, audit log, privacy requests."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l


def init_app(app: Flask) -> None:
    """Register this domain with the application: pages, menu, commands, jobs, demo."""
    from techfest.core.domains import add_commands, add_demo_loader, set_edition_overview
    from techfest.core.navigation import add_nav
    from techfest.organiser import cli, demo, services, views

    app.register_blueprint(views.bp)
    app.register_blueprint(views.privacy_bp)
    add_nav(app, _l("Dashboard"), "organiser.dashboard", roles=("organiser",))
    add_commands(app, cli.commands)
    add_demo_loader(app, "organiser", demo.load_demo)
    set_edition_overview(app, services.edition_overview)

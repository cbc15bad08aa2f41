"""The booth floor plan and booth bookings."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l


def init_app(app: Flask) -> None:
    """Register this domain with the application: pages, menu, commands, jobs, demo."""
    from techfest.booths import cli, demo, views
    from techfest.core.domains import add_commands, add_demo_loader
    from techfest.core.navigation import add_nav

    app.register_blueprint(views.bp)
    add_nav(app, _l("Booths"), "booths.index")
    add_nav(app, _l("My booth"), "booths.mine", roles=("startup",))
    add_nav(app, _l("Booth requests"), "booths.requests", roles=("organiser",))
    add_commands(app, cli.commands)
    add_demo_loader(app, "booths", demo.load_demo)

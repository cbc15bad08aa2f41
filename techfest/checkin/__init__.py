"""Check-in at the entrance and at session doors."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l


def init_app(app: Flask) -> None:
    """Register this domain with the application: pages, menu, commands, jobs, demo."""
    from techfest.checkin import views
    from techfest.core.navigation import add_nav

    app.register_blueprint(views.bp)
    add_nav(app, _l("Check-in"), "checkin.kiosk", roles=("organiser",))

"""Pages every edition shares: home, language switch, health check."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l


def init_app(app: Flask) -> None:
    """Register this domain with the application: pages, menu, commands, jobs, demo."""
    from techfest.core import mail, views
    from techfest.core.navigation import add_nav

    app.register_blueprint(views.bp)
    app.register_blueprint(views.edition_bp)
    mail.start_sender(app)
    add_nav(app, _l("Settings"), "edition.settings", roles=("organiser",))

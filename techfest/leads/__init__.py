"""Lead capture at booths: booth staff scan visitors' badges; contacts only with consent."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l


def init_app(app: Flask) -> None:
    """Register this domain with the application: pages, menu, commands, jobs, demo."""
    from techfest.core.navigation import add_nav
    from techfest.leads import views

    app.register_blueprint(views.bp)
    add_nav(app, _l("Leads"), "leads.index", roles=("startup",))

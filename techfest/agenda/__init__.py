"""A person's agenda: programme sessions and meetings together, on the web, in iCal and on paper.

It stands above the programme and matchmaking domains and reads both through their
services; the printed agenda (printing) reads it from here too.
"""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l


def init_app(app: Flask) -> None:
    """Register the agenda page and feed, and the agenda's menu entry."""
    from techfest.agenda import views
    from techfest.core.models import ROLES
    from techfest.core.navigation import add_nav

    app.register_blueprint(views.bp)
    add_nav(app, _l("My agenda"), "agenda.index", roles=ROLES)

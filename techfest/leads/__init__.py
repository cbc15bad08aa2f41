"""Lead capture at booths: booth staff scan visitors' badges; contacts only with consent."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register this domain with the application: pages, menu, commands, jobs, demo."""
    from techfest.leads import views

    # no menu entry of its own (the bar is full at 1280 px in Vietnamese): a startup reaches
    # its leads from its booth page, a visitor from "My data"
    app.register_blueprint(views.bp)

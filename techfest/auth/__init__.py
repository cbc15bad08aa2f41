"""Accounts: sign up, log in, log out, password reset."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register this domain with the application: pages, menu, commands, jobs, demo."""
    from techfest.auth import views

    app.register_blueprint(views.bp)

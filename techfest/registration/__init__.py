"""Delegate registration: ticket types, capacity and waitlist."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l


def init_app(app: Flask) -> None:
    """Register this domain with the application: pages, menu, commands, jobs, demo."""
    from techfest.core.domains import add_commands, add_demo_loader, add_job_handler
    from techfest.core.navigation import add_nav
    from techfest.registration import cli, demo, jobs, views

    app.register_blueprint(views.bp)
    add_nav(app, _l("Registration"), "registration.index")
    add_nav(app, _l("Delegates"), "registration.manage", roles=("organiser",))
    add_commands(app, cli.commands)
    add_demo_loader(app, "registration", demo.load_demo)
    add_job_handler(app, jobs.KIND, jobs.run_import)

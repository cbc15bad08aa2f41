"""Printed documents: agendas, sheets, booklet and badges."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l


def init_app(app: Flask) -> None:
    """Register this domain with the application: pages, menu, commands, jobs, demo."""
    from techfest.core.domains import add_commands, add_job_handler
    from techfest.core.navigation import add_nav
    from techfest.printing import cli, jobs, views

    app.register_blueprint(views.bp)
    add_nav(app, _l("Printing"), "printing.index", roles=("organiser",))
    add_nav(
        app, _l("Agenda (PDF)"), "printing.my_agenda", roles=("delegate", "startup", "investor")
    )
    add_commands(app, cli.commands)
    add_job_handler(app, jobs.KIND, jobs.run_bulk_print)

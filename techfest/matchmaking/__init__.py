"""Startup and investor profiles, suggestions, requests and meetings."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l


def init_app(app: Flask) -> None:
    """Register this domain with the application: pages, menu, commands, jobs, demo."""
    from techfest.core.domains import add_commands, add_demo_loader, add_job_handler
    from techfest.core.navigation import add_nav
    from techfest.matchmaking import cli, demo, jobs, ranking, views

    app.register_blueprint(views.bp)
    app.extensions[ranking.RANK_CACHE] = ranking.RankCache()
    add_nav(app, _l("Meetings"), "matchmaking.index", roles=("startup", "investor"))
    add_nav(app, _l("Matchmaking"), "matchmaking.admin", roles=("organiser",))
    add_commands(app, cli.commands)
    add_job_handler(app, jobs.KIND, jobs.run_matcher)
    add_job_handler(app, ranking.KIND, ranking.rank_edition)
    add_demo_loader(app, "matchmaking", demo.load_demo)

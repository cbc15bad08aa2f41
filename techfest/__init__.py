"""Techfest: the platform that runs a city's technology festival."""

from __future__ import annotations

from flask import Flask

from techfest.config import ROOT, Config


def create_app(config: type[Config] | None = None, **overrides) -> Flask:
    """Build the application from small named steps."""
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=(config or Config).INSTANCE_PATH,
    )
    app.config.from_object(config or Config)
    app.config.update(overrides)
    register_extensions(app)
    register_domains(app)
    register_cli(app)
    register_errorhandlers(app)
    register_security_headers(app)
    register_shared_pages(app)
    return app


def register_extensions(app: Flask) -> None:
    from techfest import db, i18n
    from techfest.auth import services as auth_services
    from techfest.core import inputs, navigation
    from techfest.extensions import csrf, login_manager

    # first: the `id` route converter must exist before any blueprint declares a route
    inputs.register(app)
    db.init_app(app)
    i18n.init_app(app)
    navigation.init_app(app)
    csrf.init_app(app)
    login_manager.init_app(app)
    auth_services.init_login(login_manager)


def register_domains(app: Flask) -> None:
    """Every domain registers itself one way: its `init_app` (blueprint, menu, commands,
    job handlers, demo loader). The order is the menu's order."""
    from techfest import (
        agenda,
        auth,
        booths,
        checkin,
        core,
        leads,
        matchmaking,
        messages,
        organiser,
        payments,
        printing,
        programme,
        registration,
    )

    for domain in (
        core,
        auth,
        registration,
        booths,
        programme,
        agenda,
        matchmaking,
        payments,
        printing,
        organiser,
        checkin,
        leads,
        messages,
    ):
        domain.init_app(app)


def register_cli(app: Flask) -> None:
    """The commands every installation shares (the domains add theirs in `init_app`)."""
    from techfest import cli

    cli.init_app(app)


def register_errorhandlers(app: Flask) -> None:
    from techfest.core.errors import register

    register(app)


def register_security_headers(app: Flask) -> None:
    from techfest.core.security import register

    register(app)


def register_shared_pages(app: Flask) -> None:
    """Last step: the layer that hands anonymous visitors copies of busy public pages."""
    from techfest.core import pagecache

    pagecache.init_app(app)

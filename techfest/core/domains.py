"""How a domain plugs itself into the application.

Each domain package has one `init_app(app)`, called from the list in `techfest.create_app`.
It registers its blueprint and then, through the functions here, its menu entries, its
`flask` commands, its background-job handlers and its demo loader (and the organiser
domain, the figures of the edition's front page). Everything is kept on
the application (`app.extensions`), so two applications in one process (the tests build
many) never share a registration.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import click
from flask import Flask
from flask.cli import with_appcontext

JOB_HANDLERS = "techfest_job_handlers"
DEMO_LOADERS = "techfest_demo_loaders"
EDITION_OVERVIEW = "techfest_edition_overview"

#: a domain's demo loader: adds its own sample records to an edition the base loader made
DemoLoader = Callable[[Any, Any], None]


def add_commands(app: Flask, commands: Iterable[click.Command]) -> None:
    """Add `flask` commands; each runs inside the application context."""
    for command in commands:
        _with_app_context(command)
        app.cli.add_command(command)


def add_job_handler(app: Flask, kind: str, handler: Callable) -> None:
    """The function that runs background jobs of `kind` (see `techfest.core.jobs`)."""
    app.extensions.setdefault(JOB_HANDLERS, {})[kind] = handler


def job_handler_for(app: Flask, kind: str) -> Callable:
    return app.extensions.get(JOB_HANDLERS, {})[kind]


#: the order the domains add their demo records in: each sees what the ones before it made,
#: so changing it changes the demo (booths first, registration's VIP waitlist last)
DEMO_ORDER = (
    "payments",
    "booths",
    "matchmaking",
    "messages",
    "organiser",
    "programme",
    "registration",
)


def add_demo_loader(app: Flask, domain: str, loader: DemoLoader) -> None:
    """A domain's `load_demo(session, edition)`, run after the base demo of each edition."""
    if domain not in DEMO_ORDER:
        raise ValueError(f"{domain} has no place in DEMO_ORDER")
    app.extensions.setdefault(DEMO_LOADERS, {})[domain] = loader


def demo_loaders(app: Flask) -> list[DemoLoader]:
    """The domains' demo loaders, in DEMO_ORDER."""
    registered = app.extensions.get(DEMO_LOADERS, {})
    return [registered[d] for d in DEMO_ORDER if d in registered]


def set_edition_overview(app: Flask, reader: Callable) -> None:
    """Who counts what the edition's front page shows (`reader(session, edition)`)."""
    app.extensions[EDITION_OVERVIEW] = reader


def edition_overview_reader(app: Flask) -> Callable:
    return app.extensions[EDITION_OVERVIEW]


def _with_app_context(command: click.Command) -> None:
    """Run a command (or every command of a group) inside the application context."""
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            _with_app_context(sub)
    elif command.callback is not None and not getattr(command.callback, "_tf_ctx", False):
        command.callback = with_appcontext(command.callback)
        command.callback._tf_ctx = True


LISTENERS = "techfest_listeners"


def add_listener(app: Flask, event: str, listener: Callable) -> None:
    """Call `listener(session, **details)` when a lower domain announces `event`.

    How a domain lets one above it act inside its own transaction without importing it:
    registration announces "a paid place is held" and payments makes the order.
    """
    app.extensions.setdefault(LISTENERS, {}).setdefault(event, []).append(listener)


def announce(session: Any, event: str, **details: Any) -> None:
    """Tell the listeners of `event` (in the order they registered); they only flush."""
    from flask import current_app, has_app_context

    if not has_app_context():
        return
    for listener in current_app.extensions.get(LISTENERS, {}).get(event, ()):
        listener(session, **details)

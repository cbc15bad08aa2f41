"""`flask expire-booth-holds`: mark pending booth requests whose hold ran out as expired."""

from __future__ import annotations

import click
from flask import current_app
from sqlmodel import Session

from techfest.booths import booking
from techfest.db import writing


@click.command("expire-booth-holds")
def expire_booth_holds() -> None:
    """Free booths whose requests were not approved in time."""
    with writing(), Session(current_app.extensions["techfest_engine"]) as session:
        expired = booking.expire_holds(session)
        session.commit()
    click.echo(f"Expired {expired} booth hold(s).")


commands = [expire_booth_holds]

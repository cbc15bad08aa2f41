"""`flask` commands. Each is a thin wrapper over services and commits once."""

from __future__ import annotations

import click
from flask import Flask, current_app
from sqlmodel import Session

from techfest.db import writing


def _session() -> Session:
    return Session(current_app.extensions["techfest_engine"], expire_on_commit=False)


@click.command("init-db")
def init_db() -> None:
    """Create or upgrade the database schema (Alembic migrations)."""
    from techfest.migrations import upgrade

    url = current_app.config["DATABASE_URL"]
    if url.startswith("sqlite:///"):
        from pathlib import Path

        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    upgrade(url)
    click.echo("Database schema is up to date.")


@click.command("seed-demo")
@click.option("--delegates", default=320, show_default=True, help="Delegates to invent for 2025.")
def seed_demo(delegates: int) -> None:
    """Load the Techfest Hải Phòng 2024 and 2025 demo editions (skips what exists)."""
    from techfest.core.domains import demo_loaders
    from techfest.demo.load import load_demo

    with writing(), _session() as session:
        results = load_demo(session, delegates=delegates, loaders=demo_loaders(current_app))
        session.commit()
    for loaded in results:
        state = "loaded" if loaded.created else "already present, left unchanged"
        click.echo(f"Edition {loaded.edition.year}: {state}.")


@click.command("demo-logins")
def demo_logins() -> None:
    """Print the demo accounts and their password."""
    from techfest.demo.load import DEMO_ACCOUNTS, DEMO_PASSWORD

    click.echo(f"Demo accounts (password for all: {DEMO_PASSWORD}):")
    for account in DEMO_ACCOUNTS:
        click.echo(f"  {account.role:<10} {account.email}")


@click.command("create-organiser")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--year", type=int, required=True, help="Edition the person organises.")
@click.password_option()
def create_organiser(email: str, name: str, year: int, password: str) -> None:
    """Create (or promote) an account as organiser of an edition."""
    from techfest.auth import services as auth
    from techfest.core.editions import edition_by_year
    from techfest.core.mail import mark_confirmed

    with writing(), _session() as session:
        edition = edition_by_year(session, year)
        if edition is None:
            raise click.ClickException(f"No edition {year}. Run `flask seed-demo` or create it.")
        user = auth.find_user(session, email) or auth.create_user(session, email, password, name)
        auth.grant_role(session, user, edition.id, "organiser")
        # whoever runs the command vouches for the address
        mark_confirmed(session, user.email)
        session.commit()
    click.echo(f"{email} organises {year}.")


@click.command("send-mail")
def send_mail() -> None:
    """Send the messages waiting in the outbox."""
    from techfest.core.mail import deliver_pending

    with writing(), _session() as session:
        sent = deliver_pending(session)
        session.commit()
    click.echo(f"Sent {sent} message(s).")


def init_app(app: Flask) -> None:
    """The commands every installation shares; each domain's `init_app` adds its own."""
    from techfest.core.domains import add_commands

    add_commands(app, [init_db, seed_demo, demo_logins, create_organiser, send_mail])

"""Organiser commands: reminders, retention erasure, backup and restore."""

from __future__ import annotations

import os
from datetime import datetime, timedelta
from pathlib import Path

import click
from flask import current_app
from sqlmodel import Session

from techfest.db import writing
from techfest.organiser import privacy, services


def _session() -> Session:
    return Session(current_app.extensions["techfest_engine"], expire_on_commit=False)


def _moment(value: str | None) -> datetime | None:
    if not value:
        return None
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        raise click.BadParameter("give a time zone, e.g. 2025-10-08T09:00+07:00")
    return moment


@click.command("send-reminders")
@click.option("--now", "now_text", help="Pretend it is this time (ISO 8601 with zone).")
@click.option(
    "--base-url",
    default=lambda: os.environ.get("TECHFEST_BASE_URL", "http://127.0.0.1:8000"),
    show_default="TECHFEST_BASE_URL or http://127.0.0.1:8000",
    help="Address of the site, for the links in the messages.",
)
@click.option(
    "--minutes",
    type=click.IntRange(1, 24 * 60),
    default=None,
    show_default="TECHFEST_REMINDER_MINUTES or 15",
    help="How many minutes before each meeting and each starred session to remind.",
)
def send_reminders(now_text: str | None, base_url: str, minutes: int | None) -> None:
    """Queue the reminders due now: the day before, an hour before a first meeting, and
    some minutes before each meeting and each starred session.

    Run it every few minutes (cron); a reminder already queued is never queued again.
    """
    minutes = minutes or current_app.config["REMINDER_MINUTES"]
    with current_app.test_request_context(base_url=base_url), writing(), _session() as session:
        report = services.send_reminders(
            session, _moment(now_text), before=timedelta(minutes=minutes)
        )
        session.commit()
    click.echo(
        f"Queued {report.day_before} day-before, "
        f"{report.first_meeting} first-meeting, {report.meetings} meeting and "
        f"{report.sessions} starred-session reminder(s)."
    )


@click.command("erase-expired-data")
@click.option("--now", "now_text", help="Pretend it is this time (ISO 8601 with zone).")
def erase_expired_data(now_text: str | None) -> None:
    """Erase the personal data of every edition past its retention period."""
    with writing(), _session() as session:
        done = privacy.erase_expired(session, _moment(now_text))
        session.commit()
    if not done:
        click.echo("No edition is past its retention period.")
    for edition, people in done:
        click.echo(f"Edition {edition.year}: personal data erased ({people} account(s) closed).")


@click.command("backup")
@click.option("--output", required=True, type=click.Path(dir_okay=False, path_type=Path))
def backup(output: Path) -> None:
    """Take a consistent backup while the site runs (SQLite backup API, or pg_dump)."""
    try:
        path = services.backup_database(current_app.config["DATABASE_URL"], output)
    except services.BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Backup written to {path} ({path.stat().st_size} bytes).")


@click.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def restore(path: Path, yes: bool) -> None:
    """Replace the database with a backup taken by `flask backup` (stop the servers first)."""
    url = current_app.config["DATABASE_URL"]
    if not yes:
        click.confirm(f"Replace every row of {url.split('@')[-1]} with {path}?", abort=True)
    current_app.extensions["techfest_engine"].dispose()
    try:
        services.restore_database(url, path)
    except services.BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Restored {path}.")


commands = [send_reminders, erase_expired_data, backup, restore]

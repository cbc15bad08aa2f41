"""`flask programme-export` and `flask programme-import`: sessions as CSV."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from sqlmodel import Session

from techfest.db import writing


def _session() -> Session:
    return Session(current_app.extensions["techfest_engine"], expire_on_commit=False)


def _edition(session: Session, year: int):
    from techfest.core.editions import edition_by_year

    edition = edition_by_year(session, year)
    if edition is None:
        raise click.ClickException(f"No edition {year}.")
    return edition


@click.command("programme-export")
@click.option("--year", type=int, required=True, help="Edition year.")
@click.argument("path", type=click.Path(dir_okay=False, writable=True))
def programme_export(year: int, path: str) -> None:
    """Write the edition's sessions to a CSV file."""
    from techfest.programme import catalogue, csv

    with _session() as session:
        edition = _edition(session, year)
        text = csv.export_sessions_csv(session, edition)
        count = len(catalogue.list_sessions(session, edition))
    Path(path).write_text(text, encoding="utf-8")
    click.echo(f"Wrote {count} session(s) to {path}.")


@click.command("programme-import")
@click.option("--year", type=int, required=True, help="Edition year.")
@click.option("--as-user", "email", required=True, help="Organiser recorded in the audit log.")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def programme_import(year: int, email: str, path: str) -> None:
    """Import sessions from CSV: every row is checked; all rows are applied or none."""
    from techfest.auth.services import find_user
    from techfest.core.editions import roles_of
    from techfest.programme import csv

    data = Path(path).read_bytes()
    # a request context gives the messages a language (the organiser's default, Vietnamese)
    with current_app.test_request_context(), writing(), _session() as session:
        edition = _edition(session, year)
        user = find_user(session, email)
        if user is None or "organiser" not in roles_of(session, user.id, edition.id):
            raise click.ClickException(f"{email} does not organise {year}.")
        report = csv.import_sessions_csv(session, edition, user, data)
        if not report.ok:
            session.rollback()
            for error in report.errors:
                click.echo(f"line {error.line} {error.column}: {error.message}", err=True)
            raise click.ClickException(f"Nothing imported: {len(report.errors)} problem(s).")
        session.commit()
    click.echo(f"Imported: {report.created} created, {report.updated} updated.")


commands = [programme_export, programme_import]

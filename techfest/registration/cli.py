"""`flask import-delegates` and `flask export-delegates`: thin wrappers over the services."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask_babel import force_locale
from sqlmodel import Session

from techfest.core.csvio import CsvFormatError
from techfest.core.editions import edition_by_year
from techfest.db import writing
from techfest.registration import catalogue, csv


def _session() -> Session:
    return Session(current_app.extensions["techfest_engine"], expire_on_commit=False)


@click.command("import-delegates")
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--year", type=int, required=True, help="Edition to register the delegates for.")
def import_delegates(csv_file: Path, year: int) -> None:
    """Import delegates from CSV: all rows or none (columns: email, full_name, ticket_code…)."""
    with writing(), force_locale("en"), _session() as session:
        edition = edition_by_year(session, year)
        if edition is None:
            raise click.ClickException(f"No edition {year}.")
        try:
            result = csv.import_delegates(session, edition, csv_file.read_bytes(), by_user_id=None)
        except CsvFormatError as exc:
            raise click.ClickException(str(exc)) from exc
        if not result.report.ok:
            session.rollback()
            for error in result.report.errors:
                click.echo(f"line {error.line}, {error.column or '-'}: {error.message}", err=True)
            raise click.ClickException(f"Nothing imported: {len(result.report.errors)} problem(s).")
        session.commit()
    report = result.report
    click.echo(
        f"Imported {report.rows} rows: {report.created} new registrations "
        f"({result.confirmed} confirmed, {result.waitlisted} waitlisted), "
        f"{report.updated} updated, {result.users_created} accounts created."
    )


@click.command("export-delegates")
@click.option("--year", type=int, required=True)
@click.option("--status", type=click.Choice(catalogue.STATUSES), default=None)
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), default=None)
def export_delegates(year: int, status: str | None, output: Path | None) -> None:
    """Write the edition's registrations as CSV (to a file, or to stdout)."""
    with _session() as session:
        edition = edition_by_year(session, year)
        if edition is None:
            raise click.ClickException(f"No edition {year}.")
        text = csv.export_csv(session, edition, status=status)
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        click.echo(f"Wrote {output}.")


commands = [import_delegates, export_delegates]

"""Commands of payments: expire unpaid orders, import a statement."""

from __future__ import annotations

from pathlib import Path

import click
from sqlmodel import select

from techfest.core.models import Edition
from techfest.db import db, writing
from techfest.payments import orders, reconcile


@click.command("expire-orders")
def expire_orders_command():
    """Remind buyers a day before their date; expire orders unpaid past it (run from cron)."""
    with writing():
        reminded = orders.remind_due(db())
        count = orders.expire_orders(db())
        db().commit()
    click.echo(f"{reminded} reminders, {count} orders expired")


@click.command("import-statement")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--year", type=int, required=True)
def import_statement_command(path: Path, year: int):
    """Import a bank statement (CSV or CAMT.053) and match it to the year's orders."""
    with writing():
        edition = db().exec(select(Edition).where(Edition.year == year)).first()
        if edition is None:
            raise click.ClickException(f"no edition {year}")
        report = reconcile.import_statement(
            db(), edition, path.read_bytes(), path.name, by_user_id=None
        )
        if not report.ok:
            db().rollback()
            if report.fatal:
                raise click.ClickException(report.fatal)
            for e in report.errors:
                click.echo(f"line {e.line} {e.column}: {e.message}", err=True)
            raise SystemExit(2)
        db().commit()
    click.echo(
        f"{report.credits} credits: {report.matched} matched, {report.review} to review, "
        f"{report.duplicates} already imported"
    )


commands = [expire_orders_command, import_statement_command]

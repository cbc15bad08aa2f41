"""`flask print-agendas`, `print-badges`, `print-sheets`, `print-booklet`.

Each renders, keeps the documents in the database (one commit) and writes the PDFs to an
output directory: the combined PDF, and with `--per-person` one PDF per agenda.
"""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from sqlmodel import Session

from techfest.db import writing


def _session() -> Session:
    return Session(current_app.extensions["techfest_engine"], expire_on_commit=False)


def _edition(session: Session, year: int | None):
    from techfest.core.editions import current_edition, edition_by_year

    edition = edition_by_year(session, year) if year else current_edition(session)
    if edition is None:
        raise click.ClickException(f"No edition {year or ''}. Run `flask seed-demo` first.")
    return edition


class _Bar:
    """A click progress bar that learns its length from the first report."""

    def __init__(self, label: str):
        self.label = label
        self.bar = None
        self.done = 0

    def __call__(self, done: int, total: int) -> None:
        if self.bar is None:
            self.bar = click.progressbar(length=total, label=self.label, show_pos=True)
            self.bar.__enter__()
        self.bar.update(done - self.done)
        self.done = done

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)


def _run(
    kind: str,
    year: int | None,
    out: str,
    force: bool,
    workers: int | None,
    per_person: bool,
    combined: bool,
    **options,
) -> None:
    from techfest.printing import services

    bar = _Bar(f"Rendering {kind}")
    with writing(), _session() as session:
        edition = _edition(session, year)
        try:
            rendered = services.render_kind(
                session, edition, kind, force=force, workers=workers, progress=bar, **options
            )
        except services.PrintingError as exc:
            raise click.ClickException(exc.message) from exc
        finally:
            bar.close()
        key = services.key_for(kind, options.get("lang", "vi"), options.get("layout", "a4"))
        doc = services.store_rendered(session, edition, rendered, key)
        session.commit()
        target = Path(out)
        target.mkdir(parents=True, exist_ok=True)
        written = 0
        if combined:
            (target / doc.filename).write_bytes(doc.pdf)
            written += 1
        if per_person and rendered.files:
            folder = target / kind
            folder.mkdir(exist_ok=True)
            for name, pdf in rendered.files:
                (folder / name).write_bytes(pdf)
            written += len(rendered.files)
        elif per_person and rendered.up_to_date and kind == "agendas":
            written += _write_stored_agendas(session, edition, target / kind)
    state = "unchanged since the last print" if rendered.up_to_date else "rendered"
    skipped = f" ({rendered.skipped} with nothing booked left out)" if rendered.skipped else ""
    click.echo(
        f"{doc.filename}: {doc.pages} pages, {rendered.count} {kind}{skipped}, {state}; "
        f"{written} file(s) in {target}."
    )


def _write_stored_agendas(session: Session, edition, folder: Path) -> int:
    from sqlmodel import select

    from techfest.printing.models import Document

    folder.mkdir(parents=True, exist_ok=True)
    docs = session.exec(
        select(Document).where(Document.edition_id == edition.id, Document.kind == "agenda")
    ).all()
    for doc in docs:
        (folder / f"{doc.owner_user_id:05d}-{doc.filename}").write_bytes(doc.pdf)
    return len(docs)


_year = click.option("--year", type=int, default=None, help="Edition year (default: newest).")
_out = click.option(
    "--out",
    default="print-output",
    show_default=True,
    type=click.Path(file_okay=False),
    help="Directory for the PDFs.",
)
_force = click.option("--force", is_flag=True, help="Render again even if nothing changed.")
_workers = click.option("--workers", type=int, default=None, help="Worker processes (default 2).")


@click.command("print-agendas")
@_year
@_out
@_force
@_workers
@click.option("--combined/--no-combined", default=True, help="Write the one PDF for the printer.")
@click.option("--per-person/--no-per-person", default=False, help="Write one PDF per person.")
def print_agendas(year, out, force, workers, combined, per_person) -> None:
    """Print every personal agenda (one combined PDF and/or one PDF per person)."""
    _run("agendas", year, out, force, workers, per_person, combined)


@click.command("print-badges")
@_year
@_out
@_force
@_workers
@click.option(
    "--layout",
    type=click.Choice(["a4", "a6"]),
    default="a4",
    show_default=True,
    help="a4: four per sheet with cut marks; a6: one per page.",
)
def print_badges(year, out, force, workers, layout) -> None:
    """Print the badges of every confirmed registration."""
    _run("badges", year, out, force, workers, False, True, layout=layout)


@click.command("print-sheets")
@_year
@_out
@_force
@click.option(
    "--kind", type=click.Choice(["tables", "rooms", "both"]), default="both", show_default=True
)
@click.option("--lang", type=click.Choice(["vi", "en"]), default="vi", show_default=True)
def print_sheets(year, out, force, kind, lang) -> None:
    """Print the table sheets and room sheets for the doors."""
    kinds = {"tables": ["table-sheets"], "rooms": ["room-sheets"]}.get(
        kind, ["table-sheets", "room-sheets"]
    )
    for name in kinds:
        _run(name, year, out, force, 1, False, True, lang=lang)


@click.command("print-booklet")
@_year
@_out
@_force
def print_booklet(year, out, force) -> None:
    """Print the bilingual programme booklet."""
    _run("booklet", year, out, force, 1, False, True)


commands = [print_agendas, print_badges, print_sheets, print_booklet]

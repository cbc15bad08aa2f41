"""The bulk print background job: render without writing, then store in one transaction."""

from __future__ import annotations

from collections.abc import Callable

from flask_babel import gettext as _
from sqlmodel import Session, select

from techfest.core import audit
from techfest.core.jobs import create_job
from techfest.core.models import Edition, Job
from techfest.printing import services

KIND = "printing.bulk"


def start_bulk_print(
    session: Session,
    edition: Edition,
    user_id: int,
    kind: str,
    *,
    lang: str,
    layout: str,
    force: bool,
) -> Job:
    """Queue a bulk print; the caller commits and launches the job."""
    if kind not in services.KINDS:
        raise services.PrintingError(_("Unknown document."))
    return create_job(
        session,
        KIND,
        edition_id=edition.id,
        user_id=user_id,
        document=kind,
        lang=lang,
        layout=layout,
        force=force,
    )


def run_bulk_print(session: Session, job: Job, progress) -> Callable[[Session], dict]:
    edition = session.get(Edition, job.edition_id)
    params = job.params
    kind = params["document"]
    lang, layout = params.get("lang", "vi"), params.get("layout", "a4")
    progress(2, "")

    def step(done: int, total: int) -> None:
        progress(5 + int(85 * done / max(total, 1)), f"{done}/{total}")

    rendered = services.render_kind(
        session,
        edition,
        kind,
        lang=lang,
        layout=layout,
        force=bool(params.get("force")),
        progress=step,
    )
    progress(92, "")
    key = services.key_for(kind, lang, layout)
    edition_id, user_id = edition.id, job.created_by_id

    def apply(write: Session) -> dict:
        target = write.get(Edition, edition_id)
        doc = services.store_rendered(write, target, rendered, key)
        audit.record(
            write,
            "printing.bulk",
            user_id=user_id,
            edition_id=edition_id,
            object_type="document",
            object_id=doc.id,
            kind=kind,
            pages=doc.pages,
            skipped=rendered.skipped,
            up_to_date=rendered.up_to_date,
        )
        return {
            "document_id": doc.id,
            "pages": doc.pages,
            "count": rendered.count,
            "skipped": rendered.skipped,
            "up_to_date": rendered.up_to_date,
        }

    return apply


def job_status(session: Session, edition: Edition, job_id: int) -> dict:
    """Progress of a bulk print of this edition, as the organiser page polls it."""
    job = session.exec(
        select(Job).where(Job.id == job_id, Job.edition_id == edition.id, Job.kind == KIND)
    ).first()
    if job is None:
        raise services.NothingToPrint(_("This print job does not exist."))
    error = (job.error or "").split(": ", 1)[-1] if job.status == "failed" else ""
    return {
        "id": job.id,
        "kind": job.params.get("document"),
        "status": job.status,
        "progress": job.progress,
        "message": job.message,
        "error": error,
        "document_id": (job.result or {}).get("document_id"),
        "pages": (job.result or {}).get("pages"),
        "up_to_date": (job.result or {}).get("up_to_date", False),
        "skipped": (job.result or {}).get("skipped", 0),
    }


def recent_jobs(session: Session, edition: Edition, limit: int = 5) -> list[Job]:
    from sqlmodel import col

    return list(
        session.exec(
            select(Job)
            .where(Job.edition_id == edition.id, Job.kind == KIND)
            .order_by(col(Job.id).desc())
            .limit(limit)
        )
    )


def launch_bulk_print(job_id: int) -> None:
    """Start the job. In sync mode (tests) it runs in a fresh context, outside the
    request's write intent: its reading phase must not hold the SQLite write lock while
    its progress commits wait for it."""
    import contextvars

    from flask import current_app

    from techfest.core.jobs import launch, mode, run_job

    app = current_app._get_current_object()
    if mode(app) == "sync":
        contextvars.Context().run(run_job, app, job_id)
    else:
        launch(job_id)

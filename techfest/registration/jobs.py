"""The delegate import as a background job: the request stores the file and returns at once.

The job checks every row while only reading, then writes them all in one transaction
(core/jobs.py commits once): a file with one bad row stores nothing, and a worker killed
half-way leaves nothing behind. Messages (progress, per-row problems) are written in the
language of the organiser who started the import. The uploaded file waits in `job_file`
(outside the job's JSON) and is deleted once the import is done either way: it holds
people's details.
"""

from __future__ import annotations

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlmodel import Session, delete, select

from techfest.core.csvio import CsvFormatError, ImportReport, RowError
from techfest.core.jobs import Apply, create_job
from techfest.core.models import Edition, Job, JobFile
from techfest.registration import csv
from techfest.registration.errors import NotFound

KIND = "registration.import"


def start_import(
    session: Session, edition: Edition, user_id: int, data: bytes, *, lang: str, my_url: str
) -> Job:
    """Queue an import of this file; the caller commits, then calls `launch(job.id)`.

    Raises `CsvFormatError` when the file itself cannot be read (encoding, NUL
    characters, a broken quote, missing columns).
    """
    if isinstance(data, str):
        data = data.encode("utf-8")
    csv.check_file(data)  # an unreadable file is answered at once; its rows by the job
    job = create_job(
        session, KIND, edition_id=edition.id, user_id=user_id, lang=lang, my_url=my_url
    )
    session.add(JobFile(job_id=job.id, data=data))
    session.flush()
    return job


def run_import(session: Session, job: Job, progress) -> Apply:
    """Check every row (reading only), then hand back how to write them all."""
    params = dict(job.params)
    lang = params.get("lang", "vi")
    job_id, edition_id = job.id, job.edition_id
    edition = session.get(Edition, edition_id)
    upload = session.exec(select(JobFile.data).where(JobFile.job_id == job_id)).first()
    file_error = ""
    report, parsed = ImportReport(), []
    with force_locale(lang):
        progress(5, _("Checking the rows…"))
        try:
            report, parsed = csv.check_delegates(session, edition, upload or b"")
        except CsvFormatError as exc:
            file_error = _("The file cannot be read: %(reason)s", reason=str(exc))
        if not file_error and report.ok:
            progress(50, _("Writing %(n)s rows…", n=report.rows))

    def apply(write: Session) -> dict:
        write.exec(delete(JobFile).where(JobFile.job_id == job_id))
        if file_error or not report.ok:
            return _summary(report, file_error=file_error)
        with force_locale(lang):
            result = csv.apply_delegates(
                write,
                write.get(Edition, edition_id),
                report,
                parsed,
                by_user_id=job.created_by_id,
                my_url=params.get("my_url", ""),
            )
        return _summary(
            result.report,
            confirmed=result.confirmed,
            waitlisted=result.waitlisted,
            users_created=result.users_created,
        )

    return apply


def _summary(report: ImportReport, *, file_error: str = "", **counts) -> dict:
    return {
        "ok": report.ok and not file_error,
        "file_error": file_error,
        "rows": report.rows,
        "created": report.created,
        "updated": report.updated,
        "errors": [
            {"line": e.line, "column": e.column, "message": str(e.message)} for e in report.errors
        ],
        **counts,
    }


def import_job(session: Session, edition: Edition, job_id: int) -> Job:
    """An import job of this edition, or NotFound (another edition's jobs do not exist)."""
    job = session.exec(
        select(Job).where(Job.id == job_id, Job.edition_id == edition.id, Job.kind == KIND)
    ).first()
    if job is None:
        raise NotFound()
    return job


def report_of(job: Job) -> ImportReport | None:
    """What a finished import found, in the shape the import report macro shows."""
    if job.status != "done":
        return None
    result = job.result or {}
    return ImportReport(
        rows=result.get("rows", 0),
        created=result.get("created", 0),
        updated=result.get("updated", 0),
        errors=[RowError(e["line"], e["column"], e["message"]) for e in result.get("errors", [])],
    )


def status_of(job: Job) -> dict:
    """The job as the progress bar polls it."""
    return {
        "id": job.id,
        "status": job.status,
        "progress": job.progress,
        "message": job.message,
        "finished": job.status in ("done", "failed"),
    }

"""Background jobs: on a Redis queue (RQ) when REDIS_URL is set, in a thread otherwise.

A job has two phases. The handler computes: it receives a database session, the Job row
and a `progress(percent, text)` callback, reads what it needs and must not write. It returns
an `apply(session) -> dict` function (or a result dict when there is nothing to write).
`apply` then runs in one write transaction that commits once, so a job that dies leaves
nothing half-done. Progress is committed on a separate session so organisers see it while
the job runs (on SQLite a reader cannot turn into a writer after such commits, hence the
two phases).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import traceback
from collections.abc import Callable
from datetime import timedelta

from flask import Flask, current_app
from sqlmodel import Session, delete, select

from techfest.core.domains import job_handler_for
from techfest.core.models import Job, JobFile
from techfest.db import _write_intent, now_utc, writing

log = logging.getLogger(__name__)

Progress = Callable[[int, str], None]
Apply = Callable[[Session], dict]
Handler = Callable[[Session, Job, Progress], "dict | Apply"]


def create_job(
    session: Session, kind: str, *, edition_id: int | None, user_id: int | None, **params
) -> Job:
    """Record a queued job; the caller commits, then calls `launch(job.id)`."""
    job = Job(kind=kind, edition_id=edition_id, created_by_id=user_id, params=params)
    session.add(job)
    session.flush()
    return job


#: a job silent for longer than this is taken for dead (its worker on another machine died)
STALE_AFTER = timedelta(hours=1)


def this_worker() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _process_alive(worker: str) -> bool:
    host, _, pid = worker.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return True  # another machine: only silence tells
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def live_job(session: Session, kind: str, edition_id: int | None) -> Job | None:
    """The queued or running job of this kind, if one is really alive.

    A job whose process is gone (killed on this machine) or that stayed silent past
    STALE_AFTER is marked failed, so it no longer blocks the next run.
    """
    now = now_utc()
    candidates = session.exec(
        select(Job).where(
            Job.kind == kind, Job.edition_id == edition_id, Job.status.in_(("queued", "running"))
        )
    ).all()
    for job in candidates:
        last_sign = job.heartbeat_at or job.created_at
        dead = (job.status == "running" and job.worker and not _process_alive(job.worker)) or (
            now - last_sign > STALE_AFTER
        )
        if not dead:
            return job
        job.status = "failed"
        job.error = "The process running this job stopped."
        job.finished_at = now
        session.add(job)
    session.flush()
    return None


def mode(app: Flask) -> str:
    configured = app.config.get("JOBS_MODE")
    if configured:
        return configured
    return "rq" if app.config.get("REDIS_URL") else "thread"


def launch(job_id: int) -> None:
    app = current_app._get_current_object()
    how = mode(app)
    if how == "rq":
        from redis import Redis
        from rq import Queue

        queue = Queue("techfest", connection=Redis.from_url(app.config["REDIS_URL"]))
        # named, not imported: the worker entry point builds the whole application
        queue.enqueue("techfest.worker.run_queued_job", job_id, job_timeout=3600)
    elif how == "sync":
        run_job(app, job_id)
    else:
        threading.Thread(target=run_job, args=(app, job_id), daemon=True).start()


def run_job(app: Flask, job_id: int) -> None:
    # a job launched synchronously from a POST must not inherit the request's write intent:
    # its reading phase would hold SQLite's write lock while progress is committed
    token = _write_intent.set(False)
    try:
        _run_job(app, job_id)
    finally:
        _write_intent.reset(token)


def _run_job(app: Flask, job_id: int) -> None:
    engine = app.extensions["techfest_engine"]
    with app.app_context(), Session(engine, expire_on_commit=False) as status_session:
        job = status_session.get(Job, job_id)
        if job is None or job.status != "queued":
            return
        job.status = "running"
        job.started_at = job.heartbeat_at = now_utc()
        job.worker = this_worker()
        status_session.add(job)
        status_session.commit()

        def progress(percent: int, text: str = "") -> None:
            job.progress = max(0, min(100, int(percent)))
            job.message = text[:500]
            job.heartbeat_at = now_utc()
            status_session.add(job)
            status_session.commit()

        handler = job_handler_for(app, job.kind)
        with Session(engine, expire_on_commit=False) as work_session:
            try:
                plan = handler(work_session, job, progress)
                work_session.rollback()  # end the reading transaction
                if callable(plan):
                    with writing():
                        result = plan(work_session)
                        work_session.commit()
                else:
                    result = plan
            except Exception as exc:  # a failed job is reported, never half-applied
                work_session.rollback()
                log.error("job %s failed: %s", job_id, traceback.format_exc())
                job.status = "failed"
                job.error = f"{type(exc).__name__}: {exc}"[:2000]
                job.finished_at = now_utc()
                status_session.add(job)
                # the file it was given (an upload with people's details) goes with it
                status_session.exec(delete(JobFile).where(JobFile.job_id == job.id))
                status_session.commit()
                return
        job.status = "done"
        job.progress = 100
        job.result = result or {}
        job.finished_at = now_utc()
        status_session.add(job)
        status_session.commit()

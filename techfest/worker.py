"""What an RQ worker process (`rq worker techfest`) runs for each queued job."""

from __future__ import annotations


def run_queued_job(job_id: int) -> None:
    """Build the application in the worker process and run the job `job_id`."""
    from techfest import create_app
    from techfest.core.jobs import run_job

    run_job(create_app(), job_id)

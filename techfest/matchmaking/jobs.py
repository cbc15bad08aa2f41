"""The matcher run as a background job: compute the draft (read-only), then write it at once.

The handler reads profiles, preferences, requests and availability and asks the matching
library for assignment and schedule; `apply` then replaces the unlocked drafts in one
transaction, so a run that dies leaves the previous draft untouched.
"""

from __future__ import annotations

from sqlmodel import Session

from techfest.core.jobs import Apply
from techfest.core.models import Edition, Job
from techfest.matchmaking import run

KIND = "matchmaking.run"


def run_matcher(session: Session, job: Job, progress) -> Apply:
    """The background job of a matcher run: compute the draft, then hand back how to write it."""
    edition = session.get(Edition, job.edition_id)
    plan = run.plan_run(
        session,
        edition,
        progress,
        time_limit=float(job.params.get("time_limit", 10.0)),
        reserve=int(job.params.get("reserve", 0)),
    )
    edition_id, job_id = edition.id, job.id

    def apply(write_session: Session) -> dict:
        return run.apply_plan(write_session, edition_id, job_id, plan)

    return apply

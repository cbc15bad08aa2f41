"""`flask match` (run the matcher for an edition) and `flask expire-meeting-requests`."""

from __future__ import annotations

import click
from flask import current_app
from sqlmodel import Session

from techfest.db import writing


def _session() -> Session:
    return Session(current_app.extensions["techfest_engine"], expire_on_commit=False)


@click.command("match")
@click.option("--year", type=int, required=True, help="Edition to run the matcher for.")
@click.option("--time-limit", default=10.0, show_default=True, help="Seconds for the schedule.")
@click.option(
    "--reserve", default=1, show_default=True, help="Places per investor kept for booking."
)
def match(year: int, time_limit: float, reserve: int) -> None:
    """Run the matcher (assign + schedule) for an edition; the result is a draft to review."""
    from techfest.core.editions import edition_by_year
    from techfest.core.jobs import run_job
    from techfest.matchmaking import errors, run

    with writing(), _session() as session:
        edition = edition_by_year(session, year)
        if edition is None:
            raise click.ClickException(f"No edition {year}.")
        try:
            job = run.start_run(session, edition, None, time_limit=time_limit, reserve=reserve)
        except errors.MatchmakingError as exc:
            raise click.ClickException(str(exc.message)) from exc
        session.commit()
        job_id = job.id
    run_job(current_app._get_current_object(), job_id)
    with _session() as session:
        job = run.job_for(session, edition, job_id)
        if job.status != "done":
            raise click.ClickException(f"The run failed: {job.error}")
        run = run.latest_run(session, edition)
        f = run.figures
    click.echo(
        f"Draft: {f['meetings']} meetings; per startup min {f['per_startup_min']}, "
        f"median {f['per_startup_median']}, max {f['per_startup_max']}; "
        f"breaks {f['breaks']} (lower bound {f['lower_bound']}), fairness {f['fairness']}, "
        f"unmet requests {len(f['unmet_requests'])}, schedule {f['schedule_status']} "
        f"in {f['solve_seconds']} s."
    )


@click.command("expire-meeting-requests")
def expire_meeting_requests() -> None:
    """Mark unanswered meeting requests past their expiry as expired."""
    from techfest.matchmaking import requests

    with writing(), _session() as session:
        count = requests.expire_requests(session)
        session.commit()
    click.echo(f"{count} request(s) expired.")


commands = [match, expire_meeting_requests]

"""Edition overview, health report and small account preferences."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session, func, select

from techfest.auth.models import User
from techfest.booths.models import Booth
from techfest.core.models import Edition
from techfest.programme.models import ProgrammeSession
from techfest.registration.models import Registration


@dataclass(frozen=True)
class EditionOverview:
    edition: Edition
    sessions: int
    booths: int
    delegates: int


def edition_overview(session: Session, edition: Edition) -> EditionOverview:
    def count(model, *where) -> int:
        return session.exec(select(func.count()).select_from(model).where(*where)).one()

    return EditionOverview(
        edition=edition,
        sessions=count(ProgrammeSession, ProgrammeSession.edition_id == edition.id),
        booths=count(Booth, Booth.edition_id == edition.id),
        delegates=count(
            Registration,
            Registration.edition_id == edition.id,
            Registration.status == "confirmed",
        ),
    )


def set_user_locale(session: Session, user: User, code: str) -> None:
    user.locale = code
    session.add(user)
    session.flush()


def health(session: Session, redis_url: str | None) -> dict:
    report: dict = {"ok": True, "database": "ok", "queue": "in-process"}
    try:
        session.exec(select(sa.literal(1))).one()
    except sa.exc.SQLAlchemyError as exc:
        report.update(ok=False, database=f"error: {type(exc).__name__}")
    if redis_url:
        try:
            from redis import Redis

            Redis.from_url(redis_url, socket_timeout=2).ping()
            report["queue"] = "redis ok"
        except Exception as exc:  # any failure to reach the queue is reported, not raised
            report.update(ok=False, queue=f"error: {type(exc).__name__}")
    return report

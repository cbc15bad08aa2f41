"""Edition settings, the health report and small account preferences."""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session, select

from techfest.core.models import Edition


class EditionError(Exception):
    pass


EDITION_FIELDS = (
    "year",
    "number",
    "name_vi",
    "name_en",
    "theme_vi",
    "theme_en",
    "venue_vi",
    "venue_en",
    "address",
    "starts_on",
    "ends_on",
    "booth_hold_hours",
    "max_booths_per_organisation",
    "request_expiry_hours",
    "meeting_auto_accept",
    "retention_days",
)


def save_edition(session: Session, edition: Edition | None, data: dict, user_id: int) -> Edition:
    """Create an edition (the creator becomes its organiser) or update one; audited."""
    from techfest.core.audit import record
    from techfest.core.models import EditionRole

    clash = session.exec(select(Edition).where(Edition.year == data["year"])).first()
    if clash is not None and clash is not edition:
        raise EditionError(data["year"])
    created = edition is None
    if edition is None:
        edition = Edition(**{k: data[k] for k in EDITION_FIELDS if k in data})
    else:
        for key in EDITION_FIELDS:
            if key in data:
                setattr(edition, key, data[key])
    session.add(edition)
    session.flush()
    if created:
        session.add(EditionRole(user_id=user_id, edition_id=edition.id, role="organiser"))
    changes = {k: str(data[k]) for k in EDITION_FIELDS if k in data}
    record(
        session,
        "edition.create" if created else "edition.update",
        user_id=user_id,
        edition_id=edition.id,
        object_type="edition",
        object_id=edition.id,
        **changes,
    )
    session.flush()
    return edition


def set_user_locale(session: Session, user, code: str) -> None:
    """Remember the signed-in person's language (`user` is their account row)."""
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

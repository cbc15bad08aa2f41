"""The audit log: every organiser change is written with who, what and when."""

from __future__ import annotations

from sqlmodel import Session

from techfest.core.models import AuditLog


def record(
    session: Session,
    action: str,
    *,
    user_id: int | None,
    edition_id: int | None = None,
    object_type: str = "",
    object_id: object = "",
    **details,
) -> AuditLog:
    entry = AuditLog(
        action=action,
        user_id=user_id,
        edition_id=edition_id,
        object_type=object_type,
        object_id=str(object_id),
        details=details,
    )
    session.add(entry)
    session.flush()
    return entry

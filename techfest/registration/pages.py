"""What the organiser's registration pages show: the filtered list and the ticket overview."""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlmodel import Session, func, select

from techfest.registration.catalogue import (
    STATUSES,
    clean,
    has_control_chars,
    ticket_types,
    waiting_counts,
)
from techfest.registration.models import Registration, TicketType


@dataclass
class RegistrationPage:
    """One page of the organiser's registration list."""

    rows: list[tuple[Registration, TicketType]]
    total: int
    page: int
    pages: int
    by_status: dict[str, int]
    by_ticket: list[tuple[TicketType, int, int]]
    #: waitlist position of each waiting registration on the page
    positions: dict[int, int] = field(default_factory=dict)


def filtered(query, edition_id: int, status: str | None, ticket_type_id: int | None, q: str):
    """The registrations query narrowed by status, ticket type and words."""
    query = query.where(Registration.edition_id == edition_id)
    if status in STATUSES:
        query = query.where(Registration.status == status)
    if ticket_type_id:
        query = query.where(Registration.ticket_type_id == ticket_type_id)
    if q:
        # SQLite lowers ASCII only, so the text as typed is matched too ("Đình Vũ")
        typed, lowered = f"%{q}%", f"%{q.lower()}%"
        columns = (Registration.full_name, Registration.email, Registration.organisation_name)
        query = query.where(
            sa.or_(
                *(c.like(typed) for c in columns), *(func.lower(c).like(lowered) for c in columns)
            )
        )
    return query


def list_registrations(
    session: Session,
    edition_id: int,
    *,
    status: str | None = None,
    ticket_type_id: int | None = None,
    q: str = "",
    page: int = 1,
    per_page: int = 50,
) -> RegistrationPage:
    """One page of registrations matching the filters, with counts for the whole edition."""
    q = "".join(c for c in clean(q) if not has_control_chars(c))[:100]
    total = session.exec(
        filtered(
            select(func.count()).select_from(Registration), edition_id, status, ticket_type_id, q
        )
    ).one()
    pages = max(1, -(-int(total) // per_page))
    page = min(max(1, page), pages)
    rows = session.exec(
        filtered(
            select(Registration, TicketType).join(
                TicketType, TicketType.id == Registration.ticket_type_id
            ),
            edition_id,
            status,
            ticket_type_id,
            q,
        )
        .order_by(Registration.created_at.desc(), Registration.id.desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    by_status = dict.fromkeys(STATUSES, 0)
    for st, n in session.exec(
        select(Registration.status, func.count())
        .where(Registration.edition_id == edition_id)
        .group_by(Registration.status)
    ):
        by_status[st] = int(n)
    ranks = waitlist_ranks(session, edition_id) if by_status["waitlisted"] else {}
    return RegistrationPage(
        [tuple(r) for r in rows],
        int(total),
        page,
        pages,
        by_status,
        ticket_overview(session, edition_id),
        {reg.id: ranks[reg.id] for reg, _t in rows if reg.id in ranks},
    )


def ticket_overview(session: Session, edition_id: int) -> list[tuple[TicketType, int, int]]:
    """Each ticket type with its confirmed places and the number of people waiting."""
    waiting = waiting_counts(session, edition_id)
    return [(t, t.confirmed_count, waiting.get(t.id, 0)) for t in ticket_types(session, edition_id)]


def waitlist_ranks(session: Session, edition_id: int) -> dict[int, int]:
    """Registration id -> place on its ticket's waitlist (1 = next)."""
    rows = session.exec(
        select(Registration.id, Registration.ticket_type_id)
        .where(Registration.edition_id == edition_id, Registration.status == "waitlisted")
        .order_by(Registration.ticket_type_id, Registration.waitlist_position, Registration.id)
    ).all()
    ranks: dict[int, int] = {}
    seen: dict[int, int] = {}
    for reg_id, ticket_id in rows:
        seen[ticket_id] = seen.get(ticket_id, 0) + 1
        ranks[reg_id] = seen[ticket_id]
    return ranks

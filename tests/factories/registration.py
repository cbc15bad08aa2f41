"""Builders for registration data: ticket types."""

from __future__ import annotations

from sqlmodel import Session

from techfest.registration.models import TicketType


def make_ticket(session: Session, edition, code: str = "DELEGATE", **fields) -> TicketType:
    ticket = TicketType(
        edition_id=edition.id,
        code=code,
        name_vi=fields.pop("name_vi", f"Thẻ {code}"),
        name_en=fields.pop("name_en", f"{code} pass"),
        capacity=fields.pop("capacity", 100),
        **fields,
    )
    session.add(ticket)
    session.flush()
    return ticket

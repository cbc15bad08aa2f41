"""The organiser's ticket-type editor: create one, or change its capacity, price and sale dates."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from techfest.core.audit import record
from techfest.registration.booking import lock_ticket, promote_waitlist
from techfest.registration.catalogue import TicketTypeData, check_ticket_data, code_taken_in
from techfest.registration.errors import RegistrationError
from techfest.registration.models import Registration, TicketType


def create_ticket_type(
    session: Session, edition_id: int, data: TicketTypeData, *, by_user_id: int | None
) -> TicketType:
    """Create a ticket type; audited."""
    check_ticket_data(data)
    if code_taken_in(session, edition_id, data.code, None):
        raise RegistrationError(_l("Another ticket type of this edition uses this code."))
    ticket = TicketType(edition_id=edition_id, **data.__dict__)
    try:
        with session.begin_nested():
            session.add(ticket)
            session.flush()
    except IntegrityError as exc:
        raise RegistrationError(_l("Another ticket type of this edition uses this code.")) from exc
    record(
        session,
        "ticket_type.create",
        user_id=by_user_id,
        edition_id=edition_id,
        object_type="ticket_type",
        object_id=ticket.id,
        code=ticket.code,
        capacity=ticket.capacity,
        price_vnd=ticket.price_vnd,
    )
    return ticket


def update_ticket_type(
    session: Session,
    edition_id: int,
    ticket_type_id: int,
    data: TicketTypeData,
    *,
    by_user_id: int | None,
    my_url: str = "",
) -> list[Registration]:
    """Change a ticket type; added places go to the waitlist first. Returns who moved up."""
    check_ticket_data(data)
    ticket = lock_ticket(session, edition_id, ticket_type_id)
    if data.capacity < ticket.confirmed_count:
        raise RegistrationError(
            _l(
                "%(n)s people already hold this ticket; the capacity cannot be lower.",
                n=ticket.confirmed_count,
            )
        )
    if code_taken_in(session, edition_id, data.code, ticket.id):
        raise RegistrationError(_l("Another ticket type of this edition uses this code."))
    changes = {
        k: [str(getattr(ticket, k)), str(v)]
        for k, v in data.__dict__.items()
        if getattr(ticket, k) != v
    }
    for key, value in data.__dict__.items():
        setattr(ticket, key, value)
    session.add(ticket)
    session.flush()
    record(
        session,
        "ticket_type.update",
        user_id=by_user_id,
        edition_id=edition_id,
        object_type="ticket_type",
        object_id=ticket.id,
        changes=changes,
    )
    return promote_waitlist(session, ticket, my_url=my_url)

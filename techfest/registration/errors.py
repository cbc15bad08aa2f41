"""Registration's refusals: the ticket is not on sale, no registration, not found (404)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from techfest.core.errors import DomainError


class RegistrationError(DomainError):
    """A registration rule refused the action; `message` is shown in the reader's language."""


class TicketNotAvailable(RegistrationError):
    """The ticket type is not on sale."""

    def __init__(self) -> None:
        super().__init__(_l("This ticket type is not on sale. Please choose another one."))


class NotRegistered(RegistrationError):
    """The person has no live registration."""

    def __init__(self) -> None:
        super().__init__(_l("You have no active registration for this edition."))


class NotFound(RegistrationError):
    """No such registration or ticket type in this edition (answered with 404)."""

    not_found = True

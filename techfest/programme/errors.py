"""The programme's refusals: a rule said no, or there is no such session (404)."""

from __future__ import annotations

from techfest.core.errors import DomainError


class ProgrammeError(DomainError):
    """A rule of the programme refused the action; `message` is shown to the person."""

    def __init__(self, message: str, field: str | None = None):
        #: the form field the message belongs to, when there is one
        super().__init__(str(message), field=field)


class NotFound(ProgrammeError):
    """No such session, track or room in this edition, or no such sign-up (404)."""

    not_found = True


class SignupClash(ProgrammeError):
    """The person already has a seat in a session at the same time."""

    pass


class SessionFull(ProgrammeError):
    """No seat is free in the session."""

    pass

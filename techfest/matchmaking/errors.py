"""Matchmaking's refusals: a rule said no, or the object is not the person's (404)."""

from __future__ import annotations

from techfest.core.errors import DomainError


class MatchmakingError(DomainError):
    """A matchmaking rule refused the action; `message` is translated for the person."""


class NotFound(MatchmakingError):
    """The object does not exist or belongs to someone else (answered with 404)."""

    not_found = True

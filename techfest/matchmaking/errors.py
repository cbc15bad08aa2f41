"""Matchmaking's refusals: a rule said no, or the object is not the person's (404)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l


class MatchmakingError(Exception):
    """A rule refused the action; `message` is translated for the person who asked."""

    def __init__(self, message) -> None:
        super().__init__(str(message))
        self.message = message


class NotFound(MatchmakingError):
    """The object does not exist or belongs to someone else (answered with 404)."""

    def __init__(self) -> None:
        super().__init__(_l("Not found."))

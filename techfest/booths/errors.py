"""The booths' refusals: taken, over the limit, not found (404), or another rule."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from techfest.core.errors import DomainError


class BoothError(DomainError):
    """A booth rule refused the action; `message` is shown to the person (translatable)."""

    def __init__(self, message, field: str | None = None):
        super().__init__(message, field=field)


class BoothNotFound(BoothError):
    """No such booth or booking in this edition (answered with 404)."""

    not_found = True

    def __init__(self):
        super().__init__(_l("No such booth or booking."))


class BoothTaken(BoothError):
    """Someone else holds the booth (the clear "just taken" answer)."""

    def __init__(self, code: str):
        super().__init__(
            _l(
                "Booth %(code)s was just taken by another organisation. "
                "Please choose another booth.",
                code=code,
            )
        )


class BoothLimitReached(BoothError):
    """The organisation already holds as many booths as it may."""

    def __init__(self, limit: int):
        super().__init__(
            _l(
                "Your organisation already holds %(n)s booth(s), the most allowed. "
                "Ask the organisers if you need more.",
                n=limit,
            )
        )

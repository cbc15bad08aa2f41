"""The refusals of the payments domain."""

from __future__ import annotations

from techfest.core.errors import DomainError


class PaymentError(DomainError):
    """A payment rule said no (or the order is not the person's: `not_found`)."""

"""Delegate registration: ticket types, capacity and waitlist."""

from flask import Blueprint

from techfest.core.editions import scope_to_edition

bp = scope_to_edition(Blueprint("registration", __name__, url_prefix="/<int:year>/registration"))

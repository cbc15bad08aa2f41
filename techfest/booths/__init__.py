"""The booth floor plan and booth bookings."""

from flask import Blueprint

from techfest.core.editions import scope_to_edition

bp = scope_to_edition(Blueprint("booths", __name__, url_prefix="/<int:year>/booths"))

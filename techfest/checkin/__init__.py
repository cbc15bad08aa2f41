"""Check-in at the entrance and at session doors."""

from flask import Blueprint

from techfest.core.editions import scope_to_edition

bp = scope_to_edition(Blueprint("checkin", __name__, url_prefix="/<int:year>/checkin"))

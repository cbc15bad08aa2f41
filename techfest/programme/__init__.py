"""Tracks, rooms, sessions, sign-ups and personal agendas."""

from flask import Blueprint

from techfest.core.editions import scope_to_edition

bp = scope_to_edition(Blueprint("programme", __name__, url_prefix="/<int:year>/programme"))

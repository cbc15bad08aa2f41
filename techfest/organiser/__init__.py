"""Organiser pages: dashboard, audit log, privacy requests."""

from flask import Blueprint

from techfest.core.editions import scope_to_edition

bp = scope_to_edition(Blueprint("organiser", __name__, url_prefix="/<int:year>/organiser"))

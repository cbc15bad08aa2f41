"""Startup and investor profiles, suggestions, requests and meetings."""

from flask import Blueprint

from techfest.core.editions import scope_to_edition

bp = scope_to_edition(Blueprint("matchmaking", __name__, url_prefix="/<int:year>/matchmaking"))

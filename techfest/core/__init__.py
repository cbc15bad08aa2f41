"""Pages every edition shares: home, language switch, health check."""

from flask import Blueprint

bp = Blueprint("core", __name__)

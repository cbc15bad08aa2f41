"""Printed documents: agendas, sheets, booklet and badges."""

from flask import Blueprint

from techfest.core.editions import scope_to_edition

bp = scope_to_edition(Blueprint("printing", __name__, url_prefix="/<int:year>/printing"))

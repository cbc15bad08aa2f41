"""Edition-scoped URLs (/<year>/...) and the role checks that go with them."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import Blueprint, abort, g
from flask_login import current_user
from sqlmodel import Session, select

from techfest.core.models import Edition, EditionRole
from techfest.db import db


def current_edition(session: Session) -> Edition | None:
    """The newest edition: the one the festival is preparing or running."""
    return session.exec(select(Edition).order_by(Edition.year.desc())).first()


def edition_by_year(session: Session, year: int) -> Edition | None:
    return session.exec(select(Edition).where(Edition.year == year)).first()


def code_taken(
    session: Session, model, edition_id: int, code: str, exclude_id: int | None = None
) -> bool:
    """Whether another row of `model` in the edition already uses `code` (booths, rooms...)."""
    query = select(model.id).where(model.edition_id == edition_id, model.code == code)
    if exclude_id is not None:
        query = query.where(model.id != exclude_id)
    return session.exec(query).first() is not None


def roles_of(session: Session, user_id: int, edition_id: int) -> set[str]:
    rows = session.exec(
        select(EditionRole.role).where(
            EditionRole.user_id == user_id, EditionRole.edition_id == edition_id
        )
    )
    return set(rows)


def scope_to_edition(bp: Blueprint) -> Blueprint:
    """Make every route of `bp` take the edition year from its URL prefix."""

    @bp.url_value_preprocessor
    def _load_edition(_endpoint, values):
        year = values.pop("year", None) if values else None
        edition = edition_by_year(db(), year) if year is not None else None
        if edition is None:
            abort(404)
        g.edition = edition

    @bp.url_defaults
    def _add_year(endpoint, values):
        if "year" not in values and g.get("edition") is not None:
            values["year"] = g.edition.year

    return bp


def user_roles() -> set[str]:
    """Roles of the signed-in person in the edition of this request."""
    if not current_user.is_authenticated or g.get("edition") is None:
        return set()
    if "user_roles" not in g:
        g.user_roles = roles_of(db(), current_user.id, g.edition.id)
    return g.user_roles


def role_required(*roles: str) -> Callable:
    """Allow the view to people holding one of `roles` in this edition (403 otherwise)."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                from techfest.extensions import login_manager

                return login_manager.unauthorized()
            if not (user_roles() & set(roles)):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


organiser_required = role_required("organiser")

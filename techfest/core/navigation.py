"""The navigation bar per role, and safe redirects."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import Flask, current_app, g, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from techfest.core.editions import user_roles


@dataclass(frozen=True)
class NavItem:
    label: str
    endpoint: str


#: app.extensions key of the menu: [(roles that see it, item)]; roles None means everyone
NAV = "techfest_nav"


def add_nav(app: Flask, label, endpoint: str, roles: tuple[str, ...] | None = None) -> None:
    """Put a page in the menu; each domain's `init_app` calls this for its pages."""
    entry = (frozenset(roles) if roles is not None else None, NavItem(label, endpoint))
    app.extensions.setdefault(NAV, []).append(entry)


ORGANISER_ONLY = frozenset({"organiser"})


def nav_items() -> list[tuple[str, str]]:
    """Menu entries for participants and visitors (organiser tools are in manage_items)."""
    return _items(organiser_tools=False)


def manage_items() -> list[tuple[str, str]]:
    """Organiser tools, shown together in one menu so the bar fits on a laptop screen."""
    return _items(organiser_tools=True)


def _items(organiser_tools: bool) -> list[tuple[str, str]]:
    edition = g.get("edition")
    if edition is None:
        return []
    roles = user_roles()
    items = []
    for allowed, item in current_app.extensions.get(NAV, ()):
        if (allowed == ORGANISER_ONLY) != organiser_tools:
            continue
        if allowed is not None and not (allowed & roles):
            continue
        if allowed is not None and not current_user.is_authenticated:
            continue
        try:
            items.append((str(item.label), url_for(item.endpoint, year=edition.year)))
        except Exception:  # noqa: S112 - a domain whose page is not registered is left out
            continue
    return items


def safe_next(target: str | None) -> str | None:
    """Only local paths are followed after login or a language switch."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target:
        return None
    return target


def init_app(app: Flask) -> None:
    """The menu starts with the edition's home page; the domains add theirs."""
    add_nav(app, _l("Home"), "edition.home")

    @app.context_processor
    def _nav():
        return {"nav_items": nav_items, "manage_items": manage_items, "nav_roles": user_roles}

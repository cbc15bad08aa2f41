"""Language choice, translation catalogues and locale-aware formatting.

Every domain may keep its own catalogue under techfest/<domain>/translations; Flask-Babel
merges them with the shared one in techfest/translations.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from flask import Flask, current_app, g, has_request_context, request
from flask import session as flask_session
from flask_babel import format_date, format_datetime, format_decimal, get_locale
from flask_login import current_user

from techfest.extensions import babel

PACKAGE = Path(__file__).resolve().parent


def translation_directories() -> list[str]:
    dirs = [PACKAGE / "translations", *sorted(PACKAGE.glob("*/translations"))]
    return [str(d) for d in dirs if d.is_dir()]


def session_language(session, config) -> str | None:
    """The language chosen in this browser session, when it is one the platform offers."""
    chosen = session.get("lang")
    return chosen if chosen in config["LANGUAGES"] else None


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # commands and jobs: the default, unless force_locale
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    chosen = session_language(flask_session, current_app.config)
    if chosen:
        return chosen
    if getattr(current_user, "is_authenticated", False) and current_user.locale in languages:
        return current_user.locale
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def select_timezone() -> str:
    edition = g.get("edition")
    return edition.timezone if edition is not None else current_app.config["BABEL_DEFAULT_TIMEZONE"]


def lang() -> str:
    """'vi' or 'en': the language of the current request."""
    return str(get_locale() or "vi")[:2]


def pick(obj, field: str) -> str:
    """The vi or en variant of a bilingual field, falling back to the other language."""
    first, second = ("en", "vi") if lang() == "en" else ("vi", "en")
    return getattr(obj, f"{field}_{first}", "") or getattr(obj, f"{field}_{second}", "")


def money_vnd(amount: int | None) -> str:
    if amount is None:
        return ""
    if amount == 0:
        from flask_babel import gettext

        return gettext("Free")
    return f"{format_decimal(amount)} ₫"


def money_usd(amount: int | None) -> str:
    if amount is None:
        return ""
    if amount >= 1_000_000:
        return f"{format_decimal(round(amount / 1_000_000, 1))}M USD"
    if amount >= 1_000:
        return f"{format_decimal(round(amount / 1_000))}k USD"
    return f"{format_decimal(amount)} USD"


def fmt_datetime(value: datetime | None, fmt: str = "medium") -> str:
    return format_datetime(value, fmt) if value else ""


def fmt_date(value: date | None, fmt: str = "medium") -> str:
    return format_date(value, fmt) if value else ""


def fmt_time(value: datetime | None) -> str:
    return format_datetime(value, "HH:mm") if value else ""


def init_app(app: Flask) -> None:
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", ";".join(translation_directories()))
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
    app.jinja_env.filters.update(
        vnd=money_vnd,
        usd=money_usd,
        datetime=fmt_datetime,
        date=fmt_date,
        time=fmt_time,
    )
    app.jinja_env.globals.update(pick=pick, lang=lang)

    @app.before_request
    def _lang_from_query():
        wanted = request.args.get("lang")
        if wanted in app.config["LANGUAGES"]:
            flask_session["lang"] = wanted

"""Language choice, translation catalogues and locale-aware formatting.

Every domain may keep its own catalogue under techfest/<domain>/translations; Flask-Babel
merges them with the shared one in techfest/translations.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from babel.dates import format_datetime as babel_format_datetime
from babel.dates import get_timezone_location
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


def amount_vnd(amount: int | None) -> str:
    """A sum of money in đồng, zero included ("0 ₫"): totals, payments, refunds."""
    return "" if amount is None else f"{format_decimal(amount)} ₫"


def money_vnd(amount: int | None) -> str:
    """A price: zero reads as "free"."""
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


#: how a moment is written, per language: always with its four-digit year ("29/11/36" read as
#: 1936 or 2036) and a 24-hour clock; "long" adds the weekday
DATETIME_PATTERNS = {
    "vi": {
        "short": "HH:mm, dd/MM/yyyy",
        "medium": "HH:mm, dd/MM/yyyy",
        "long": "HH:mm, EEEE dd/MM/yyyy",
    },
    "en": {
        "short": "d MMM yyyy, HH:mm",
        "medium": "d MMM yyyy, HH:mm",
        "long": "EEEE d MMMM yyyy, HH:mm",
    },
}
#: the day of a meeting slot or a session, with its weekday
DAY_PATTERNS = {"vi": "EEEE dd/MM/yyyy", "en": "EEE d MMM yyyy"}


def fmt_datetime(value: datetime | None, fmt: str = "medium") -> str:
    """A moment in the edition's time zone (Flask-Babel's time zone selector), with its date."""
    if not value:
        return ""
    return format_datetime(value, DATETIME_PATTERNS[lang()].get(fmt, fmt))


def fmt_in_zone(value: datetime, zone: str, language: str, fmt: str = "medium") -> str:
    """A moment in a named time zone, for text built outside a request (mail, jobs)."""
    language = language if language in DATETIME_PATTERNS else "vi"
    pattern = DATETIME_PATTERNS[language].get(fmt, fmt)
    return babel_format_datetime(value, pattern, tzinfo=ZoneInfo(zone), locale=language)


def zone_name(zone: str, language: str) -> str:
    """The time zone as people call it: "Giờ Việt Nam", "Vietnam Time"."""
    language = language if language in DATETIME_PATTERNS else "vi"
    return get_timezone_location(ZoneInfo(zone), locale=language)


def fmt_slot(start: datetime | None, end: datetime | None = None) -> str:
    """A slot's day and hours: "Thứ Năm 09/10/2025 · 09:00–09:20" (never "Day 1")."""
    if not start:
        return ""
    day = format_datetime(start, DAY_PATTERNS[lang()])
    day = day[:1].upper() + day[1:]
    hours = format_datetime(start, "HH:mm")
    if end:
        hours += "–" + format_datetime(end, "HH:mm")
    return f"{day} · {hours}"


def fmt_date(value: date | None, fmt: str = "medium") -> str:
    return format_date(value, fmt) if value else ""


def fmt_time(value: datetime | None) -> str:
    return format_datetime(value, "HH:mm") if value else ""


def init_app(app: Flask) -> None:
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", ";".join(translation_directories()))
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
    app.jinja_env.filters.update(
        vnd=money_vnd,
        amount_vnd=amount_vnd,
        usd=money_usd,
        datetime=fmt_datetime,
        date=fmt_date,
        time=fmt_time,
    )
    app.jinja_env.globals.update(slot_label=fmt_slot)
    app.jinja_env.globals.update(pick=pick, lang=lang)

    @app.before_request
    def _lang_from_query():
        wanted = request.args.get("lang")
        if wanted in app.config["LANGUAGES"]:
            flask_session["lang"] = wanted

"""The one input policy: what text and numbers the platform accepts from outside.

Everything a person or a file sends goes through these rules, wherever it arrives:

- form fields: `TranslatedForm` (core/forms.py) calls `check_form` before its validators,
  so the person sees the message on the field and keeps the rest of what they typed;
- query strings, JSON bodies and text in URLs: `register` checks every request first
  (a bad query value is dropped as if not sent, a bad JSON body is answered 400, a bad
  URL 404);
- ids and years in URLs: the `id` route converter (1 … 2³¹−1, else 404);
- CSV cells: `core/csvio.read_csv` and the domains' row parsers use `text_problem` and
  `whole_number`;
- last line of defence: before anything is flushed to the database, `guard_session`
  checks every new or changed row against its columns (text without control characters
  and within the column's length, integers within the column's range), so nothing that
  breaks the policy is ever stored, whatever path it took.

Text is valid Unicode (no lone surrogates), holds no NUL nor other control characters
(tab and newline only where the field has several lines), is trimmed and within its length.
Numbers are written with ASCII digits and fit their column: 32-bit unless the column is
64-bit (money and investment sizes).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

import sqlalchemy as sa
from flask import Flask, abort, request
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.routing import BaseConverter, ValidationError

from techfest.core.errors import DomainError

INT32_MAX = 2**31 - 1
INT64_MAX = 2**63 - 1
#: a one-line field without its own length limit
MAX_LINE = 1_000
#: a multi-line field without its own length limit
MAX_TEXT = 20_000
#: one value in a query string
MAX_QUERY_VALUE = 2_000
#: characters allowed in multi-line text besides printable ones
MULTILINE_ALLOWED = frozenset("\t\n\r")

_WHOLE = re.compile(r"[+-]?[0-9]+\Z")

CONTROL_MESSAGE = _l("Remove the invisible control characters.")
UNICODE_MESSAGE = _l("This text is not valid Unicode.")
LENGTH_MESSAGE = _l("At most %(max)d characters.")
NUMBER_MESSAGE = _l("Enter a whole number with the digits 0-9.")
RANGE_MESSAGE = _l("Enter a number from %(min)s to %(max)s.")
STORE_MESSAGE = _l(
    "Nothing was saved: some of what you sent holds invisible control characters, "
    "is too long, or is a number too large."
)


class InputRefused(DomainError):
    """Something about to be stored breaks the input policy (see `guard_session`)."""

    def __init__(self, detail: str):
        super().__init__(STORE_MESSAGE)
        self.detail = detail


def _bad_char(c: str, multiline: bool) -> bool:
    category = unicodedata.category(c)
    if category == "Cc":
        return not (multiline and c in MULTILINE_ALLOWED)
    return category == "Cs"


def text_problem(value: str | None, *, multiline: bool = False, max_length: int | None = None):
    """Why `value` breaks the text policy (a translatable message), or None when it is fine."""
    if not value:
        return None
    if not isinstance(value, str):
        return UNICODE_MESSAGE
    limit = max_length if max_length is not None else (MAX_TEXT if multiline else MAX_LINE)
    if len(value) > max(limit, MAX_TEXT):
        # do not even scan a huge value character by character
        return LENGTH_MESSAGE % {"max": limit}
    for c in value:
        suspect = ord(c) < 32 or 0x7F <= ord(c) <= 0x9F or 0xD800 <= ord(c) <= 0xDFFF
        if suspect and _bad_char(c, multiline):
            return UNICODE_MESSAGE if 0xD800 <= ord(c) <= 0xDFFF else CONTROL_MESSAGE
    if len(value) > limit:
        return LENGTH_MESSAGE % {"max": limit}
    return None


def is_clean_text(value: str, *, multiline: bool = True) -> bool:
    return text_problem(value, multiline=multiline, max_length=10**9) is None


def clean_text(value: str | None) -> str:
    """Trimmed text in one Unicode form (NFC)."""
    return unicodedata.normalize("NFC", (value or "").strip())


def whole_number(value: Any, low: int = -INT32_MAX - 1, high: int = INT32_MAX) -> int:
    """`value` as an integer within [low, high], written with ASCII digits; else ValueError.

    Python's int() also reads "²"'s cousins (Arabic-Indic digits), spaces and underscores:
    none of those is a number a person typed in a form or a spreadsheet.
    """
    if isinstance(value, bool):
        raise ValueError("not a number")
    if isinstance(value, int):
        number = value
    else:
        text = str(value).strip()
        if not _WHOLE.match(text) or len(text) > 20:
            raise ValueError("not a whole number")
        number = int(text)
    if not low <= number <= high:
        raise ValueError("out of range")
    return number


def id_value(value: Any) -> int:
    """An id or a count from a query string or a form (`request.args.get(k, type=id_value)`)."""
    return whole_number(value, 1, INT32_MAX)


def page_value(value: Any) -> int:
    """A page number from a query string."""
    return whole_number(value, 1, 1_000_000)


class IdConverter(BaseConverter):
    """`<id:name>`: a positive 32-bit integer; anything else is not this route (404)."""

    regex = r"[0-9]{1,19}"
    part_isolating = True

    def to_python(self, value: str) -> int:
        number = int(value)
        if not 1 <= number <= INT32_MAX:
            raise ValidationError()
        return number

    def to_url(self, value) -> str:
        return str(int(value))


# ----------------------------------------------------------------------- forms


def check_form(form) -> dict[str, list]:
    """Apply the policy to every field of a WTForms form, before its validators.

    Text fields are trimmed; a field that breaks the policy gets its message and its value
    is kept as typed (so the person sees what to fix). Returns {field name: [messages]}.
    """
    from wtforms import FieldList, FormField, IntegerField, PasswordField, StringField
    from wtforms.fields import TextAreaField

    problems: dict[str, list] = {}
    for field in form:
        if isinstance(field, FormField):
            for name, errors in check_form(field.form).items():
                problems[f"{field.name}-{name}"] = errors
            continue
        if isinstance(field, FieldList):
            continue
        if isinstance(field, IntegerField):
            # a value the field could not read already has the field's own message
            message = None if field.process_errors else _number_problem(field)
            if message is not None:
                field.data = None
                problems[field.name] = [message]
            continue
        raw_values = [v for v in (getattr(field, "raw_data", None) or []) if isinstance(v, str)]
        if isinstance(field, StringField):
            multiline = isinstance(field, TextAreaField) or getattr(field, "multiline", False)
            data = field.data if isinstance(field.data, str) else ""
            message = text_problem(data, multiline=multiline, max_length=_length_of(field))
            if message is None and not isinstance(field, PasswordField):
                field.data = clean_text(data) if data else data
            if message is not None:
                problems[field.name] = [message]
            continue
        # choices, dates, files, ...: what was sent must still be clean text
        for raw in raw_values:
            message = text_problem(raw, max_length=MAX_QUERY_VALUE)
            if message is not None:
                problems[field.name] = [message]
                break
    return problems


def form_values(form, formdata):
    """`formdata` with only what each field can take: text, and files for file fields."""
    if formdata is None or not hasattr(formdata, "items"):
        return formdata
    from werkzeug.datastructures import FileStorage, MultiDict
    from wtforms import FileField, MultipleFileField

    fields = getattr(form, "_fields", {})
    kept = MultiDict()
    for key, value in formdata.items(multi=True):
        if (
            isinstance(value, str)
            or isinstance(value, FileStorage)
            and isinstance(fields.get(key), (FileField, MultipleFileField))
        ):
            kept.add(key, value)
    return kept


def _length_of(field) -> int | None:
    from wtforms.validators import Length

    for validator in field.validators:
        if isinstance(validator, Length) and validator.max and validator.max > 0:
            return validator.max
    return None


def number_limit(field) -> int:
    """The largest value the column behind an integer field can hold."""
    return INT64_MAX if getattr(field, "wide", False) else INT32_MAX


def _range_of(field) -> tuple[float | None, float | None] | None:
    from wtforms.validators import NumberRange

    for validator in field.validators:
        if isinstance(validator, NumberRange):
            return validator.min, validator.max
    return None


def _number_problem(field):
    """ASCII digits only; a field without its own range gets its column's."""
    raw = (getattr(field, "raw_data", None) or [None])[0]
    if isinstance(raw, str) and raw.strip() and not _WHOLE.match(raw.strip()):
        return NUMBER_MESSAGE
    data = field.data
    if isinstance(data, int) and not isinstance(data, bool) and _range_of(field) is None:
        limit = number_limit(field)
        if not -limit - 1 <= data <= limit:
            return RANGE_MESSAGE % {"min": f"{-limit - 1:,}", "max": f"{limit:,}"}
    return None


# ----------------------------------------------------------------------- requests


def _walk_json(value, depth: int = 0) -> bool:
    """True when every string and number in a JSON document keeps the policy."""
    if depth > 20:
        return False
    if isinstance(value, str):
        return text_problem(value, multiline=True, max_length=MAX_TEXT) is None
    if isinstance(value, bool) or value is None or isinstance(value, float):
        return True
    if isinstance(value, int):
        return -INT64_MAX - 1 <= value <= INT64_MAX
    if isinstance(value, list):
        return all(_walk_json(v, depth + 1) for v in value)
    if isinstance(value, dict):
        return all(_walk_json(k, depth + 1) and _walk_json(v, depth + 1) for k, v in value.items())
    return False


def _query_problem(key: str, value: str) -> bool:
    return bool(
        text_problem(key, max_length=200) or text_problem(value, max_length=MAX_QUERY_VALUE)
    )


def check_request() -> None:
    """Refuse a request whose URL text (404) or JSON body (400) breaks the policy; drop
    query values that break it."""
    for value in (request.view_args or {}).values():
        if isinstance(value, str) and text_problem(value, max_length=MAX_QUERY_VALUE):
            abort(404)
    # a query string only filters or pages: a value that breaks the policy is dropped,
    # as if it had not been sent (the page then shows its default)
    if any(_query_problem(k, v) for k, v in request.args.items(multi=True)):
        request.args = ImmutableMultiDict(
            [(k, v) for k, v in request.args.items(multi=True) if not _query_problem(k, v)]
        )
    for key in request.form:
        if text_problem(key, max_length=200):
            abort(400)
    if request.is_json:
        payload = request.get_json(silent=True)
        if payload is not None and not _walk_json(payload):
            abort(400)


# ----------------------------------------------------------------------- storage


def column_problem(column: sa.Column, value: Any) -> str | None:
    """Why `value` cannot be stored in `column` under the policy, or None."""
    if value is None:
        return None
    if isinstance(value, str):
        length = getattr(column.type, "length", None)
        if length and len(value) > length:
            return f"{column.key}: longer than {length}"
        if not is_clean_text(value):
            return f"{column.key}: control characters"
        return None
    if isinstance(value, (list, dict)):
        return None if _walk_json(value) else f"{column.key}: control characters"
    if isinstance(value, int) and not isinstance(value, bool):
        limit = INT64_MAX if isinstance(column.type, sa.BigInteger) else INT32_MAX
        if isinstance(column.type, sa.Integer) and not -limit - 1 <= value <= limit:
            return f"{column.key}: out of range"
    return None


def _row_problems(obj) -> list[str]:
    mapper = sa.inspect(obj).mapper
    problems = []
    for column in mapper.columns:
        prop = mapper.get_property_by_column(column)
        problem = column_problem(column, getattr(obj, prop.key, None))
        if problem is not None:
            problems.append(f"{mapper.class_.__name__}.{problem}")
    return problems


def _before_flush(session, _context, _instances) -> None:
    problems: list[str] = []
    for obj in list(session.new) + list(session.dirty):
        problems.extend(_row_problems(obj))
    if problems:
        raise InputRefused("; ".join(problems[:5]))


def guard_session() -> None:
    """Check every row before it is flushed, on every session of the process (idempotent)."""
    from sqlalchemy.orm import Session as OrmSession

    if not sa.event.contains(OrmSession, "before_flush", _before_flush):
        sa.event.listen(OrmSession, "before_flush", _before_flush)


def register(app: Flask) -> None:
    """The id converter, the request check and the storage guard."""
    app.url_map.converters["id"] = IdConverter
    guard_session()
    app.before_request(check_request)

"""Friendly error pages in the visitor's language; never a stack trace.

A domain rule that says no raises a `DomainError` (each domain has its subclasses). One
handler answers it, in one of three ways: the object does not exist or is not the
person's (`not_found`): the 404 page; inside `refused_on(form)`: an error on the form the
page shows again; anywhere else: the message is flashed and the person goes back (see
`refusal_target`). The request's changes are rolled back first, every time.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps

from flask import Flask, current_app, flash, g, redirect, render_template, request, url_for
from flask import session as flask_session
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from flask_wtf.form import FlaskForm, _Auto
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import HTTPException, NotFound
from werkzeug.wrappers import Response

log = logging.getLogger(__name__)

_PAGES = {403: "errors/403.html", 404: "errors/404.html", 429: "errors/429.html"}


class DomainError(Exception):
    """A rule refused what the person asked; shown to them, never a crash.

    `message` is translatable (a lazy string) and written for the person who asked;
    `field` names the form field it is about, if any; `not_found` says the object does
    not exist or belongs to someone else, which is answered with 404.
    """

    not_found = False

    def __init__(self, message=None, *, field: str | None = None, not_found: bool | None = None):
        if not_found is not None:
            self.not_found = not_found
        if message is None:
            message = _l("Not found.")
        # kept lazy: the text is chosen in the reader's language when it is shown
        super().__init__(message)
        self.message = message
        self.field = field


def refusal_target(endpoint: str, *pass_on: str) -> Callable:
    """After a refusal, send the person to `endpoint` with the view's URL arguments `pass_on`.

    A safe `next` field in the form still wins. Without a target a refusal goes back to
    `next`, else to the blueprint's index page.
    """

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args, **kwargs):
            g.refusal_target = (endpoint, {k: kwargs[k] for k in pass_on})
            return view(*args, **kwargs)

        return wrapped

    return decorate


@contextmanager
def refused_on(
    form,
    *,
    fields: tuple[str, ...] | None = None,
    default: str | None = None,
    as_flash: str | None = None,
) -> Iterator[None]:
    """Inside, a refusal is shown on the page the view goes on to render (or redirect to).

    It becomes an error on `form`: on the field the refusal names, else on `default`,
    else on the whole form; with `as_flash` it is flashed in that category instead. With
    `fields`, only refusals about those fields stay here; the others are answered as
    anywhere else (flash and go back). Not-found refusals are answered with 404 as anywhere.
    """
    try:
        yield
    except DomainError as exc:
        if exc.not_found or (fields is not None and exc.field not in fields):
            raise
        _rollback()
        name = exc.field if exc.field and exc.field in form else default
        if as_flash:
            flash(str(exc.message), as_flash)
        elif name:
            form[name].errors = [exc.message]
        else:
            form.form_errors.append(str(exc.message))


def _rollback() -> None:
    from techfest.db import db

    db().rollback()


def _refused(exc: DomainError):
    """The one answer to a refusal that no form took: 404, or flash and go back."""
    from techfest.core.navigation import safe_next

    _rollback()
    if exc.not_found:
        return _error_page(NotFound())
    flash(str(exc.message), "danger")
    back = safe_next(request.form.get("next"))
    target = g.get("refusal_target")
    if back is None and target is not None:
        endpoint, values = target
        back = url_for(endpoint, **values)
    if back is None and safe_next(request.referrer):
        back = request.referrer
    return redirect(back or url_for(f"{request.blueprint}.index"))


def _error_page(exc: HTTPException):
    if request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json":
        return {"error": exc.name, "status": exc.code}, exc.code
    template = _PAGES.get(exc.code or 500, "errors/generic.html")
    return render_template(template, error=exc), exc.code


def register(app: Flask) -> None:
    _replay_forms_after_csrf_error()
    app.register_error_handler(DomainError, _refused)

    @app.errorhandler(CSRFError)
    def _csrf(exc):
        page = _form_again(exc)
        if page is not None:
            return page
        return render_template("errors/csrf.html"), 400

    app.register_error_handler(HTTPException, _error_page)

    @app.errorhandler(Exception)
    def _crash(exc: Exception):
        log.exception("unhandled error on %s", request.path)
        return render_template("errors/500.html"), 500


def _replay_forms_after_csrf_error() -> None:
    """Let forms built while re-showing a refused POST take the values the person sent."""
    meta = FlaskForm.Meta
    if getattr(meta.wrap_formdata, "_tf_replay", False):
        return
    original = meta.wrap_formdata

    def wrap_formdata(self, form, formdata):
        replay = g.get("csrf_replay_formdata")
        # a view that fills its GET form itself (`form.process(data=...)`) passes None
        if replay is not None and (formdata is _Auto or formdata is None):
            return replay
        return original(self, form, formdata)

    wrap_formdata._tf_replay = True
    meta.wrap_formdata = wrap_formdata


def _form_again(exc: CSRFError) -> Response | None:
    """Show the page of a form whose token expired again, with what was typed still in it.

    A form left open longer than WTF_CSRF_TIME_LIMIT comes back with an expired token. The
    POST is refused (nothing is done), and the same page is rendered as for a GET, with a
    fresh token and the submitted values filled in, so the person only checks and submits
    again. Only pages that also answer GET qualify, and the view runs as a GET (it cannot
    act: `validate_on_submit()` is false); the answer stays 400 so that nothing mistakes it
    for a success. Anything else gets the plain "form expired" page.
    """
    if request.method != "POST" or request.is_json:
        return None
    rule = request.url_rule
    view = current_app.view_functions.get(request.endpoint or "")
    if rule is None or view is None or "GET" not in (rule.methods or ()):
        return None
    field = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    values = MultiDict((k, v) for k, v in request.form.items(multi=True) if k != field)
    message = _("This form was open too long and expired. Check what you typed and send it again.")
    flash(message, "warning")
    g.csrf_replay_formdata = values
    request.method = "GET"
    request.environ["REQUEST_METHOD"] = "GET"
    response = None
    try:
        response = current_app.make_response(view(**(request.view_args or {})))
    except HTTPException:
        response = None
    finally:
        g.pop("csrf_replay_formdata", None)
        request.method = "POST"
        request.environ["REQUEST_METHOD"] = "POST"
    if response is None or response.status_code != 200 or response.mimetype != "text/html":
        flashes = flask_session.get("_flashes") or []
        if flashes and flashes[-1] == ("warning", message):
            flashes.pop()
            flask_session["_flashes"] = flashes
        return None
    response.status_code = 400
    return response

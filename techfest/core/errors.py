"""Friendly error pages in the visitor's language; never a stack trace."""

from __future__ import annotations

import logging

from flask import Flask, current_app, flash, g, render_template, request
from flask import session as flask_session
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from flask_wtf.form import FlaskForm, _Auto
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

log = logging.getLogger(__name__)

_PAGES = {403: "errors/403.html", 404: "errors/404.html", 429: "errors/429.html"}


def register(app: Flask) -> None:
    _replay_forms_after_csrf_error()

    @app.errorhandler(CSRFError)
    def _csrf(exc):
        page = _form_again(exc)
        if page is not None:
            return page
        return render_template("errors/csrf.html"), 400

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        if request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json":
            return {"error": exc.name, "status": exc.code}, exc.code
        template = _PAGES.get(exc.code or 500, "errors/generic.html")
        return render_template(template, error=exc), exc.code

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

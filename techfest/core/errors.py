"""Friendly error pages in the visitor's language; never a stack trace."""

from __future__ import annotations

import logging

from flask import Flask, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)

_PAGES = {403: "errors/403.html", 404: "errors/404.html", 429: "errors/429.html"}


def register(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def _csrf(exc):
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

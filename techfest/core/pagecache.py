"""Shared copies of busy public pages for visitors who are not logged in.

On the morning of the festival thousands of people open the public programme at the same
time, and nearly all of them are not logged in, so they all get the same page. Rendering it
costs tens of milliseconds; handing out a copy costs a fraction of one. This layer sits in
front of the application the way a caching proxy would, with rules a proxy cannot know:

- only GET requests to views marked with :func:`shared_page`;
- only for visitors who are not logged in (no user in the session, no remember-me cookie)
  and have no message waiting to be shown; ``?lang=`` requests go through, since they
  change the visitor's session;
- a copy is kept per path, query string and language, and only of a 200 answer that sets
  no cookie (a page that needed a session for its visitor is never shared);
- a copy lives ``SHARED_PAGE_SECONDS`` (0 switches the layer off). When it is stale, one
  request renders a new one while the others still get the old copy, so an expiry never
  makes a crowd wait on the database at once.

People who are logged in always get a fresh page, with their own seats and stars; a visitor
sees a change at most ``SHARED_PAGE_SECONDS`` late. Copies live in each server process's
memory: nothing to configure, and nothing shared between machines that could go stale for
longer than that.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from flask import Flask
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

from techfest.i18n import session_language

#: the most copies one process keeps (path × query string × language)
MAX_COPIES = 512


def shared_page(view: Callable) -> Callable:
    """Mark a view whose page is the same for every visitor who is not logged in."""
    view.shared_page = True  # type: ignore[attr-defined]
    return view


@dataclass
class _Copy:
    status: str
    headers: list[tuple[str, str]]
    body: bytes
    expires: float
    refreshing: bool = False


class SharedPages:
    """WSGI layer that answers anonymous GETs of shared pages from recent copies."""

    def __init__(self, app: Flask, wsgi_app: Callable, seconds: float) -> None:
        self.app = app
        self.wsgi_app = wsgi_app
        self.seconds = seconds
        self.clock: Callable[[], float] = time.monotonic
        self._copies: OrderedDict[tuple[str, str, str], _Copy] = OrderedDict()
        self._lock = threading.Lock()
        self._endpoints: frozenset[str] | None = None

    # ------------------------------------------------------------------ rules

    def endpoints(self) -> frozenset[str]:
        if self._endpoints is None:
            self._endpoints = frozenset(
                name
                for name, view in self.app.view_functions.items()
                if getattr(view, "shared_page", False)
            )
        return self._endpoints

    def key_for(self, environ: dict[str, Any]) -> tuple[str, str, str] | None:
        """The copy this request may be answered with, or None when it must go through."""
        if environ.get("REQUEST_METHOD") != "GET":
            return None
        try:
            endpoint, _ = self.app.url_map.bind_to_environ(environ).match()
        except (HTTPException, RequestRedirect):
            return None
        if endpoint not in self.endpoints():
            return None
        request = self.app.request_class(environ)
        if "lang" in request.args:
            return None
        if self.app.config.get("REMEMBER_COOKIE_NAME", "remember_token") in request.cookies:
            return None
        session = self.app.session_interface.open_session(self.app, request) or {}
        if "_user_id" in session or "_flashes" in session:
            return None
        # anonymous: the session's language or the default, as select_locale decides
        lang = session_language(session, self.app.config) or self.app.config[
            "BABEL_DEFAULT_LOCALE"
        ]
        return request.path, environ.get("QUERY_STRING", ""), lang

    # ------------------------------------------------------------------ serving

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        if self.seconds <= 0:
            return self.wsgi_app(environ, start_response)
        key = self.key_for(environ)
        if key is None:
            return self.wsgi_app(environ, start_response)
        copy = self._take(key)
        if copy is not None:
            start_response(copy.status, list(copy.headers))
            return [copy.body]
        return self._render(key, environ, start_response)

    def _take(self, key: tuple[str, str, str]) -> _Copy | None:
        """A copy to answer with; None when this request must render the page itself."""
        with self._lock:
            copy = self._copies.get(key)
            if copy is None:
                return None
            self._copies.move_to_end(key)
            if copy.expires > self.clock() or copy.refreshing:
                return copy
            copy.refreshing = True  # this request renders; the others keep the old copy
            return None

    def _render(
        self, key: tuple[str, str, str], environ: dict[str, Any], start_response: Callable
    ) -> Iterable[bytes]:
        answer: dict[str, Any] = {}

        def capture(status, headers, exc_info=None):
            answer["status"], answer["headers"] = status, headers
            return start_response(status, headers, exc_info)

        try:
            chunks = self.wsgi_app(environ, capture)
            try:
                body = b"".join(chunks)
            finally:
                if hasattr(chunks, "close"):
                    chunks.close()
        except BaseException:
            self._release(key)
            raise
        shareable = answer.get("status", "").startswith("200 ") and not any(
            name.lower() == "set-cookie" for name, _ in answer.get("headers", [])
        )
        if shareable:
            self._keep(
                key,
                _Copy(answer["status"], list(answer["headers"]), body, self.clock() + self.seconds),
            )
        else:
            self._release(key)
        return [body]

    def _keep(self, key: tuple[str, str, str], copy: _Copy) -> None:
        with self._lock:
            self._copies[key] = copy
            self._copies.move_to_end(key)
            while len(self._copies) > MAX_COPIES:
                self._copies.popitem(last=False)

    def _release(self, key: tuple[str, str, str]) -> None:
        with self._lock:
            copy = self._copies.get(key)
            if copy is not None:
                copy.refreshing = False


def init_app(app: Flask) -> SharedPages:
    layer = SharedPages(app, app.wsgi_app, float(app.config.get("SHARED_PAGE_SECONDS", 0)))
    app.wsgi_app = layer  # type: ignore[method-assign]
    app.extensions["shared_pages"] = layer
    return layer

"""The one shape of a button: a POST that does one thing, commits, says so and goes back.

Most buttons of the platform (remove a slot, accept a request, star a session, block a
booth) carry nothing but the CSRF token. `press` is that whole view; a rule that says no
raises a `DomainError`, which the one handler in `techfest.core.errors` answers.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import abort, flash, redirect
from werkzeug.wrappers import Response

from techfest.core.forms import ActionForm
from techfest.db import db


def press(
    action: Callable[[], Any],
    done: Any,
    back: str,
    category: str = "success",
) -> Response:
    """Check the CSRF token (400 without), run `action`, commit, flash `done`, go to `back`.

    `done` is the message, or a function of what `action` returned that gives it.
    """
    if not ActionForm().validate_on_submit():
        abort(400)
    result = action()
    db().commit()
    flash(done(result) if callable(done) else done, category)
    return redirect(back)


def flash_form_errors(form) -> None:
    """Flash each invalid field of a form posted from a page that shows no form errors."""
    for name, errors in form.errors.items():
        flash(f"{form[name].label.text}: {' '.join(map(str, errors))}", "danger")

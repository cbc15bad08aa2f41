"""HTTP views of the personal agenda: the page and its iCalendar feed."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    g,
    jsonify,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from techfest.agenda import services
from techfest.core.editions import role_required, scope_to_edition
from techfest.core.models import ROLES
from techfest.db import db, now_utc
from techfest.i18n import pick
from techfest.payments.pages import open_payment
from techfest.programme.catalogue import group_by_day

#: the agenda keeps the programme's addresses: /<year>/programme/agenda and .../ical/<token>.ics
bp = scope_to_edition(Blueprint("agenda", __name__, url_prefix="/<id:year>/programme"))

participant_required = role_required(*ROLES)


@bp.get("/agenda")
@participant_required
def index():
    """The signed-in person's agenda: sessions and confirmed meetings, day by day."""
    items = services.agenda_items(db(), g.edition, current_user)
    now = now_utc()
    minutes = current_app.config.get("REMINDER_MINUTES", 15)
    feed_url = url_for("agenda.ical", token=current_user.feed_token, _external=True)
    return render_template(
        "agenda/index.html",
        days=group_by_day(g.edition, items),
        feed_url=feed_url,
        webcal_url="webcal://" + feed_url.split("://", 1)[1],
        payment=open_payment(db(), g.edition.id, current_user.id),
        generated_at=now,
        soon=services.starting_soon(items, now, timedelta(minutes=minutes)),
    )


@bp.get("/agenda-sw.js")
def service_worker():
    """The agenda's service worker, served here so that its scope is this edition's programme."""
    script = Path(current_app.static_folder, "js", "agenda-sw.js").read_text(encoding="utf-8")
    return Response(script, mimetype="text/javascript", headers={"Cache-Control": "no-cache"})


@bp.get("/manifest.webmanifest")
def manifest():
    """What a phone needs to put the agenda on its home screen."""
    response = jsonify(
        name=pick(g.edition, "name"),
        short_name=f"Techfest {g.edition.year}",
        start_url=url_for("agenda.index"),
        scope=url_for("programme.index").rsplit("/", 1)[0] + "/",
        display="standalone",
        background_color="#ffffff",
        theme_color="#0b3d5c",
        lang=request.accept_languages.best_match(["vi", "en"]) or "vi",
        icons=[
            {
                "src": url_for("static", filename="img/favicon.svg"),
                "sizes": "any",
                "type": "image/svg+xml",
            }
        ],
    )
    response.mimetype = "application/manifest+json"
    return response


@bp.get("/ical/<token>.ics")
def ical(token: str):
    """The agenda as an iCalendar feed, for calendar apps (the token in the URL is the key)."""
    user = services.user_by_feed_token(db(), token)
    if user is None:
        abort(404)
    body = services.ical_feed(
        db(), g.edition, user, base_url=url_for("programme.index", _external=True)
    )
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    response.headers["Cache-Control"] = "private, max-age=300"
    response.headers["X-Robots-Tag"] = "noindex"
    disposition = "attachment" if request.args.get("download") else "inline"
    response.headers["Content-Disposition"] = (
        f'{disposition}; filename="techfest-{g.edition.year}.ics"'
    )
    return response

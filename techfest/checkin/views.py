"""HTTP views of checkin: the badge kiosk, its JSON scan endpoint, search, session doors."""

from __future__ import annotations

from pathlib import Path

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from techfest.checkin import services
from techfest.core.editions import organiser_required, scope_to_edition
from techfest.core.forms import ActionForm
from techfest.core.inputs import id_value
from techfest.db import db, now_utc
from techfest.i18n import lang

bp = scope_to_edition(Blueprint("checkin", __name__, url_prefix="/<id:year>/checkin"))


_STATUS_CODES = {"unknown": 404, "unknown_session": 404, "not_confirmed": 409, "invalid": 400}


def _error(exc: services.CheckInError):
    return jsonify(status=exc.status, message=str(exc.message)), _STATUS_CODES.get(exc.status, 400)


@bp.get("/")
@organiser_required
def kiosk():
    return render_template(
        "checkin/kiosk.html",
        door=None,
        checked_in=services.entrance_count(db(), g.edition),
    )


@bp.get("/sw.js")
@organiser_required
def service_worker():
    """The kiosk's service worker, served here so that its scope is this edition's check-in."""
    script = Path(current_app.static_folder, "js", "checkin-sw.js").read_text(encoding="utf-8")
    return Response(script, mimetype="text/javascript", headers={"Cache-Control": "no-cache"})


@bp.get("/token")
@organiser_required
def token():
    """A fresh CSRF token for a kiosk page that stayed open longer than the token lives."""
    return jsonify(csrf_token=generate_csrf())


@bp.post("/scan")
@organiser_required
def scan():
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict):
        return jsonify(status="invalid", message=_("Send the scan as JSON.")), 400
    session_id = payload.get("session_id")
    if session_id not in (None, ""):
        try:
            session_id = id_value(session_id)
        except ValueError:
            return jsonify(status="invalid", message=_("Unknown session.")), 400
    try:
        result = services.check_in_by_code(
            db(),
            g.edition,
            str(payload.get("code") or ""),
            by_user_id=current_user.id,
            programme_session_id=int(session_id) if session_id not in (None, "") else None,
            client_scan_id=services.parse_client_scan_id(payload.get("client_scan_id")),
            scanned_at=services.parse_scanned_at(payload.get("scanned_at"), now_utc()),
        )
    except services.CheckInError as exc:
        return _error(exc)
    db().commit()
    answer = result.as_json(lang())
    # the badge prints in the printing domain; the kiosk only links to it
    answer["badge_url"] = url_for("printing.badge", registration_id=result.registration_id)
    return jsonify(answer)


@bp.get("/search")
@organiser_required
def search():
    query = request.args.get("q", "")
    session_id = request.args.get("session", type=id_value)
    door = None
    if session_id is not None:
        try:
            door = services.session_for_door(db(), g.edition, session_id)
        except services.CheckInError:
            abort(404)
    return render_template(
        "checkin/search.html",
        query=query,
        door=door,
        results=services.search(db(), g.edition, query),
        action_form=ActionForm(),
    )


@bp.post("/registrations/<id:registration_id>")
@organiser_required
def check_in_person(registration_id: int):
    if not ActionForm().validate_on_submit():
        abort(400)
    session_id = request.form.get("session", type=id_value)
    try:
        result = services.check_in_by_id(
            db(),
            g.edition,
            registration_id,
            by_user_id=current_user.id,
            programme_session_id=session_id,
        )
    except services.CheckInError as exc:
        if exc.status in ("unknown", "unknown_session"):
            abort(404)
        flash(str(exc.message), "warning")
    else:
        db().commit()
        if result.already_checked_in:
            flash(_("%(name)s was already checked in.", name=result.name), "info")
        else:
            flash(_("%(name)s is checked in.", name=result.name), "success")
    return redirect(url_for("checkin.search", q=request.form.get("q", ""), session=session_id))


@bp.get("/sessions")
@organiser_required
def sessions():
    return render_template(
        "checkin/sessions.html", sessions=services.sessions_with_attendance(db(), g.edition)
    )


@bp.get("/sessions/<id:session_id>")
@organiser_required
def session_door(session_id: int):
    try:
        door = services.session_for_door(db(), g.edition, session_id)
    except services.CheckInError:
        abort(404)
    return render_template("checkin/kiosk.html", door=door, checked_in=door.attended)

"""HTTP views of programme: public pages, sign-ups, agenda, iCal feed, organiser forms."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from techfest.auth.models import ROLES
from techfest.core.editions import organiser_required, role_required, scope_to_edition, user_roles
from techfest.core.errors import refusal_target, refused_on
from techfest.core.navigation import safe_next
from techfest.core.pagecache import shared_page
from techfest.db import db
from techfest.i18n import fmt_date, pick
from techfest.programme import services
from techfest.programme.forms import ActionForm, ImportForm, RoomForm, SessionForm, TrackForm

bp = scope_to_edition(Blueprint("programme", __name__, url_prefix="/<int:year>/programme"))

participant_required = role_required(*ROLES)


def _user_id() -> int | None:
    return current_user.id if current_user.is_authenticated else None


def _back(session_id: int):
    return redirect(
        safe_next(request.form.get("next")) or url_for("programme.detail", session_id=session_id)
    )


# --------------------------------------------------------------------------- public


@bp.get("/")
@shared_page
def index():
    filters = services.Filters.parse(request.args, g.edition)
    page = services.programme_page(db(), g.edition, filters, _user_id())
    can_sign_up = bool(user_roles())
    return render_template(
        "programme/index.html",
        page=page,
        filters=filters,
        languages={code: str(label) for code, label in services.LANGUAGE_LABELS.items()},
        can_sign_up=can_sign_up,
        can_manage="organiser" in user_roles(),
    )


@bp.get("/sessions/<int:session_id>")
@shared_page
def detail(session_id: int):
    card = services.session_card(db(), g.edition, session_id, _user_id())
    can_sign_up = bool(user_roles())
    return render_template(
        "programme/detail.html",
        card=card,
        languages=services.LANGUAGE_LABELS,
        can_sign_up=can_sign_up,
        can_manage="organiser" in user_roles(),
    )


# --------------------------------------------------------------------------- sign-ups


@bp.post("/sessions/<int:session_id>/signup")
@participant_required
@refusal_target("programme.detail", "session_id")
def sign_up(session_id: int):
    """Book a seat in the session, or a place on its waitlist when it is full."""
    if not ActionForm().validate_on_submit():
        abort(400)
    signup = services.sign_up(db(), g.edition, current_user, session_id)
    db().commit()
    if signup.status == "seated":
        flash(_("Your seat is booked."), "success")
    else:
        position = services.waitlist_rank(db(), signup)
        flash(
            _(
                "The session is full: you are number %(n)s on the waitlist. "
                "You will get an email if a seat frees up.",
                n=position,
            ),
            "warning",
        )
    return _back(session_id)


@bp.post("/sessions/<int:session_id>/cancel")
@participant_required
def cancel(session_id: int):
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        services.cancel_signup(
            db(),
            g.edition,
            current_user,
            session_id,
            agenda_url=url_for("programme.agenda", _external=True),
        )
        db().commit()
    except services.NotFound:
        db().rollback()
        flash(_("You are not signed up for this session."), "info")
        return _back(session_id)
    flash(_("Your sign-up is cancelled."), "info")
    return _back(session_id)


@bp.post("/sessions/<int:session_id>/star")
@participant_required
def star(session_id: int):
    if not ActionForm().validate_on_submit():
        abort(400)
    services.star(db(), g.edition, current_user, session_id)
    db().commit()
    flash(_("Starred: this time counts as busy when meetings are planned."), "success")
    return _back(session_id)


@bp.post("/sessions/<int:session_id>/unstar")
@participant_required
def unstar(session_id: int):
    if not ActionForm().validate_on_submit():
        abort(400)
    services.unstar(db(), g.edition, current_user, session_id)
    db().commit()
    flash(_("Star removed."), "info")
    return _back(session_id)


# --------------------------------------------------------------------------- agenda


@bp.get("/agenda")
@participant_required
def agenda():
    items = services.agenda_items(db(), g.edition, current_user)
    feed_url = url_for("programme.ical", token=current_user.feed_token, _external=True)
    return render_template(
        "programme/agenda.html",
        days=services.group_by_day(g.edition, items),
        feed_url=feed_url,
        webcal_url="webcal://" + feed_url.split("://", 1)[1],
    )


@bp.get("/ical/<token>.ics")
def ical(token: str):
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


# --------------------------------------------------------------------------- organisers


@bp.get("/manage")
@organiser_required
def manage():
    return render_template(
        "programme/manage.html",
        page=services.manage_page(db(), g.edition),
        languages=services.LANGUAGE_LABELS,
    )


def _session_form(ps=None) -> SessionForm:
    form = SessionForm()
    form.set_choices(
        services.tracks(db(), g.edition.id),
        services.rooms(db(), g.edition.id),
        services.edition_days(g.edition),
        pick,
        fmt_date,
    )
    if ps is not None and request.method == "GET":
        form.fill_from(ps, services.tz_of(g.edition))
    return form


@bp.route("/manage/sessions/new", methods=["GET", "POST"])
@organiser_required
def session_new():
    return _edit_session(None)


@bp.route("/manage/sessions/<int:session_id>/edit", methods=["GET", "POST"])
@organiser_required
def session_edit(session_id: int):
    return _edit_session(session_id)


def _edit_session(session_id: int | None):
    ps = None
    people = None
    if session_id is not None:
        ps = services.get_session(db(), g.edition.id, session_id)
        people = services.attendees(db(), ps)
    form = _session_form(ps)
    if form.validate_on_submit():
        with refused_on(form):
            saved, warnings = services.save_session(
                db(),
                g.edition,
                current_user,
                form.to_data(services.tz_of(g.edition)),
                session_id=session_id,
                agenda_url=url_for("programme.agenda", _external=True),
            )
            db().commit()
            for warning in warnings:
                flash(warning, "warning")
            flash(_("The session is saved."), "success")
            return redirect(url_for("programme.session_edit", session_id=saved.id))
    status = 422 if request.method == "POST" else 200
    return render_template("programme/session_form.html", form=form, ps=ps, people=people), status


def _edit_simple(kind: str, form, object_id: int | None, template: str):
    getter = services.get_track if kind == "track" else services.get_room
    saver = services.save_track if kind == "track" else services.save_room
    obj = None
    if object_id is not None:
        obj = getter(db(), g.edition.id, object_id)
        if request.method == "GET":
            form.process(obj=obj)
    if form.validate_on_submit():
        with refused_on(form):
            saver(db(), g.edition, current_user, form.values(), object_id)
            db().commit()
            flash(_("Saved."), "success")
            return redirect(url_for("programme.manage"))
    status = 422 if request.method == "POST" else 200
    return render_template(template, form=form, obj=obj, kind=kind), status


@bp.route("/manage/tracks/new", methods=["GET", "POST"])
@organiser_required
def track_new():
    return _edit_simple("track", TrackForm(), None, "programme/simple_form.html")


@bp.route("/manage/tracks/<int:track_id>/edit", methods=["GET", "POST"])
@organiser_required
def track_edit(track_id: int):
    return _edit_simple("track", TrackForm(), track_id, "programme/simple_form.html")


@bp.route("/manage/rooms/new", methods=["GET", "POST"])
@organiser_required
def room_new():
    return _edit_simple("room", RoomForm(), None, "programme/simple_form.html")


@bp.route("/manage/rooms/<int:room_id>/edit", methods=["GET", "POST"])
@organiser_required
def room_edit(room_id: int):
    return _edit_simple("room", RoomForm(), room_id, "programme/simple_form.html")


@bp.get("/manage/sessions.csv")
@organiser_required
def export_csv():
    body = services.export_sessions_csv(db(), g.edition)
    return Response(
        body,
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="sessions-{g.edition.year}.csv"',
            "Content-Type": "text/csv; charset=utf-8",
        },
    )


@bp.route("/manage/import", methods=["GET", "POST"])
@organiser_required
def import_csv():
    form = ImportForm()
    report = None
    if form.validate_on_submit():
        data = form.file.data.read(5_000_001)
        if len(data) > 5_000_000:
            form.file.errors.append(_("The file is larger than 5 MB."))
        else:
            report = services.import_sessions_csv(db(), g.edition, current_user, data)
            if report.ok:
                db().commit()
                flash(
                    _(
                        "Import done: %(created)s created, %(updated)s updated.",
                        created=report.created,
                        updated=report.updated,
                    ),
                    "success",
                )
                return redirect(url_for("programme.manage"))
            db().rollback()
    status = 422 if request.method == "POST" else 200
    return render_template(
        "programme/import.html", form=form, report=report, columns=services.CSV_COLUMNS
    ), status

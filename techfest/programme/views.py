"""HTTP views of programme: public pages, sign-ups and stars, the organiser's editor."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from techfest.core.actions import press
from techfest.core.csvio import csv_download
from techfest.core.editions import organiser_required, role_required, scope_to_edition, user_roles
from techfest.core.errors import refusal_target, refused_on
from techfest.core.forms import ActionForm
from techfest.core.models import ROLES
from techfest.core.navigation import safe_next
from techfest.core.pagecache import shared_page
from techfest.db import db
from techfest.i18n import fmt_date, pick
from techfest.programme import catalogue, csv, editing, errors, pages, signups
from techfest.programme.forms import ImportForm, RoomForm, SessionForm, TrackForm

bp = scope_to_edition(Blueprint("programme", __name__, url_prefix="/<id:year>/programme"))

participant_required = role_required(*ROLES)


def _user_id() -> int | None:
    return current_user.id if current_user.is_authenticated else None


def _back_url(session_id: int) -> str:
    """Where a button on a session goes back to: the page it was pressed on, or the session."""
    return safe_next(request.form.get("next")) or url_for("programme.detail", session_id=session_id)


def _back(session_id: int):
    return redirect(_back_url(session_id))


# --------------------------------------------------------------------------- public


@bp.get("/")
@shared_page
def index():
    """The public programme, filtered by day, track, room and language."""
    filters = catalogue.Filters.parse(request.args, g.edition)
    page = pages.programme_page(db(), g.edition, filters, _user_id())
    can_sign_up = bool(user_roles())
    return render_template(
        "programme/index.html",
        page=page,
        filters=filters,
        languages={code: str(label) for code, label in catalogue.LANGUAGE_LABELS.items()},
        can_sign_up=can_sign_up,
        can_manage="organiser" in user_roles(),
    )


@bp.get("/sessions/<id:session_id>")
@shared_page
def detail(session_id: int):
    """One session: time, room, speakers, seats left and the visitor's place."""
    card = pages.session_card(db(), g.edition, session_id, _user_id())
    can_sign_up = bool(user_roles())
    return render_template(
        "programme/detail.html",
        card=card,
        languages=catalogue.LANGUAGE_LABELS,
        can_sign_up=can_sign_up,
        can_manage="organiser" in user_roles(),
    )


# --------------------------------------------------------------------------- sign-ups


@bp.post("/sessions/<id:session_id>/signup")
@participant_required
@refusal_target("programme.detail", "session_id")
def sign_up(session_id: int):
    """Book a seat in the session, or a place on its waitlist when it is full."""
    if not ActionForm().validate_on_submit():
        abort(400)
    signup = signups.sign_up(db(), g.edition, current_user, session_id)
    db().commit()
    if signup.status == "seated":
        flash(_("Your seat is booked."), "success")
    else:
        position = catalogue.waitlist_rank(db(), signup)
        flash(
            _(
                "The session is full: you are number %(n)s on the waitlist. "
                "You will get an email if a seat frees up.",
                n=position,
            ),
            "warning",
        )
    return _back(session_id)


@bp.post("/sessions/<id:session_id>/cancel")
@participant_required
def cancel(session_id: int):
    """Give up your seat or waitlist place; the next person in line gets the seat."""
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        signups.cancel_signup(
            db(),
            g.edition,
            current_user,
            session_id,
            agenda_url=url_for("agenda.index", _external=True),
        )
        db().commit()
    except errors.NotFound:
        db().rollback()
        flash(_("You are not signed up for this session."), "info")
        return _back(session_id)
    flash(_("Your sign-up is cancelled."), "info")
    return _back(session_id)


@bp.post("/sessions/<id:session_id>/star")
@participant_required
def star(session_id: int):
    """Star a session: it shows in your agenda and counts as busy for meetings."""
    return press(
        lambda: signups.star(db(), g.edition, current_user, session_id),
        _("Starred: this time counts as busy when meetings are planned."),
        _back_url(session_id),
    )


@bp.post("/sessions/<id:session_id>/unstar")
@participant_required
def unstar(session_id: int):
    """Remove the star from a session."""
    return press(
        lambda: signups.unstar(db(), g.edition, current_user, session_id),
        _("Star removed."),
        _back_url(session_id),
        category="info",
    )


# --------------------------------------------------------------------------- organisers


@bp.get("/manage")
@organiser_required
def manage():
    """The organiser's programme: sessions by day, tracks and rooms."""
    return render_template(
        "programme/manage.html",
        page=pages.manage_page(db(), g.edition),
        languages=catalogue.LANGUAGE_LABELS,
    )


def _session_form(ps=None) -> SessionForm:
    form = SessionForm()
    form.set_choices(
        catalogue.tracks(db(), g.edition.id),
        catalogue.rooms(db(), g.edition.id),
        catalogue.edition_days(g.edition),
        pick,
        fmt_date,
    )
    if ps is not None and request.method == "GET":
        form.fill_from(ps, catalogue.tz_of(g.edition))
    return form


@bp.route("/manage/sessions/new", methods=["GET", "POST"])
@organiser_required
def session_new():
    """Add a session."""
    return _edit_session(None)


@bp.route("/manage/sessions/<id:session_id>/edit", methods=["GET", "POST"])
@organiser_required
def session_edit(session_id: int):
    """Change a session; people who lose their time are told."""
    return _edit_session(session_id)


def _edit_session(session_id: int | None):
    ps = None
    people = None
    if session_id is not None:
        ps = catalogue.get_session(db(), g.edition.id, session_id)
        people = catalogue.attendees(db(), ps)
    form = _session_form(ps)
    if form.validate_on_submit():
        with refused_on(form):
            saved, warnings = editing.save_session(
                db(),
                g.edition,
                current_user,
                form.to_data(catalogue.tz_of(g.edition)),
                session_id=session_id,
                agenda_url=url_for("agenda.index", _external=True),
            )
            db().commit()
            for warning in warnings:
                flash(warning, "warning")
            flash(_("The session is saved."), "success")
            return redirect(url_for("programme.session_edit", session_id=saved.id))
    status = 422 if request.method == "POST" else 200
    return render_template("programme/session_form.html", form=form, ps=ps, people=people), status


def _edit_simple(kind: str, form, object_id: int | None, template: str):
    getter = catalogue.get_track if kind == "track" else catalogue.get_room
    saver = editing.save_track if kind == "track" else editing.save_room
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
    """Add a track."""
    return _edit_simple("track", TrackForm(), None, "programme/simple_form.html")


@bp.route("/manage/tracks/<id:track_id>/edit", methods=["GET", "POST"])
@organiser_required
def track_edit(track_id: int):
    """Change a track."""
    return _edit_simple("track", TrackForm(), track_id, "programme/simple_form.html")


@bp.route("/manage/rooms/new", methods=["GET", "POST"])
@organiser_required
def room_new():
    """Add a room."""
    return _edit_simple("room", RoomForm(), None, "programme/simple_form.html")


@bp.route("/manage/rooms/<id:room_id>/edit", methods=["GET", "POST"])
@organiser_required
def room_edit(room_id: int):
    """Change a room."""
    return _edit_simple("room", RoomForm(), room_id, "programme/simple_form.html")


@bp.get("/manage/sessions.csv")
@organiser_required
def export_csv():
    """Download the sessions as CSV."""
    body = csv.export_sessions_csv(db(), g.edition)
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
    """Create or update sessions from a CSV file: all rows or none."""
    if request.args.get("template"):
        return csv_download(csv.import_template(), "sessions-template.csv")
    form = ImportForm()
    report = None
    if form.validate_on_submit():
        data = form.file.data.read(5_000_001)
        if len(data) > 5_000_000:
            form.file.errors.append(_("The file is larger than 5 MB."))
        else:
            report = csv.import_sessions_csv(db(), g.edition, current_user, data)
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
        "programme/import.html", form=form, report=report, columns=csv.CSV_COLUMNS
    ), status

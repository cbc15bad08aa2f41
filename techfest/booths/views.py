"""HTTP views of booths: the floor plan, requests, "my booth" and the organiser's tools."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user

from techfest.booths import booking as bookings
from techfest.booths import catalogue, csv, editing, pages
from techfest.booths.availability import STATES
from techfest.booths.editing import BoothData
from techfest.booths.forms import (
    AllowanceForm,
    BoothForm,
    BulkDecisionForm,
    ImportForm,
    ReasonForm,
    SettingsForm,
    ZoneForm,
)
from techfest.core.actions import press
from techfest.core.csvio import csv_download
from techfest.core.editions import organiser_required, role_required, scope_to_edition, user_roles
from techfest.core.errors import refusal_target, refused_on
from techfest.core.forms import ActionForm
from techfest.db import db

bp = scope_to_edition(Blueprint("booths", __name__, url_prefix="/<id:year>/booths"))


startup_required = role_required("startup")


def _filters() -> tuple[str | None, str | None]:
    zone = (request.args.get("zone") or "").strip().upper() or None
    size = (request.args.get("size") or "").strip().upper() or None
    return zone, (size if size in catalogue.SIZES else None)


def _plan_page(template: str):
    zone, size = _filters()
    plan = pages.floor_plan(db(), g.edition, zone, size)
    if zone and zone not in {z.code for z in plan.zones}:
        plan = pages.floor_plan(db(), g.edition, None, size)
        zone = None
    return render_template(
        template,
        plan=plan,
        zone=zone or "",
        size=size or "",
        sizes=catalogue.SIZES,
        states=STATES,
    )


@bp.get("/")
def index():
    """The floor plan: every booth, free or taken, by zone."""
    return _plan_page("booths/index.html")


@bp.get("/list")
def listing():
    """The booths as a list, filtered like the plan."""
    return _plan_page("booths/list.html")


def _viewer_org() -> int | None:
    return current_user.organisation_id if current_user.is_authenticated else None


@bp.get("/<id:booth_id>")
def detail(booth_id: int):
    """One booth: size, price, zone and whether the startup can ask for it."""
    info = pages.booth_detail(db(), g.edition, booth_id, _viewer_org())
    roles = user_roles()
    return render_template(
        "booths/detail.html",
        info=info,
        can_request="startup" in roles and info.state == "free",
        is_organiser="organiser" in roles,
        form=ActionForm(),
    )


@bp.post("/<id:booth_id>/request")
@startup_required
@refusal_target("booths.detail", "booth_id")
def request_booth(booth_id: int):
    """A startup asks for a free booth; it is held for them until the organisers decide."""
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    booking = bookings.request_booth(db(), g.edition, booth_id, current_user)
    db().commit()
    flash(
        _(
            "Your request is in. The organisers will confirm it; "
            "the booth is held for you until then."
        ),
        "success",
    )
    return redirect(url_for("booths.mine", booking=booking.id))


@bp.get("/mine")
@startup_required
def mine():
    """The startup's booth requests and bookings."""
    rows = pages.organisation_bookings(db(), g.edition, current_user.organisation_id)
    limit = (
        catalogue.booth_limit(db(), g.edition, current_user.organisation_id)
        if current_user.organisation_id
        else 0
    )
    return render_template("booths/mine.html", rows=rows, limit=limit, form=ActionForm())


@bp.post("/mine/<id:booking_id>/withdraw")
@startup_required
@refusal_target("booths.mine")
def withdraw(booking_id: int):
    """A startup withdraws its booth request; the booth is free again."""
    return press(
        lambda: bookings.withdraw_booking(db(), g.edition, booking_id, current_user),
        _("Your request was withdrawn; the booth is free again."),
        url_for("booths.mine"),
    )


# --- organisers ----------------------------------------------------------------------------


def _requests_page(status: str, bulk: BulkDecisionForm | None = None, code: int = 200):
    rows = pages.bookings_by_status(db(), g.edition, status)
    counts = pages.status_counts(db(), g.edition)
    return render_template(
        "booths/manage/requests.html",
        rows=rows,
        status=status,
        counts=counts,
        statuses=catalogue.BOOKING_STATUSES,
        bulk=bulk or BulkDecisionForm(formdata=None),
        ticked=set(bulk.bookings.data or []) if bulk else set(),
    ), code


@bp.get("/manage/requests")
@organiser_required
def requests():
    """The organiser's booth requests, by status."""
    status = request.args.get("status", "pending")
    if status not in catalogue.BOOKING_STATUSES:
        status = "pending"
    return _requests_page(status)


@bp.post("/manage/requests/decide")
@organiser_required
def decide_many():
    """Approve or reject the ticked pending requests together: all of them or none."""
    form = BulkDecisionForm()
    if form.validate_on_submit():
        with refused_on(form, default="bookings"):
            decided = bookings.decide_many(
                db(),
                g.edition,
                form.bookings.data or [],
                current_user,
                form.action.data,
                form.reason.data or "",
            )
            db().commit()
            n = len(decided)
            if form.action.data == "approve":
                done = ngettext(
                    "%(num)s request approved; the startup was told by email.",
                    "%(num)s requests approved; each startup was told by email.",
                    n,
                )
            else:
                done = ngettext(
                    "%(num)s request rejected; the startup was told by email.",
                    "%(num)s requests rejected; each startup was told by email.",
                    n,
                )
            flash(done, "success")
            return redirect(url_for("booths.requests", status="pending"))
    return _requests_page("pending", form, 422)


@bp.get("/manage/requests/<id:booking_id>")
@organiser_required
def booking(booking_id: int):
    """One booth request, for the organiser's decision."""
    row = pages.organiser_booking(db(), g.edition, booking_id)
    return render_template("booths/manage/booking.html", row=row, form=ReasonForm())


_DECISIONS = {
    "approve": (
        bookings.approve_booking,
        _l("Booking approved; the startup was told by email."),
    ),
    "reject": (
        bookings.reject_booking,
        _l("Request rejected; the startup was told by email."),
    ),
    "cancel": (
        bookings.cancel_booking,
        _l("Booking cancelled; the startup was told by email."),
    ),
}


@bp.post("/manage/requests/<id:booking_id>/<action>")
@organiser_required
@refusal_target("booths.booking", "booking_id")
def decide(booking_id: int, action: str):
    """Approve, reject or cancel a booth request; the startup is told."""
    if action not in _DECISIONS:
        abort(404)
    service, done = _DECISIONS[action]
    form = ReasonForm()
    row = pages.organiser_booking(db(), g.edition, booking_id)
    if form.validate_on_submit():
        with refused_on(form, fields=("reason",)):
            service(db(), g.edition, booking_id, current_user, form.reason.data or "")
            db().commit()
            flash(str(done), "success")
            return redirect(url_for("booths.requests", status=row.status))
    return render_template("booths/manage/booking.html", row=row, form=form), 422


@bp.get("/manage/")
@organiser_required
def manage():
    """The organiser's floor-plan editor."""
    plan = pages.floor_plan(db(), g.edition)
    return render_template("booths/manage/booths.html", plan=plan, form=ActionForm())


def _booth_form_page(form: BoothForm, booth_id: int | None):
    if form.validate_on_submit():
        data = BoothData(
            code=form.code.data or "",
            zone_id=int(form.zone_id.data),
            size=form.size.data,
            price_vnd=form.price_vnd.data,
            x=form.x.data,
            y=form.y.data,
            w=form.w.data,
            h=form.h.data,
        )
        with refused_on(form, default="code"):
            booth = editing.save_booth(db(), g.edition, current_user, data, booth_id)
            db().commit()
            flash(_("Booth %(code)s saved.", code=booth.code), "success")
            return redirect(url_for("booths.manage"))
    status = 422 if form.is_submitted() else 200
    return render_template("booths/manage/booth_form.html", form=form, booth_id=booth_id), status


@bp.route("/manage/new", methods=["GET", "POST"])
@organiser_required
def booth_new():
    """Add a booth to the floor plan."""
    form = BoothForm()
    form.set_zones(catalogue.zones(db(), g.edition))
    return _booth_form_page(form, None)


@bp.route("/manage/<id:booth_id>/edit", methods=["GET", "POST"])
@organiser_required
def booth_edit(booth_id: int):
    """Change a booth."""
    booth = catalogue.get_booth(db(), g.edition, booth_id)
    form = BoothForm(obj=booth) if request.method == "GET" else BoothForm()
    if request.method == "GET":
        form.zone_id.data = str(booth.zone_id)
    form.set_zones(catalogue.zones(db(), g.edition))
    return _booth_form_page(form, booth_id)


@bp.post("/manage/<id:booth_id>/<any(block, unblock):action>")
@organiser_required
@refusal_target("booths.manage")
def block(booth_id: int, action: str):
    """Take a booth off the floor plan (blocked), or open it again."""
    blocking = action == "block"
    return press(
        lambda: editing.set_blocked(db(), g.edition, booth_id, current_user, blocking),
        lambda booth: (
            _("Booth %(code)s is blocked.", code=booth.code)
            if blocking
            else _("Booth %(code)s is open again.", code=booth.code)
        ),
        url_for("booths.manage"),
    )


@bp.get("/manage/zones")
@organiser_required
def zones():
    """The edition's zones."""
    return render_template("booths/manage/zones.html", zones=catalogue.zones(db(), g.edition))


def _zone_form_page(form: ZoneForm, zone_id: int | None):
    if form.validate_on_submit():
        with refused_on(form, default="code"):
            zone = editing.save_zone(
                db(),
                g.edition,
                current_user,
                code=form.code.data or "",
                name_vi=form.name_vi.data or "",
                name_en=form.name_en.data or "",
                color=form.color.data or "",
                zone_id=zone_id,
            )
            db().commit()
            flash(_("Zone %(code)s saved.", code=zone.code), "success")
            return redirect(url_for("booths.zones"))
    status = 422 if form.is_submitted() else 200
    return render_template("booths/manage/zone_form.html", form=form, zone_id=zone_id), status


@bp.route("/manage/zones/new", methods=["GET", "POST"])
@organiser_required
def zone_new():
    """Add a zone."""
    return _zone_form_page(ZoneForm(), None)


@bp.route("/manage/zones/<id:zone_id>/edit", methods=["GET", "POST"])
@organiser_required
def zone_edit(zone_id: int):
    """Change a zone."""
    zone = catalogue.get_zone(db(), g.edition, zone_id)
    form = ZoneForm(obj=zone) if request.method == "GET" else ZoneForm()
    return _zone_form_page(form, zone_id)


@bp.get("/manage/booths.csv")
@organiser_required
def export_csv():
    """Download the floor plan as CSV."""
    text = csv.export_booths_csv(db(), g.edition)
    return Response(
        text,
        mimetype="text/csv",
        headers={"Content-Disposition": f"attachment; filename=booths-{g.edition.year}.csv"},
    )


@bp.route("/manage/import", methods=["GET", "POST"])
@organiser_required
def import_csv():
    """Create or update booths from a CSV file: all rows or none."""
    if request.args.get("template"):
        return csv_download(csv.import_template(), "booths-template.csv")
    form = ImportForm()
    report = None
    status = 200
    if form.validate_on_submit():
        upload = form.file.data
        data = upload.read() if upload else b""
        with refused_on(form, default="file"):
            report = csv.import_booths_csv(db(), g.edition, current_user, data)
            if report.ok:
                db().commit()
                flash(
                    _(
                        "Import done: %(created)s booths created, %(updated)s updated.",
                        created=report.created,
                        updated=report.updated,
                    ),
                    "success",
                )
                return redirect(url_for("booths.manage"))
            db().rollback()
        status = 422
    return render_template(
        "booths/manage/import.html",
        form=form,
        report=report,
        columns=csv.CSV_COLUMNS,
    ), status


@bp.route("/manage/settings", methods=["GET", "POST"])
@organiser_required
def settings():
    """How long requests hold booths, how many booths each may hold, and the exceptions."""
    form = SettingsForm(prefix="s")
    allowance_form = AllowanceForm(prefix="a")
    allowance_form.set_organisations(editing.startup_organisations(db(), g.edition))
    if request.method == "GET":
        form.hold_hours.data = g.edition.booth_hold_hours
        form.max_booths.data = g.edition.max_booths_per_organisation
    status = 200
    if request.method == "POST" and "s-submit" in request.form:
        if form.validate_on_submit():
            with refused_on(form, default="hold_hours"):
                editing.update_settings(
                    db(), g.edition, current_user, form.hold_hours.data, form.max_booths.data
                )
                db().commit()
                flash(_("Booth settings saved."), "success")
                return redirect(url_for("booths.settings"))
        status = 422
    elif request.method == "POST" and "a-submit" in request.form:
        if allowance_form.validate_on_submit():
            with refused_on(allowance_form, default="max_booths"):
                editing.set_allowance(
                    db(),
                    g.edition,
                    current_user,
                    int(allowance_form.organisation_id.data),
                    allowance_form.max_booths.data,
                )
                db().commit()
                flash(_("Exception saved."), "success")
                return redirect(url_for("booths.settings"))
        status = 422
    return render_template(
        "booths/manage/settings.html",
        form=form,
        allowance_form=allowance_form,
        allowances=editing.allowances(db(), g.edition),
        remove_form=ActionForm(),
    ), status


@bp.post("/manage/allowances/<id:allowance_id>/remove")
@organiser_required
def remove_allowance(allowance_id: int):
    """Remove an organisation's exception to the booth limit."""
    return press(
        lambda: editing.remove_allowance(db(), g.edition, current_user, allowance_id),
        _("Exception removed; the edition's limit applies again."),
        url_for("booths.settings"),
    )

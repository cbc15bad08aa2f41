"""HTTP views of registration: public ticket page, the form, my registration, organiser pages."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from techfest.core.csvio import CsvFormatError, csv_download
from techfest.core.editions import organiser_required, scope_to_edition
from techfest.core.errors import refused_on
from techfest.core.inputs import id_value, page_value
from techfest.core.jobs import launch
from techfest.db import db
from techfest.i18n import lang
from techfest.registration import booking, catalogue, csv, editing, jobs, pages
from techfest.registration.errors import NotFound
from techfest.registration.forms import CancelForm, ImportForm, RegistrationForm, TicketTypeForm

bp = scope_to_edition(Blueprint("registration", __name__, url_prefix="/<id:year>/registration"))


def _my_url() -> str:
    return url_for("registration.mine", _external=True)


@bp.get("/")
def index():
    """The edition's registration page: tickets on offer, or your registration."""
    offers = catalogue.public_offers(db(), g.edition.id)
    mine = (
        booking.registration_for(db(), g.edition.id, current_user.id)
        if current_user.is_authenticated
        else None
    )
    return render_template("registration/index.html", offers=offers, mine=mine)


@bp.route("/register", methods=["GET", "POST"])
@login_required
def register():
    """Register for the edition: a place, or the ticket's waitlist when it is full."""
    existing = booking.registration_for(db(), g.edition.id, current_user.id)
    if existing is not None:
        flash(_("You are already registered for this edition."), "info")
        return redirect(url_for("registration.mine"))
    offers = catalogue.public_offers(db(), g.edition.id)
    form = RegistrationForm()
    form.set_ticket_choices(offers)
    if request.method == "GET":
        form.process(data=booking.default_details(db(), current_user))
        form.set_ticket_choices(offers)
        wanted = request.args.get("ticket", type=id_value)
        open_ids = [o.ticket.id for o in offers if not o.full]
        if wanted in {o.ticket.id for o in offers}:
            form.ticket_type.data = wanted
        elif open_ids:
            form.ticket_type.data = open_ids[0]
    if form.validate_on_submit():
        with refused_on(form, as_flash="danger"):
            result = booking.register_delegate(
                db(),
                g.edition,
                current_user,
                form.ticket_type.data,
                form.details(),
                consented=bool(form.consent.data),
                my_url=_my_url(),
                share_with_exhibitors=bool(form.share_with_exhibitors.data),
            )
            db().commit()
            reg = result.registration
            if not result.created:
                flash(_("You are already registered for this edition."), "info")
            elif reg.status == "confirmed":
                flash(_("You are registered. A confirmation is on its way by email."), "success")
            elif reg.status == "pending":
                flash(_("Your place is held. Pay by bank transfer to confirm it."), "info")
                return redirect(url_for("payments.index"))
            else:
                flash(
                    _("The ticket is full, so you are on its waitlist; we will email you."),
                    "warning",
                )
            return redirect(url_for("registration.mine"))
    return render_template(
        "registration/register.html",
        form=form,
        offers=offers,
        consent=catalogue.consent_text(lang()),
        consent_version=catalogue.CONSENT_VERSION,
        exhibitor_consent=catalogue.exhibitor_consent_text(lang()),
        exhibitor_consent_version=catalogue.EXHIBITOR_CONSENT_VERSION,
    )


@bp.get("/me")
@login_required
def mine():
    """Your registration: ticket, status, place on the waitlist."""
    reg = booking.registration_for(db(), g.edition.id, current_user.id)
    ticket = position = None
    if reg is not None:
        ticket = catalogue.ticket_type_in(db(), g.edition.id, reg.ticket_type_id)
        position = booking.waitlist_position(db(), reg)
    return render_template(
        "registration/mine.html", reg=reg, ticket=ticket, position=position, form=CancelForm()
    )


@bp.post("/me/cancel")
@login_required
def cancel():
    """Cancel your registration; the next in line moves up."""
    form = CancelForm()
    if form.validate_on_submit():
        with refused_on(form, as_flash="warning"):
            booking.cancel_registration(db(), g.edition.id, current_user.id, my_url=_my_url())
            db().commit()
            flash(_("Your registration is cancelled."), "info")
    return redirect(url_for("registration.mine"))


# ---------------------------------------------------------------- organiser


def _filters() -> dict:
    status = request.args.get("status", "")
    return {
        "status": status if status in catalogue.STATUSES else None,
        "ticket_type_id": request.args.get("ticket", type=id_value),
        "q": request.args.get("q", "")[:100],
    }


@bp.get("/manage/")
@organiser_required
def manage():
    """The organiser's list of registrations, filtered."""
    filters = _filters()
    page = pages.list_registrations(
        db(), g.edition.id, page=request.args.get("page", 1, type=page_value), **filters
    )
    return render_template(
        "registration/manage.html",
        page=page,
        filters=filters,
        statuses=catalogue.STATUSES,
        cancel_form=CancelForm(),
    )


@bp.post("/manage/<id:registration_id>/cancel")
@organiser_required
def manage_cancel(registration_id: int):
    """Cancel someone's registration."""
    form = CancelForm()
    if form.validate_on_submit():
        with refused_on(form, as_flash="warning"):
            booking.cancel_registration_as_organiser(
                db(), g.edition.id, registration_id, by_user_id=current_user.id, my_url=_my_url()
            )
            db().commit()
            flash(_("The registration is cancelled."), "info")
    return redirect(url_for("registration.manage"))


@bp.get("/manage/export.csv")
@organiser_required
def export():
    """Download the registrations as CSV."""
    text = csv.export_csv(db(), g.edition, status=_filters()["status"])
    return Response(
        text,
        mimetype="text/csv",
        headers={
            "Content-Disposition": f"attachment; filename=delegates-{g.edition.year}.csv",
            "Cache-Control": "no-store",
        },
    )


@bp.route("/manage/import", methods=["GET", "POST"])
@organiser_required
def import_csv():
    """Import delegates from a CSV file: all rows or none, checked and written by a job."""
    if request.args.get("template"):
        return csv_download(csv.import_template(), "delegates-template.csv")
    form = ImportForm()
    file_error = None
    if form.validate_on_submit():
        try:
            job = jobs.start_import(
                db(),
                g.edition,
                current_user.id,
                form.file.data.read(),
                lang=lang(),
                my_url=_my_url(),
            )
        except CsvFormatError as exc:
            db().rollback()
            file_error = _("The file cannot be read: %(reason)s", reason=str(exc))
        else:
            db().commit()
            launch(job.id)
            return redirect(url_for("registration.import_job", job_id=job.id))
    return render_template(
        "registration/import.html", form=form, result=None, file_error=file_error
    )


@bp.get("/manage/imports/<id:job_id>")
@organiser_required
def import_job(job_id: int):
    """An import's progress bar while it runs, then what it did or what is wrong."""
    try:
        job = jobs.import_job(db(), g.edition, job_id)
    except NotFound:
        abort(404)
    return render_template(
        "registration/import_job.html", job=job, report=jobs.report_of(job), result=job.result
    )


@bp.get("/manage/imports/<id:job_id>.json")
@organiser_required
def import_job_json(job_id: int):
    try:
        job = jobs.import_job(db(), g.edition, job_id)
    except NotFound:
        abort(404)
    return jsonify(jobs.status_of(job))


@bp.get("/manage/tickets/")
@organiser_required
def tickets():
    """The ticket types with places taken and people waiting."""
    overview = pages.ticket_overview(db(), g.edition.id)
    return render_template("registration/tickets.html", overview=overview)


@bp.route("/manage/tickets/new", methods=["GET", "POST"])
@organiser_required
def ticket_new():
    """Create a ticket type."""
    form = TicketTypeForm()
    if form.validate_on_submit():
        with refused_on(form, as_flash="danger"):
            editing.create_ticket_type(
                db(), g.edition.id, form.to_data(g.edition.timezone), by_user_id=current_user.id
            )
            db().commit()
            flash(_("The ticket type is created."), "success")
            return redirect(url_for("registration.tickets"))
    return render_template("registration/ticket_form.html", form=form, ticket=None)


@bp.route("/manage/tickets/<id:ticket_id>/edit", methods=["GET", "POST"])
@organiser_required
def ticket_edit(ticket_id: int):
    """Change a ticket type; a larger capacity moves people up from the waitlist."""
    ticket = catalogue.ticket_type_in(db(), g.edition.id, ticket_id)
    form = TicketTypeForm()
    if request.method == "GET":
        form.fill_from(ticket, g.edition.timezone)
    if form.validate_on_submit():
        with refused_on(form, as_flash="danger"):
            promoted = editing.update_ticket_type(
                db(),
                g.edition.id,
                ticket.id,
                form.to_data(g.edition.timezone),
                by_user_id=current_user.id,
                my_url=_my_url(),
            )
            db().commit()
            flash(_("The ticket type is saved."), "success")
            if promoted:
                flash(_("%(n)s people moved up from the waitlist.", n=len(promoted)), "info")
            return redirect(url_for("registration.tickets"))
    return render_template("registration/ticket_form.html", form=form, ticket=ticket)

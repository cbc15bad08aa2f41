"""HTTP views of leads: the booth's scanner and its JSON endpoint, lists, CSV, sharing."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
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
from flask_wtf.csrf import generate_csrf

from techfest.core.actions import press
from techfest.core.editions import role_required, scope_to_edition
from techfest.core.errors import refused_on
from techfest.core.forms import ActionForm
from techfest.db import db, now_utc
from techfest.leads import services
from techfest.leads.forms import LeadForm, SharingForm

bp = scope_to_edition(Blueprint("leads", __name__, url_prefix="/<id:year>/leads"))

startup_required = role_required("startup")

_STATUS_CODES = {"unknown": 404, "not_confirmed": 409, "invalid": 400}


@bp.get("/")
@startup_required
def index():
    return render_template(
        "leads/index.html", booths=services.booth_summaries(db(), g.edition, current_user)
    )


@bp.get("/token")
@startup_required
def token():
    """A fresh CSRF token for a scanner page that stayed open longer than the token lives."""
    return jsonify(csrf_token=generate_csrf())


@bp.get("/booths/<id:booth_id>/scan")
@startup_required
def scan_page(booth_id: int):
    booth = services.staff_booth(db(), g.edition, current_user, booth_id)
    return render_template("leads/scan.html", booth=booth)


@bp.post("/booths/<id:booth_id>/scan")
@startup_required
def scan(booth_id: int):
    booth = services.staff_booth(db(), g.edition, current_user, booth_id)
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict):
        return jsonify(status="invalid", message=_("Send the scan as JSON.")), 400
    try:
        outcome = services.record_scan(
            db(),
            g.edition,
            booth,
            current_user,
            str(payload.get("code") or ""),
            client_scan_id=services.parse_client_scan_id(payload.get("client_scan_id")),
            scanned_at=services.parse_scanned_at(payload.get("scanned_at"), now_utc()),
            rating=services.parse_rating(payload.get("rating")),
            note=services.parse_note(payload.get("note")),
            tags=services.parse_tags(payload.get("tags")),
        )
    except services.LeadError as exc:
        db().rollback()
        code = 404 if exc.not_found else _STATUS_CODES.get(exc.status, 400)
        return jsonify(status=exc.status, message=str(exc.message)), code
    db().commit()
    body = outcome.as_json()
    body["url"] = url_for("leads.lead", lead_id=outcome.lead.id)
    return jsonify(body)


@bp.get("/booths/<id:booth_id>")
@startup_required
def booth_leads(booth_id: int):
    booth = services.staff_booth(db(), g.edition, current_user, booth_id)
    return render_template(
        "leads/booth.html",
        booth=booth,
        leads=services.booth_leads(db(), booth, current_user.organisation_id),
    )


@bp.get("/booths/<id:booth_id>/leads.csv")
@startup_required
def export_csv(booth_id: int):
    booth = services.staff_booth(db(), g.edition, current_user, booth_id)
    text = services.export_csv(db(), g.edition, booth, current_user.organisation_id)
    name = f"leads-{g.edition.year}-{booth.code}.csv"
    return Response(
        text.encode("utf-8"),
        mimetype="text/csv",
        headers={"Content-Disposition": f"attachment; filename={name}"},
    )


@bp.route("/<id:lead_id>", methods=["GET", "POST"])
@startup_required
def lead(lead_id: int):
    found = services.lead_for_staff(db(), g.edition, current_user, lead_id)
    view = services.view_lead(db(), g.edition, found)
    form = LeadForm()
    if request.method == "GET":
        form.rating.data = str(found.rating) if found.rating else None
        form.note.data = found.note
        form.tags.data = ", ".join(found.tags or [])
    if form.validate_on_submit():
        with refused_on(form, default="tags"):
            services.update_lead(
                db(),
                found,
                rating=services.parse_rating(form.rating.data),
                note=services.parse_note(form.note.data),
                tags=services.parse_tags(form.tags.data),
            )
            db().commit()
            flash(_("The lead is saved."), "success")
            return redirect(url_for("leads.booth_leads", booth_id=found.booth_id))
    return render_template(
        "leads/lead.html", lead=view, booth_id=found.booth_id, form=form, action_form=ActionForm()
    )


@bp.post("/<id:lead_id>/ask")
@startup_required
def ask_contact(lead_id: int):
    found = services.lead_for_staff(db(), g.edition, current_user, lead_id)
    return press(
        lambda: services.request_contact(
            db(), g.edition, found, url_for("leads.mine", _external=True)
        ),
        _("The visitor is asked by email; nothing is shared unless they accept."),
        url_for("leads.lead", lead_id=found.id),
    )


@bp.get("/shared")
@login_required
def mine():
    share = services.sharing_of(db(), g.edition, current_user)
    form = SharingForm(data={"share": bool(share)})
    return render_template(
        "leads/mine.html",
        form=form,
        registered=share is not None,
        requests=services.my_leads(db(), g.edition, current_user),
        action_form=ActionForm(),
    )


@bp.post("/shared")
@login_required
def set_sharing():
    form = SharingForm()
    share = bool(form.share.data)
    return press(
        lambda: services.set_sharing(db(), g.edition, current_user, share),
        _("Exhibitors who scan your badge now see your email and phone.")
        if share
        else _("Exhibitors no longer see your email and phone."),
        url_for("leads.mine"),
    )


@bp.post("/shared/<id:lead_id>/<any(accept, decline):answer>")
@login_required
def answer(lead_id: int, answer: str):
    accept = answer == "accept"
    return press(
        lambda: services.answer_contact_request(db(), g.edition, current_user, lead_id, accept),
        _("This exhibitor now sees your email and phone.")
        if accept
        else _("This exhibitor does not see your email and phone."),
        url_for("leads.mine"),
    )

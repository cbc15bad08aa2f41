"""HTTP views of leads: the booth's scanner and its JSON endpoint, lists, CSV, sharing."""

from __future__ import annotations

from functools import wraps

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
from flask_wtf.csrf import generate_csrf

from techfest.core.actions import press
from techfest.core.editions import role_required, scope_to_edition, user_roles
from techfest.core.errors import refusal_target, refused_on
from techfest.core.forms import ActionForm
from techfest.db import db, now_utc
from techfest.leads import services, staff
from techfest.leads.forms import LeadForm, SharingForm, StaffInviteForm

bp = scope_to_edition(Blueprint("leads", __name__, url_prefix="/<id:year>/leads"))

startup_required = role_required("startup")


def staff_required(view):
    """The startup's own accounts, or people it invited to staff its booths (403 otherwise)."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated:
            from techfest.extensions import login_manager

            return login_manager.unauthorized()
        if "startup" not in user_roles() and not staff.inviting_organisations(
            db(), g.edition, current_user
        ):
            abort(403)
        return view(*args, **kwargs)

    return wrapped


_STATUS_CODES = {"unknown": 404, "not_confirmed": 409, "invalid": 400}


@bp.get("/")
@staff_required
def index():
    return render_template(
        "leads/index.html",
        booths=services.booth_summaries(db(), g.edition, current_user),
        can_invite="startup" in user_roles(),
    )


@bp.get("/token")
@staff_required
def token():
    """A fresh CSRF token for a scanner page that stayed open longer than the token lives."""
    return jsonify(csrf_token=generate_csrf())


@bp.get("/booths/<id:booth_id>/scan")
@staff_required
def scan_page(booth_id: int):
    booth = services.staff_booth(db(), g.edition, current_user, booth_id)
    return render_template("leads/scan.html", booth=booth)


@bp.post("/booths/<id:booth_id>/scan")
@staff_required
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
@staff_required
def booth_leads(booth_id: int):
    booth = services.staff_booth(db(), g.edition, current_user, booth_id)
    return render_template(
        "leads/booth.html",
        booth=booth,
        leads=services.booth_leads(
            db(), booth, services.booth_holder(db(), g.edition, current_user, booth)
        ),
    )


@bp.get("/booths/<id:booth_id>/leads.csv")
@staff_required
def export_csv(booth_id: int):
    booth = services.staff_booth(db(), g.edition, current_user, booth_id)
    holder = services.booth_holder(db(), g.edition, current_user, booth)
    text = services.export_csv(db(), g.edition, booth, holder)
    name = f"leads-{g.edition.year}-{booth.code}.csv"
    return Response(
        text.encode("utf-8"),
        mimetype="text/csv",
        headers={"Content-Disposition": f"attachment; filename={name}"},
    )


@bp.route("/<id:lead_id>", methods=["GET", "POST"])
@staff_required
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
@staff_required
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


@bp.route("/staff", methods=["GET", "POST"])
@startup_required
def staff_page():
    form = StaffInviteForm()
    if form.validate_on_submit():
        with refused_on(form, default="email"):
            invite = staff.invite_staff(
                db(),
                g.edition,
                current_user,
                form.email.data,
                lambda token: url_for("leads.join", token=token, _external=True),
            )
            db().commit()
            flash(_("An invitation is on its way to %(email)s.", email=invite.email), "success")
            return redirect(url_for("leads.staff_page"))
    return render_template(
        "leads/staff.html",
        form=form,
        invites=staff.invites_of(db(), g.edition, current_user.organisation_id),
        statuses={
            "pending": _("waiting for an answer"),
            "expired": _("expired"),
            "accepted": _("accepted"),
            "revoked": _("withdrawn"),
        },
        action_form=ActionForm(),
    )


@bp.post("/staff/<id:invite_id>/revoke")
@startup_required
def revoke_staff(invite_id: int):
    return press(
        lambda: staff.revoke_invite(db(), g.edition, current_user, invite_id),
        _("The invitation is withdrawn; this person no longer staffs your booths."),
        url_for("leads.staff_page"),
    )


@bp.route("/join/<token>", methods=["GET", "POST"])
@login_required
@refusal_target("leads.join", "token")
def join(token: str):
    if request.method == "POST":
        return press(
            lambda: staff.accept_invite(db(), g.edition, current_user, token),
            lambda found: _("You now staff the booths of %(org)s.", org=found.organisation),
            url_for("leads.index"),
        )
    try:
        found = staff.invitation(db(), g.edition, token, current_user)
    except staff.StaffError as exc:
        return render_template("leads/join.html", problem=str(exc.message), found=None), 400
    return render_template(
        "leads/join.html", problem=None, found=found, token=token, action_form=ActionForm()
    )

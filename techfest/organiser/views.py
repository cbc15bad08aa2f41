"""HTTP views of organiser: dashboard, audit log, privacy requests; a person's own data."""

from __future__ import annotations

import json

from flask import Blueprint, Response, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user

from techfest.core.csvio import write_csv
from techfest.core.editions import (
    current_edition,
    edition_by_year,
    organiser_required,
    scope_to_edition,
)
from techfest.core.forms import ActionForm
from techfest.core.inputs import id_value, page_value
from techfest.db import db
from techfest.organiser import dashboard as figures
from techfest.organiser import privacy, services
from techfest.organiser.forms import EraseForm, LogRequestForm, RetentionForm

bp = scope_to_edition(Blueprint("organiser", __name__, url_prefix="/<id:year>/organiser"))

privacy_bp = Blueprint("privacy", __name__, url_prefix="/privacy")


#: characters that make a spreadsheet treat a cell as a formula
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def _safe_cells(rows: list[dict]) -> list[dict]:
    return [
        {k: "'" + v if isinstance(v, str) and v.startswith(_FORMULA) else v for k, v in r.items()}
        for r in rows
    ]


def _csv(rows: list[dict], columns: list[str], filename: str) -> Response:
    return Response(
        write_csv(_safe_cells(rows), columns),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


# --------------------------------------------------------------------------- dashboard


@bp.get("/")
@organiser_required
def dashboard():
    return render_template(
        "organiser/dashboard.html",
        summary=figures.summary(db(), g.edition),
        figures=figures.all_figures(db(), g.edition),
    )


@bp.get("/charts/<key>.csv")
@organiser_required
def chart_csv(key: str):
    figure = figures.figure(db(), g.edition, key)
    if figure is None:
        abort(404)
    return _csv(figure.csv_rows(), figure.columns, f"techfest-{g.edition.year}-{key}.csv")


# --------------------------------------------------------------------------- audit log


def _audit_filter() -> services.AuditFilter:
    user_id = request.args.get("user", type=id_value)
    return services.AuditFilter(action=request.args.get("action", "").strip(), user_id=user_id)


@bp.get("/audit")
@organiser_required
def audit():
    flt = _audit_filter()
    page = services.audit_page(db(), g.edition, flt, request.args.get("page", 1, type=page_value))
    actions, users = services.audit_choices(db(), g.edition)
    return render_template("organiser/audit.html", page=page, flt=flt, actions=actions, users=users)


@bp.get("/audit.csv")
@organiser_required
def audit_csv():
    rows = services.audit_rows(db(), g.edition, _audit_filter())
    return _csv(rows, services.AUDIT_COLUMNS, f"techfest-{g.edition.year}-audit.csv")


# --------------------------------------------------------------------------- privacy


def _privacy_page(log_form=None, retention_form=None, status=200):
    return (
        render_template(
            "organiser/privacy_requests.html",
            open_requests=privacy.open_requests(db(), g.edition),
            done_requests=privacy.recent_requests(db(), g.edition),
            log_form=log_form or LogRequestForm(),
            retention_form=retention_form or RetentionForm(retention_days=g.edition.retention_days),
            action_form=ActionForm(),
            erase_after=privacy.erase_after(g.edition),
        ),
        status,
    )


@bp.get("/privacy")
@organiser_required
def privacy_requests():
    return _privacy_page()


@bp.post("/privacy/requests")
@organiser_required
def log_request():
    form = LogRequestForm()
    if not form.validate_on_submit():
        return _privacy_page(log_form=form, status=400)
    try:
        privacy.log_request(db(), g.edition, current_user, form.email.data, form.kind.data)
    except privacy.PrivacyError as exc:
        form.email.errors.append(str(exc.message))
        return _privacy_page(log_form=form, status=400)
    db().commit()
    flash(_("The request is recorded."), "success")
    return redirect(url_for("organiser.privacy_requests"))


@bp.post("/privacy/requests/<id:request_id>/complete")
@organiser_required
def complete_request(request_id: int):
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        done, data = privacy.complete_request(db(), g.edition, current_user, request_id)
    except LookupError:
        abort(404)
    except privacy.PrivacyError as exc:
        flash(str(exc.message), "warning")
        return redirect(url_for("organiser.privacy_requests"))
    db().commit()
    if data is not None:
        return Response(
            json.dumps(data, ensure_ascii=False, indent=2),
            mimetype="application/json",
            headers={"Content-Disposition": f'attachment; filename="data-request-{done.id}.json"'},
        )
    flash(_("The request is completed."), "success")
    return redirect(url_for("organiser.privacy_requests"))


@bp.post("/privacy/retention")
@organiser_required
def retention():
    form = RetentionForm()
    if not form.validate_on_submit():
        return _privacy_page(retention_form=form, status=400)
    privacy.set_retention(db(), g.edition, current_user, form.retention_days.data)
    db().commit()
    flash(_("The retention period is saved."), "success")
    return redirect(url_for("organiser.privacy_requests"))


# --------------------------------------------------------------------------- a person's data


@privacy_bp.before_request
def _edition_for_layout():
    """These pages belong to no edition; the menu and footer show the one the link came from."""
    year = request.args.get("year", type=id_value)
    g.edition = (edition_by_year(db(), year) if year else None) or current_edition(db())


@privacy_bp.get("/")
@login_required
def index():
    return render_template(
        "organiser/privacy/index.html", action_form=ActionForm(), edition=current_edition(db())
    )


@privacy_bp.post("/my-data.json")
@login_required
def my_data():
    # a POST: each download is recorded as a data request
    if not ActionForm().validate_on_submit():
        abort(400)
    data = privacy.export_for_self(db(), current_user)
    db().commit()
    return Response(
        json.dumps(data, ensure_ascii=False, indent=2),
        mimetype="application/json",
        headers={"Content-Disposition": 'attachment; filename="techfest-my-data.json"'},
    )


@privacy_bp.route("/erase", methods=["GET", "POST"])
@login_required
def erase():
    form = EraseForm()
    if form.validate_on_submit():
        try:
            privacy.erase_self(db(), current_user, form.password.data)
        except privacy.PrivacyError as exc:
            form.password.errors.append(str(exc.message))
        else:
            db().commit()
            logout_user()
            flash(_("Your personal data is erased. Thank you for taking part."), "success")
            return redirect(url_for("core.index"))
    status = 400 if form.errors else 200
    return render_template("organiser/privacy/erase.html", form=form), status

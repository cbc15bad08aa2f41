"""HTTP views of printing: the organiser's bulk print page, downloads, one's own agenda."""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from techfest.core.editions import organiser_required, scope_to_edition
from techfest.core.inputs import id_value
from techfest.db import db, writing
from techfest.printing import jobs, services
from techfest.printing.forms import PrintForm

bp = scope_to_edition(Blueprint("printing", __name__, url_prefix="/<id:year>/printing"))


def _send(doc, inline: bool = True):
    from flask import Response

    disposition = "inline" if inline else "attachment"
    return Response(
        doc.pdf,
        mimetype="application/pdf",
        headers={
            "Content-Disposition": f'{disposition}; filename="{doc.filename}"',
            "Cache-Control": "private, no-cache",
            "ETag": f'"{doc.content_hash[:32]}"',
        },
    )


@bp.get("/")
@organiser_required
def index():
    job_id = request.args.get("job", type=id_value)
    return render_template(
        "printing/index.html",
        kinds=services.KINDS,
        documents=services.latest_documents(db(), g.edition),
        recent=jobs.recent_jobs(db(), g.edition),
        forms={kind: PrintForm(prefix=kind) for kind in services.KINDS},
        job_id=job_id,
    )


@bp.post("/print/<kind>")
@organiser_required
def start(kind: str):
    form = PrintForm(prefix=kind)
    if not form.validate_on_submit():
        flash(_("Choose a document to print."), "danger")
        return redirect(url_for("printing.index"))
    try:
        job = jobs.start_bulk_print(
            db(),
            g.edition,
            current_user.id,
            kind,
            lang=form.lang.data,
            layout=form.layout.data,
            force=form.force.data,
        )
    except services.PrintingError as exc:
        flash(exc.message, "danger")
        return redirect(url_for("printing.index"))
    db().commit()
    jobs.launch_bulk_print(job.id)
    flash(_("Printing started. The download appears here when it is ready."), "info")
    return redirect(url_for("printing.index", job=job.id))


@bp.get("/jobs/<id:job_id>.json")
@organiser_required
def job_json(job_id: int):
    try:
        status = jobs.job_status(db(), g.edition, job_id)
    except services.NothingToPrint:
        abort(404)
    if status["document_id"]:
        status["download_url"] = url_for("printing.document", document_id=status["document_id"])
    return jsonify(status)


@bp.get("/documents/<id:document_id>.pdf")
@organiser_required
def document(document_id: int):
    try:
        doc = services.document_for_organiser(db(), g.edition, document_id)
    except services.NothingToPrint:
        abort(404)
    return _send(doc, inline=False)


@bp.get("/badges/<id:registration_id>.pdf")
@organiser_required
def badge(registration_id: int):
    """One person's badge on an A6 page: the check-in desk prints it after a check-in."""
    try:
        doc = services.badge_of(db(), g.edition, registration_id)
    except services.NothingToPrint:
        abort(404)
    from flask import Response

    return Response(
        doc.pdf,
        mimetype="application/pdf",
        headers={
            "Content-Disposition": f'inline; filename="{doc.filename}"',
            "Cache-Control": "private, no-store",
        },
    )


@bp.get("/my-agenda.pdf")
@login_required
def my_agenda():
    # a download may store a fresh rendering: take the write lock from the start
    with writing():
        try:
            doc = services.agenda_document(db(), g.edition, current_user)
        except services.NothingToPrint as exc:
            return render_template("printing/no_agenda.html", message=exc.message), 404
        db().commit()
    return _send(doc)

"""HTTP views of payments: a person's orders and payment page; the organiser's orders,
statement import, review list, refunds and exports."""

from __future__ import annotations

from flask import Blueprint, Response, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from techfest.core.actions import press
from techfest.core.editions import organiser_required, scope_to_edition
from techfest.core.errors import refused_on
from techfest.core.forms import ActionForm
from techfest.db import db
from techfest.payments import invoices, orders, pages, reconcile
from techfest.payments.forms import MatchForm, RefundForm, SettingsForm, StatementForm

bp = scope_to_edition(Blueprint("payments", __name__, url_prefix="/<id:year>/payments"))


@bp.get("/")
@login_required
def index():
    """Your orders in this edition."""
    found = orders.orders_of_person(db(), g.edition.id, current_user.id)
    return render_template("payments/mine.html", orders=found)


@bp.get("/orders/<id:order_id>")
@login_required
def order(order_id: int):
    """Pay an order: the VietQR code, the account, the amount and the reference."""
    found = orders.order_of_person(db(), g.edition.id, current_user.id, order_id)
    return render_template("payments/order.html", page=pages.payment_page(db(), found))


@bp.get("/orders/<id:order_id>/receipt.pdf")
@login_required
def receipt(order_id: int):
    """The receipt of a paid order, as PDF."""
    found = orders.order_of_person(db(), g.edition.id, current_user.id, order_id)
    pdf = invoices.receipt_pdf(db(), found)
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'inline; filename="receipt-{found.reference}.pdf"'},
    )


# ---------------------------------------------------------------- organiser


@bp.get("/manage/")
@organiser_required
def manage():
    """Every order of the edition, filtered, with the totals."""
    what = request.args.get("status", "")
    q = request.args.get("q", "")[:100]
    listed = pages.list_orders(db(), g.edition.id, what=what or None, q=q)
    return render_template(
        "payments/manage.html",
        listed=listed,
        what=what,
        q=q,
        filters=pages.FILTERS,
        action=ActionForm(),
        refund=RefundForm(),
    )


@bp.get("/manage/orders.csv")
@organiser_required
def export_csv():
    """The orders as a CSV file."""
    what = request.args.get("status", "") or None
    text = pages.export_orders_csv(db(), g.edition.id, what)
    return Response(
        text,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="orders-{g.edition.year}.csv"'},
    )


@bp.get("/manage/einvoice.csv")
@organiser_required
def einvoice_csv():
    """What the e-invoice provider needs for each paid order, as CSV."""
    text = invoices.einvoice_csv(db(), g.edition.id)
    return Response(
        text,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="einvoice-{g.edition.year}.csv"'},
    )


@bp.post("/manage/orders/<id:order_id>/cancel")
@organiser_required
def cancel(order_id: int):
    """Cancel an order: its place goes back; money paid is owed back."""
    return press(
        lambda: orders.cancel_order(db(), g.edition.id, order_id, by_user_id=current_user.id),
        _("The order is cancelled."),
        url_for("payments.manage"),
    )


@bp.post("/manage/orders/<id:order_id>/refunded")
@organiser_required
def refunded(order_id: int):
    """Record that the money owed back was sent."""
    form = RefundForm()
    if form.validate_on_submit():
        orders.mark_refunded(
            db(),
            g.edition.id,
            order_id,
            by_user_id=current_user.id,
            account=form.account.data or "",
        )
        db().commit()
        flash(_("The refund is recorded."), "success")
    else:
        flash(_("The refund could not be recorded; check the account field."), "danger")
    return redirect(url_for("payments.manage", status="refund"))


@bp.route("/manage/statement", methods=["GET", "POST"])
@organiser_required
def statement():
    """Import the bank's statement: certain matches are paid, the rest wait for review."""
    form = StatementForm()
    report = None
    if form.validate_on_submit():
        upload = form.file.data
        report = reconcile.import_statement(
            db(),
            g.edition,
            upload.read(),
            upload.filename or "statement",
            by_user_id=current_user.id,
        )
        if report.ok:
            db().commit()
            flash(
                _(
                    "%(credits)s credits read: %(matched)s matched, %(review)s to review, "
                    "%(duplicates)s already imported.",
                    credits=report.credits,
                    matched=report.matched,
                    review=report.review,
                    duplicates=report.duplicates,
                ),
                "success",
            )
            return redirect(url_for("payments.review"))
        db().rollback()
    return render_template("payments/statement.html", form=form, report=report)


@bp.get("/manage/review")
@organiser_required
def review():
    """Bank lines that need a person: match them by hand or set them aside."""
    return render_template(
        "payments/review.html",
        lines=reconcile.review_lines(db(), g.edition.id),
        form=MatchForm(),
        action=ActionForm(),
    )


@bp.post("/manage/review/<id:line_id>/match")
@organiser_required
def match(line_id: int):
    """Say which order a bank line pays."""
    form = MatchForm()
    if form.validate_on_submit():
        with refused_on(form, as_flash="danger"):
            reconcile.match_by_hand(
                db(), g.edition.id, line_id, form.reference.data, by_user_id=current_user.id
            )
            db().commit()
            flash(
                _("The line is matched to %(reference)s.", reference=form.reference.data), "success"
            )
    else:
        flash(_("Enter the order's reference."), "danger")
    return redirect(url_for("payments.review"))


@bp.post("/manage/review/<id:line_id>/ignore")
@organiser_required
def ignore(line_id: int):
    """Set a bank line aside: it is no payment for an order."""
    return press(
        lambda: reconcile.ignore_line(db(), g.edition.id, line_id, by_user_id=current_user.id),
        _("The line is set aside."),
        url_for("payments.review"),
    )


@bp.route("/manage/settings", methods=["GET", "POST"])
@organiser_required
def settings():
    """The receiving bank account, the days to pay, VAT and the seller on receipts."""
    form = SettingsForm()
    if request.method == "GET":
        current = orders.settings_for(db(), g.edition.id)
        form.process(data={name: getattr(current, name) for name in orders.SETTING_FIELDS})
    if form.validate_on_submit():
        with refused_on(form):
            orders.save_settings(db(), g.edition.id, form.values(), by_user_id=current_user.id)
            db().commit()
            flash(_("The payment settings are saved."), "success")
            return redirect(url_for("payments.settings"))
    return render_template("payments/settings.html", form=form)

"""Orders: made when a paid place is held, paid by bank transfer, expired, cancelled, refunded.

Every change of an order's status is one conditional UPDATE from the status it starts
from, so an expiry run and a payment that meet on one order cannot both win. The place
an order is for belongs to registration: it is confirmed, released or taken again
through registration's own functions, which lock the ticket type, so a late payment
takes a place again only while one is free and is otherwise owed back, never oversold.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select, update

from techfest.auth.models import User
from techfest.booths import booking as booth_booking
from techfest.core.audit import record
from techfest.core.mail import queue_email
from techfest.core.models import Edition, Organisation
from techfest.db import now_utc
from techfest.i18n import money_vnd
from techfest.payments import reference as refs
from techfest.payments.errors import PaymentError
from techfest.payments.models import PaymentOrder, PaymentOrderLine, PaymentSettings
from techfest.payments.vietqr import PayloadError, build_payload
from techfest.registration import booking as registration_booking

LANGUAGES = ("vi", "en")


@dataclass(frozen=True)
class Settlement:
    """What a payment did to its order."""

    order_id: int
    #: 'paid', 'retaken' (paid after expiry, the place was still free), 'refund'
    #: (the money goes back: no place left, or the order was closed), 'partial'
    outcome: str


def settings_for(session: Session, edition_id: int) -> PaymentSettings:
    """The edition's payment settings (defaults until the organiser saves them)."""
    found = session.exec(
        select(PaymentSettings).where(PaymentSettings.edition_id == edition_id)
    ).first()
    return found or PaymentSettings(edition_id=edition_id)


SETTING_FIELDS = (
    "bank_bin",
    "bank_name",
    "account_number",
    "account_name",
    "days_to_pay",
    "vat_rate_percent",
    "seller_name",
    "seller_tax_code",
    "seller_address",
)


def save_settings(
    session: Session, edition_id: int, values: dict, *, by_user_id: int
) -> PaymentSettings:
    """The organiser sets the receiving account, the days to pay, VAT and the seller."""
    found = session.exec(
        select(PaymentSettings).where(PaymentSettings.edition_id == edition_id)
    ).first()
    settings = found or PaymentSettings(edition_id=edition_id)
    try:
        build_payload(values["bank_bin"], values["account_number"], 1000, "")
    except PayloadError as exc:
        raise PaymentError(
            _("The bank BIN has six digits and the account 1 to 19 letters or digits."),
            field="account_number",
        ) from exc
    for name in SETTING_FIELDS:
        setattr(settings, name, values[name])
    session.add(settings)
    session.flush()
    record(
        session,
        "payments.settings",
        user_id=by_user_id,
        edition_id=edition_id,
        object_type="payment_settings",
        object_id=settings.id,
        **{k: values[k] for k in ("bank_bin", "account_number", "days_to_pay")},
    )
    return settings


def lines_of(session: Session, order_id: int) -> list[PaymentOrderLine]:
    return list(
        session.exec(
            select(PaymentOrderLine)
            .where(PaymentOrderLine.order_id == order_id)
            .order_by(PaymentOrderLine.id)
        )
    )


def reread(session: Session, order_id: int) -> PaymentOrder:
    return session.exec(
        select(PaymentOrder)
        .where(PaymentOrder.id == order_id)
        .execution_options(populate_existing=True)
    ).one()


def open_order(
    session: Session,
    edition: Edition,
    *,
    user_id: int,
    kind: str,
    subject_id: int,
    buyer_name: str,
    buyer_email: str,
    language: str,
    lines: list[tuple[str, str, int]],
    buyer_organisation: str = "",
    now: datetime | None = None,
) -> PaymentOrder:
    """A pending order with a fresh reference; `lines` are (name vi, name en, price)."""
    now = now or now_utc()
    settings = settings_for(session, edition.id)
    total = sum(price for _vi, _en, price in lines)
    for _attempt in range(20):
        order = PaymentOrder(
            edition_id=edition.id,
            user_id=user_id,
            kind=kind,
            subject_id=subject_id,
            reference=refs.new_reference(edition.year),
            total_vnd=total,
            buyer_name=buyer_name,
            buyer_email=buyer_email,
            buyer_organisation=buyer_organisation,
            language=language if language in LANGUAGES else "vi",
            created_at=now,
            expires_at=now + timedelta(days=settings.days_to_pay),
        )
        try:
            with session.begin_nested():
                session.add(order)
                session.flush()
        except IntegrityError:
            continue  # the reference was drawn before; draw again
        break
    else:  # pragma: no cover - a million references per edition
        raise PaymentError()
    for vi, en, price in lines:
        session.add(
            PaymentOrderLine(
                order_id=order.id,
                description_vi=vi,
                description_en=en,
                unit_price_vnd=price,
                vat_rate_percent=settings.vat_rate_percent,
            )
        )
    session.flush()
    _mail(session, order, "instructions")
    return order


def order_for_ticket_place(session, registration, ticket, edition, promoted: bool) -> None:
    """Listener: a paid ticket's place is held; the order that pays for it."""
    open_order(
        session,
        edition,
        user_id=registration.user_id,
        kind="ticket",
        subject_id=registration.id,
        buyer_name=registration.full_name,
        buyer_email=registration.email,
        buyer_organisation=registration.organisation_name,
        language=registration.language,
        lines=[(ticket.name_vi, ticket.name_en, ticket.price_vnd)],
    )


def order_for_booth(session, booking, booth, edition) -> None:
    """Listener: a booth with a fee is approved; the order that pays for it."""
    buyer = session.get(User, booking.requested_by_id) if booking.requested_by_id else None
    if buyer is None:
        return  # an organiser's own booking: nobody to ask for the money
    organisation = session.get(Organisation, booking.organisation_id)
    open_order(
        session,
        edition,
        user_id=buyer.id,
        kind="booth",
        subject_id=booking.id,
        buyer_name=buyer.full_name,
        buyer_email=buyer.email,
        buyer_organisation=organisation.name if organisation else "",
        language=buyer.locale,
        lines=[(f"Gian hàng {booth.code}", f"Booth {booth.code}", booth.price_vnd)],
    )


def on_booth_cancelled(session, booking, by_user_id) -> None:
    """Listener: the booth booking is cancelled; its order closes, a paid one is owed back."""
    order = order_of(session, "booth", booking.id)
    if order is not None:
        _close(session, order, by_user_id=by_user_id, release=False)


def order_of(session: Session, kind: str, subject_id: int) -> PaymentOrder | None:
    return session.exec(
        select(PaymentOrder)
        .where(PaymentOrder.kind == kind, PaymentOrder.subject_id == subject_id)
        .execution_options(populate_existing=True)
    ).first()


def on_registration_cancelled(session, registration, by_user_id) -> None:
    """Listener: the registration is gone; its open order closes, a paid one is owed back."""
    order = order_of(session, "ticket", registration.id)
    if order is not None:
        _close(session, order, by_user_id=by_user_id, release=False)


def _move(session: Session, order_id: int, was: str, **values) -> bool:
    done = session.exec(
        update(PaymentOrder)
        .where(PaymentOrder.id == order_id, PaymentOrder.status == was)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return done.rowcount == 1


def _confirm_place(session: Session, order: PaymentOrder) -> bool:
    if order.kind == "ticket":
        return registration_booking.confirm_held(session, order.subject_id)
    return True  # an approved booth is the startup's already; the payment mail confirms it


def _release_place(session: Session, order: PaymentOrder) -> None:
    if order.kind == "ticket":
        registration_booking.release_held(session, order.subject_id)
    else:
        booth_booking.release_unpaid(session, order.subject_id)


def _retake_place(session: Session, order: PaymentOrder) -> bool:
    if order.kind == "ticket":
        return registration_booking.retake_place(session, order.subject_id)
    return booth_booking.retake_booking(session, order.subject_id)


def apply_payment(
    session: Session, order_id: int, amount_vnd: int, *, now: datetime | None = None
) -> Settlement:
    """Money for this order arrived: count it, and settle the order once it is complete.

    A pending order becomes paid and its place confirmed. An expired one takes its place
    again if the place is still free, else the money is owed back (and so for a closed
    order, or what is paid beyond the total).
    """
    now = now or now_utc()
    # the add is one UPDATE: two payments for one order never lose one another
    session.exec(
        update(PaymentOrder)
        .where(PaymentOrder.id == order_id)
        .values(paid_vnd=PaymentOrder.paid_vnd + amount_vnd)
        .execution_options(synchronize_session=False)
    )
    order = reread(session, order_id)
    if order.status == "pending" and order.paid_vnd >= order.total_vnd:
        if _move(session, order.id, "pending", status="paid", paid_at=now):
            _owe_excess(session, order.id)
            _confirm_place(session, reread(session, order.id))
            _mail(session, reread(session, order.id), "paid")
            return Settlement(order.id, "paid")
        order = reread(session, order_id)  # expired in the meantime: on below
    if order.status == "pending":
        return Settlement(order.id, "partial")
    if (
        order.status == "expired"
        and order.paid_vnd >= order.total_vnd
        and _retake_place(session, order)
        and _move(session, order.id, "expired", status="paid", paid_at=now, closed_at=None)
    ):
        _owe_excess(session, order.id)
        _mail(session, reread(session, order.id), "paid")
        return Settlement(order.id, "retaken")
    if order.status == "paid":
        _owe_excess(session, order.id)
        return Settlement(order.id, "refund")
    # expired without a free place, cancelled or refunded: all of it goes back
    _owe(session, order.id, amount_vnd)
    return Settlement(order.id, "refund")


def _owe(session: Session, order_id: int, amount: int) -> None:
    session.exec(
        update(PaymentOrder)
        .where(PaymentOrder.id == order_id)
        .values(refund_due_vnd=PaymentOrder.refund_due_vnd + amount, needs_review=True)
        .execution_options(synchronize_session=False)
    )


def _owe_excess(session: Session, order_id: int) -> None:
    """What was paid beyond the total (and not yet owed back) is owed back."""
    order = reread(session, order_id)
    excess = order.paid_vnd - order.total_vnd - order.refund_due_vnd
    if excess > 0 and order.refunded_at is None:
        _owe(session, order_id, excess)


def expire_orders(session: Session, *, now: datetime | None = None) -> int:
    """Pending orders past their date expire; their places go to the next in line."""
    now = now or now_utc()
    due = session.exec(
        select(PaymentOrder.id).where(
            PaymentOrder.status == "pending", PaymentOrder.expires_at <= now
        )
    ).all()
    expired = 0
    for order_id in due:
        if not _move(session, order_id, "pending", status="expired", closed_at=now):
            continue  # paid (or cancelled) a moment ago
        order = reread(session, order_id)
        _release_place(session, order)
        _mail(session, order, "expired")
        expired += 1
    return expired


#: how long before its date a pending order's buyer is reminded
REMIND_BEFORE = timedelta(days=1)


def remind_due(session: Session, *, now: datetime | None = None) -> int:
    """Remind the buyers of pending orders that expire within a day (once per order)."""
    now = now or now_utc()
    due = session.exec(
        select(PaymentOrder).where(
            PaymentOrder.status == "pending",
            PaymentOrder.expires_at > now,
            PaymentOrder.expires_at <= now + REMIND_BEFORE,
        )
    ).all()
    sent = 0
    for order in due:
        sent += _mail(session, order, "reminder")
    return sent


def _close(session: Session, order: PaymentOrder, *, by_user_id: int | None, release: bool):
    now = now_utc()
    if _move(session, order.id, "pending", status="cancelled", closed_at=now):
        if release:
            _release_place(session, order)
    elif _move(session, order.id, "paid", status="cancelled", closed_at=now):
        order = reread(session, order.id)
        _owe(session, order.id, order.paid_vnd - order.refund_due_vnd)
        if release:
            _release_place(session, order)
    else:
        return
    record(
        session,
        "payments.cancel",
        user_id=by_user_id,
        edition_id=order.edition_id,
        object_type="payment_order",
        object_id=order.id,
        reference=order.reference,
    )


def cancel_order(
    session: Session, edition_id: int, order_id: int, *, by_user_id: int
) -> PaymentOrder:
    """The organiser cancels an order: a pending one frees its place; a paid one is owed
    back and its place returns to the waitlist."""
    order = order_in(session, edition_id, order_id)
    if order.status not in ("pending", "paid"):
        raise PaymentError(_("This order is already closed."))
    if order.kind == "ticket":
        registration = registration_booking.registration_by_id(session, order.subject_id)
        if registration is not None and registration.status != "cancelled":
            # registration announces the cancellation, and the listener closes the order
            registration_booking.cancel_registration_as_organiser(
                session, edition_id, registration.id, by_user_id=by_user_id
            )
    _close(session, reread(session, order.id), by_user_id=by_user_id, release=True)
    return reread(session, order.id)


def mark_refunded(
    session: Session, edition_id: int, order_id: int, *, by_user_id: int, account: str = ""
) -> PaymentOrder:
    """The organiser sent the money owed back."""
    order = order_in(session, edition_id, order_id)
    if order.refund_due_vnd <= 0:
        raise PaymentError(_("Nothing is owed back on this order."))
    values = {
        "refund_due_vnd": 0,
        "refunded_at": now_utc(),
        "needs_review": False,
        "refund_account": account[:120],
    }
    if order.status == "cancelled":
        values["status"] = "refunded"
    session.exec(
        update(PaymentOrder)
        .where(PaymentOrder.id == order.id, PaymentOrder.refund_due_vnd == order.refund_due_vnd)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    record(
        session,
        "payments.refunded",
        user_id=by_user_id,
        edition_id=edition_id,
        object_type="payment_order",
        object_id=order.id,
        amount_vnd=order.refund_due_vnd,
        account=account[:120],
    )
    return reread(session, order.id)


def order_in(session: Session, edition_id: int, order_id: int) -> PaymentOrder:
    """An order of this edition (organiser pages); not found otherwise."""
    order = session.exec(
        select(PaymentOrder)
        .where(PaymentOrder.id == order_id, PaymentOrder.edition_id == edition_id)
        .execution_options(populate_existing=True)
    ).first()
    if order is None:
        raise PaymentError(not_found=True)
    return order


def order_of_person(session: Session, edition_id: int, user_id: int, order_id: int) -> PaymentOrder:
    """The person's own order; anyone else's is answered as not found."""
    order = order_in(session, edition_id, order_id)
    if order.user_id != user_id:
        raise PaymentError(not_found=True)
    return order


def orders_of_person(session: Session, edition_id: int, user_id: int) -> list[PaymentOrder]:
    return list(
        session.exec(
            select(PaymentOrder)
            .where(PaymentOrder.edition_id == edition_id, PaymentOrder.user_id == user_id)
            .order_by(PaymentOrder.id.desc())
        )
    )


def open_order_of_person(session: Session, edition_id: int, user_id: int) -> PaymentOrder | None:
    """The person's order still waiting for money (for the agenda), if any."""
    return session.exec(
        select(PaymentOrder)
        .where(
            PaymentOrder.edition_id == edition_id,
            PaymentOrder.user_id == user_id,
            PaymentOrder.status == "pending",
        )
        .order_by(PaymentOrder.id.desc())
    ).first()


def _mail(session: Session, order: PaymentOrder, kind: str) -> bool:
    """One message per order and reason, in the buyer's language."""
    edition = session.get(Edition, order.edition_id)
    settings = settings_for(session, order.edition_id)
    year = edition.year if edition else ""
    link = f"/{year}/payments/orders/{order.id}"
    with force_locale(order.language):
        params = {
            "name": order.buyer_name,
            "reference": order.reference,
            "amount": money_vnd(order.total_vnd),
        }
        if kind == "instructions":
            subject = _("Please pay %(amount)s — reference %(reference)s", **params)
            body = _(
                "Dear %(name)s,\n\nyour place is held until %(until)s. Please transfer "
                "%(amount)s to the account below and write the reference %(reference)s in "
                "the transfer message, or scan the VietQR code on the payment page.\n\n"
                "Bank: %(bank)s\nAccount: %(account)s\nAccount holder: %(holder)s",
                until=_format_when(order.expires_at, edition),
                bank=settings.bank_name,
                account=settings.account_number,
                holder=settings.account_name,
                **params,
            )
        elif kind == "reminder":
            subject = _(
                "Reminder: your place is held until %(until)s",
                until=_format_when(order.expires_at, edition),
            )
            body = _(
                "Dear %(name)s,\n\nwe have not yet received %(amount)s for the order "
                "%(reference)s. Please transfer it before %(until)s, or the place it holds "
                "goes to the next person.",
                until=_format_when(order.expires_at, edition),
                **params,
            )
        elif kind == "paid":
            subject = _("Payment received — %(reference)s", **params)
            body = _(
                "Dear %(name)s,\n\nwe received your payment of %(amount)s for the order "
                "%(reference)s. Thank you.",
                **params,
            )
        else:
            subject = _("Your order %(reference)s has expired", **params)
            body = _(
                "Dear %(name)s,\n\nno payment for the order %(reference)s arrived in time, "
                "so the place it held is released. If you have transferred the money, "
                "write to the organisers: it will be matched or paid back.",
                **params,
            )
        body += "\n\n" + _("Your order: %(link)s", link=link)
    key = f"payment:{order.id}:{kind}"
    return queue_email(session, order.buyer_email, subject, body, dedupe_key=key) is not None


def _format_when(value: datetime, edition: Edition | None) -> str:
    tz = ZoneInfo(edition.timezone if edition else "Asia/Ho_Chi_Minh")
    return format_datetime(value, "short", tzinfo=tz, locale=str(get_locale()))

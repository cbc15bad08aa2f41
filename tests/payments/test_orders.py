"""Orders for a paid ticket: held place, payment, expiry, late payment, cancel and refund."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from techfest.core.models import OutboxEmail
from techfest.db import now_utc
from techfest.payments import orders, reference
from techfest.registration.models import Registration, TicketType
from tests.factories import make_user
from tests.factories.registration import make_ticket
from tests.payments.conftest import VIP_PRICE, hold, order_of

pytestmark = pytest.mark.usefixtures("app_ctx")


def _reg(session, registration_id) -> Registration:
    session.expire_all()
    return session.get(Registration, registration_id)


def _count(session, ticket) -> int:
    session.expire_all()
    return session.get(TicketType, ticket.id).confirmed_count


def test_paid_ticket_holds_the_place_with_a_pending_order(session, edition, vip):
    user = make_user(session, edition)
    registration = hold(session, edition, user, vip)

    order = order_of(session, registration)
    assert registration.status == "pending"
    assert _count(session, vip) == 1
    assert (order.status, order.total_vnd, order.user_id) == ("pending", VIP_PRICE, user.id)
    assert reference.is_valid(order.reference)
    assert order.reference.startswith("TF25-")
    assert order.expires_at - order.created_at == timedelta(days=5)
    mail = session.exec(select(OutboxEmail).where(OutboxEmail.to_email == user.email)).one()
    assert order.reference in mail.subject
    assert "0031000123456" in mail.body


def test_free_ticket_makes_no_order(session, edition):
    free = make_ticket(session, edition, code="FREE")
    registration = hold(session, edition, make_user(session, edition), free)
    assert registration.status == "confirmed"
    assert orders.order_of(session, "ticket", registration.id) is None


def test_payment_confirms_the_place_and_mails_once(session, edition, vip):
    user = make_user(session, edition)
    registration = hold(session, edition, user, vip)
    order = order_of(session, registration)

    first = orders.apply_payment(session, order.id, VIP_PRICE)

    assert first.outcome == "paid"
    assert _reg(session, registration.id).status == "confirmed"
    assert order_of(session, registration).status == "paid"
    subjects = [m.subject for m in session.exec(select(OutboxEmail).order_by(OutboxEmail.id))]
    confirmations = [s for s in subjects if "confirmed" in s or "xác nhận" in s]
    assert len(confirmations) == 1


def test_partial_payments_add_up(session, edition, vip):
    registration = hold(session, edition, make_user(session, edition), vip)
    order = order_of(session, registration)
    assert orders.apply_payment(session, order.id, 500_000).outcome == "partial"
    assert orders.apply_payment(session, order.id, 1_000_000).outcome == "paid"
    assert order_of(session, registration).paid_vnd == VIP_PRICE


def test_expiry_releases_the_place_to_the_waitlist_as_a_new_order(session, edition):
    ticket = make_ticket(session, edition, code="VIP", price_vnd=VIP_PRICE, capacity=1)
    first = hold(session, edition, make_user(session, edition), ticket)
    waiting = hold(session, edition, make_user(session, edition), ticket)
    assert waiting.status == "waitlisted"

    expired = orders.expire_orders(session, now=now_utc() + timedelta(days=6))

    assert expired == 1
    assert _reg(session, first.id).status == "cancelled"
    assert _reg(session, waiting.id).status == "pending"
    assert order_of(session, waiting).status == "pending"
    assert order_of(session, first).status == "expired"
    assert _count(session, ticket) == 1


def test_late_payment_retakes_a_free_place(session, edition, vip):
    registration = hold(session, edition, make_user(session, edition), vip)
    orders.expire_orders(session, now=now_utc() + timedelta(days=6))
    assert _count(session, vip) == 0

    settled = orders.apply_payment(session, order_of(session, registration).id, VIP_PRICE)

    assert settled.outcome == "retaken"
    assert _reg(session, registration.id).status == "confirmed"
    assert _count(session, vip) == 1


def test_late_payment_for_a_taken_place_is_owed_back(session, edition):
    ticket = make_ticket(session, edition, code="VIP", price_vnd=VIP_PRICE, capacity=1)
    late = hold(session, edition, make_user(session, edition), ticket)
    orders.expire_orders(session, now=now_utc() + timedelta(days=6))
    hold(session, edition, make_user(session, edition), ticket)  # takes the freed place

    settled = orders.apply_payment(session, order_of(session, late).id, VIP_PRICE)

    order = order_of(session, late)
    assert settled.outcome == "refund"
    assert (order.status, order.refund_due_vnd, order.needs_review) == ("expired", VIP_PRICE, True)
    assert _reg(session, late.id).status == "cancelled"
    assert _count(session, ticket) == 1


def test_cancel_paid_order_owes_refund_and_promotes_the_waitlist(session, edition, organiser):
    ticket = make_ticket(session, edition, code="VIP", price_vnd=VIP_PRICE, capacity=1)
    paid = hold(session, edition, make_user(session, edition), ticket)
    waiting = hold(session, edition, make_user(session, edition), ticket)
    orders.apply_payment(session, order_of(session, paid).id, VIP_PRICE)

    order = orders.cancel_order(
        session, edition.id, order_of(session, paid).id, by_user_id=organiser.id
    )

    assert (order.status, order.refund_due_vnd) == ("cancelled", VIP_PRICE)
    assert _reg(session, paid.id).status == "cancelled"
    assert _reg(session, waiting.id).status == "pending"
    refunded = orders.mark_refunded(
        session, edition.id, order.id, by_user_id=organiser.id, account="VCB 0123"
    )
    assert (refunded.status, refunded.refund_due_vnd, refunded.refund_account) == (
        "refunded",
        0,
        "VCB 0123",
    )


def test_overpayment_is_owed_back(session, edition, vip):
    registration = hold(session, edition, make_user(session, edition), vip)
    orders.apply_payment(session, order_of(session, registration).id, VIP_PRICE + 200_000)
    order = order_of(session, registration)
    assert (order.status, order.refund_due_vnd) == ("paid", 200_000)


def test_reminder_a_day_before_then_expiry_by_the_command(app, session, edition, vip):
    registration = hold(session, edition, make_user(session, edition), vip)
    order = order_of(session, registration)
    order.expires_at = now_utc() + timedelta(hours=20)
    session.add(order)
    session.commit()
    runner = app.test_cli_runner()

    first = runner.invoke(args=["expire-orders"])
    again = runner.invoke(args=["expire-orders"])

    assert first.output.strip() == "1 reminders, 0 orders expired"
    assert again.output.strip() == "0 reminders, 0 orders expired"
    order.expires_at = now_utc() - timedelta(minutes=1)
    session.add(order)
    session.commit()
    assert runner.invoke(args=["expire-orders"]).output.strip() == "0 reminders, 1 orders expired"
    assert _reg(session, registration.id).status == "cancelled"

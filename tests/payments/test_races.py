"""Payments under races, on SQLite and on PostgreSQL: late payments for the last place,
payments meeting the expiry run, one statement imported twice at the same moment."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import func, select

from techfest.db import now_utc
from techfest.payments import orders, reconcile
from techfest.payments.models import PaymentOrder, StatementLine
from techfest.registration.models import Registration, TicketType
from tests.factories import make_user
from tests.factories.registration import make_ticket
from tests.payments.conftest import VIP_PRICE, hold, order_of, vcb_csv
from tests.registration.test_races import run_together

pytestmark = pytest.mark.both_databases

THREADS = 50
LATER = timedelta(days=6)


def _fresh(session):
    session.commit()
    session.expire_all()


def _live(session, ticket) -> tuple[int, int]:
    """(the ticket's count of places taken, registrations holding one)."""
    _fresh(session)
    count = session.get(TicketType, ticket.id).confirmed_count
    holding = session.exec(
        select(func.count())
        .select_from(Registration)
        .where(
            Registration.ticket_type_id == ticket.id,
            Registration.status.in_(("confirmed", "pending")),
        )
    ).one()
    return count, holding


def test_fifty_late_payments_for_the_last_place_one_gets_it(app, session, edition):
    ticket = make_ticket(session, edition, code="VIP", price_vnd=VIP_PRICE, capacity=1)
    late = []
    with app.test_request_context():
        for _ in range(THREADS):
            registration = hold(session, edition, make_user(session, edition), ticket)
            orders.expire_orders(session, now=now_utc() + LATER)
            late.append(order_of(session, registration).id)
        session.commit()
    assert _live(session, ticket) == (0, 0)

    outcomes = run_together(
        app, [lambda s, oid=oid: orders.apply_payment(s, oid, VIP_PRICE).outcome for oid in late]
    )

    assert sorted(outcomes) == ["refund"] * (THREADS - 1) + ["retaken"]
    assert _live(session, ticket) == (1, 1)
    owed = session.exec(select(func.sum(PaymentOrder.refund_due_vnd))).one()
    assert owed == VIP_PRICE * (THREADS - 1)
    paid = session.exec(select(PaymentOrder).where(PaymentOrder.status == "paid")).all()
    assert len(paid) == 1


def test_payments_and_expiry_runs_meet_on_the_last_place(app, session, edition):
    ticket = make_ticket(session, edition, code="VIP", price_vnd=VIP_PRICE, capacity=1)
    with app.test_request_context():
        payer = hold(session, edition, make_user(session, edition), ticket)
        waiting = hold(session, edition, make_user(session, edition), ticket)
        session.commit()
    order = order_of(session, payer)
    order_id = order.id
    # overdue now; the order the waiting person gets on promotion is not
    order.expires_at = now_utc() - timedelta(minutes=1)
    session.add(order)
    session.commit()

    def pay(s):
        return orders.apply_payment(s, order_id, VIP_PRICE).outcome

    def expire(s):
        return orders.expire_orders(s)

    jobs = [pay] + [expire] * (THREADS - 1)
    results = run_together(app, jobs)

    count, holding = _live(session, ticket)
    assert (count, holding) == (1, 1)
    order = session.get(PaymentOrder, order_id)
    payer_now = session.get(Registration, payer.id)
    waiting_now = session.get(Registration, waiting.id)
    if results[0] == "paid":  # the payment came first: the place stays the payer's
        assert (order.status, payer_now.status, waiting_now.status) == (
            "paid",
            "confirmed",
            "waitlisted",
        )
        assert sum(results[1:]) == 0
    else:  # the expiry came first: the waiting person holds it, the money goes back
        assert results[0] == "refund"
        assert (order.status, order.refund_due_vnd) == ("expired", VIP_PRICE)
        assert (payer_now.status, waiting_now.status) == ("cancelled", "pending")
        assert sum(results[1:]) == 1


def test_one_statement_imported_twice_at_once_pays_each_order_once(app, session, edition, vip):
    with app.test_request_context():
        regs = [hold(session, edition, make_user(session, edition), vip) for _ in range(10)]
        session.commit()
    refs = [order_of(session, r).reference for r in regs]
    data = vcb_csv(
        *[(f"FT{i:03d}", "03/09/2025", VIP_PRICE, f"CK {ref}") for i, ref in enumerate(refs)]
    )

    def importing(s):
        report = reconcile.import_statement(
            s, s.get(type(edition), edition.id), data, "a.csv", by_user_id=None
        )
        return report.matched, report.duplicates

    results = run_together(app, [importing] * 8)

    assert sum(m for m, _d in results) == 10
    assert sum(d for _m, d in results) == 70
    _fresh(session)
    assert session.exec(select(func.count()).select_from(StatementLine)).one() == 10
    stored = session.exec(select(PaymentOrder).order_by(PaymentOrder.id)).all()
    assert [(o.status, o.paid_vnd, o.refund_due_vnd) for o in stored] == [
        ("paid", VIP_PRICE, 0)
    ] * 10

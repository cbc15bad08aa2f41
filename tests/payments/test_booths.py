"""Booth fees: an approved paid booth makes an order; unpaid it lapses, a late fee retakes it."""

from __future__ import annotations

from datetime import timedelta

import pytest

from techfest.booths.booking import approve_booking, booking_by_id, cancel_booking, request_booth
from techfest.db import now_utc
from techfest.payments import orders
from tests.booths.conftest import make_booth, make_zone
from tests.factories import make_org, make_user

pytestmark = pytest.mark.usefixtures("app_ctx")

FEE = 20_000_000


@pytest.fixture
def booked(session, edition, organiser):
    zone = make_zone(session, edition)
    booth = make_booth(session, edition, zone, "A01", x=10, price_vnd=FEE)
    startup = make_user(session, edition, role="startup", organisation=make_org(session, "startup"))
    booking = request_booth(session, edition, booth.id, startup)
    approve_booking(session, edition, booking.id, organiser)
    return booth, booking, startup


def test_approved_paid_booth_makes_an_order_for_the_requester(session, edition, booked):
    booth, booking, startup = booked
    order = orders.order_of(session, "booth", booking.id)
    assert (order.status, order.total_vnd, order.user_id) == ("pending", FEE, startup.id)
    assert [line.description_en for line in orders.lines_of(session, order.id)] == ["Booth A01"]


def test_unpaid_booth_lapses_and_a_late_fee_retakes_it_while_free(session, edition, booked):
    _booth, booking, _startup = booked
    orders.expire_orders(session, now=now_utc() + timedelta(days=6))
    assert booking_by_id(session, booking.id).status == "expired"

    settled = orders.apply_payment(session, orders.order_of(session, "booth", booking.id).id, FEE)

    assert settled.outcome == "retaken"
    assert booking_by_id(session, booking.id).status == "approved"


def test_late_fee_for_a_booth_taken_meanwhile_is_owed_back(session, edition, organiser, booked):
    booth, booking, _startup = booked
    orders.expire_orders(session, now=now_utc() + timedelta(days=6))
    other = make_user(session, edition, role="startup", organisation=make_org(session, "startup"))
    request_booth(session, edition, booth.id, other)

    order = orders.order_of(session, "booth", booking.id)
    settled = orders.apply_payment(session, order.id, FEE)

    assert settled.outcome == "refund"
    assert orders.reread(session, order.id).refund_due_vnd == FEE


def test_cancelling_a_paid_booth_owes_the_fee_back(session, edition, organiser, booked):
    _booth, booking, _startup = booked
    order = orders.order_of(session, "booth", booking.id)
    orders.apply_payment(session, order.id, FEE)

    cancel_booking(session, edition, booking.id, organiser, "Khu vực thay đổi")

    closed = orders.reread(session, order.id)
    assert (closed.status, closed.refund_due_vnd) == ("cancelled", FEE)

"""Booth staff invited by email: the link's expiry, its single use, the right account, revoking."""

from __future__ import annotations

import re
from datetime import timedelta
from unittest import mock

import pytest
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from sqlmodel import select

from techfest.booths.models import BoothBooking
from techfest.core.models import OutboxEmail
from techfest.leads import staff
from techfest.leads.models import Lead, StaffInvite
from tests.factories import PASSWORD, make_edition, make_org, make_user
from tests.factories.registration import make_ticket
from tests.organiser.builders import fresh, make_zone_with_booths, register

HELPER = "helper@example.vn"


@pytest.fixture
def booth(session):
    """A startup holding booth A01, a rival at A02, a helper to invite, a stranger, a visitor."""
    edition = make_edition(session)
    ticket = make_ticket(session, edition)
    _zone, booths = make_zone_with_booths(session, edition, "A", 2)
    org = make_org(session, "startup", "Cảng Xanh")
    rival = make_org(session, "startup", "Nông Nghiệp Số")
    for org_, b in ((org, booths[0]), (rival, booths[1])):
        session.add(BoothBooking(booth_id=b.id, organisation_id=org_.id, status="approved"))
    make_user(session, edition, "startup", email="owner@cx.vn", organisation=org)
    make_user(session, edition, "startup", email="rival@nns.vn", organisation=rival)
    make_user(session, edition, "delegate", email=HELPER, full_name="Người Giúp")
    make_user(session, edition, "delegate", email="stranger@example.vn")
    visitor = make_user(session, edition, email="mai@example.vn", full_name="Nguyễn Thị Mai")
    reg = register(session, edition, visitor, ticket, organisation_name="Cảng HP")
    session.commit()
    return {
        "edition": edition,
        "org": org,
        "booth": booths[0],
        "rival_booth": booths[1],
        "badge": reg,
    }


def _as(client, auth, email: str) -> None:
    auth.logout()
    client.delete_cookie("session")
    auth.login(email, PASSWORD)


def _invite(client, auth, session, email: str = HELPER) -> str:
    """The owner invites `email`; returns the join path from the mail."""
    _as(client, auth, "owner@cx.vn")
    assert client.post("/2025/leads/staff", data={"email": email}).status_code == 302
    fresh(session)
    mail = session.exec(
        select(OutboxEmail).where(OutboxEmail.to_email == email).order_by(OutboxEmail.id.desc())
    ).first()
    return re.search(r"/2025/leads/join/\S+", mail.body).group(0)


def test_an_invited_person_joins_and_scans_at_the_startups_booth(client, auth, session, booth):
    link = _invite(client, auth, session)
    _as(client, auth, HELPER)
    assert client.get("/2025/leads/").status_code == 403  # not staff before accepting

    assert client.post(link).status_code == 302
    scan = client.post(
        f"/2025/leads/booths/{booth['booth'].id}/scan", json={"code": booth["badge"].badge_code}
    )

    assert scan.status_code == 200
    fresh(session)
    lead = session.exec(select(Lead)).one()
    assert lead.organisation_id == booth["org"].id  # the startup's lead, not the helper's
    _as(client, auth, "owner@cx.vn")
    owner_list = client.get(f"/2025/leads/booths/{booth['booth'].id}").get_data(as_text=True)
    assert "Nguyễn Thị Mai" in owner_list
    # staff of one startup never reach the rival's booth, nor invite others
    _as(client, auth, HELPER)
    assert client.get(f"/2025/leads/booths/{booth['rival_booth'].id}").status_code == 404
    assert client.get("/2025/leads/staff").status_code == 403


def test_a_link_is_used_once(client, auth, session, booth):
    link = _invite(client, auth, session)
    _as(client, auth, HELPER)
    client.post(link)

    again = client.get(link)

    assert again.status_code == 400
    assert "đã được sử dụng" in again.get_data(as_text=True)
    assert client.post(link).status_code == 302  # refused: flashed, nothing changes
    fresh(session)
    invite = session.exec(select(StaffInvite)).one()
    assert invite.accepted_at is not None


def test_the_wrong_account_cannot_accept(client, auth, session, booth):
    link = _invite(client, auth, session)
    _as(client, auth, "stranger@example.vn")

    page = client.get(link).get_data(as_text=True)
    client.post(link)

    assert HELPER in page
    assert client.get("/2025/leads/").status_code == 403
    fresh(session)
    assert session.exec(select(StaffInvite)).one().accepted_at is None
    # the right person still can
    _as(client, auth, HELPER)
    client.post(link)
    assert client.get("/2025/leads/").status_code == 200


def test_an_expired_link_is_refused(client, auth, session, booth, app):
    link = _invite(client, auth, session)
    fresh(session)
    invite = session.exec(select(StaffInvite)).one()
    invite.expires_at = invite.expires_at - timedelta(days=8)
    session.add(invite)
    session.commit()
    _as(client, auth, HELPER)

    page = client.get(link)
    client.post(link)

    assert page.status_code == 400
    assert "hết hạn" in page.get_data(as_text=True)
    assert client.get("/2025/leads/").status_code == 403


def test_a_link_signed_more_than_seven_days_ago_is_refused(client, auth, session, booth, app):
    link = _invite(client, auth, session)
    fresh(session)
    invite = session.exec(select(StaffInvite)).one()
    with app.app_context():
        signer = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt=staff.SALT)
        # the same invitation, signed eight days ago (its row has not expired)
        eight_days_ago = TimestampSigner.get_timestamp(signer.make_signer()) - 8 * 86400
        with mock.patch.object(TimestampSigner, "get_timestamp", return_value=eight_days_ago):
            old = signer.dumps({"i": invite.id, "e": HELPER})
    _as(client, auth, HELPER)

    assert client.get(f"/2025/leads/join/{old}").status_code == 400
    assert client.get(link).status_code == 200
    # a token for this invitation with another address is not one
    forged = signer.dumps({"i": invite.id, "e": "stranger@example.vn"})
    _as(client, auth, "stranger@example.vn")
    assert client.get(f"/2025/leads/join/{forged}").status_code == 400


def test_the_startup_revokes_staff(client, auth, session, booth):
    link = _invite(client, auth, session)
    _as(client, auth, HELPER)
    client.post(link)
    assert client.get("/2025/leads/").status_code == 200
    fresh(session)
    invite_id = session.exec(select(StaffInvite.id)).one()

    # the rival startup cannot revoke another startup's staff
    _as(client, auth, "rival@nns.vn")
    assert client.post(f"/2025/leads/staff/{invite_id}/revoke").status_code == 404
    _as(client, auth, "owner@cx.vn")
    assert client.post(f"/2025/leads/staff/{invite_id}/revoke").status_code == 302

    _as(client, auth, HELPER)
    assert client.get("/2025/leads/").status_code == 403
    assert client.get(f"/2025/leads/booths/{booth['booth'].id}/scan").status_code == 403
    # a revoked, unused invitation cannot be accepted either
    second = _invite(client, auth, session, "stranger@example.vn")
    fresh(session)
    newest = session.exec(select(StaffInvite).order_by(StaffInvite.id.desc())).first()
    _as(client, auth, "owner@cx.vn")
    client.post(f"/2025/leads/staff/{newest.id}/revoke")
    _as(client, auth, "stranger@example.vn")
    assert "rút lại" in client.get(second).get_data(as_text=True)

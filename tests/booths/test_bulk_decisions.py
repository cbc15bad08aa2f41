"""Booth requests decided together: all approved or rejected in one go, or none of them,
with the same rules as one decision (blocked booth, the startup's allowance)."""

from __future__ import annotations

from sqlmodel import select

from techfest.booths.models import BoothAllowance, BoothBooking
from techfest.core.models import AuditLog, OutboxEmail
from tests.booths.conftest import make_booking

BASE = "/2025/booths"


def statuses(session) -> dict[str, str]:
    session.expire_all()
    rows = session.exec(select(BoothBooking.id, BoothBooking.status)).all()
    return {str(i): s for i, s in rows}


def test_organiser_ticks_several_requests_and_approves_them_in_one_post(
    client, auth, session, plan
):
    one = make_booking(session, plan.booth("A01"), plan.startup)
    two = make_booking(session, plan.booth("A02"), plan.other_startup)
    left = make_booking(session, plan.booth("A03"), plan.other_startup)
    session.commit()
    auth.login(plan.organiser.email)

    page = client.get(f"{BASE}/manage/requests").get_data(as_text=True)
    response = client.post(
        f"{BASE}/manage/requests/decide",
        data={"bookings": [one.id, two.id], "action": "approve", "reason": ""},
    )

    assert 'data-tick-all="bookings"' in page
    assert f'name="bookings" value="{one.id}"' in page
    assert response.status_code == 302
    assert statuses(session) == {
        str(one.id): "approved",
        str(two.id): "approved",
        str(left.id): "pending",
    }
    mails = session.exec(select(OutboxEmail.to_email, OutboxEmail.subject)).all()
    yours = sorted(m for m in mails if m[1].endswith("đã thuộc về bạn"))
    assert yours == [
        ("founder@example.vn", "Gian hàng A01 đã thuộc về bạn"),
        ("other@example.vn", "Gian hàng A02 đã thuộc về bạn"),
    ]
    actions = sorted(session.exec(select(AuditLog.action, AuditLog.object_id)).all())
    assert actions == sorted([("booth.approve", str(one.id)), ("booth.approve", str(two.id))])
    done = client.get(f"{BASE}/manage/requests?status=pending").get_data(as_text=True)
    assert "Đã duyệt 2 yêu cầu" in done


def test_bulk_approval_past_the_startups_allowance_changes_nothing(client, auth, session, plan):
    # the startup asked for three booths while it could; its allowance is now two
    picks = [make_booking(session, plan.booth(c), plan.startup) for c in ("A01", "A02", "A03")]
    other = make_booking(session, plan.booth("A04"), plan.other_startup)
    session.add(
        BoothAllowance(
            edition_id=plan.edition.id, organisation_id=plan.startup.organisation_id, max_booths=2
        )
    )
    session.commit()
    auth.login(plan.organiser.email)

    response = client.post(
        f"{BASE}/manage/requests/decide",
        data={"bookings": [b.id for b in [*picks, other]], "action": "approve"},
    )

    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "Chưa có gì thay đổi. Gian A03" in body
    assert "hạn mức" in body
    # nothing at all was approved, not even the bookings before the one refused
    assert set(statuses(session).values()) == {"pending"}
    assert session.exec(select(OutboxEmail)).all() == []
    assert session.exec(select(AuditLog)).all() == []
    # the ticks stay, so the organiser can untick the third booth and send again
    assert body.count(" checked ") + body.count(" checked>") >= 4


def test_single_approval_respects_the_allowance_as_bulk_does(client, auth, session, plan):
    first = make_booking(session, plan.booth("A01"), plan.startup, "approved")
    second = make_booking(session, plan.booth("A02"), plan.startup)
    session.add(
        BoothAllowance(
            edition_id=plan.edition.id, organisation_id=plan.startup.organisation_id, max_booths=1
        )
    )
    session.commit()
    auth.login(plan.organiser.email)
    client.get("/lang/en")

    response = client.post(
        f"{BASE}/manage/requests/{second.id}/approve", data={"reason": ""}, follow_redirects=True
    )

    assert "already holds 1 approved booth(s), its allowance" in response.get_data(as_text=True)
    assert statuses(session) == {str(first.id): "approved", str(second.id): "pending"}


def test_bulk_approval_within_the_allowance_counts_the_batch_itself(client, auth, session, plan):
    picks = [make_booking(session, plan.booth(c), plan.startup) for c in ("A01", "A02")]
    session.add(
        BoothAllowance(
            edition_id=plan.edition.id, organisation_id=plan.startup.organisation_id, max_booths=2
        )
    )
    session.commit()
    auth.login(plan.organiser.email)

    response = client.post(
        f"{BASE}/manage/requests/decide",
        data={"bookings": [b.id for b in picks], "action": "approve"},
    )

    assert response.status_code == 302
    assert set(statuses(session).values()) == {"approved"}


def test_bulk_rejection_needs_a_reason_and_sends_it_to_each(client, auth, session, plan):
    one = make_booking(session, plan.booth("A01"), plan.startup)
    two = make_booking(session, plan.booth("A02"), plan.other_startup)
    session.commit()
    auth.login(plan.organiser.email)

    refused = client.post(
        f"{BASE}/manage/requests/decide",
        data={"bookings": [one.id, two.id], "action": "reject", "reason": "  "},
    )
    done = client.post(
        f"{BASE}/manage/requests/decide",
        data={"bookings": [one.id, two.id], "action": "reject", "reason": "Khu A dành cho AI"},
    )

    assert refused.status_code == 422
    assert "Hãy ghi lý do từ chối cho các startup." in refused.get_data(as_text=True)
    assert done.status_code == 302
    assert set(statuses(session).values()) == {"rejected"}
    bodies = session.exec(select(OutboxEmail.body)).all()
    assert len(bodies) == 2
    assert all("Khu A dành cho AI" in b for b in bodies)


def test_bulk_with_a_blocked_booth_or_a_decided_request_changes_nothing(
    client, auth, session, plan
):
    fine = make_booking(session, plan.booth("A01"), plan.startup)
    blocked = make_booking(session, plan.booth("A02"), plan.other_startup)
    plan.booth("A02").status = "blocked"
    session.add(plan.booth("A02"))
    decided = make_booking(session, plan.booth("A03"), plan.other_startup, "approved")
    session.commit()
    auth.login(plan.organiser.email)

    first = client.post(
        f"{BASE}/manage/requests/decide",
        data={"bookings": [fine.id, blocked.id], "action": "approve"},
    )
    second = client.post(
        f"{BASE}/manage/requests/decide",
        data={"bookings": [fine.id, decided.id], "action": "approve"},
    )

    assert first.status_code == second.status_code == 422
    assert "Gian A02" in first.get_data(as_text=True)
    assert "Gian A03" in second.get_data(as_text=True)
    assert statuses(session) == {
        str(fine.id): "pending",
        str(blocked.id): "pending",
        str(decided.id): "approved",
    }


def test_bulk_refuses_nothing_ticked_a_foreign_id_and_junk(client, auth, session, plan):
    from tests.booths.conftest import make_booth, make_startup_member, make_zone
    from tests.factories import make_edition, make_user

    mine = make_booking(session, plan.booth("A01"), plan.startup)
    past = make_edition(session, 2024)
    zone = make_zone(session, past, "A")
    foreign = make_booking(
        session, make_booth(session, past, zone, "A01", x=0), make_startup_member(session, past)
    )
    make_user(session, past, "organiser", email="org2024@example.vn")
    session.commit()
    auth.login(plan.organiser.email)

    empty = client.post(f"{BASE}/manage/requests/decide", data={"action": "approve"})
    other_edition = client.post(
        f"{BASE}/manage/requests/decide",
        data={"bookings": [mine.id, foreign.id], "action": "approve"},
    )
    junk = client.post(
        f"{BASE}/manage/requests/decide",
        data={"bookings": [str(mine.id), "1e3"], "action": "approve"},
    )
    bad_action = client.post(
        f"{BASE}/manage/requests/decide", data={"bookings": [mine.id], "action": "cancel"}
    )

    assert empty.status_code == 422
    assert "Hãy chọn ít nhất một yêu cầu." in empty.get_data(as_text=True)
    # another edition's booking is not found here, and nothing of this one changed
    assert other_edition.status_code == 404
    assert junk.status_code == 422
    assert "Hãy chọn các yêu cầu trong danh sách." in junk.get_data(as_text=True)
    assert bad_action.status_code == 422
    assert set(statuses(session).values()) == {"pending"}


def test_only_organisers_decide_in_bulk(client, auth, session, plan):
    booking = make_booking(session, plan.booth("A01"), plan.startup)
    session.commit()

    anonymous = client.post(
        f"{BASE}/manage/requests/decide", data={"bookings": [booking.id], "action": "approve"}
    )
    auth.login(plan.startup.email)
    startup = client.post(
        f"{BASE}/manage/requests/decide", data={"bookings": [booking.id], "action": "approve"}
    )

    assert anonymous.status_code == 302
    assert startup.status_code == 403
    assert set(statuses(session).values()) == {"pending"}

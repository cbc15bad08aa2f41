"""The booth pages through HTTP: map, list, detail, requests, "my booth", permissions."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlmodel import select

from techfest.auth.services import grant_role
from techfest.booths.models import BoothAllowance, BoothBooking
from techfest.core.models import AuditLog, Organisation, OutboxEmail
from techfest.db import now_utc
from tests.booths.conftest import make_booking, make_startup_member
from tests.factories import make_edition, make_user

BASE = "/2025/booths"


def login_en(client, auth, email: str) -> None:
    auth.login(email)
    client.get("/lang/en")


def bookings(session) -> list[tuple[str, int, str]]:
    session.expire_all()
    rows = session.exec(select(BoothBooking).order_by(BoothBooking.id)).all()
    return [(b.status, b.booth_id, b.organisation_id) for b in rows]


def booth_classes(body: str) -> dict[str, str]:
    """Booth code -> its state class on the map."""
    found = re.findall(r'class="tf-booth tf-booth--(\w+)"[^>]*data-code="([^"]+)"', body, re.S)
    return {code: state for state, code in found}


def test_map_colours_each_booth_by_its_state(client, session, plan):
    make_booking(session, plan.booth("A01"), plan.startup, "pending")
    make_booking(session, plan.booth("A02"), plan.other_startup, "approved")
    plan.booth("A03").status = "blocked"
    session.add(plan.booth("A03"))
    session.commit()

    body = client.get(f"{BASE}/?lang=en").get_data(as_text=True)

    assert booth_classes(body) == {"A01": "held", "A02": "taken", "A03": "blocked", "A04": "free"}
    assert 'role="img"' in body
    assert '<title id="map-title">Floor plan of the exhibition hall</title>' in body
    assert 'aria-label="Booth A04, zone Zone A, size S, 8,000,000 ₫: Available"' in body


def test_map_filters_by_zone_and_size(client, session, plan):
    from tests.booths.conftest import make_booth, make_zone

    zone_b = make_zone(session, plan.edition, "B")
    make_booth(session, plan.edition, zone_b, "B01", x=500, size="L", w=60, h=60)
    session.commit()

    by_zone = booth_classes(client.get(f"{BASE}/?zone=B").get_data(as_text=True))
    by_size = booth_classes(client.get(f"{BASE}/?size=S&zone=").get_data(as_text=True))

    assert sorted(by_zone) == ["B01"]
    assert sorted(by_size) == ["A01", "A02", "A03", "A04"]


def test_list_view_shows_the_same_booths_as_a_table(client, session, plan):
    make_booking(session, plan.booth("A02"), plan.other_startup, "approved")
    session.commit()

    body = client.get(f"{BASE}/list?lang=en").get_data(as_text=True)
    rows = re.findall(
        r'<th scope="row"><a href="[^"]+">(\w+)</a></th>.*?</td>\s*<td>.*?</span> (\w[\w ]*)</td>',
        body,
        re.S,
    )

    assert rows == [
        ("A01", "Available"),
        ("A02", "Taken"),
        ("A03", "Available"),
        ("A04", "Available"),
    ]


def test_detail_offers_the_request_button_only_to_startup_members(client, auth, session, plan):
    url = f"{BASE}/{plan.booth('A01').id}?lang=en"
    anonymous = client.get(url).get_data(as_text=True)
    auth.login(plan.delegate.email)
    delegate = client.get(url).get_data(as_text=True)
    auth.logout()
    auth.login(plan.startup.email)
    startup = client.get(url).get_data(as_text=True)

    assert ("Request this booth" in anonymous, "Request this booth" in delegate) == (False, False)
    assert "Request this booth" in startup


def test_request_creates_a_pending_booking_held_for_the_edition_hold_time(
    client, auth, session, plan
):
    login_en(client, auth, plan.startup.email)
    before = now_utc()

    response = client.post(f"{BASE}/{plan.booth('A01').id}/request")

    assert response.status_code == 302
    booking = session.exec(select(BoothBooking)).one()
    assert (booking.status, booking.organisation_id, booking.requested_by_id) == (
        "pending",
        plan.startup.organisation_id,
        plan.startup.id,
    )
    held = booking.hold_expires_at - before
    assert timedelta(hours=48) <= held < timedelta(hours=48, minutes=1)


def test_delegate_cannot_request_a_booth(client, auth, session, plan):
    auth.login(plan.delegate.email)

    response = client.post(f"{BASE}/{plan.booth('A01').id}/request")

    assert response.status_code == 403
    assert bookings(session) == []


def test_anonymous_request_goes_to_login(client, session, plan):
    response = client.post(f"{BASE}/{plan.booth('A01').id}/request")

    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]
    assert bookings(session) == []


def test_request_of_a_held_booth_answers_just_taken(client, auth, session, plan):
    make_booking(session, plan.booth("A01"), plan.other_startup, "pending")
    session.commit()
    login_en(client, auth, plan.startup.email)

    response = client.post(f"{BASE}/{plan.booth('A01').id}/request", follow_redirects=True)

    assert "Booth A01 was just taken by another organisation" in response.get_data(as_text=True)
    assert len(bookings(session)) == 1


def test_request_of_a_blocked_booth_is_refused(client, auth, session, plan):
    plan.booth("A01").status = "blocked"
    session.add(plan.booth("A01"))
    session.commit()
    login_en(client, auth, plan.startup.email)

    response = client.post(f"{BASE}/{plan.booth('A01').id}/request", follow_redirects=True)

    assert "Booth A01 is not available." in response.get_data(as_text=True)
    assert bookings(session) == []


def test_request_of_a_booth_of_another_edition_answers_404(client, auth, session, plan):
    older = make_edition(session, 2024)
    grant_role(session, plan.startup, older.id, "startup")
    session.commit()
    login_en(client, auth, plan.startup.email)

    response = client.post(f"/2024/booths/{plan.booth('A01').id}/request")

    assert response.status_code == 404
    assert bookings(session) == []


def test_second_booth_beyond_the_organisation_limit_is_refused(client, auth, session, plan):
    org = session.get(Organisation, plan.startup.organisation_id)
    colleague = make_startup_member(session, plan.edition, org=org)
    make_booking(session, plan.booth("A01"), plan.startup, "pending")
    session.commit()
    login_en(client, auth, colleague.email)

    response = client.post(f"{BASE}/{plan.booth('A02').id}/request", follow_redirects=True)

    assert "Your organisation already holds 1 booth(s), the most allowed." in response.get_data(
        as_text=True
    )
    assert [b[1] for b in bookings(session)] == [plan.booth("A01").id]


def test_request_button_is_disabled_at_the_organisation_limit(client, auth, session, plan):
    url = f"{BASE}/{plan.booth('A02').id}"
    login_en(client, auth, plan.startup.email)
    before = client.get(url).get_data(as_text=True)
    make_booking(session, plan.booth("A01"), plan.startup, "pending")
    session.commit()

    at_limit = client.get(url).get_data(as_text=True)

    assert 'type="submit">Request this booth' in before
    assert "disabled" not in before.split("Request this booth")[0].rsplit("<button", 1)[1]
    button = at_limit.split("Request this booth")[0].rsplit("<button", 1)[1]
    assert "disabled" in button
    assert 'type="submit">Request this booth' not in at_limit
    assert "the most it may hold at a time" in at_limit


def test_organiser_allowance_lets_an_organisation_hold_more(client, auth, session, plan):
    make_booking(session, plan.booth("A01"), plan.startup, "approved")
    session.commit()
    auth.login(plan.organiser.email)
    saved = client.post(
        f"{BASE}/manage/settings",
        data={
            "a-organisation_id": str(plan.startup.organisation_id),
            "a-max_booths": "2",
            "a-submit": "1",
        },
    )
    auth.logout()
    login_en(client, auth, plan.startup.email)

    second = client.post(f"{BASE}/{plan.booth('A02').id}/request")
    third = client.post(f"{BASE}/{plan.booth('A03').id}/request", follow_redirects=True)

    assert (saved.status_code, second.status_code) == (302, 302)
    assert "already holds 2 booth(s)" in third.get_data(as_text=True)
    assert [b[0] for b in bookings(session)] == ["approved", "pending"]
    assert session.exec(select(BoothAllowance.max_booths)).all() == [2]


def test_expired_hold_counts_as_free_and_is_marked_expired_on_the_next_request(
    client, auth, session, plan
):
    make_booking(session, plan.booth("A01"), plan.other_startup, "pending", hours=-1)
    session.commit()
    body = client.get(f"{BASE}/").get_data(as_text=True)
    login_en(client, auth, plan.startup.email)

    response = client.post(f"{BASE}/{plan.booth('A01').id}/request")

    assert booth_classes(body)["A01"] == "free"
    assert response.status_code == 302
    assert [b[0] for b in bookings(session)] == ["expired", "pending"]


def test_expire_command_marks_lapsed_holds_only(app, session, plan):
    make_booking(session, plan.booth("A01"), plan.startup, "pending", hours=-2)
    make_booking(session, plan.booth("A02"), plan.other_startup, "pending", hours=5)
    session.commit()

    result = app.test_cli_runner().invoke(args=["expire-booth-holds"])

    assert result.output == "Expired 1 booth hold(s).\n"
    assert [b[0] for b in bookings(session)] == ["expired", "pending"]


def test_my_booth_lists_only_my_organisations_bookings(client, auth, session, plan):
    make_booking(session, plan.booth("A01"), plan.startup, "approved")
    make_booking(session, plan.booth("A02"), plan.other_startup, "pending")
    session.commit()
    login_en(client, auth, plan.startup.email)

    body = client.get(f"{BASE}/mine").get_data(as_text=True)

    assert re.findall(r'<th scope="row"><a href="[^"]+">(\w+)</a>', body) == ["A01"]
    assert "Approved" in body


def test_my_booth_is_for_startup_members_only(client, auth, session, plan):
    auth.login(plan.delegate.email)

    assert client.get(f"{BASE}/mine").status_code == 403


def test_withdrawing_another_organisations_booking_answers_404(client, auth, session, plan):
    theirs = make_booking(session, plan.booth("A01"), plan.other_startup, "pending")
    session.commit()
    auth.login(plan.startup.email)

    response = client.post(f"{BASE}/mine/{theirs.id}/withdraw")

    assert response.status_code == 404
    assert [b[0] for b in bookings(session)] == ["pending"]


def test_withdrawing_my_pending_request_frees_the_booth(client, auth, session, plan):
    mine = make_booking(session, plan.booth("A01"), plan.startup, "pending")
    session.commit()
    auth.login(plan.startup.email)

    client.post(f"{BASE}/mine/{mine.id}/withdraw")
    body = client.get(f"{BASE}/").get_data(as_text=True)

    assert [b[0] for b in bookings(session)] == ["cancelled"]
    assert booth_classes(body)["A01"] == "free"


def test_organiser_approval_emails_the_startup_and_is_audited(client, auth, session, plan):
    booking = make_booking(session, plan.booth("A01"), plan.startup, "pending")
    plan.startup.locale = "en"
    session.add(plan.startup)
    session.commit()
    auth.login(plan.organiser.email)

    response = client.post(f"{BASE}/manage/requests/{booking.id}/approve", data={"reason": ""})

    assert response.status_code == 302
    assert [b[0] for b in bookings(session)] == ["approved"]
    mails = session.exec(select(OutboxEmail.to_email, OutboxEmail.subject)).all()
    assert mails[0] == ("founder@example.vn", "Booth A01 is yours")
    # the booth has a fee: whoever requested it is also asked to pay (see payments)
    assert [m[1].split(" — ")[0] for m in mails[1:]] == ["Please pay 8,000,000 ₫"]
    actions = session.exec(select(AuditLog.action, AuditLog.object_id)).all()
    assert actions == [("booth.approve", str(booking.id))]


def test_rejection_needs_a_reason_and_sends_it(client, auth, session, plan):
    booking = make_booking(session, plan.booth("A01"), plan.startup, "pending")
    session.commit()
    auth.login(plan.organiser.email)
    client.get("/lang/en")

    refused = client.post(f"{BASE}/manage/requests/{booking.id}/reject", data={"reason": " "})
    done = client.post(
        f"{BASE}/manage/requests/{booking.id}/reject", data={"reason": "Khu A dành cho AI"}
    )

    assert refused.status_code == 422
    assert "Give the startup a reason for the rejection." in refused.get_data(as_text=True)
    assert done.status_code == 302
    session.expire_all()
    assert session.get(BoothBooking, booking.id).reason == "Khu A dành cho AI"
    bodies = session.exec(select(OutboxEmail.body)).all()
    assert len(bodies) == 1
    assert "Khu A dành cho AI" in bodies[0]


def test_cancelling_an_approved_booking_frees_the_booth(client, auth, session, plan):
    booking = make_booking(session, plan.booth("A01"), plan.startup, "approved")
    session.commit()
    auth.login(plan.organiser.email)

    client.post(f"{BASE}/manage/requests/{booking.id}/cancel", data={"reason": "Trùng lịch"})
    body = client.get(f"{BASE}/").get_data(as_text=True)

    assert [b[0] for b in bookings(session)] == ["cancelled"]
    assert booth_classes(body)["A01"] == "free"


def test_approving_an_expired_hold_is_refused(client, auth, session, plan):
    booking = make_booking(session, plan.booth("A01"), plan.startup, "pending", hours=-1)
    session.commit()
    auth.login(plan.organiser.email)
    client.get("/lang/en")

    response = client.post(
        f"{BASE}/manage/requests/{booking.id}/approve", data={"reason": ""}, follow_redirects=True
    )

    assert "This request is no longer pending" in response.get_data(as_text=True)
    assert [b[0] for b in bookings(session)] == ["pending"]


def test_organiser_request_list_is_grouped_by_status(client, auth, session, plan):
    make_booking(session, plan.booth("A01"), plan.startup, "pending")
    make_booking(session, plan.booth("A02"), plan.other_startup, "approved")
    make_booking(session, plan.booth("A03"), plan.other_startup, "pending", hours=-1)
    session.commit()
    auth.login(plan.organiser.email)

    def codes(status):
        body = client.get(f"{BASE}/manage/requests?status={status}").get_data(as_text=True)
        return re.findall(r'<th scope="row">(\w+) <span', body)

    assert (codes("pending"), codes("approved"), codes("expired")) == (["A01"], ["A02"], ["A03"])


def test_organiser_pages_refuse_other_roles_and_other_editions(client, auth, session, plan):
    other_edition = make_edition(session, 2024)
    outsider = make_user(session, other_edition, "organiser", email="org2024@example.vn")
    session.commit()
    paths = ["/manage/requests", "/manage/", "/manage/new", "/manage/zones", "/manage/settings"]
    answers = []
    for email in (plan.startup.email, plan.delegate.email, outsider.email):
        auth.login(email)
        answers.append([client.get(BASE + p).status_code for p in paths])
        auth.logout()

    assert answers == [[403] * 5] * 3


def test_organiser_of_this_edition_opens_every_management_page(client, auth, session, plan):
    booking = make_booking(session, plan.booth("A01"), plan.startup, "pending")
    session.commit()
    auth.login(plan.organiser.email)
    paths = [
        "/manage/requests",
        f"/manage/requests/{booking.id}",
        "/manage/",
        "/manage/new",
        f"/manage/{plan.booth('A02').id}/edit",
        "/manage/zones",
        "/manage/zones/new",
        f"/manage/zones/{plan.zone.id}/edit",
        "/manage/settings",
        "/manage/import",
        "/manage/booths.csv",
    ]

    assert [client.get(BASE + p).status_code for p in paths] == [200] * len(paths)


def test_block_and_unblock_a_booth(client, auth, session, plan):
    auth.login(plan.organiser.email)

    client.post(f"{BASE}/manage/{plan.booth('A01').id}/block")
    blocked = booth_classes(client.get(f"{BASE}/").get_data(as_text=True))["A01"]
    client.post(f"{BASE}/manage/{plan.booth('A01').id}/unblock")
    opened = booth_classes(client.get(f"{BASE}/").get_data(as_text=True))["A01"]

    assert (blocked, opened) == ("blocked", "free")
    actions = session.exec(select(AuditLog.action).order_by(AuditLog.id)).all()
    assert actions == ["booth.block", "booth.unblock"]


def test_blocking_a_booked_booth_is_refused(client, auth, session, plan):
    make_booking(session, plan.booth("A01"), plan.startup, "approved")
    session.commit()
    auth.login(plan.organiser.email)
    client.get("/lang/en")

    response = client.post(f"{BASE}/manage/{plan.booth('A01').id}/block", follow_redirects=True)

    assert "cancel the booking before blocking it" in response.get_data(as_text=True)
    session.expire_all()
    assert plan.booth("A01").status == "open"


def booth_form(**overrides) -> dict[str, str]:
    data = {"code": "A09", "zone_id": "1", "size": "M", "price_vnd": "12000000"}
    data.update({"x": "600", "y": "300", "w": "60", "h": "30"})
    data.update(overrides)
    return data


def test_organiser_creates_a_booth(client, auth, session, plan):
    auth.login(plan.organiser.email)

    response = client.post(f"{BASE}/manage/new", data=booth_form(code="a09"))

    assert response.status_code == 302
    body = client.get(f"{BASE}/").get_data(as_text=True)
    assert booth_classes(body)["A09"] == "free"


def test_booth_overlapping_another_is_refused_and_input_kept(client, auth, session, plan):
    auth.login(plan.organiser.email)
    client.get("/lang/en")

    response = client.post(f"{BASE}/manage/new", data=booth_form(x="40", y="110"))

    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "This place overlaps booth A01." in body
    assert ('value="A09"' in body, 'value="40"' in body, 'value="12000000"' in body) == (
        True,
        True,
        True,
    )
    assert len(booth_classes(client.get(f"{BASE}/").get_data(as_text=True))) == 4


def test_booth_with_a_used_code_or_outside_the_hall_is_refused(client, auth, session, plan):
    auth.login(plan.organiser.email)
    client.get("/lang/en")

    used = client.post(f"{BASE}/manage/new", data=booth_form(code="A01"))
    outside = client.post(f"{BASE}/manage/new", data=booth_form(x="1190"))
    not_number = client.post(f"{BASE}/manage/new", data=booth_form(w="wide"))

    assert "Another booth already uses the code A01." in used.get_data(as_text=True)
    assert "The booth must lie inside the hall (1200 × 800)." in outside.get_data(as_text=True)
    assert "Enter a whole number." in not_number.get_data(as_text=True)
    assert (used.status_code, outside.status_code, not_number.status_code) == (422, 422, 422)


def test_organiser_moves_a_booth(client, auth, session, plan):
    auth.login(plan.organiser.email)
    booth_id = plan.booth("A04").id

    response = client.post(
        f"{BASE}/manage/{booth_id}/edit", data=booth_form(code="A04", x="900", y="500")
    )

    assert response.status_code == 302
    session.expire_all()
    assert (plan.booth("A04").x, plan.booth("A04").y, plan.booth("A04").size) == (900, 500, "M")


def test_organiser_creates_a_zone_and_a_duplicate_code_is_refused(client, auth, session, plan):
    auth.login(plan.organiser.email)
    client.get("/lang/en")
    zone = {"code": "B", "name_vi": "Bán dẫn", "name_en": "Semiconductors", "color": "#457b9d"}

    created = client.post(f"{BASE}/manage/zones/new", data=zone)
    duplicate = client.post(f"{BASE}/manage/zones/new", data={**zone, "code": "a"})

    assert created.status_code == 302
    assert "Another zone already uses the code A." in duplicate.get_data(as_text=True)
    page = client.get(f"{BASE}/manage/zones").get_data(as_text=True)
    assert re.findall(r'<th scope="row">(\w+)</th>', page) == ["A", "B"]


def test_settings_change_hold_time_and_limit(client, auth, session, plan):
    auth.login(plan.organiser.email)

    response = client.post(
        f"{BASE}/manage/settings", data={"s-hold_hours": "24", "s-max_booths": "2", "s-submit": "1"}
    )

    assert response.status_code == 302
    session.expire_all()
    edition = session.get(type(plan.edition), plan.edition.id)
    assert (edition.booth_hold_hours, edition.max_booths_per_organisation) == (24, 2)


def test_detail_links_the_owner_to_my_booth_and_the_organiser_to_the_booking(
    client, auth, session, plan
):
    booking = make_booking(session, plan.booth("A01"), plan.startup, "pending")
    session.commit()
    url = f"{BASE}/{plan.booth('A01').id}?lang=en"
    login_en(client, auth, plan.startup.email)
    owner = client.get(url).get_data(as_text=True)
    auth.logout()
    auth.login(plan.organiser.email)
    organiser = client.get(url).get_data(as_text=True)

    assert 'See your booking on the "My booth" page' in owner.replace("&#34;", '"')
    assert f'href="/2025/booths/manage/requests/{booking.id}"' in organiser
    assert "Open the booking" not in owner

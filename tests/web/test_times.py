"""Every time a person reads is the edition's local time, with its date and four-digit year.

Each page and mail that shows a time is rendered, in Vietnamese and English, and checked for
the local hour of a known moment: 03:00 UTC is 10:00 in Asia/Ho_Chi_Minh.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from techfest.booths.models import Booth, BoothBooking, Zone
from techfest.core.models import OutboxEmail
from techfest.matchmaking.models import MeetingRequest
from tests.factories import PASSWORD
from tests.matchmaking.conftest import build_world, meeting, url

#: Thursday 9 October 2025, 03:00 UTC: 10:00 at the venue
MOMENT = datetime(2025, 10, 9, 3, 0, tzinfo=UTC)
LOCAL = {"vi": ("10:00", "09/10/2025"), "en": ("10:00", "9 Oct 2025")}
#: a deadline still ahead: 1 January 2099, 10:00 at the venue
AHEAD = datetime(2099, 1, 1, 3, 0, tzinfo=UTC)
AHEAD_LOCAL = {"vi": "10:00, 01/01/2099", "en": "1 Jan 2099, 10:00"}


@pytest.fixture
def timed_world(session):
    world = build_world(session)
    startup, investor = world.startups[0], world.investors[0]
    for k, slot in enumerate(world.slots):
        slot.starts_at = MOMENT + timedelta(minutes=25 * k)
        slot.ends_at = slot.starts_at + timedelta(minutes=20)
        session.add(slot)
    session.add(
        MeetingRequest(
            edition_id=world.edition.id,
            from_organisation_id=investor.id,
            to_organisation_id=startup.id,
            message="Xin gặp",
            status="pending",
            created_at=MOMENT,
            expires_at=AHEAD,
        )
    )
    zone = Zone(edition_id=world.edition.id, code="S", name_vi="Khu S", name_en="Zone S")
    session.add(zone)
    session.flush()
    booth = Booth(edition_id=world.edition.id, zone_id=zone.id, code="S01", x=0, y=0, w=9, h=9)
    session.add(booth)
    session.flush()
    session.add(
        BoothBooking(
            booth_id=booth.id, organisation_id=startup.id, status="pending", hold_expires_at=AHEAD
        )
    )
    world.edition.meetings_published_at = MOMENT
    session.add(world.edition)
    session.commit()
    meeting(session, world, startup, investor, world.slots[0], world.tables[0])
    return world


def page(client, path: str, lang: str) -> str:
    client.get(f"/lang/{lang}?next=/")
    response = client.get(path)
    assert response.status_code == 200, path
    return response.get_data(as_text=True)


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_startup_pages_show_local_times_with_their_dates(client, auth, timed_world, lang):
    world = timed_world
    auth.login(world.users[world.startups[0].id].email, PASSWORD)
    hour, day = LOCAL[lang]

    received = page(client, url(world, "/requests"), lang)
    booth = page(client, f"/{world.edition.year}/booths/mine", lang)
    meetings = page(client, url(world, "/meetings"), lang)
    slots = page(client, url(world, "/availability"), lang)

    # received at 10:00 local, never 03:00 (UTC); the deadline with its four-digit year
    assert f"{hour}, {day}" in received or f"{day}, {hour}" in received
    assert "03:00" not in received
    assert AHEAD_LOCAL[lang] in received
    # a booth hold ends at 10:00 on 1 January 2099, written with its four-digit year
    assert AHEAD_LOCAL[lang] in booth
    # meeting slots name their date, never "Day 1"
    weekday = {"vi": "Thứ Năm", "en": "Thu"}[lang]
    for text in (meetings, slots):
        assert f"{weekday} {day} · 10:00–10:20" in text
        assert "Day 1" not in text
        assert "Ngày 1 " not in text


def test_request_mail_gives_the_deadline_in_local_time_not_utc(client, auth, session):
    world = build_world(session)
    world.edition.meetings_published_at = MOMENT
    session.add(world.edition)
    session.commit()
    startup, investor = world.startups[0], world.investors[0]
    auth.login(world.users[investor.id].email, PASSWORD)

    response = client.post(url(world, f"/request/{startup.id}"), data={"message": "Xin gặp"})

    assert response.status_code == 302
    session.expire_all()
    req = session.exec(select(MeetingRequest)).one()
    mail = session.exec(select(OutboxEmail)).one()
    venue = req.expires_at.astimezone(ZoneInfo("Asia/Ho_Chi_Minh"))
    # "… trước 10:00, Thứ Bảy 11/10/2025 (Giờ Việt Nam)": the venue's clock, with its date
    assert "UTC" not in mail.body
    assert venue.strftime("%H:%M, ") in mail.body
    assert venue.strftime("%d/%m/%Y (Giờ Việt Nam)") in mail.body


def test_admin_and_review_slots_show_dates(client, auth, timed_world):
    world = timed_world
    auth.login(world.organiser.email, PASSWORD)

    admin = page(client, url(world, "/admin"), "vi")
    review = page(client, url(world, "/admin/review"), "vi")

    assert "Thứ Năm 09/10/2025 · 10:00–10:20 · Buổi sáng" in admin
    assert "morning" not in admin
    assert "Thứ Năm 09/10/2025 · 10:00" in review

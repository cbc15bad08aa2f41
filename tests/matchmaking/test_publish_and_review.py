"""Publishing asks first, showing what goes to whom; the matcher leaves unanswered requests
alone; the review grid says why each meeting is there."""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo

from sqlmodel import select

from techfest.core.models import Edition, MailAddress, OutboxEmail
from techfest.matchmaking.models import MatcherRun, Meeting, MeetingRequest
from tests.factories import make_user
from tests.matchmaking.conftest import build_world, meeting, publish, publish_digest, url


def _world(session, **kw):
    kw.setdefault("startups", 4)
    kw.setdefault("investors", 3)
    return build_world(session, **kw)


def _run(client, auth, world):
    auth.login(world.organiser.email)
    response = client.post(url(world, "/admin/run"), data={"time_limit": "5"})
    assert response.status_code == 302
    return response


def _fresh(session):
    session.rollback()
    session.expire_all()


def _statuses(session):
    _fresh(session)
    return sorted(set(session.exec(select(Meeting.status)).all()))


def test_the_first_post_shows_what_will_be_sent_and_sends_nothing(client, auth, session):
    world = _world(session)
    _run(client, auth, world)

    response = client.post(url(world, "/admin/publish"))

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert _statuses(session) == ["draft"]
    assert session.exec(select(OutboxEmail)).all() == []
    assert session.get(Edition, world.edition.id).meetings_published_at is None
    assert 'id="pub-startup-people">4<' in page
    assert 'id="pub-investor-people">3<' in page
    assert 'id="pub-people">7<' in page
    assert "Công bố và gửi 7 email" in page
    assert "Lịch gặp của bạn tại" in page  # the preview's subject, in its reader's language


def test_the_confirmation_publishes_and_mails_once(client, auth, session):
    world = _world(session)
    _run(client, auth, world)

    response = publish(client, world)

    assert response.status_code == 302
    assert _statuses(session) == ["published"]
    assert len(session.exec(select(OutboxEmail)).all()) == 7


def test_a_stale_confirmation_is_refused_with_a_clear_message(client, auth, session):
    world = _world(session)
    _run(client, auth, world)
    digest = publish_digest(client, world)
    # the schedule changes after the page was opened: a meeting is cancelled
    first = session.exec(select(Meeting).order_by(Meeting.id)).first()
    client.post(url(world, f"/admin/meetings/{first.id}/cancel"))

    response = client.post(url(world, "/admin/publish"), data={"digest": digest})

    page = response.get_data(as_text=True)
    assert "Lịch gặp đã thay đổi từ khi trang xác nhận được mở" in page
    assert _statuses(session) == ["cancelled", "draft"]
    assert session.exec(select(OutboxEmail)).all() == []
    # the page shows the new summary, with a digest that now works
    fresh = re.search(r'name="digest"[^>]*value="([0-9a-f]+)"', page).group(1)
    assert fresh != digest
    client.post(url(world, "/admin/publish"), data={"digest": fresh})
    assert _statuses(session) == ["cancelled", "published"]


def test_a_made_up_digest_publishes_nothing(client, auth, session):
    world = _world(session)
    _run(client, auth, world)

    client.post(url(world, "/admin/publish"), data={"digest": "0" * 32})

    assert _statuses(session) == ["draft"]
    assert session.exec(select(OutboxEmail)).all() == []


def test_a_new_recipient_makes_the_confirmation_stale(client, auth, session):
    world = _world(session)
    _run(client, auth, world)
    digest = publish_digest(client, world)
    make_user(session, world.edition, "startup", organisation=world.startups[0])
    session.commit()

    client.post(url(world, "/admin/publish"), data={"digest": digest})

    assert _statuses(session) == ["draft"]


def test_the_page_counts_unconfirmed_addresses_and_previews_in_the_recipients_language(
    client, auth, session
):
    world = _world(session, startups=2, investors=1)
    _run(client, auth, world)
    investor_user = world.users[world.investors[0].id]
    for u in world.users.values():
        u.locale = "en"
        session.add(u)
    row = session.exec(select(MailAddress).where(MailAddress.email == investor_user.email)).one()
    row.confirmed_at = None
    session.add(row)
    session.commit()

    page = client.get(url(world, "/admin/publish")).get_data(as_text=True)

    assert 'id="pub-unconfirmed"' in page
    assert "1 người trong số này chưa xác nhận địa chỉ email" in page
    assert "Your meeting schedule for" in page
    assert "Your meetings at" in page
    assert 'lang="en"' in page


def test_nothing_to_publish_says_so(client, auth, session):
    world = _world(session)
    auth.login(world.organiser.email)

    page = client.get(url(world, "/admin/publish")).get_data(as_text=True)

    assert "Hãy chạy ghép cặp trước khi công bố." in page
    assert 'name="digest"' not in page


def test_the_run_leaves_out_pairs_whose_request_waits_and_pairs_that_declined(
    client, auth, session
):
    world = _world(session, startups=2, investors=2)
    a, b = world.startups
    x, y = world.investors
    session.add(
        MeetingRequest(
            edition_id=world.edition.id,
            from_organisation_id=a.id,
            to_organisation_id=x.id,
            status="pending",
        )
    )
    session.add(
        MeetingRequest(
            edition_id=world.edition.id,
            from_organisation_id=y.id,
            to_organisation_id=b.id,
            status="declined",
        )
    )
    session.commit()

    _run(client, auth, world)

    _fresh(session)
    pairs = {
        (m.startup_organisation_id, m.investor_organisation_id)
        for m in session.exec(select(Meeting)).all()
    }
    assert (a.id, x.id) not in pairs
    assert (b.id, y.id) not in pairs
    figures = session.exec(select(MatcherRun)).one().figures
    assert figures["awaiting_answer"] == [[a.id, x.id]]
    page = client.get(url(world, "/admin/review")).get_data(as_text=True)
    assert 'id="fig-awaiting">1<' in page
    assert "Chưa xếp lịch cho đến khi bên kia trả lời" in page


def test_an_accepted_request_is_placed_and_the_grid_says_why(client, auth, session):
    world = _world(session, startups=2, investors=2)
    a = world.startups[0]
    x = world.investors[0]
    session.add(
        MeetingRequest(
            edition_id=world.edition.id,
            from_organisation_id=a.id,
            to_organisation_id=x.id,
            status="accepted",
        )
    )
    session.commit()
    _run(client, auth, world)

    vi = client.get(url(world, "/admin/review")).get_data(as_text=True)
    en = client.get(url(world, "/admin/review?lang=en")).get_data(as_text=True)
    day = client.get(url(world, f"/admin/review?org={a.id}&lang=en")).get_data(as_text=True)

    _fresh(session)
    accepted = session.exec(
        select(Meeting).where(
            Meeting.startup_organisation_id == a.id, Meeting.investor_organisation_id == x.id
        )
    ).one()
    assert accepted.basis == "request"
    others = session.exec(select(Meeting).where(Meeting.id != accepted.id)).all()
    assert others
    assert {m.basis for m in others} <= {"score"}
    assert vi.count("mm-why-request") == 1
    assert "Lời mời đã được chấp nhận" in vi
    assert "Gợi ý theo điểm phù hợp" in vi
    assert "Request accepted" in en
    assert "Suggested by score · " in en
    assert re.search(r"Suggested by score · \d+%", en)
    assert "<th>Why</th>" in day


def test_a_pending_booking_stays_in_its_slot_and_reads_as_waiting(client, auth, session):
    world = _world(session, startups=2, investors=2)
    a = world.startups[0]
    x = world.investors[0]
    hold = meeting(
        session, world, a, x, world.slots[0], world.tables[0], status="requested", source="request"
    )
    session.add(
        MeetingRequest(
            edition_id=world.edition.id,
            from_organisation_id=x.id,
            to_organisation_id=a.id,
            status="pending",
            slot_id=world.slots[0].id,
            meeting_id=hold.id,
        )
    )
    session.commit()

    _run(client, auth, world)
    page = client.get(url(world, "/admin/review")).get_data(as_text=True)
    publish(client, world)

    _fresh(session)
    assert session.get(Meeting, hold.id).status == "requested"  # publishing leaves it alone
    assert "mm-status-requested" in page
    assert "Yêu cầu đặt lịch, đang chờ trả lời" in page
    assert 'id="fig-pending">1<' in page
    pair = session.exec(
        select(Meeting).where(
            Meeting.startup_organisation_id == a.id,
            Meeting.investor_organisation_id == x.id,
            Meeting.status != "requested",
        )
    ).all()
    assert pair == []  # the matcher does not add a second meeting of the waiting pair


def test_publishing_leaves_pending_bookings_out_of_the_mail(client, auth, session):
    world = _world(session, startups=2, investors=2)
    a = world.startups[0]
    x = world.investors[0]
    hold = meeting(
        session, world, a, x, world.slots[3], world.tables[1], status="requested", source="request"
    )
    assert hold.id
    world.edition.meetings_published_at = None
    session.commit()
    _run(client, auth, world)

    publish(client, world)

    _fresh(session)
    body = session.exec(
        select(OutboxEmail.body).where(OutboxEmail.to_email == world.users[a.id].email)
    ).one()
    held_at = world.slots[3].starts_at.astimezone(ZoneInfo("Asia/Ho_Chi_Minh"))
    assert body.startswith("Các cuộc gặp của bạn tại")
    assert held_at.strftime("%d/%m %H:%M") not in body  # the waiting booking is not announced

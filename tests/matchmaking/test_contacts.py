"""Contact exchange: the other side of a confirmed meeting sees what each person shares."""

from __future__ import annotations

from sqlmodel import select

from techfest.matchmaking.models import ContactCard
from tests.matchmaking.conftest import meeting, url
from tests.organiser.builders import fresh

CARD = {
    "share_email": "y",
    "phone": "+84 912 345 678",
    "zalo_url": "https://zalo.me/0912345678",
    "linkedin_url": "https://www.linkedin.com/in/nguyen-van-a",
}


def _card(client, auth, world, user, data):
    auth.login(user.email)
    response = client.post(url(world, "/contact-card"), data=data)
    auth.logout()
    return response


def _meetings_page(client, auth, world, user) -> str:
    auth.login(user.email)
    page = client.get(url(world, "/meetings")).get_data(as_text=True)
    auth.logout()
    return page


def test_after_a_published_meeting_each_side_sees_what_the_other_shares(
    client, auth, world, session
):
    startup, investor = world.startups[0], world.investors[0]
    s_user, i_user = world.users[startup.id], world.users[investor.id]
    meeting(session, world, startup, investor, world.slots[0], world.tables[0])
    _card(client, auth, world, s_user, CARD)
    _card(client, auth, world, i_user, {"phone": "+84 988 000 111"})  # no email, no links

    seen_by_investor = _meetings_page(client, auth, world, i_user)
    seen_by_startup = _meetings_page(client, auth, world, s_user)

    assert s_user.email in seen_by_investor
    assert "+84 912 345 678" in seen_by_investor
    assert 'href="https://zalo.me/0912345678"' in seen_by_investor
    assert 'href="https://www.linkedin.com/in/nguyen-van-a"' in seen_by_investor
    assert "+84 988 000 111" in seen_by_startup
    assert i_user.email not in seen_by_startup


def test_no_contacts_without_a_meeting_nor_for_a_cancelled_one(client, auth, world, session):
    startup, investor, investor2 = world.startups[0], world.investors[0], world.investors[1]
    s_user = world.users[startup.id]
    meeting(session, world, startup, investor, world.slots[0], world.tables[0], status="cancelled")
    meeting(session, world, world.startups[1], investor2, world.slots[1], world.tables[0])
    _card(client, auth, world, s_user, CARD)

    for who in (investor, investor2):
        page = _meetings_page(client, auth, world, world.users[who.id])
        assert s_user.email not in page
        assert "+84 912 345 678" not in page


def test_a_draft_meeting_shows_no_contacts(client, auth, world, session):
    startup, investor = world.startups[0], world.investors[0]
    meeting(session, world, startup, investor, world.slots[0], world.tables[0], status="draft")
    _card(client, auth, world, world.users[startup.id], CARD)

    page = _meetings_page(client, auth, world, world.users[investor.id])

    assert "+84 912 345 678" not in page


def test_a_link_that_is_not_zalo_or_linkedin_is_refused_and_the_text_kept(
    client, auth, world, session
):
    user = world.users[world.startups[0].id]
    auth.login(user.email)

    response = client.post(
        url(world, "/contact-card"),
        data={**CARD, "linkedin_url": "javascript:alert(1)"},
    )

    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "https://zalo.me/0912345678" in body
    assert 'name="linkedin_url"' in body
    assert "is-invalid" in body
    fresh(session)
    assert session.exec(select(ContactCard)).first() is None

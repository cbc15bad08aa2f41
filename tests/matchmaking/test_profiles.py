import pytest
from sqlmodel import select

from techfest.matchmaking.models import InvestorProfile, StartupProfile, Unavailability
from techfest.programme.models import ProgrammeSession, SessionStar
from tests.matchmaking.conftest import url


def test_startup_profile_saves_sectors_tags_and_stage(client, auth, session, world):
    startup = world.startups[0]
    auth.login(world.users[startup.id].email)

    response = client.post(
        url(world, "/profile"),
        data={
            "pitch_vi": "Nền tảng logistics cảng biển",
            "pitch_en": "Port logistics platform",
            "sectors": ["logistics", "maritime"],
            "tags": "cảng, container",
            "stage": "series-a",
            "raising_usd": "500000",
            "location": "Hải Phòng",
            "founded_year": "2021",
            "deck_url": "https://example.vn/deck.pdf",
            "max_meetings": "6",
            "wants_meetings": "y",
        },
    )

    assert response.status_code == 302
    profile = session.exec(
        select(StartupProfile).where(StartupProfile.organisation_id == startup.id)
    ).one()
    assert (profile.sectors, profile.tags, profile.stage, profile.raising_usd) == (
        ["logistics", "maritime"],
        ["cảng", "container"],
        "series-a",
        500000,
    )


def test_startup_profile_with_bad_link_keeps_typed_values(client, auth, world):
    startup = world.startups[0]
    auth.login(world.users[startup.id].email)

    response = client.post(
        url(world, "/profile"),
        data={"pitch_en": "Kept pitch text", "deck_url": "not a link", "max_meetings": "5"},
    )

    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "Kept pitch text" in body
    assert "is-invalid" in body


def test_investor_profile_refuses_inverted_ticket_range(client, auth, session, world):
    investor = world.investors[0]
    auth.login(world.users[investor.id].email)

    response = client.post(
        url(world, "/profile"),
        data={"ticket_min_usd": "900000", "ticket_max_usd": "100000", "max_meetings": "5"},
    )

    assert response.status_code == 200
    profile = session.exec(
        select(InvestorProfile).where(InvestorProfile.organisation_id == investor.id)
    ).one()
    assert profile.ticket_min_usd is None


def test_investor_profile_saves_portfolio_lines_and_quota(client, auth, session, world):
    investor = world.investors[0]
    auth.login(world.users[investor.id].email)

    client.post(
        url(world, "/profile"),
        data={
            "thesis_en": "Seed logistics",
            "sectors": ["logistics"],
            "stages": ["seed", "series-a"],
            "ticket_min_usd": "50000",
            "ticket_max_usd": "500000",
            "locations": "Hải Phòng, Hà Nội",
            "portfolio": "Cold chain app\n\nPort booking SaaS\n",
            "max_meetings": "7",
        },
    )

    session.rollback()
    session.expire_all()
    profile = session.exec(
        select(InvestorProfile).where(InvestorProfile.organisation_id == investor.id)
    ).one()
    assert (profile.portfolio, profile.locations, profile.max_meetings) == (
        ["Cold chain app", "Port booking SaaS"],
        ["Hải Phòng", "Hà Nội"],
        7,
    )


def test_availability_replaces_unavailable_slots(client, auth, session, world):
    startup = world.startups[0]
    auth.login(world.users[startup.id].email)
    client.post(url(world, "/availability"), data={"unavailable": [world.slots[0].id]})

    client.post(url(world, "/availability"), data={"unavailable": [world.slots[1].id]})

    rows = session.exec(
        select(Unavailability.slot_id).where(Unavailability.organisation_id == startup.id)
    ).all()
    assert rows == [world.slots[1].id]


def test_starred_programme_session_marks_overlapping_slot_busy(client, auth, session, world):
    startup = world.startups[0]
    slot = world.slots[2]
    ps = ProgrammeSession(
        edition_id=world.edition.id,
        code="F1",
        title_vi="Diễn đàn",
        title_en="Forum",
        starts_at=slot.starts_at,
        ends_at=slot.ends_at,
    )
    session.add(ps)
    session.flush()
    session.add(SessionStar(session_id=ps.id, user_id=world.users[startup.id].id))
    session.commit()
    auth.login(world.users[startup.id].email)

    body = client.get(url(world, "/availability")).get_data(as_text=True)

    assert body.count("bận: phiên chương trình") == 1


def test_someone_elses_availability_slot_answers_404(client, auth, session, world):
    from tests.matchmaking.conftest import build_world

    other = build_world(session, year=2024)
    auth.login(world.users[world.startups[0].id].email)

    response = client.post(url(world, "/availability"), data={"unavailable": [other.slots[0].id]})

    assert response.status_code == 404


def test_delegate_cannot_open_matchmaking(client, auth, session, world):
    from tests.factories import make_user

    delegate = make_user(session, world.edition, "delegate")
    session.commit()
    auth.login(delegate.email)

    assert client.get(url(world, "/profile")).status_code == 403


@pytest.mark.both_databases
def test_investment_sizes_beyond_32_bits_are_stored_and_beyond_64_refused(
    client, auth, session, world
):
    investor = world.investors[0]
    auth.login(world.users[investor.id].email)
    data = {"ticket_min_usd": "3000000000", "ticket_max_usd": "9000000000", "max_meetings": "5"}

    assert client.post(url(world, "/profile"), data=data).status_code == 302
    session.expire_all()
    profile = session.exec(
        select(InvestorProfile).where(InvestorProfile.organisation_id == investor.id)
    ).one()
    assert (profile.ticket_min_usd, profile.ticket_max_usd) == (3_000_000_000, 9_000_000_000)

    response = client.post(url(world, "/profile"), data={**data, "ticket_max_usd": str(2**63)})
    assert response.status_code == 200
    assert str(2**63) in response.get_data(as_text=True)

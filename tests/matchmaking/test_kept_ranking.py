"""The ranking kept per edition: fresh after a profile changes, read by the pages,
strict preferences, sector names in the page's language."""

import re

from sqlmodel import select

from techfest.core.models import Job
from techfest.matchmaking import ranking
from techfest.matchmaking.models import InvestorProfile, RankedPair, RankingSnapshot
from tests.matchmaking.conftest import add_investor, add_startup, url


def _login(auth, world, org):
    auth.login(world.users[org.id].email)


def _profile_form(profile: InvestorProfile, **changes) -> dict:
    data = {
        "thesis_en": profile.thesis_en, "thesis_vi": profile.thesis_vi,
        "sectors": list(profile.sectors), "stages": list(profile.stages),
        "ticket_min_usd": profile.ticket_min_usd or "",
        "ticket_max_usd": profile.ticket_max_usd or "",
        "locations": ", ".join(profile.locations), "portfolio": "\n".join(profile.portfolio),
        "max_meetings": profile.max_meetings,
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_the_first_visit_keeps_the_ranking_and_later_visits_read_it(
    client, auth, session, world
):
    _login(auth, world, world.startups[0])
    assert session.exec(select(RankingSnapshot)).first() is None

    first = client.get(url(world, "/suggestions?lang=en")).get_data(as_text=True)

    session.rollback()
    snapshot = session.exec(select(RankingSnapshot)).one()
    assert snapshot.digest == ranking.ranking_inputs(session, world.edition).digest
    kept = session.exec(select(RankedPair)).all()
    assert kept
    assert all(p.reasons_vi and p.reasons_en for p in kept)
    jobs = session.exec(select(Job).where(Job.kind == ranking.KIND)).all()
    second = client.get(url(world, "/suggestions?lang=en")).get_data(as_text=True)
    session.rollback()
    assert len(session.exec(select(Job).where(Job.kind == ranking.KIND)).all()) == len(jobs)
    assert "Investor A" in first
    assert "Investor A" in second


def test_a_changed_profile_is_ranked_again(client, auth, session, world):
    startup, investor = world.startups[0], world.investors[0]
    _login(auth, world, investor)
    client.get(url(world, "/suggestions"))
    session.rollback()
    before = session.exec(select(RankingSnapshot)).one().digest

    profile = session.exec(
        select(InvestorProfile).where(InvestorProfile.organisation_id == investor.id)
    ).one()
    client.post(url(world, "/profile"), data=_profile_form(
        profile, thesis_en="cold chain tracking for seafood exporters"))

    session.rollback()
    after = session.exec(select(RankingSnapshot)).one()
    assert after.digest != before
    assert after.digest == ranking.ranking_inputs(session, world.edition).digest
    pair = session.exec(select(RankedPair).where(
        RankedPair.startup_organisation_id == startup.id,
        RankedPair.investor_organisation_id == investor.id)).first()
    assert pair is not None


def test_strict_stages_exclude_and_soft_ones_only_rank_lower(client, auth, session, world):
    add_startup(session, world, "Late Logistics", stage="series-b")
    session.commit()
    investor = world.investors[0]
    profile = session.exec(
        select(InvestorProfile).where(InvestorProfile.organisation_id == investor.id)
    ).one()
    _login(auth, world, investor)

    soft = client.get(url(world, "/suggestions?lang=en")).get_data(as_text=True)
    client.post(url(world, "/profile"), data=_profile_form(profile, strict_stages="y"))
    strict = client.get(url(world, "/suggestions?lang=en")).get_data(as_text=True)

    session.rollback()
    assert session.get(InvestorProfile, profile.id).strict == ["stages"]
    assert "Late Logistics" in soft
    assert "Late Logistics" not in strict
    assert world.startups[0].name in strict
    form = client.get(url(world, "/profile")).get_data(as_text=True)
    (box,) = re.findall(r"<input[^>]*strict_stages[^>]*>", form)
    assert "checked" in box


def test_reasons_name_sectors_in_the_page_language(client, auth, session, world):
    add_investor(session, world, "Sea AI Fund", sectors=["logistics", "ai"], stages=["seed"])
    add_startup(session, world, "Vision Port", sectors=["ai"], stage="seed")
    session.commit()
    _login(auth, world, world.startups[-1])

    vi = client.get(url(world, "/suggestions?lang=vi")).get_data(as_text=True)
    en = client.get(url(world, "/suggestions?lang=en")).get_data(as_text=True)

    assert "cùng lĩnh vực Trí tuệ nhân tạo" in vi
    assert "both in Artificial intelligence" in en
    assert "lĩnh vực ai" not in vi
    assert "both in ai" not in en


def test_suggestions_come_in_pages(client, auth, session, world):
    for n in range(14):
        add_startup(session, world, f"Port Startup {n:02d}")
    session.commit()
    _login(auth, world, world.investors[0])

    first = client.get(url(world, "/suggestions?lang=en")).get_data(as_text=True)
    second = client.get(url(world, "/suggestions?lang=en&page=2")).get_data(as_text=True)

    shown_first = {f"Port Startup {n:02d}" for n in range(14) if f"Port Startup {n:02d}" in first}
    shown_second = {f"Port Startup {n:02d}" for n in range(14) if f"Port Startup {n:02d}" in second}
    assert first.count('class="card mb-2') == 10
    assert shown_first
    assert shown_second
    assert not (shown_first & shown_second)
    assert "of 16, best match first" in first
    assert 'aria-current="page">2<' in second


def test_earlier_meetings_and_answered_requests_are_lessons(client, auth, session, world):
    from techfest.matchmaking.models import MeetingFeedback, MeetingRequest
    from tests.matchmaking.conftest import build_world, meeting

    s0, s1 = world.startups
    i0, i1 = world.investors
    _login(auth, world, s0)
    client.get(url(world, "/suggestions"))
    session.rollback()
    before = session.exec(select(RankingSnapshot)).one().lessons

    old = build_world(session, year=2024, startups=0, investors=0)
    held = meeting(session, old, s0, i1, old.slots[0], old.tables[0], "held")
    session.add(MeetingFeedback(meeting_id=held.id, organisation_id=i1.id, rating="follow_up"))
    session.add(MeetingRequest(edition_id=world.edition.id, from_organisation_id=s1.id,
                               to_organisation_id=i0.id, status="declined", message="hi"))
    session.commit()

    assert ranking.outcomes(session, world.edition) == {(s0.id, i1.id): 1.0,
                                                        (s1.id, i0.id): -0.5}
    client.get(url(world, "/suggestions"))
    session.rollback()
    after = session.exec(select(RankingSnapshot)).one()
    assert after.lessons > before
    pairs = {(p.startup_organisation_id, p.investor_organisation_id)
             for p in session.exec(select(RankedPair))}
    assert (s0.id, i1.id) not in pairs  # they met: never proposed again

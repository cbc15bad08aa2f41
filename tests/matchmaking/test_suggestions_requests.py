from datetime import timedelta

from sqlmodel import select

from techfest.core.models import OutboxEmail
from techfest.db import now_utc
from techfest.matchmaking.models import MatchPreference, MeetingRequest, StartupProfile
from tests.matchmaking.conftest import add_investor, meeting, url


def _login(auth, world, org):
    auth.login(world.users[org.id].email)


def test_suggestions_rank_investors_with_score_and_reasons(client, auth, session, world):
    add_investor(session, world, "Agri Fund", sectors=["agritech"], stages=["growth"])
    session.commit()
    _login(auth, world, world.startups[0])

    body = client.get(url(world, "/suggestions")).get_data(as_text=True)

    assert "Investor A" in body
    assert "%" in body
    assert 'class="small mb-2 mm-reasons"' in body
    # A growth-stage agritech fund has nothing in common with a seed logistics startup:
    # a match that nothing explains is not shown.
    assert "Agri Fund" not in body


def test_suggestions_reasons_follow_the_language(client, auth, world):
    _login(auth, world, world.startups[0])

    vi = client.get(url(world, "/suggestions?lang=vi")).get_data(as_text=True)
    en = client.get(url(world, "/suggestions?lang=en")).get_data(as_text=True)

    assert vi != en


def test_suggestions_filter_by_sector_stage_and_ticket(client, auth, session, world):
    add_investor(
        session,
        world,
        "Big Ticket Fund",
        sectors=["fintech", "logistics"],
        stages=["series-b"],
        ticket_min_usd=2_000_000,
        ticket_max_usd=9_000_000,
    )
    session.commit()
    _login(auth, world, world.startups[0])

    by_sector = client.get(url(world, "/suggestions?sector=fintech")).get_data(as_text=True)
    by_stage = client.get(url(world, "/suggestions?stage=seed")).get_data(as_text=True)
    by_ticket = client.get(url(world, "/suggestions?ticket=3000000")).get_data(as_text=True)

    assert ("Big Ticket Fund" in by_sector, "Investor A" in by_sector) == (True, False)
    assert ("Big Ticket Fund" in by_stage, "Investor A" in by_stage) == (False, True)
    assert "Big Ticket Fund" in by_ticket


def test_mark_pair_must_then_no(client, auth, session, world):
    startup, investor = world.startups[0], world.investors[0]
    _login(auth, world, startup)

    client.post(url(world, f"/suggestions/{investor.id}/mark"), data={"tier": "must"})
    client.post(url(world, f"/suggestions/{investor.id}/mark"), data={"tier": "no"})

    rows = session.exec(select(MatchPreference.tier)).all()
    assert rows == ["no"]


def test_mark_organisation_of_same_side_answers_404(client, auth, world):
    _login(auth, world, world.startups[0])

    response = client.post(
        url(world, f"/suggestions/{world.startups[1].id}/mark"), data={"tier": "must"}
    )

    assert response.status_code == 404


def test_request_emails_the_other_side(client, auth, session, world):
    startup, investor = world.startups[0], world.investors[0]
    _login(auth, world, startup)

    response = client.post(
        url(world, f"/request/{investor.id}"), data={"message": "Chúng tôi muốn gặp quý quỹ"}
    )

    assert response.status_code == 302
    req = session.exec(select(MeetingRequest)).one()
    assert (req.status, req.from_organisation_id, req.to_organisation_id) == (
        "pending",
        startup.id,
        investor.id,
    )
    mails = session.exec(select(OutboxEmail.to_email)).all()
    assert mails == [world.users[investor.id].email]


def test_request_twice_is_refused(client, auth, session, world):
    _login(auth, world, world.startups[0])
    target = url(world, f"/request/{world.investors[0].id}")
    client.post(target, data={"message": "first"})

    response = client.post(target, data={"message": "second"})

    assert response.status_code == 200
    assert len(session.exec(select(MeetingRequest)).all()) == 1


def test_accept_request_notifies_sender(client, auth, session, world):
    startup, investor = world.startups[0], world.investors[0]
    _login(auth, world, startup)
    client.post(url(world, f"/request/{investor.id}"), data={"message": "hello"})
    req = session.exec(select(MeetingRequest)).one()
    auth.logout()
    _login(auth, world, investor)

    client.post(url(world, f"/requests/{req.id}/accept"))

    session.rollback()
    session.expire_all()
    assert session.get(MeetingRequest, req.id).status == "accepted"
    to = session.exec(select(OutboxEmail.to_email).order_by(OutboxEmail.id)).all()
    assert to == [world.users[investor.id].email, world.users[startup.id].email]


def test_sender_cannot_accept_own_request(client, auth, session, world):
    _login(auth, world, world.startups[0])
    client.post(url(world, f"/request/{world.investors[0].id}"), data={"message": "hello"})
    req = session.exec(select(MeetingRequest)).one()

    response = client.post(url(world, f"/requests/{req.id}/accept"))

    assert response.status_code == 404


def test_decline_request(client, auth, session, world):
    startup, investor = world.startups[0], world.investors[0]
    req = MeetingRequest(
        edition_id=world.edition.id,
        from_organisation_id=investor.id,
        to_organisation_id=startup.id,
        message="hi",
        expires_at=now_utc() + timedelta(hours=5),
    )
    session.add(req)
    session.commit()
    _login(auth, world, startup)

    client.post(url(world, f"/requests/{req.id}/decline"))

    session.rollback()
    session.expire_all()
    assert session.get(MeetingRequest, req.id).status == "declined"


def test_expired_request_cannot_be_accepted(client, auth, session, world):
    startup, investor = world.startups[0], world.investors[0]
    req = MeetingRequest(
        edition_id=world.edition.id,
        from_organisation_id=investor.id,
        to_organisation_id=startup.id,
        message="late",
        expires_at=now_utc() - timedelta(minutes=1),
    )
    session.add(req)
    session.commit()
    _login(auth, world, startup)

    response = client.post(url(world, f"/requests/{req.id}/accept"), follow_redirects=True)

    session.rollback()
    session.expire_all()
    assert session.get(MeetingRequest, req.id).status != "accepted"
    assert "Lời mời này đã hết hạn." in response.get_data(as_text=True)


def test_request_expiry_uses_edition_setting(client, auth, session, world):
    world.edition.request_expiry_hours = 24
    session.add(world.edition)
    session.commit()
    _login(auth, world, world.startups[0])

    client.post(url(world, f"/request/{world.investors[0].id}"), data={"message": "hello"})

    req = session.exec(select(MeetingRequest)).one()
    hours = (req.expires_at - req.created_at).total_seconds() / 3600
    assert round(hours) == 24


def test_request_refused_when_investor_quota_is_full(client, auth, session, world):
    investor = world.investors[0]
    profile = session.exec(
        select(StartupProfile).where(StartupProfile.organisation_id == world.startups[1].id)
    ).one()
    assert profile is not None
    from techfest.matchmaking.models import InvestorProfile

    ip = session.exec(
        select(InvestorProfile).where(InvestorProfile.organisation_id == investor.id)
    ).one()
    ip.max_meetings = 1
    session.add(ip)
    session.commit()
    meeting(session, world, world.startups[1], investor, world.slots[0], world.tables[0])
    _login(auth, world, world.startups[0])

    response = client.post(url(world, f"/request/{investor.id}"), data={"message": "hello"})

    assert response.status_code == 200
    assert "hạn mức" in response.get_data(as_text=True)
    assert session.exec(select(MeetingRequest)).all() == []


def test_accept_refused_when_own_quota_is_full(client, auth, session, world):
    startup, investor = world.startups[0], world.investors[0]
    sp = session.exec(
        select(StartupProfile).where(StartupProfile.organisation_id == startup.id)
    ).one()
    sp.max_meetings = 1
    session.add(sp)
    req = MeetingRequest(
        edition_id=world.edition.id,
        from_organisation_id=investor.id,
        to_organisation_id=startup.id,
        message="hi",
        expires_at=now_utc() + timedelta(hours=5),
    )
    session.add(req)
    session.commit()
    meeting(session, world, startup, world.investors[1], world.slots[0], world.tables[0])
    _login(auth, world, startup)

    client.post(url(world, f"/requests/{req.id}/accept"))

    session.rollback()
    session.expire_all()
    assert session.get(MeetingRequest, req.id).status == "pending"


def test_cli_expires_unanswered_requests(app, session, world):
    stale = MeetingRequest(
        edition_id=world.edition.id,
        from_organisation_id=world.startups[0].id,
        to_organisation_id=world.investors[0].id,
        expires_at=now_utc() - timedelta(hours=1),
    )
    fresh = MeetingRequest(
        edition_id=world.edition.id,
        from_organisation_id=world.startups[1].id,
        to_organisation_id=world.investors[0].id,
        expires_at=now_utc() + timedelta(hours=1),
    )
    session.add_all([stale, fresh])
    session.commit()

    result = app.test_cli_runner().invoke(args=["expire-meeting-requests"])

    assert result.output == "1 request(s) expired.\n"
    session.rollback()
    session.expire_all()
    assert (
        session.get(MeetingRequest, stale.id).status,
        session.get(MeetingRequest, fresh.id).status,
    ) == (
        "expired",
        "pending",
    )


def _met_last_year(session, world):
    from tests.matchmaking.conftest import build_world

    old = build_world(session, year=2024, startups=0, investors=0)
    return meeting(
        session, old, world.startups[0], world.investors[0], old.slots[0], old.tables[0], "held"
    )


def test_pair_met_last_edition_is_labelled_and_cannot_be_requested(client, auth, session, world):
    _met_last_year(session, world)
    startup, investor = world.startups[0], world.investors[0]
    auth.login(world.users[startup.id].email)

    page = client.get(url(world, "/suggestions")).get_data(as_text=True)
    client.post(url(world, f"/request/{investor.id}"), data={"message": "again?"})

    assert "Hai bên đã gặp ở một kỳ trước." in page
    assert session.exec(select(MeetingRequest)).all() == []


def test_pair_that_reported_it_never_met_may_meet_again(client, auth, session, world):
    from techfest.matchmaking.models import MeetingFeedback

    held = _met_last_year(session, world)
    for org in (world.startups[0], world.investors[0]):
        session.add(
            MeetingFeedback(meeting_id=held.id, organisation_id=org.id, rating="did_not_happen")
        )
    session.commit()
    auth.login(world.users[world.startups[0].id].email)

    client.post(url(world, f"/request/{world.investors[0].id}"), data={"message": "finally"})

    assert len(session.exec(select(MeetingRequest)).all()) == 1

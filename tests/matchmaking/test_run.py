from collections import Counter

from sqlmodel import select

from techfest.core.models import Edition, Job, OutboxEmail
from techfest.matchmaking.models import MatcherRun, MatchPreference, Meeting, MeetingRequest
from tests.factories import make_org
from tests.matchmaking.conftest import build_world, meeting, publish, url


def _world(session, **kw):
    kw.setdefault("startups", 4)
    kw.setdefault("investors", 3)
    return build_world(session, **kw)


def _run(client, auth, world):
    auth.login(world.organiser.email)
    return client.post(url(world, "/admin/run"), data={"time_limit": "5"})


def _drafts(session, world):
    session.rollback()
    session.expire_all()
    return session.exec(
        select(Meeting).where(Meeting.edition_id == world.edition.id, Meeting.status == "draft")
    ).all()


def test_run_creates_draft_meetings_without_double_booking(client, auth, session):
    world = _world(session)

    response = _run(client, auth, world)

    assert response.status_code == 302
    job = session.exec(select(Job)).one()
    assert (job.status, job.progress) == ("done", 100)
    drafts = _drafts(session, world)
    assert len(drafts) > 0
    assert max(Counter((m.slot_id, m.table_id) for m in drafts).values()) == 1
    assert max(Counter((m.slot_id, m.startup_organisation_id) for m in drafts).values()) == 1
    assert max(Counter((m.slot_id, m.investor_organisation_id) for m in drafts).values()) == 1
    assert session.exec(select(MatcherRun)).one().figures["meetings"] == len(drafts)


def test_run_gives_every_startup_a_meeting(client, auth, session):
    world = _world(session)

    _run(client, auth, world)

    met = {m.startup_organisation_id for m in _drafts(session, world)}
    assert met == {o.id for o in world.startups}


def test_run_leaves_out_no_pairs_and_pairs_met_last_edition(client, auth, session):
    world = _world(session, startups=2, investors=2)
    a, b = world.startups
    x, y = world.investors
    session.add(
        MatchPreference(
            edition_id=world.edition.id,
            from_organisation_id=x.id,
            to_organisation_id=a.id,
            tier="no",
        )
    )
    old = build_world(session, year=2024, startups=0, investors=0)
    meeting(session, old, b, y, old.slots[0], old.tables[0], status="held")

    _run(client, auth, world)

    pairs = {
        (m.startup_organisation_id, m.investor_organisation_id) for m in _drafts(session, world)
    }
    assert (a.id, x.id) not in pairs
    assert (b.id, y.id) not in pairs


def test_run_keeps_must_pairs_and_accepted_requests(client, auth, session):
    world = _world(session, startups=3, investors=2, n_slots=2, n_tables=1)
    a, b, c = world.startups
    x, y = world.investors
    session.add(
        MatchPreference(
            edition_id=world.edition.id,
            from_organisation_id=c.id,
            to_organisation_id=y.id,
            tier="must",
        )
    )
    session.add(
        MeetingRequest(
            edition_id=world.edition.id,
            from_organisation_id=b.id,
            to_organisation_id=x.id,
            status="accepted",
        )
    )
    session.commit()

    _run(client, auth, world)

    pairs = {
        (m.startup_organisation_id, m.investor_organisation_id) for m in _drafts(session, world)
    }
    assert {(c.id, y.id), (b.id, x.id)} <= pairs


def test_rerun_keeps_locked_meetings_in_place(client, auth, session):
    world = _world(session)
    a, x = world.startups[0], world.investors[0]
    locked = meeting(
        session, world, a, x, world.slots[3], world.tables[1], status="draft", locked=True
    )

    _run(client, auth, world)
    _run(client, auth, world)

    drafts = _drafts(session, world)
    kept = [m for m in drafts if m.id == locked.id]
    assert [(m.slot_id, m.table_id) for m in kept] == [(world.slots[3].id, world.tables[1].id)]
    assert [
        m for m in drafts if (m.startup_organisation_id, m.investor_organisation_id) == (a.id, x.id)
    ] == kept


def test_run_respects_unavailable_slots(client, auth, session):
    from techfest.matchmaking.models import Unavailability

    world = _world(session)
    a = world.startups[0]
    for slot in world.slots[:3]:
        session.add(Unavailability(organisation_id=a.id, slot_id=slot.id))
    session.commit()

    _run(client, auth, world)

    slots = {m.slot_id for m in _drafts(session, world) if m.startup_organisation_id == a.id}
    assert slots <= {world.slots[3].id}


def test_run_without_slots_is_refused(client, auth, session):
    from tests.factories import make_edition, make_user

    edition = make_edition(session, 2026)
    organiser = make_user(session, edition, "organiser")
    session.commit()
    auth.login(organiser.email)

    response = client.post("/2026/matchmaking/admin/run", data={"time_limit": "5"})

    assert response.status_code == 302
    assert session.exec(select(Job)).all() == []


def test_run_is_for_organisers_of_this_edition_only(client, auth, session):
    world = _world(session)
    other = build_world(session, year=2024, startups=0, investors=0)
    auth.login(other.organiser.email)

    response = client.post(url(world, "/admin/run"), data={"time_limit": "5"})

    assert response.status_code == 403


def test_job_progress_is_visible_as_json(client, auth, session):
    world = _world(session)
    _run(client, auth, world)
    job = session.exec(select(Job)).one()

    data = client.get(url(world, f"/admin/jobs/{job.id}?format=json")).get_json()

    assert (data["status"], data["progress"]) == ("done", 100)


def test_review_shows_grid_and_figures(client, auth, session):
    world = _world(session)
    _run(client, auth, world)

    body = client.get(url(world, "/admin/review")).get_data(as_text=True)

    assert "Startup A" in body
    assert 'id="fig-per-startup"' in body


def test_publish_makes_schedules_visible_and_emails_everyone(client, auth, session):
    world = _world(session)
    _run(client, auth, world)
    drafts = _drafts(session, world)

    publish(client, world)

    session.rollback()
    session.expire_all()
    statuses = set(session.exec(select(Meeting.status)).all())
    assert statuses == {"published"}
    assert session.get(Edition, world.edition.id).meetings_published_at is not None
    assert drafts
    mailed = set(session.exec(select(OutboxEmail.to_email)).all())
    assert mailed == {u.email for u in world.users.values()}


def test_publish_failure_leaves_nothing_published(client, auth, session, monkeypatch):
    from techfest.matchmaking import participants

    world = _world(session)
    _run(client, auth, world)

    def broken(*args, **kwargs):
        raise RuntimeError("mail server exploded")

    monkeypatch.setattr(participants, "queue_email", broken)
    client.application.config["PROPAGATE_EXCEPTIONS"] = False
    response = publish(client, world)

    assert response.status_code == 500
    session.rollback()
    session.expire_all()
    assert set(session.exec(select(Meeting.status)).all()) == {"draft"}
    assert session.get(Edition, world.edition.id).meetings_published_at is None
    assert session.exec(select(OutboxEmail)).all() == []


def test_drafts_are_hidden_from_participants_until_published(client, auth, session):
    world = _world(session)
    _run(client, auth, world)
    auth.logout()
    startup = world.startups[0]
    auth.login(world.users[startup.id].email)

    before = client.get(url(world, "/meetings")).get_data(as_text=True)
    auth.logout()
    auth.login(world.organiser.email)
    publish(client, world)
    auth.logout()
    auth.login(world.users[startup.id].email)
    after = client.get(url(world, "/meetings")).get_data(as_text=True)

    assert "Investor" not in before.split("mm-tabs")[1]
    assert "Investor" in after.split("mm-tabs")[1]


def test_cli_match_runs_the_matcher(app, session):
    world = _world(session)

    result = app.test_cli_runner().invoke(args=["match", "--year", "2025", "--time-limit", "5"])

    assert result.exit_code == 0, result.output
    assert "Draft:" in result.output
    assert len(_drafts(session, world)) > 0


def test_organisation_outside_edition_is_not_suggested(client, auth, session):
    world = _world(session, startups=1, investors=1)
    make_org(session, "investor", "No Profile Fund")
    session.commit()
    auth.login(world.users[world.startups[0].id].email)

    body = client.get(url(world, "/suggestions")).get_data(as_text=True)

    assert "No Profile Fund" not in body

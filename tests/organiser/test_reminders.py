"""Reminders go through the outbox once: the day before, and an hour before a first meeting."""

import threading
from datetime import datetime

import pytest
from sqlmodel import Session, select

from techfest.auth.models import User
from techfest.core.models import OutboxEmail
from techfest.db import writing
from techfest.organiser import services
from techfest.printing.models import Document
from tests.factories import make_edition, make_org, make_user
from tests.factories.registration import make_ticket
from tests.organiser.builders import fresh, make_meeting, meeting_grid, register

#: the reminders some minutes before each meeting and starred session (tests at the end)
EACH = ("reminder-each-meeting", "reminder-session")


def _outbox(session, kinds: tuple[str, ...] | None = None) -> list[tuple[str, str]]:
    """(to, kind) of each queued message; the day-before and first-meeting ones by default."""
    fresh(session)
    rows = session.exec(select(OutboxEmail).order_by(OutboxEmail.to_email, OutboxEmail.id)).all()
    found = [(m.to_email, m.dedupe_key.split(":")[0]) for m in rows]
    if kinds is None:
        return [(to, kind) for to, kind in found if kind not in EACH]
    return [(to, kind) for to, kind in found if kind in kinds]


def test_day_before_reminder_is_queued_once_per_delegate(app, session):
    edition = make_edition(session)
    ticket = make_ticket(session, edition)
    for email, locale in (("an@example.vn", "vi"), ("bo@example.com", "en")):
        register(session, edition, make_user(session, edition, email=email, locale=locale), ticket)
    agenda = Document(
        edition_id=edition.id,
        kind="agenda",
        key="an",
        owner_user_id=session.exec(select(User.id).where(User.email == "an@example.vn")).one(),
        content_hash="h",
        filename="agenda.pdf",
        pdf=b"%PDF",
    )
    session.add(agenda)
    cancelled = make_user(session, edition, email="off@example.vn")
    register(session, edition, cancelled, ticket, "cancelled")
    session.commit()
    runner = app.test_cli_runner()
    args = ["send-reminders", "--now", "2025-10-08T08:00+07:00"]

    first = runner.invoke(args=args)
    second = runner.invoke(args=args)

    assert (
        first.output
        == "Queued 2 day-before, 0 first-meeting, 0 meeting and 0 starred-session reminder(s).\n"
    )
    assert (
        second.output
        == "Queued 0 day-before, 0 first-meeting, 0 meeting and 0 starred-session reminder(s).\n"
    )
    assert _outbox(session) == [
        ("an@example.vn", "reminder-day"),
        ("bo@example.com", "reminder-day"),
    ]
    mails = {m.to_email: m for m in session.exec(select(OutboxEmail))}
    assert mails["an@example.vn"].subject == "Ngày mai: Techfest Hải Phòng 2025"
    assert mails["bo@example.com"].subject == "Tomorrow: Techfest Hai Phong 2025"
    assert "http://127.0.0.1:8000/2025/programme/agenda" in mails["bo@example.com"].body
    assert mails["an@example.vn"].attachment_document_id == agenda.id
    assert mails["bo@example.com"].attachment_document_id is None


def test_no_day_before_reminder_on_other_days(app, session):
    edition = make_edition(session)
    register(session, edition, make_user(session, edition), make_ticket(session, edition))
    session.commit()

    result = app.test_cli_runner().invoke(
        args=["send-reminders", "--now", "2025-10-09T08:00+07:00"]
    )

    assert (
        result.output
        == "Queued 0 day-before, 0 first-meeting, 0 meeting and 0 starred-session reminder(s).\n"
    )


def test_first_meeting_reminder_an_hour_before_reaches_each_member_once(app, session):
    edition = make_edition(session)
    startup = make_org(session, "startup")
    investor = make_org(session, "investor")
    other_startup = make_org(session, "startup")
    founder = make_user(
        session, edition, "startup", email="founder@example.vn", organisation=startup
    )
    make_user(
        session, edition, "investor", email="vc@example.com", organisation=investor, locale="en"
    )
    make_user(session, edition, "startup", email="later@example.vn", organisation=other_startup)
    slots, tables = meeting_grid(session, edition, slots=3, day=10, hour=14)
    make_meeting(session, edition, startup, investor, slots[0], tables[0])  # 14:00
    make_meeting(session, edition, other_startup, investor, slots[2], tables[1])  # 14:50
    session.commit()
    runner = app.test_cli_runner()

    early = runner.invoke(args=["send-reminders", "--now", "2025-10-10T12:30+07:00"])
    due = runner.invoke(args=["send-reminders", "--now", "2025-10-10T13:05+07:00"])
    again = runner.invoke(args=["send-reminders", "--now", "2025-10-10T13:20+07:00"])
    later = runner.invoke(args=["send-reminders", "--now", "2025-10-10T13:55+07:00"])

    assert [r.output.split()[3] for r in (early, due, again, later)] == ["0", "2", "0", "1"]
    assert _outbox(session) == [
        ("founder@example.vn", "reminder-meeting"),
        ("later@example.vn", "reminder-meeting"),
        ("vc@example.com", "reminder-meeting"),
    ]
    mail = session.exec(
        select(OutboxEmail).where(
            OutboxEmail.to_email == founder.email,
            OutboxEmail.dedupe_key.startswith("reminder-meeting:"),
        )
    ).one()
    assert "14:00" in mail.body
    assert "T01" in mail.body


@pytest.mark.both_databases
def test_reminder_runs_started_together_queue_each_message_once(app, session, backend):
    edition = make_edition(session)
    ticket = make_ticket(session, edition)
    for n in range(5):
        register(session, edition, make_user(session, edition, email=f"p{n}@example.vn"), ticket)
    session.commit()
    engine = app.extensions["techfest_engine"]
    barrier = threading.Barrier(20)
    now = datetime.fromisoformat("2025-10-08T08:00+07:00")

    def run():
        with app.test_request_context(), writing(), Session(engine) as s:
            barrier.wait()
            services.send_reminders(s, now)
            s.commit()

    threads = [threading.Thread(target=run) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert _outbox(session) == [(f"p{n}@example.vn", "reminder-day") for n in range(5)]


def test_a_reminder_before_each_meeting_and_starred_session_goes_once_never_if_cancelled(
    app, session
):
    from techfest.programme.models import SessionStar
    from tests.factories.programme import make_room, make_session

    edition = make_edition(session)
    startup, investor = make_org(session, "startup"), make_org(session, "investor")
    make_user(session, edition, "startup", email="founder@example.vn", organisation=startup)
    make_user(session, edition, "investor", email="vc@example.com", organisation=investor)
    fan = make_user(session, edition, email="fan@example.vn", locale="en")
    slots, tables = meeting_grid(session, edition, slots=3, day=10, hour=14)
    make_meeting(session, edition, startup, investor, slots[0], tables[0])  # 14:00
    gone = make_meeting(session, edition, startup, investor, slots[2], tables[1])  # 14:50
    gone.status = "cancelled"
    room = make_room(session, edition, name_vi="Phòng Hội nghị 1", name_en="Conference room 1")
    talk = make_session(
        session,
        edition,
        starts_at=datetime.fromisoformat("2025-10-10T14:10+07:00"),
        ends_at=datetime.fromisoformat("2025-10-10T15:00+07:00"),
        room_id=room.id,
        title_en="Port of the future",
    )
    session.add(SessionStar(session_id=talk.id, user_id=fan.id))
    session.commit()
    runner = app.test_cli_runner()

    def at(moment: str, minutes: str = "30"):
        return runner.invoke(args=["send-reminders", "--now", moment, "--minutes", minutes])

    early = at("2025-10-10T13:20+07:00")
    due = at("2025-10-10T13:45+07:00")
    again = at("2025-10-10T13:50+07:00")
    after_cancelled = at("2025-10-10T14:30+07:00")

    assert [r.output.split()[5] for r in (early, due, again, after_cancelled)] == [
        "0",
        "2",
        "0",
        "0",
    ]
    assert _outbox(session, EACH) == [
        ("fan@example.vn", "reminder-session"),
        ("founder@example.vn", "reminder-each-meeting"),
        ("vc@example.com", "reminder-each-meeting"),
    ]
    fan_mail = session.exec(
        select(OutboxEmail).where(OutboxEmail.to_email == "fan@example.vn")
    ).one()
    assert fan_mail.subject == "At 14:10: Port of the future"
    assert "Conference room 1" in fan_mail.body
    assert "/2025/programme/agenda" in fan_mail.body

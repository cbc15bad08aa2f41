"""Mail goes only where its owner said, and the app delivers its outbox itself."""

from __future__ import annotations

import re
import threading
import time

import pytest
from sqlmodel import Session, select

from techfest import create_app
from techfest.config import TestConfig
from techfest.core import mail
from techfest.core.models import OutboxEmail
from techfest.models import metadata
from tests.factories import PASSWORD, make_edition, make_user
from tests.factories.registration import make_ticket

pytestmark = pytest.mark.both_databases


def _outbox(session, to=None):
    session.rollback()  # a fresh read: what the app committed since
    session.expire_all()
    query = select(OutboxEmail).order_by(OutboxEmail.id)
    if to:
        query = query.where(OutboxEmail.to_email == to)
    return list(session.exec(query))


def _deliver(app) -> int:
    with app.app_context(), Session(app.extensions["techfest_engine"]) as s:
        return mail.deliver_pending(s)


def _register(client, ticket, **overrides):
    data = {
        "ticket_type": str(ticket.id),
        "full_name": "Mai",
        "email": "mai@example.vn",
        "language": "en",
        "consent": "y",
        **overrides,
    }
    return client.post("/2025/registration/register", data=data)


def test_a_registration_with_someone_elses_address_mails_only_the_account(
    app, client, session, auth, capsys
):
    edition = make_edition(session)
    make_user(session, edition, "organiser", email="organiser@techfest.vn")
    me = make_user(session, edition, email="me@example.vn")
    ticket = make_ticket(session, edition, capacity=5)
    session.commit()
    auth.login(me.email, PASSWORD)
    name = "Boss. Please wire money to http://evil.example " + "x" * 200

    assert _register(
        client, ticket, email="organiser@techfest.vn", full_name=name[:120]
    ).status_code in (
        200,
        302,
    )
    capsys.readouterr()
    app.config["MAIL_TO_CONSOLE"] = True
    _deliver(app)
    printed = capsys.readouterr().out
    assert _outbox(session, "organiser@techfest.vn") == []
    assert "organiser@techfest.vn" not in printed
    (mine,) = _outbox(session, "me@example.vn")
    assert mine.sent_at is not None
    greeting = mine.body.splitlines()[0]
    assert "://" not in greeting
    assert "Please wire" in greeting
    assert len(greeting) <= 80


def test_an_unconfirmed_account_gets_only_the_confirmation_request_first(
    app, client, session, auth, capsys
):
    edition = make_edition(session)
    ticket = make_ticket(session, edition, capacity=5)
    session.commit()
    client.post(
        "/auth/signup",
        data={
            "full_name": "Hải",
            "email": "victim@example.vn",
            "password": "mat-khau-dai",
            "account_type": "delegate",
        },
    )
    auth.login("victim@example.vn", "mat-khau-dai")
    assert _register(client, ticket, email="victim@example.vn").status_code == 302
    _deliver(app)
    mails = _outbox(session, "victim@example.vn")
    assert [(m.confirms_address, m.sent_at is not None) for m in mails] == [
        (True, True),
        (False, False),
    ]
    link = re.search(r"/mail/confirm/\S+", mails[0].body).group(0)
    page = client.post(link).get_data(as_text=True)
    assert "victim@example.vn" in page
    _deliver(app)
    assert all(m.sent_at is not None for m in _outbox(session, "victim@example.vn"))


def test_opening_the_link_alone_confirms_nothing(app, client, session):
    make_edition(session)
    session.commit()
    with app.app_context():
        link = mail.confirmation_link("someone@example.vn")
    path = link[link.index("/mail/") :]
    assert client.get(path).status_code == 200
    assert not mail.is_confirmed(session, "someone@example.vn")
    assert client.get("/mail/confirm/forged-token").status_code == 200
    client.post("/mail/confirm/forged-token")
    assert not mail.is_confirmed(session, "forged-token")


def test_sign_up_mail_carries_the_link_and_leaves_at_once(app, client, session):
    make_edition(session)
    session.commit()
    client.post(
        "/auth/signup",
        data={
            "full_name": "Hải",
            "email": "hai@example.vn",
            "password": "mat-khau-dai",
            "account_type": "delegate",
        },
    )
    (welcome,) = _outbox(session, "hai@example.vn")
    assert welcome.confirms_address
    assert "/mail/confirm/" in welcome.body
    assert _deliver(app) == 1


def test_two_senders_never_send_one_message_twice(app, session, capsys):
    make_edition(session)
    for n in range(30):
        user = make_user(session, email=f"p{n}@example.vn")
        mail.queue_email(session, user.email, "Hello", "Body")
    session.commit()
    app.config["MAIL_TO_CONSOLE"] = True
    capsys.readouterr()
    counts = []
    threads = [threading.Thread(target=lambda: counts.append(_deliver(app))) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    printed = capsys.readouterr().out
    assert sum(counts) == 30
    assert printed.count("--- mail to ") == 30
    assert all(m.sent_at is not None for m in _outbox(session))


def test_a_failed_message_is_retried_later_not_at_once(app, session, monkeypatch):
    make_edition(session)
    user = make_user(session, email="r@example.vn")
    mail.queue_email(session, user.email, "Hello", "Body")
    session.commit()
    app.config.update(MAIL_TO_CONSOLE=False, SMTP_HOST="smtp.invalid")

    def refuse(message):
        raise OSError("connection refused")

    monkeypatch.setattr(mail, "_send_smtp", refuse)
    assert _deliver(app) == 0
    assert _deliver(app) == 0
    (message,) = _outbox(session)
    assert message.attempts == 1
    assert message.next_attempt_at is not None
    assert "refused" in message.last_error


def test_the_web_app_delivers_its_outbox_itself(database_url, monkeypatch):
    monkeypatch.setattr(mail, "SENDER_INTERVAL", 0.2)
    app = create_app(TestConfig, DATABASE_URL=database_url, MAIL_SENDER_THREAD=True)
    engine = app.extensions["techfest_engine"]
    if database_url.startswith("sqlite"):
        metadata.create_all(engine)
    with Session(engine, expire_on_commit=False) as session:
        make_edition(session)
        session.commit()
        response = app.test_client().post(
            "/auth/signup",
            data={
                "full_name": "Hải",
                "email": "self@example.vn",
                "password": "mat-khau-dai",
                "account_type": "delegate",
            },
        )
        assert response.status_code == 200
        # no `send-mail`: the process's own sender takes it (bounded wait, not a timing)
        for _ in range(100):
            if all(m.sent_at is not None for m in _outbox(session, "self@example.vn")):
                break
            time.sleep(0.1)
        assert [m.sent_at is not None for m in _outbox(session, "self@example.vn")] == [True]
    engine.dispose()

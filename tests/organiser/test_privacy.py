"""A person's data: downloaded in full, erased everywhere, and erased after retention."""

import json
from datetime import date

import pytest
import sqlalchemy as sa
from sqlmodel import func, select

from techfest.auth.models import User
from techfest.checkin.models import CheckIn
from techfest.core.audit import record
from techfest.core.mail import queue_email
from techfest.core.models import AuditLog, Edition, Job
from techfest.models import metadata
from techfest.organiser import privacy
from techfest.organiser.models import DataRequest
from techfest.printing.models import Document
from techfest.programme.models import SessionSignup
from techfest.registration.models import Registration
from tests.factories import PASSWORD, make_edition, make_org, make_user
from tests.factories.programme import make_session, seat
from tests.factories.registration import make_ticket
from tests.organiser.builders import fresh, make_request, register

NAME = "Trần Thị Hồng Nhung"
EMAIL = "nhung.tran@example.vn"
PHONE = "0912345678"


def _person_with_a_trail(session, edition):
    """Someone who left their name in every corner of the platform."""
    organiser = make_user(session, edition, "organiser", email="boss@techfest.vn")
    startup = make_org(session, "startup", "Cảng Xanh")
    investor = make_org(session, "investor", "Quỹ Biển")
    person = make_user(
        session, edition, "startup", email=EMAIL, full_name=NAME, phone=PHONE, organisation=startup
    )
    other = make_user(
        session, edition, "delegate", email="binh.le@example.vn", full_name="Lê Văn Bình"
    )
    ticket = make_ticket(session, edition)
    reg = register(session, edition, person, ticket, phone=PHONE, organisation_name="Cảng Xanh")
    register(session, edition, other, ticket)
    talk = make_session(session, edition)
    seat(session, talk, person)
    session.add(CheckIn(edition_id=edition.id, registration_id=reg.id))
    make_request(
        session,
        edition,
        startup,
        investor,
        from_user_id=person.id,
        message=f"Xin chào, tôi là {NAME} ({EMAIL}).",
    )
    record(
        session,
        "registration.edit",
        user_id=organiser.id,
        edition_id=edition.id,
        object_type="registration",
        object_id=reg.id,
        before={"full_name": NAME, "email": EMAIL.upper()},
        note=f"đổi số điện thoại {PHONE}",
    )
    queue_email(session, EMAIL, f"Chào {NAME}", f"Xin chào {NAME}, số {PHONE}", dedupe_key="x-1")
    session.add(
        Document(
            edition_id=edition.id,
            kind="agenda",
            key=f"user:{person.id}:vi",
            owner_user_id=person.id,
            content_hash="h",
            filename="lich-trinh-nhung.pdf",
            pdf=b"%PDF-1.7 " + NAME.encode(),
        )
    )
    session.add(Job(kind="print", edition_id=edition.id, params={"who": NAME, "email": EMAIL}))
    session.commit()
    return person, other


def _mentions(session, *terms) -> list[str]:
    """Every place in the database (any text, JSON or binary column) that holds a term."""
    hits = []
    lowered = [t.lower() for t in terms]
    with session.no_autoflush:
        for table in metadata.sorted_tables:
            for row in session.execute(sa.select(table)).all():
                for column in table.columns:
                    value = row._mapping[column]
                    if isinstance(value, dict | list):
                        value = json.dumps(value, ensure_ascii=False)
                    elif isinstance(value, bytes):
                        value = value.decode("utf-8", "ignore")
                    if isinstance(value, str) and any(t in value.lower() for t in lowered):
                        hits.append(f"{table.name}.{column.name}")
    return hits


def _count(session, model) -> int:
    return session.exec(select(func.count()).select_from(model)).one()


def test_download_my_data_holds_everything_and_is_recorded(client, session, auth):
    edition = make_edition(session)
    person, _other = _person_with_a_trail(session, edition)
    auth.login(EMAIL, PASSWORD)

    response = client.post("/privacy/my-data.json")

    assert response.status_code == 200
    data = response.json
    assert data["account"]["email"] == EMAIL
    assert "password_hash" not in data["account"]
    assert [r["phone"] for r in data["held"]["registration"]] == [PHONE]
    assert len(data["held"]["session_signup"]) == 1
    assert len(data["held"]["check_in"]) == 1
    assert [m["subject"] for m in data["held"]["outbox_email"]] == [f"Chào {NAME}"]
    assert data["organisation"]["name"] == "Cảng Xanh"
    request = session.exec(select(DataRequest)).one()
    assert (request.user_id, request.kind, request.edition_id) == (person.id, "export", edition.id)
    assert request.completed_at is not None


@pytest.mark.both_databases
@pytest.mark.parametrize("like_limit", [60, 0], ids=["found-by-like", "found-in-python"])
def test_erasure_leaves_nothing_that_names_the_person_and_keeps_the_counts(
    client, session, auth, backend, monkeypatch, like_limit
):
    monkeypatch.setattr(privacy, "LIKE_LIMIT", like_limit)
    edition = make_edition(session)
    person, _other = _person_with_a_trail(session, edition)
    before = {m: _count(session, m) for m in (Registration, CheckIn, SessionSignup, User, AuditLog)}
    assert _mentions(session, NAME, EMAIL, PHONE) != []
    auth.login(EMAIL, PASSWORD)

    response = client.post("/privacy/erase", data={"password": PASSWORD, "confirm": "y"})

    assert response.status_code == 302
    fresh(session)
    assert _mentions(session, NAME, EMAIL, PHONE, "Nhung", "nhung.tran") == []
    assert _mentions(session, "Lê Văn Bình", "binh.le@example.vn") != []  # others untouched
    after = {m: _count(session, m) for m in (Registration, CheckIn, SessionSignup, User)}
    assert after == {m: before[m] for m in after}
    assert session.exec(select(Document)).all() == []
    erased = session.get(User, person.id)
    assert erased.erased_at is not None
    request = session.exec(select(DataRequest)).one()
    assert (request.kind, request.completed_at is not None) == ("erasure", True)
    assert auth.login(EMAIL, PASSWORD).status_code == 200  # the login form again: refused
    assert client.get("/privacy/").status_code == 302


def test_erasure_needs_the_password(client, session, auth):
    edition = make_edition(session)
    person, _other = _person_with_a_trail(session, edition)
    auth.login(EMAIL, PASSWORD)

    response = client.post("/privacy/erase", data={"password": "wrong-one", "confirm": "y"})

    assert response.status_code == 400
    fresh(session)
    assert session.get(User, person.id).erased_at is None
    assert session.exec(select(DataRequest)).all() == []


def test_organiser_records_and_completes_an_erasure_request(client, session, auth):
    edition = make_edition(session)
    person, _other = _person_with_a_trail(session, edition)
    auth.login("boss@techfest.vn", PASSWORD)

    logged = client.post(
        "/2025/organiser/privacy/requests", data={"email": EMAIL, "kind": "erasure"}
    )
    page = client.get("/2025/organiser/privacy").get_data(as_text=True)
    request = session.exec(select(DataRequest)).one()
    done = client.post(f"/2025/organiser/privacy/requests/{request.id}/complete")

    assert logged.status_code == 302
    assert f"/2025/organiser/privacy/requests/{request.id}/complete" in page
    assert done.status_code == 302
    fresh(session)
    assert session.get(User, person.id).erased_at is not None
    request = session.get(DataRequest, request.id)
    assert request.completed_at is not None
    assert request.completed_by_id is not None
    actions = session.exec(select(AuditLog.action).order_by(AuditLog.id)).all()
    assert actions[-2:] == ["privacy.request_logged", "privacy.erase"]
    assert _mentions(session, NAME, EMAIL, PHONE) == []


def test_organiser_cannot_complete_another_editions_request(client, session, auth):
    edition = make_edition(session)
    older = make_edition(session, 2024)
    person, _other = _person_with_a_trail(session, edition)
    make_user(session, older, "organiser", email="old@techfest.vn")
    request = DataRequest(user_id=person.id, edition_id=edition.id, kind="erasure")
    session.add(request)
    session.commit()
    auth.login("old@techfest.vn", PASSWORD)

    response = client.post(f"/2024/organiser/privacy/requests/{request.id}/complete")

    assert response.status_code == 404
    fresh(session)
    assert session.get(User, person.id).erased_at is None


def test_logging_a_request_for_a_stranger_keeps_the_typed_email(client, session, auth):
    edition = make_edition(session)
    make_user(session, edition, "organiser", email="boss@techfest.vn")
    session.commit()
    auth.login("boss@techfest.vn", PASSWORD)

    response = client.post(
        "/2025/organiser/privacy/requests", data={"email": "nobody@example.vn", "kind": "export"}
    )

    assert response.status_code == 400
    assert 'value="nobody@example.vn"' in response.get_data(as_text=True)


@pytest.mark.both_databases
def test_retention_erases_an_edition_after_its_period(app, session, auth, client, backend):
    old = make_edition(session, 2024, retention_days=30)
    new = make_edition(session, 2025)
    gone = make_user(session, old, "delegate", email="gone@example.vn", full_name="Phạm Quang Hải")
    stays = make_user(session, old, "delegate", email="stays@example.vn", full_name="Vũ Thu Trang")
    make_user(session, new, "organiser", email="boss@techfest.vn")
    from techfest.auth.services import grant_role

    grant_role(session, stays, new.id, "delegate")
    ticket = make_ticket(session, old)
    register(session, old, gone, ticket, phone="0988000111")
    register(session, old, stays, ticket)
    for n in range(3):  # enough people that the sweep matches in Python instead of by LIKE
        extra = make_user(
            session, old, "delegate", email=f"d{n}@example.vn", full_name=f"Đại biểu {n}"
        )
        register(session, old, extra, ticket)
    record(
        session, "note", user_id=None, edition_id=old.id, about="Phạm Quang Hải, gone@example.vn"
    )
    session.commit()
    runner = app.test_cli_runner()

    early = runner.invoke(args=["erase-expired-data", "--now", "2024-11-10T09:00+07:00"])
    due = runner.invoke(args=["erase-expired-data", "--now", "2024-11-11T09:00+07:00"])

    assert early.output == "No edition is past its retention period.\n"
    assert due.output == "Edition 2024: personal data erased (4 account(s) closed).\n"
    fresh(session)
    assert session.get(Edition, old.id).personal_data_erased_at is not None
    assert session.get(Edition, new.id).personal_data_erased_at is None
    assert session.get(User, gone.id).erased_at is not None
    assert session.get(User, stays.id).erased_at is None
    names = set(session.exec(select(Registration.full_name)).all())
    assert names == {"[erased]"}
    assert _mentions(session, "Phạm Quang Hải", "gone@example.vn", "0988000111") == []
    assert _count(session, Registration) == 5


def test_organiser_sets_the_retention_period(client, session, auth):
    edition = make_edition(session)
    make_user(session, edition, "organiser", email="boss@techfest.vn")
    session.commit()
    auth.login("boss@techfest.vn", PASSWORD)

    bad = client.post("/2025/organiser/privacy/retention", data={"retention_days": "-3"})
    good = client.post("/2025/organiser/privacy/retention", data={"retention_days": "180"})

    assert bad.status_code == 400
    assert good.status_code == 302
    fresh(session)
    assert session.get(Edition, edition.id).retention_days == 180
    entry = session.exec(select(AuditLog)).one()
    assert (entry.action, entry.details) == ("edition.retention", {"before": 365, "after": 180})
    assert privacy.erase_after(session.get(Edition, edition.id)) == date(2026, 4, 10)


def test_erasure_sweep_leaves_codes_and_one_word_names_elsewhere_alone(client, session, auth):
    edition = make_edition(session)
    make_org(session, "startup", "Hoàng Gia Logistics")
    person = make_user(session, edition, "delegate", email="pending@example.vn", full_name="Hoàng")
    ticket = make_ticket(session, edition)
    register(session, edition, person, ticket, "waitlisted", waitlist_position=1)
    record(session, "note", user_id=None, edition_id=edition.id, about="pending@example.vn")
    session.commit()
    auth.login("pending@example.vn", PASSWORD)

    client.post("/privacy/erase", data={"password": PASSWORD, "confirm": "y"})

    fresh(session)
    assert session.exec(select(Registration.status)).all() == ["waitlisted"]
    assert "Hoàng Gia Logistics" in _organisation_names(session)
    assert _mentions(session, "pending@example.vn") == []


def _organisation_names(session) -> str:
    from techfest.core.models import Organisation

    return " ".join(session.exec(select(Organisation.name)).all())

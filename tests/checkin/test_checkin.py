"""Check-in at the entrance and at session doors: each scan counts once."""

import threading
import uuid

import pytest
from sqlmodel import Session, func, select

from techfest.checkin import services
from techfest.checkin.models import CheckIn
from techfest.core.models import AuditLog
from techfest.db import writing
from tests.factories import PASSWORD, make_edition, make_user
from tests.factories.programme import make_session, seat
from tests.organiser.builders import fresh


def _count(session, *where) -> int:
    fresh(session)
    return session.exec(select(func.count()).select_from(CheckIn).where(*where)).one()


def _login(auth):
    auth.login("desk@techfest.vn", PASSWORD)


def test_scanning_a_badge_checks_the_person_in(client, auth, session, desk):
    _login(auth)

    response = client.post("/2025/checkin/scan", json={"code": desk["reg"].badge_code})

    assert response.status_code == 200
    body = response.json
    assert (body["status"], body["name"], body["ticket"], body["already_checked_in"]) == (
        "checked_in",
        "Nguyễn Thị Mai",
        "Đại biểu",
        False,
    )
    assert body["organisation"] == "Cảng Hải Phòng"
    assert _count(session) == 1


def test_a_second_scan_answers_already_checked_in(client, auth, session, desk):
    _login(auth)
    first = client.post("/2025/checkin/scan", json={"code": desk["reg"].badge_code})

    again = client.post("/2025/checkin/scan", json={"code": desk["reg"].badge_code})

    assert (again.json["status"], again.json["already_checked_in"]) == ("already", True)
    assert again.json["checked_in_at"] == first.json["checked_in_at"]
    assert _count(session) == 1


def test_a_replayed_offline_scan_counts_once(client, auth, session, desk):
    _login(auth)
    scan = {
        "code": desk["reg"].badge_code,
        "client_scan_id": str(uuid.uuid4()),
        "scanned_at": "2025-10-09T01:15:00Z",
    }

    first = client.post("/2025/checkin/scan", json=scan)
    replay = client.post("/2025/checkin/scan", json=scan)

    assert (first.json["status"], replay.json["status"]) == ("checked_in", "already")
    assert first.json["checked_in_at"] == "2025-10-09T01:15:00+00:00"
    assert _count(session) == 1


@pytest.mark.parametrize(
    ("code", "status", "http"),
    [("no-such-badge", "unknown", 404), ("", "unknown", 404)],
)
def test_unknown_badges_are_refused(client, auth, session, desk, code, status, http):
    _login(auth)

    response = client.post("/2025/checkin/scan", json={"code": code})

    assert (response.status_code, response.json["status"]) == (http, status)
    assert _count(session) == 0


def test_waitlisted_person_is_not_checked_in(client, auth, session, desk):
    _login(auth)

    response = client.post("/2025/checkin/scan", json={"code": desk["waiting"].badge_code})

    assert (response.status_code, response.json["status"]) == (409, "not_confirmed")
    assert _count(session) == 0


def test_badge_of_another_edition_is_unknown_here(client, auth, session, desk):
    older = make_edition(session, 2024)
    make_user(session, older, "organiser", email="old-desk@techfest.vn")
    session.commit()
    auth.login("old-desk@techfest.vn", PASSWORD)

    response = client.post("/2024/checkin/scan", json={"code": desk["reg"].badge_code})

    assert response.status_code == 404
    assert _count(session) == 0


def test_bad_payloads_get_a_clear_400(client, auth, desk):
    _login(auth)

    not_json = client.post("/2025/checkin/scan", data="code=1")
    bad_uuid = client.post("/2025/checkin/scan", json={"code": "x", "client_scan_id": "nope"})
    bad_session = client.post("/2025/checkin/scan", json={"code": "x", "session_id": "abc"})

    assert [not_json.status_code, bad_uuid.status_code, bad_session.status_code] == [400] * 3
    assert bad_uuid.json["status"] == "invalid"


def test_search_by_name_or_email_then_check_in(client, auth, session, desk):
    _login(auth)

    by_name = client.get("/2025/checkin/search?q=thị mai").get_data(as_text=True)
    by_email = client.get("/2025/checkin/search?q=MAI@EXAMPLE").get_data(as_text=True)
    response = client.post(f"/2025/checkin/registrations/{desk['reg'].id}", data={"q": "mai"})

    assert "Nguyễn Thị Mai" in by_name
    assert "Nguyễn Thị Mai" in by_email
    assert response.status_code == 302
    assert _count(session) == 1
    entry = session.exec(select(AuditLog)).one()
    assert (entry.action, entry.object_id) == ("checkin.manual", str(desk["reg"].id))


def _found(client, query: str) -> bool:
    return "Nguyễn Thị Mai" in client.get(
        "/2025/checkin/search", query_string={"q": query}
    ).get_data(as_text=True)


@pytest.mark.both_databases
@pytest.mark.parametrize(
    "query",
    [
        "nguyen thi mai",
        "NGUYEN THI MAI",
        "Nguyễn Thị Mai",
        "nguyễn thi mai",
        "NGUYỄN",
        "cang hai phong",
        "Cảng Hải",
        "mai@example",
    ],
)
def test_search_ignores_case_and_diacritics_of_name_and_organisation(client, auth, desk, query):
    _login(auth)

    assert _found(client, query)


@pytest.mark.both_databases
def test_search_finds_a_name_as_changed_and_no_one_for_a_stranger(client, auth, session, desk):
    reg = desk["reg"]
    reg.full_name = "Nguyễn Thị Mai Anh"
    reg.organisation_name = "Đại học Hàng hải"
    session.add(reg)
    session.commit()
    _login(auth)

    assert _found(client, "mai anh")
    assert _found(client, "dai hoc hang hai")
    assert not _found(client, "cang hai phong")
    assert not _found(client, "tran van")
    # a wildcard typed at the desk is a character, not "anything"
    assert not _found(client, "nguyen%mai")
    # the waitlisted Đỗ Văn Muộn is found by "do van" (đ folds to d)
    page = client.get("/2025/checkin/search", query_string={"q": "do van"})
    assert "Đỗ Văn Muộn" in page.get_data(as_text=True)


def test_session_door_counts_attendance_per_session(client, auth, session, desk):
    edition = desk["edition"]
    talk = make_session(session, edition, code="D1-AI")
    other_talk = make_session(session, edition, code="D1-CHIP")
    seat(session, talk, desk["user"])
    session.commit()
    _login(auth)
    code = desk["reg"].badge_code

    at_talk = client.post("/2025/checkin/scan", json={"code": code, "session_id": talk.id})
    at_other = client.post("/2025/checkin/scan", json={"code": code, "session_id": other_talk.id})
    again = client.post("/2025/checkin/scan", json={"code": code, "session_id": talk.id})
    page = client.get("/2025/checkin/sessions").get_data(as_text=True)
    door = client.get(f"/2025/checkin/sessions/{talk.id}").get_data(as_text=True)

    assert (at_talk.json["status"], at_talk.json["has_seat"]) == ("checked_in", True)
    assert (at_other.json["status"], at_other.json["has_seat"]) == ("checked_in", False)
    assert again.json["status"] == "already"
    assert _count(session, CheckIn.session_id == talk.id) == 1
    assert _count(session, CheckIn.session_id.is_(None)) == 0
    assert "D1-AI" in page
    assert f'data-session-id="{talk.id}"' in door


def test_session_of_another_edition_is_404(client, auth, session, desk):
    older = make_edition(session, 2024)
    foreign = make_session(session, older)
    session.commit()
    _login(auth)

    scan = client.post(
        "/2025/checkin/scan", json={"code": desk["reg"].badge_code, "session_id": foreign.id}
    )

    assert scan.status_code == 404
    assert client.get(f"/2025/checkin/sessions/{foreign.id}").status_code == 404


def test_kiosk_page_carries_the_csrf_token_and_no_inline_code(client, auth, desk):
    _login(auth)

    body = client.get("/2025/checkin/").get_data(as_text=True)

    assert '<meta name="csrf-token"' in body
    assert "js/checkin.js" in body
    assert "<script>" not in body
    assert "style=" not in body


def test_scan_without_csrf_header_is_refused_and_with_it_accepted(app, client, auth, desk):
    _login(auth)
    app.config["WTF_CSRF_ENABLED"] = True
    page = client.get("/2025/checkin/").get_data(as_text=True)
    token = page.split('<meta name="csrf-token" content="')[1].split('"')[0]

    refused = client.post("/2025/checkin/scan", json={"code": desk["reg"].badge_code})
    accepted = client.post(
        "/2025/checkin/scan", json={"code": desk["reg"].badge_code}, headers={"X-CSRFToken": token}
    )

    assert refused.status_code == 400
    assert accepted.status_code == 200


def _race(app, desk, scan_ids: list[str | None]) -> list[str]:
    engine = app.extensions["techfest_engine"]
    barrier = threading.Barrier(len(scan_ids))
    answers: list[str] = []
    lock = threading.Lock()

    def attempt(scan_id):
        with app.app_context(), writing(), Session(engine, expire_on_commit=False) as s:
            barrier.wait()
            edition = s.get(type(desk["edition"]), desk["edition"].id)
            result = services.check_in_by_code(
                s, edition, desk["reg"].badge_code, by_user_id=None, client_scan_id=scan_id
            )
            s.commit()
            with lock:
                answers.append(result.status)

    threads = [threading.Thread(target=attempt, args=(sid,)) for sid in scan_ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return answers


@pytest.mark.both_databases
def test_the_same_scan_sent_fifty_times_at_once_counts_once(app, session, desk, backend):
    scan_id = str(uuid.uuid4())

    answers = _race(app, desk, [scan_id] * 50)

    assert sorted(answers) == ["already"] * 49 + ["checked_in"]
    assert _count(session) == 1


@pytest.mark.both_databases
def test_fifty_devices_scanning_one_badge_at_once_count_once(app, session, desk, backend):
    answers = _race(app, desk, [str(uuid.uuid4()) for _ in range(50)])

    assert sorted(answers) == ["already"] * 49 + ["checked_in"]
    assert _count(session) == 1

"""Lead capture at booths, through the doors a booth's staff and a visitor use."""

from __future__ import annotations

import threading
import uuid

import pytest
from sqlmodel import func, select

from techfest.booths.models import BoothBooking
from techfest.core.models import OutboxEmail
from techfest.leads.models import Lead
from techfest.registration.models import Registration
from tests.factories import PASSWORD, make_edition, make_org, make_user
from tests.factories.registration import make_ticket
from tests.organiser.builders import fresh, make_zone_with_booths, register


@pytest.fixture
def booth(session):
    """A startup holding booth A01 (two staff accounts), a rival at A02, two visitors."""
    edition = make_edition(session)
    ticket = make_ticket(session, edition)
    _zone, booths = make_zone_with_booths(session, edition, "A", 2)
    org = make_org(session, "startup", "Cảng Xanh")
    rival = make_org(session, "startup", "Nông Nghiệp Số")
    for org_, b in ((org, booths[0]), (rival, booths[1])):
        session.add(BoothBooking(booth_id=b.id, organisation_id=org_.id, status="approved"))
    staff = make_user(session, edition, "startup", email="staff@cx.vn", organisation=org)
    make_user(session, edition, "startup", email="staff2@cx.vn", organisation=org)
    make_user(session, edition, "startup", email="rival@nns.vn", organisation=rival)
    mai = make_user(session, edition, email="mai@example.vn", full_name="Nguyễn Thị Mai")
    shy = make_user(session, edition, email="an@example.vn", full_name="Trần Văn An")
    open_reg = register(
        session,
        edition,
        mai,
        ticket,
        organisation_name="Cảng Hải Phòng",
        phone="+84 912 345 678",
        exhibitor_consent_version="2025-10-v1",
        exhibitor_consent_at=edition_now(),
    )
    shy_reg = register(
        session, edition, shy, ticket, organisation_name="Đại học Hàng hải", phone="+84 900 111 222"
    )
    session.commit()
    return {
        "edition": edition,
        "booth": booths[0],
        "rival_booth": booths[1],
        "staff": staff,
        "open": open_reg,
        "shy": shy_reg,
        "mai": mai,
        "shy_user": shy,
    }


def edition_now():
    from techfest.db import now_utc

    return now_utc()


def _url(booth, tail: str = "") -> str:
    return f"/2025/leads/booths/{booth.id}{tail}"


def _scan(client, booth, code, **extra):
    return client.post(_url(booth, "/scan"), json={"code": code, **extra})


def _leads(session, *where) -> int:
    fresh(session)
    return session.exec(select(func.count()).select_from(Lead).where(*where)).one()


def test_a_scan_makes_a_lead_with_rating_note_and_tags(client, auth, session, booth):
    auth.login("staff@cx.vn", PASSWORD)

    response = _scan(
        client,
        booth["booth"],
        booth["shy"].badge_code,
        rating="4",
        note="Muốn dùng thử",
        tags="logistics, follow-up",
    )

    assert response.status_code == 200
    assert (response.json["status"], response.json["name"], response.json["shared"]) == (
        "new",
        "Trần Văn An",
        False,
    )
    fresh(session)
    lead = session.exec(select(Lead)).one()
    assert (lead.rating, lead.note, lead.tags, lead.booth_id) == (
        4,
        "Muốn dùng thử",
        ["logistics", "follow-up"],
        booth["booth"].id,
    )


def test_the_badge_qr_holds_an_opaque_code_and_no_personal_data(app, session, booth):
    from techfest.printing import data

    with app.test_request_context():
        printed = {b["name"]: b["code"] for b in data.badges(session, booth["edition"])}

    code = printed["Trần Văn An"]
    assert code == booth["shy"].badge_code
    for private in ("Trần", "An", "an@example.vn", "+84 900 111 222", "Hàng hải", "2025"):
        assert private not in code
    assert len(code) >= 24


def test_a_replayed_offline_queue_makes_one_lead_per_scan(client, auth, session, booth):
    auth.login("staff@cx.vn", PASSWORD)
    queue = [
        {"code": booth["shy"].badge_code, "client_scan_id": str(uuid.uuid4())},
        {"code": booth["open"].badge_code, "client_scan_id": str(uuid.uuid4())},
    ]

    first = [_scan(client, booth["booth"], **item).json["status"] for item in queue]
    again = [_scan(client, booth["booth"], **item).json["status"] for item in queue]

    assert first == ["new", "new"]
    assert again == ["already", "already"]
    assert _leads(session) == 2


def test_a_visitor_scanned_twice_at_one_booth_is_one_lead_and_keeps_the_first_rating(
    client, auth, session, booth
):
    auth.login("staff@cx.vn", PASSWORD)

    _scan(client, booth["booth"], booth["shy"].badge_code, rating=5)
    second = _scan(client, booth["booth"], booth["shy"].badge_code, rating=1, note="lần hai")

    assert second.json["status"] == "already"
    fresh(session)
    lead = session.exec(select(Lead)).one()
    assert (lead.rating, lead.note) == (5, "lần hai")


@pytest.mark.parametrize(
    ("payload", "status", "http"),
    [
        ({"code": "no-such-badge"}, "unknown", 404),
        ({"code": ""}, "unknown", 404),
        ({"code": "x" * 500}, "unknown", 404),
        ({"code": "c", "rating": "6"}, "invalid", 400),
        ({"code": "c", "rating": "²"}, "invalid", 400),
        ({"code": "c", "client_scan_id": "not-a-uuid"}, "invalid", 400),
        ({"code": "c", "note": "x" * 1001}, "invalid", 400),
    ],
)
def test_bad_scans_are_refused_with_a_reason(client, auth, session, booth, payload, status, http):
    auth.login("staff@cx.vn", PASSWORD)
    if payload["code"] == "c":
        payload = {**payload, "code": booth["shy"].badge_code}

    response = _scan(client, booth["booth"], **payload)

    assert (response.status_code, response.json["status"]) == (http, status)
    assert response.json["message"]
    assert _leads(session) == 0


def test_staff_cannot_scan_at_or_read_another_startups_booth(client, auth, session, booth):
    auth.login("staff@cx.vn", PASSWORD)
    rival = booth["rival_booth"]

    assert _scan(client, rival, booth["shy"].badge_code).status_code == 404
    assert client.get(_url(rival)).status_code == 404
    assert client.get(_url(rival, "/leads.csv")).status_code == 404
    assert client.get(_url(rival, "/scan")).status_code == 404
    assert _leads(session) == 0


def test_a_rival_replaying_our_scan_id_gets_nothing(client, auth, session, booth):
    scan_id = str(uuid.uuid4())
    auth.login("staff@cx.vn", PASSWORD)
    _scan(client, booth["booth"], booth["open"].badge_code, client_scan_id=scan_id)
    auth.logout()
    auth.login("rival@nns.vn", PASSWORD)

    response = _scan(client, booth["rival_booth"], "whatever", client_scan_id=scan_id)

    assert response.status_code == 404
    assert b"mai@example.vn" not in response.data
    assert b"Mai" not in response.data


def test_contacts_show_only_for_a_consenting_visitor_on_every_route(client, auth, session, booth):
    auth.login("staff@cx.vn", PASSWORD)
    shy = _scan(client, booth["booth"], booth["shy"].badge_code).json
    _scan(client, booth["booth"], booth["open"].badge_code)

    pages = [
        client.get(_url(booth["booth"])).get_data(as_text=True),
        client.get(_url(booth["booth"], "/leads.csv")).get_data(as_text=True),
        client.get(shy["url"]).get_data(as_text=True),
        client.get("/2025/leads/").get_data(as_text=True),
    ]

    for page in pages:
        assert "an@example.vn" not in page
        assert "900 111 222" not in page
    assert "Trần Văn An" in pages[0]
    assert "Đại học Hàng hải" in pages[0]
    assert "mai@example.vn" in pages[0]
    assert "mai@example.vn" in pages[1]


def test_csv_export_is_utf8_with_bom_and_defuses_formulas(client, auth, session, booth):
    auth.login("staff@cx.vn", PASSWORD)
    _scan(client, booth["booth"], booth["open"].badge_code, note="=HYPERLINK(1)", rating=3)

    response = client.get(_url(booth["booth"], "/leads.csv"))

    assert response.mimetype == "text/csv"
    assert response.data.startswith("\ufeff".encode())
    lines = response.data.decode("utf-8-sig").splitlines()
    assert lines[0] == "booth,scanned_at,name,organisation,job_title,email,phone,rating,tags,note"
    assert lines[1].startswith("A01,20")
    assert (
        "Nguyễn Thị Mai,Cảng Hải Phòng,,mai@example.vn,'+84 912 345 678,3,,'=HYPERLINK(1)"
        in (lines[1])
    )


def test_the_visitor_accepts_a_request_then_withdraws(client, auth, session, booth):
    auth.login("staff@cx.vn", PASSWORD)
    lead_url = _scan(client, booth["booth"], booth["shy"].badge_code).json["url"]
    lead_id = int(lead_url.rsplit("/", 1)[1])
    asked = client.post(f"{lead_url}/ask")
    assert asked.status_code == 302
    fresh(session)
    mail = session.exec(select(OutboxEmail).where(OutboxEmail.to_email == "an@example.vn")).one()
    assert "Cảng Xanh" in mail.subject
    auth.logout()

    auth.login("an@example.vn", PASSWORD)
    page = client.get("/2025/leads/shared").get_data(as_text=True)
    assert "Cảng Xanh" in page
    client.post(f"/2025/leads/shared/{lead_id}/accept")
    auth.logout()
    auth.login("staff@cx.vn", PASSWORD)
    assert "an@example.vn" in client.get(_url(booth["booth"])).get_data(as_text=True)
    auth.logout()

    auth.login("an@example.vn", PASSWORD)
    client.post("/2025/leads/shared", data={})  # the sharing box left unticked: withdraw
    auth.logout()
    auth.login("staff@cx.vn", PASSWORD)
    assert "an@example.vn" not in client.get(_url(booth["booth"])).get_data(as_text=True)


def test_withdrawing_the_registration_consent_hides_contacts(client, auth, session, booth):
    auth.login("staff@cx.vn", PASSWORD)
    _scan(client, booth["booth"], booth["open"].badge_code)
    auth.logout()
    auth.login("mai@example.vn", PASSWORD)

    client.post("/2025/leads/shared", data={})

    fresh(session)
    reg = session.get(Registration, booth["open"].id)
    assert (reg.exhibitor_consent_version, reg.exhibitor_consent_at) == ("", None)
    auth.logout()
    auth.login("staff@cx.vn", PASSWORD)
    assert "mai@example.vn" not in client.get(_url(booth["booth"])).get_data(as_text=True)


def test_a_visitor_cannot_answer_someone_elses_lead(client, auth, session, booth):
    auth.login("staff@cx.vn", PASSWORD)
    lead_url = _scan(client, booth["booth"], booth["shy"].badge_code).json["url"]
    client.post(f"{lead_url}/ask")
    auth.logout()
    auth.login("mai@example.vn", PASSWORD)

    response = client.post(f"/2025/leads/shared/{lead_url.rsplit('/', 1)[1]}/accept")

    assert response.status_code == 404
    fresh(session)
    assert session.exec(select(Lead)).one().contact_status == "requested"


def test_registering_with_the_box_ticked_records_its_version(client, auth, session):
    edition = make_edition(session)
    ticket = make_ticket(session, edition)
    make_user(session, edition, email="new@example.vn")
    session.commit()
    auth.login("new@example.vn", PASSWORD)

    client.post(
        "/2025/registration/register",
        data={
            "ticket_type": ticket.id,
            "full_name": "Lê Văn Mới",
            "email": "new@example.vn",
            "language": "vi",
            "consent": "y",
            "share_with_exhibitors": "y",
        },
    )

    fresh(session)
    reg = session.exec(select(Registration)).one()
    assert reg.exhibitor_consent_version == "2025-10-v1"
    assert reg.exhibitor_consent_at is not None


def test_erasing_a_visitor_clears_what_exhibitors_wrote_and_keeps_the_count(
    app, client, auth, session, booth
):
    from techfest.organiser import privacy

    auth.login("staff@cx.vn", PASSWORD)
    _scan(client, booth["booth"], booth["open"].badge_code, note="Gọi lại chị Mai", tags="vip")
    fresh(session)

    with app.test_request_context():
        privacy.erase_user(
            session, session.get(type(booth["mai"]), booth["mai"].id), by_user_id=None
        )
        session.commit()

    fresh(session)
    lead = session.exec(select(Lead)).one()
    assert (lead.note, lead.tags, lead.contact_status) == ("", [], "")
    page = client.get(_url(booth["booth"])).get_data(as_text=True)
    assert "mai@example.vn" not in page
    assert "Nguyễn Thị Mai" not in page
    assert _leads(session) == 1


def test_the_dashboard_counts_leads_per_booth_and_zone(client, auth, session, booth):
    make_user(session, booth["edition"], "organiser", email="btc@techfest.vn")
    session.commit()
    auth.login("staff@cx.vn", PASSWORD)
    _scan(client, booth["booth"], booth["open"].badge_code)
    _scan(client, booth["booth"], booth["shy"].badge_code)
    auth.logout()
    auth.login("btc@techfest.vn", PASSWORD)

    per_booth = client.get("/2025/organiser/charts/leads-per-booth.csv")
    per_zone = client.get("/2025/organiser/charts/leads-per-zone.csv")

    assert per_booth.data.decode("utf-8-sig").splitlines() == ["booth,zone,leads", "A01,A,2"]
    assert per_zone.data.decode("utf-8-sig").splitlines() == ["zone,leads", "A · Khu A,2"]


def _race(app, booth, scan_ids: list[str]) -> list[str]:
    barrier = threading.Barrier(len(scan_ids))
    answers: list[str] = []
    lock = threading.Lock()

    def attempt(scan_id):
        client = app.test_client()
        client.post("/auth/login", data={"email": "staff@cx.vn", "password": PASSWORD})
        barrier.wait()
        response = client.post(
            _url(booth["booth"], "/scan"),
            json={"code": booth["shy"].badge_code, "client_scan_id": scan_id},
        )
        with lock:
            answers.append(
                response.json["status"] if response.is_json else str(response.status_code)
            )

    threads = [threading.Thread(target=attempt, args=(sid,)) for sid in scan_ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return answers


@pytest.mark.both_databases
def test_the_same_scan_id_sent_twice_and_at_once_makes_one_lead(app, session, booth, backend):
    scan_id = str(uuid.uuid4())

    answers = _race(app, booth, [scan_id] * 8)
    again = _race(app, booth, [scan_id, scan_id])

    assert sorted(answers) == ["already"] * 7 + ["new"]
    assert again == ["already", "already"]
    assert _leads(session) == 1


@pytest.mark.both_databases
def test_two_phones_scanning_one_visitor_at_once_make_one_lead(app, session, booth, backend):
    answers = _race(app, booth, [str(uuid.uuid4()) for _ in range(8)])

    assert sorted(answers) == ["already"] * 7 + ["new"]
    assert _leads(session) == 1


def test_staff_rate_and_note_a_lead_on_its_page_and_bad_tags_keep_the_text(
    client, auth, session, booth
):
    auth.login("staff2@cx.vn", PASSWORD)  # the second account of the same startup
    lead_url = _scan(client, booth["booth"], booth["shy"].badge_code).json["url"]
    page = client.get(lead_url).get_data(as_text=True)
    assert "Trần Văn An" in page
    assert "an@example.vn" not in page

    refused = client.post(lead_url, data={"rating": "2", "note": "Gặp lại", "tags": "x" * 41})
    saved = client.post(lead_url, data={"rating": "2", "note": "Gặp lại", "tags": "b2b, hot"})

    assert refused.status_code == 200
    assert "Gặp lại" in refused.get_data(as_text=True)
    assert saved.status_code == 302
    fresh(session)
    lead = session.exec(select(Lead)).one()
    assert (lead.rating, lead.note, lead.tags) == (2, "Gặp lại", ["b2b", "hot"])

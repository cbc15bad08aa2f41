"""The audit log: filtered, paginated, exported; only this edition's entries."""

import csv
import io

from techfest.core.audit import record
from tests.factories import PASSWORD, make_edition, make_user


def _log(session):
    edition = make_edition(session)
    older = make_edition(session, 2024)
    boss = make_user(session, edition, "organiser", email="boss@techfest.vn", full_name="Bà Chủ")
    helper = make_user(session, edition, "organiser", email="helper@techfest.vn")
    for n in range(55):
        record(session, "booth.approve", user_id=boss.id, edition_id=edition.id, object_id=n)
    for n in range(3):
        record(session, "matcher.publish", user_id=helper.id, edition_id=edition.id, run=n)
    record(session, "booth.approve", user_id=boss.id, edition_id=older.id, object_id=999)
    session.commit()
    return boss, helper


def test_audit_page_shows_fifty_newest_then_pages_on(client, session, auth):
    _log(session)
    auth.login("boss@techfest.vn", PASSWORD)

    first = client.get("/2025/organiser/audit").get_data(as_text=True)
    second = client.get("/2025/organiser/audit?page=2").get_data(as_text=True)

    assert first.count("<code>matcher.publish</code>") == 3
    assert first.count("<code>booth.approve</code>") == 47
    assert second.count("<code>booth.approve</code>") == 8


def test_audit_filters_by_action_and_person(client, session, auth):
    _boss, helper = _log(session)
    auth.login("boss@techfest.vn", PASSWORD)

    by_action = client.get("/2025/organiser/audit?action=matcher.publish").get_data(as_text=True)
    by_user = client.get(f"/2025/organiser/audit?user={helper.id}").get_data(as_text=True)

    assert by_action.count("<code>matcher.publish</code>") == 3
    assert "<code>booth.approve</code>" not in by_action
    assert by_user.count("<code>matcher.publish</code>") == 3
    assert "<code>booth.approve</code>" not in by_user


def test_audit_csv_exports_every_filtered_entry_of_this_edition(client, session, auth):
    boss, _helper = _log(session)
    auth.login("boss@techfest.vn", PASSWORD)

    everything = client.get("/2025/organiser/audit.csv").get_data(as_text=True)
    approvals = client.get("/2025/organiser/audit.csv?action=booth.approve")

    rows = list(csv.DictReader(io.StringIO(everything.lstrip("\ufeff"))))
    assert len(rows) == 58
    assert {r["object_id"] for r in rows}.isdisjoint({"999"})
    approval_rows = list(csv.DictReader(io.StringIO(approvals.get_data(as_text=True)[1:])))
    assert len(approval_rows) == 55
    assert approval_rows[0] == {
        "time_utc": approval_rows[0]["time_utc"],
        "action": "booth.approve",
        "user_id": str(boss.id),
        "user_email": "boss@techfest.vn",
        "object_type": "",
        "object_id": "0",
        "details": "{}",
    }


def test_audit_details_are_shown_readably(client, session, auth):
    edition = make_edition(session)
    boss = make_user(session, edition, "organiser", email="boss@techfest.vn")
    record(session, "booth.reject", user_id=boss.id, edition_id=edition.id, reason="Hết chỗ")
    session.commit()
    auth.login("boss@techfest.vn", PASSWORD)

    body = client.get("/2025/organiser/audit").get_data(as_text=True)

    assert "reason:</span> Hết chỗ" in body

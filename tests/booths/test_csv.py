"""Booth CSV export and import through the organiser's pages: all rows or none."""

from __future__ import annotations

import io

from sqlmodel import select

from techfest.booths.models import Booth
from techfest.core.models import AuditLog
from tests.booths.conftest import make_booking

BASE = "/2025/booths"
HEADER = "code,zone,size,price_vnd,x,y,w,h,status"


def upload(client, text: str):
    return client.post(
        f"{BASE}/manage/import",
        data={"file": (io.BytesIO(text.encode("utf-8")), "booths.csv")},
        content_type="multipart/form-data",
    )


def booths(session) -> list[tuple]:
    session.rollback()
    return session.exec(
        select(Booth.code, Booth.size, Booth.price_vnd, Booth.x, Booth.y, Booth.status).order_by(
            Booth.code
        )
    ).all()


def test_export_lists_every_booth_with_its_zone(client, auth, session, plan):
    auth.login(plan.organiser.email)

    response = client.get(f"{BASE}/manage/booths.csv")

    lines = response.get_data(as_text=True).lstrip("\ufeff").splitlines()
    assert response.mimetype == "text/csv"
    assert lines == [
        HEADER,
        "A01,A,S,8000000,30,100,30,30,open",
        "A02,A,S,8000000,60,100,30,30,open",
        "A03,A,S,8000000,90,100,30,30,open",
        "A04,A,S,8000000,120,100,30,30,open",
    ]


def test_export_then_import_changes_nothing(client, auth, session, plan):
    auth.login(plan.organiser.email)
    before = booths(session)
    exported = client.get(f"{BASE}/manage/booths.csv").get_data(as_text=True)

    response = upload(client, exported)

    assert response.status_code == 302
    assert booths(session) == before


def test_import_creates_and_updates_by_code(client, auth, session, plan):
    auth.login(plan.organiser.email)
    rows = ["A01,A,M,9000000,30,100,30,30,", "b01,a,l,20000000,600,400,60,60,blocked"]

    response = upload(client, "\n".join([HEADER, *rows]))

    assert response.status_code == 302
    assert booths(session) == [
        ("A01", "M", 9000000, 30, 100, "open"),
        ("A02", "S", 8000000, 60, 100, "open"),
        ("A03", "S", 8000000, 90, 100, "open"),
        ("A04", "S", 8000000, 120, 100, "open"),
        ("B01", "L", 20000000, 600, 400, "blocked"),
    ]
    assert session.exec(select(AuditLog.action)).all() == ["booth.import"]


def test_import_with_one_bad_row_changes_nothing_and_names_each_error(client, auth, session, plan):
    auth.login(plan.organiser.email)
    client.get("/lang/en")
    before = booths(session)
    rows = [
        "B01,A,S,1000000,600,400,30,30,",
        "B02,Z,S,1000000,700,400,30,30,",
        "B03,A,XL,ten,800,400,30,30,",
    ]

    response = upload(client, "\n".join([HEADER, *rows]))

    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Nothing was imported: 3 problem(s) in 3 row(s)." in body
    assert "<td>3</td><td>zone</td><td>No zone with this code.</td>" in body
    assert "<td>4</td><td>size</td><td>Size must be S, M or L.</td>" in body
    assert "<td>4</td><td>price_vnd</td><td>Enter a whole number.</td>" in body
    assert booths(session) == before


def test_import_refuses_overlaps_and_duplicate_codes(client, auth, session, plan):
    auth.login(plan.organiser.email)
    client.get("/lang/en")
    before = booths(session)
    rows = [
        "B01,A,S,1000000,600,400,30,30,",
        "B02,A,S,1000000,610,410,30,30,",
        "B01,A,S,1000000,900,400,30,30,",
        "B03,A,S,1000000,40,100,30,30,",
    ]

    response = upload(client, "\n".join([HEADER, *rows]))

    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "<td>2</td><td>x</td><td>This place overlaps booth B02.</td>" in body
    assert "<td>3</td><td>x</td><td>This place overlaps booth B01.</td>" in body
    assert "<td>4</td><td>code</td><td>Code B01 appears twice in the file.</td>" in body
    assert "<td>5</td><td>x</td><td>This place overlaps booth A01.</td>" in body
    assert booths(session) == before


def test_import_cannot_block_a_booked_booth(client, auth, session, plan):
    make_booking(session, plan.booth("A01"), plan.startup, "approved")
    session.commit()
    auth.login(plan.organiser.email)
    client.get("/lang/en")

    response = upload(client, "\n".join([HEADER, "A01,A,S,8000000,30,100,30,30,blocked"]))

    assert response.status_code == 422
    assert "cancel the booking before blocking it" in response.get_data(as_text=True)
    assert booths(session)[0][-1] == "open"


def test_import_of_an_unreadable_file_says_so(client, auth, session, plan):
    auth.login(plan.organiser.email)
    client.get("/lang/en")

    response = client.post(
        f"{BASE}/manage/import",
        data={"file": (io.BytesIO(b"code\x81\x8d,zone\n"), "booths.csv")},
        content_type="multipart/form-data",
    )

    assert response.status_code == 422
    assert "text encoding is not recognised" in response.get_data(as_text=True)

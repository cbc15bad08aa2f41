"""The agenda's hall map: tables have codes of their own, the person's booths and tables
are drawn with their codes, the legend names what is drawn, waitlisted sessions show."""

from __future__ import annotations

import base64
import re

from sqlmodel import select

from techfest.booths.models import Booth
from techfest.matchmaking.models import MeetingTable
from techfest.printing import data, services
from tests.factories import PASSWORD
from tests.printing.test_agendas import my_agenda, pdf_text


def _agenda_of(app, session, festival, user):
    with app.test_request_context():
        people = data.agenda_people(session, festival.edition, [user.id])
        ctx = data.edition_context(session, festival.edition, services.agenda_url(festival.edition))
        return ctx, data.agendas(session, ctx, people)[0]


def _overlay(agenda) -> str:
    uri = agenda["map"]["marks"]
    assert uri.startswith("data:image/svg+xml;base64,")
    return base64.b64decode(uri.split(",", 1)[1]).decode()


def test_startup_agenda_names_table_at_its_booth_and_the_legend_lists_what_is_drawn(
    client, auth, festival
):
    text = pdf_text(my_agenda(client, auth, "founder@example.vn").data)[0]

    # the table at booth A05 says so where the meeting is listed and in the legend
    assert "T01 · tại gian A05 · Khu kết nối, dãy 1" in text
    assert "T02 · Khu kết nối, dãy 1" in text
    assert "Gian hàng của bạn: A03" in text
    assert "Bàn gặp của bạn: T01 (tại gian A05), T02" in text
    # no table carries a booth's code
    assert "B01" not in text
    assert "B02" not in text


def test_english_investor_legend_is_in_english(client, auth, festival):
    text = pdf_text(my_agenda(client, auth, "investor@example.vn").data)[0]

    assert "T01 · at booth A05 · Connection area, row 1" in text
    assert "Your meeting tables: T01 (at booth A05)" in text
    # an investor has no booth: the legend does not promise one
    assert "Your booth" not in text


def test_overlay_draws_and_labels_each_booth_and_table_of_the_legend(app, session, festival):
    ctx, agenda = _agenda_of(app, session, festival, festival.founder)
    svg = _overlay(agenda)

    labels = re.findall(r">([^<>]+)</text>", svg)
    assert sorted(labels) == ["A03", "T01", "T02"]
    assert agenda["map"]["booths"] == ["A03"]
    assert [t["code"] for t in agenda["map"]["tables"]] == ["T01", "T02"]
    # A03 (the startup's booth) and A05 (where table T01 stands) are filled where they are
    booths = {
        b.code: b
        for b in session.exec(select(Booth).where(Booth.edition_id == festival.edition.id))
    }
    for code in ("A03", "A05"):
        b = booths[code]
        assert f'<rect x="{b.x:.1f}" y="{b.y:.1f}" width="{b.w:.1f}" height="{b.h:.1f}"' in svg
    # T02 stands at no booth: it is drawn in the hall's meeting area
    t02 = ctx.table_rects[festival.tables[1].id]
    area = next(a for a in ctx.hall.areas if a.code == "MEET")
    assert area.x <= t02.x
    assert t02.x + t02.w <= area.x + area.w
    assert area.y <= t02.y
    assert t02.y + t02.h <= area.y + area.h


def test_delegate_without_booth_or_table_gets_no_marks_and_no_promise(app, session, festival):
    _ctx, agenda = _agenda_of(app, session, festival, festival.mai)

    assert agenda["map"]["marks"] == ""
    assert agenda["map"]["booths"] == []
    assert agenda["map"]["tables"] == []


def test_map_names_zones_in_the_reader_language(app, session, festival):
    ctx, _agenda = _agenda_of(app, session, festival, festival.mai)

    assert [(z.name_vi, z.name_en) for z in ctx.hall.zones] == [("Khu A", "Zone A")]
    # the names are drawn into the base image, so each language has its own
    with app.test_request_context():
        assert ctx.hall.base_uri("vi") != ctx.hall.base_uri("en")


def test_waitlisted_session_is_printed_as_waitlisted(client, auth, festival):
    text = pdf_text(my_agenda(client, auth, "founder@example.vn").data)[0]

    assert re.search(r"DANH SÁCH CHỜ\s*Chuyển đổi số toàn diện", text)
    assert "Danh sách chờ: thứ 1" in text


def test_personal_agenda_page_lists_waitlisted_session_and_table_place(client, auth, festival):
    auth.login("founder@example.vn", PASSWORD)

    body = client.get("/2025/programme/agenda").get_data(as_text=True)

    assert "Danh sách chờ: thứ 1" in body
    assert "T01 · tại gian A05 · Khu kết nối, dãy 1" in body


def test_tables_the_organiser_adds_are_coded_apart_from_booths(client, auth, session, festival):
    auth.login("org@example.vn", PASSWORD)

    response = client.post("/2025/matchmaking/admin/tables", data={"count": 3, "booth_code": "A06"})

    assert response.status_code == 302
    rows = session.exec(
        select(MeetingTable.label, Booth.code)
        .outerjoin(Booth, Booth.id == MeetingTable.booth_id)
        .where(MeetingTable.edition_id == festival.edition.id)
        .order_by(MeetingTable.number)
    ).all()
    assert rows == [("T01", "A05"), ("T02", None), ("T03", "A06"), ("T04", "A06"), ("T05", "A06")]

"""Bulk printing: commands, the organiser's print jobs, sheets, booklet and badges."""

from __future__ import annotations

import io
import json

from pypdf import PdfReader
from sqlmodel import select

from techfest.core.models import AuditLog
from techfest.printing import render
from techfest.printing.models import Document
from tests.factories import PASSWORD, make_edition, make_user
from tests.printing.test_agendas import pdf_text


def cli(app, *args):
    return app.test_cli_runner().invoke(args=list(args), catch_exceptions=False)


def test_print_agendas_writes_combined_and_one_pdf_per_person(app, session, festival, tmp_path):
    result = cli(app, "print-agendas", "--out", str(tmp_path), "--per-person", "--workers", "1")

    assert result.exit_code == 0, result.output
    combined = pdf_text((tmp_path / "agendas-2025.pdf").read_bytes())
    people = sorted(p.name for p in (tmp_path / "agendas").iterdir())
    # Mai and the founder are registered; Sarah Lim and Đỗ Minh Khoa are investors
    assert len(combined) == 4
    assert len(people) == 4
    by_name = {name.split("-", 1)[1]: name for name in people}
    mai = pdf_text((tmp_path / "agendas" / by_name["agenda-2025-nguyen-thi-mai.pdf"]).read_bytes())
    assert len(mai) == 1
    assert "Nguyễn Thị Mai" in mai[0]
    assert "Trần Quốc Bảo" not in mai[0]
    stored = session.exec(select(Document).where(Document.kind == "agenda")).all()
    assert len(stored) == 4
    assert {d.pages for d in stored} == {1}


def test_print_agendas_twice_renders_nothing_new(app, session, festival, tmp_path):
    cli(app, "print-agendas", "--out", str(tmp_path), "--workers", "1")
    first = session.exec(select(Document).where(Document.kind == "agendas")).one()

    result = cli(app, "print-agendas", "--out", str(tmp_path), "--workers", "1")

    assert "unchanged since the last print" in result.output
    session.expire_all()
    again = session.exec(select(Document).where(Document.kind == "agendas")).one()
    assert (again.id, again.created_at) == (first.id, first.created_at)


def test_bulk_agendas_match_single_rendering(app, session, festival, client, auth):
    cli(app, "print-agendas", "--out", "/tmp/unused-print-output", "--workers", "1")
    bulk = session.exec(
        select(Document).where(Document.kind == "agenda", Document.owner_user_id == festival.mai.id)
    ).one()

    auth.login("mai@example.vn", PASSWORD)
    response = client.get("/2025/printing/my-agenda.pdf")

    # the same data: the stored document is served, not rendered again
    assert pdf_text(response.data) == pdf_text(bulk.pdf)


def test_render_many_in_two_workers_splits_per_document():
    parts = [(f"<h1>Người {i}: Đặng Thị Ánh Tuyết</h1>", "vi") for i in range(7)]
    parts[3] = ("<h1>Hai trang</h1><p class='sheet'>x</p>" + "<p>dòng</p>" * 120, "vi")

    combined, pdfs, pages = render.render_many(parts, workers=2, chunk_size=3)

    assert pages == [1, 1, 1, 3, 1, 1, 1]
    assert len(PdfReader(io.BytesIO(combined)).pages) == 9
    assert [len(pdf_text(p)) for p in pdfs] == pages
    assert "Người 6: Đặng Thị Ánh Tuyết" in pdf_text(pdfs[6])[0]


def test_render_many_keeps_each_documents_bookmarks_and_language():
    parts = [("<h1>Nguyễn Thị Mai</h1><h2>Thứ Năm</h2>", "vi"), ("<h1>Sarah Lim</h1>", "en")]
    parts += [(f"<h1>Người {i}</h1>", "vi") for i in range(3)]

    combined, pdfs, _pages = render.render_many(parts, workers=1, chunk_size=2)

    outline = PdfReader(io.BytesIO(combined)).outline
    titles = [entry["/Title"] for entry in outline if not isinstance(entry, list)]
    assert titles == ["Nguyễn Thị Mai", "Sarah Lim", "Người 0", "Người 1", "Người 2"]
    assert [entry["/Title"] for entry in outline[1]] == ["Thứ Năm"]
    english = PdfReader(io.BytesIO(pdfs[1]))
    assert english.trailer["/Root"]["/Lang"] == "en"
    assert [entry["/Title"] for entry in english.outline] == ["Sarah Lim"]


def test_local_only_fetcher_refuses_network_and_files_outside_static():
    fetcher = render.local_only_fetcher()
    font = (render.STATIC_DIR / "fonts" / "BeVietnamPro-Regular.ttf").as_uri()

    assert fetcher(font).read(4) == b"\x00\x01\x00\x00"
    for url in (
        "http://example.com/x.png",
        "file:///etc/passwd",
        f"{font}/../../../pyproject.toml",
    ):
        try:
            fetcher(url)
        except ValueError:
            continue
        raise AssertionError(f"fetched {url}")


def test_table_sheets_show_each_slot_and_the_pair(app, festival, tmp_path):
    result = cli(app, "print-sheets", "--kind", "tables", "--out", str(tmp_path))

    assert result.exit_code == 0, result.output
    pages = pdf_text((tmp_path / "table-sheets-2025-vi.pdf").read_bytes())
    assert len(pages) == 2
    assert "Bàn T01" in pages[0]
    # the table stands at a booth: the door sheet says which one
    assert "tại gian A05 · Khu kết nối, dãy 1" in pages[0]
    assert "tại gian" not in pages[1]
    assert "13:30–13:50" in pages[0]
    assert "Công ty Cổ phần Cảng Thông Minh" in pages[0]
    assert "Quỹ Đầu tư Sóng Biển" in pages[0]
    assert "Mekong Capital Partners" in pages[1]
    # the draft meeting at 13:55 is not on the door
    assert "Mekong Capital Partners" not in pages[0]


def test_room_sheets_show_sessions_speakers_and_sign_ups(app, festival, tmp_path):
    result = cli(app, "print-sheets", "--kind", "rooms", "--lang", "en", "--out", str(tmp_path))

    assert result.exit_code == 0, result.output
    pages = pdf_text((tmp_path / "room-sheets-2025-en.pdf").read_bytes())
    assert len(pages) == 2
    assert "Main hall" in pages[0]
    assert "Techfest Hai Phong opening" in pages[0]
    assert "Lê Văn Hùng" in pages[0]
    assert "2 / 300" in pages[0]
    assert "Workshop room 2" in pages[1]
    assert "1 / 40" in pages[1]


def test_booklet_is_bilingual_by_day_and_track(app, festival, tmp_path):
    result = cli(app, "print-booklet", "--out", str(tmp_path))

    assert result.exit_code == 0, result.output
    text = " ".join(pdf_text((tmp_path / "programme-2025.pdf").read_bytes()))
    assert "Trí tuệ nhân tạo cho cảng biển" in text
    assert "AI for seaports" in text
    assert "Hội thảo" in text
    assert "Workshops" in text
    assert "Thứ Năm, 9 tháng 10, 2025" in text or "Thứ Năm, 9 tháng 10 2025" in text
    assert "Thursday, 9 October 2025" in text


def test_badges_four_per_a4_or_one_per_a6(app, festival, tmp_path):
    a4 = cli(app, "print-badges", "--out", str(tmp_path), "--workers", "1")
    a6 = cli(app, "print-badges", "--layout", "a6", "--out", str(tmp_path), "--workers", "1")

    assert a4.exit_code == 0, a4.output
    assert a6.exit_code == 0, a6.output
    sheets = PdfReader(tmp_path / "badges-2025-a4.pdf")
    single = PdfReader(tmp_path / "badges-2025-a6.pdf")
    assert len(sheets.pages) == 1
    assert len(single.pages) == 2
    assert round(float(single.pages[0].mediabox.width) / 72 * 25.4) == 105
    text = sheets.pages[0].extract_text()
    assert "Nguyễn Thị Mai" in text
    assert "Sở Khoa học và Công nghệ Hải Phòng" in text


def test_organiser_starts_print_job_and_downloads_result(client, auth, session, festival):
    auth.login("org@example.vn", PASSWORD)

    page = client.get("/2025/printing/")
    started = client.post("/2025/printing/print/booklet")
    job_id = int(started.headers["Location"].split("job=")[1])
    status = client.get(f"/2025/printing/jobs/{job_id}.json")

    assert page.status_code == 200
    assert "js/printing.js" in page.get_data(as_text=True)
    body = json.loads(status.data)
    assert (body["status"], body["progress"]) == ("done", 100)
    download = client.get(body["download_url"])
    assert download.mimetype == "application/pdf"
    assert "AI for seaports" in " ".join(pdf_text(download.data))
    entry = session.exec(select(AuditLog).where(AuditLog.action == "printing.bulk")).one()
    assert entry.details["kind"] == "booklet"


def test_print_job_of_other_edition_is_not_found(client, auth, session, festival):
    other = make_edition(session, 2024)
    make_user(session, other, "organiser", email="org2024@example.vn")
    session.commit()
    auth.login("org@example.vn", PASSWORD)
    started = client.post("/2025/printing/print/booklet")
    job_id = int(started.headers["Location"].split("job=")[1])
    doc_id = json.loads(client.get(f"/2025/printing/jobs/{job_id}.json").data)["document_id"]
    auth.logout()

    auth.login("org2024@example.vn", PASSWORD)
    job = client.get(f"/2024/printing/jobs/{job_id}.json")
    doc = client.get(f"/2024/printing/documents/{doc_id}.pdf")
    foreign = client.get(f"/2025/printing/documents/{doc_id}.pdf")

    assert (job.status_code, doc.status_code, foreign.status_code) == (404, 404, 403)


def test_delegate_cannot_use_organiser_printing(client, auth, festival):
    auth.login("mai@example.vn", PASSWORD)

    responses = [
        client.get("/2025/printing/").status_code,
        client.post("/2025/printing/print/agendas").status_code,
    ]

    assert responses == [403, 403]


def test_unknown_document_kind_is_refused_with_message(client, auth, festival):
    auth.login("org@example.vn", PASSWORD)

    response = client.post("/2025/printing/print/menus", follow_redirects=True)

    assert response.status_code == 200
    assert "Không có loại tài liệu này." in response.get_data(as_text=True)


def test_badge_layout_not_offered_is_refused_with_message(client, auth, festival):
    auth.login("org@example.vn", PASSWORD)

    response = client.post(
        "/2025/printing/print/badges", data={"badges-layout": "a3"}, follow_redirects=True
    )

    assert response.status_code == 200
    assert "Hãy chọn tài liệu cần in." in response.get_data(as_text=True)


def test_benchmark_quick_mode_runs(capsys):
    from benchmarks.bench_printing import main

    main(["--quick", "--workers", "1"])

    out = capsys.readouterr().out
    assert "fast path:" in out
    assert "baseline:" in out
    assert "ratio:" in out


def test_print_page_shows_organisers_no_shell_command(client, auth, festival):
    auth.login("org@example.vn", PASSWORD)

    page = client.get("/2025/printing/").get_data(as_text=True)

    assert "In hàng loạt" in page or "PDF" in page
    assert "pdftoppm" not in page


def _idle_delegates(session, festival, count: int) -> None:
    """Confirmed delegates with no session and no meeting."""
    from techfest.registration.models import TicketType
    from tests.printing.conftest import register

    ticket = session.exec(
        select(TicketType).where(TicketType.edition_id == festival.edition.id)
    ).first()
    for i in range(count):
        user = make_user(
            session,
            festival.edition,
            "delegate",
            email=f"idle{i}@example.vn",
            full_name=f"Đại biểu Rảnh {i}",
        )
        register(session, festival.edition, user, ticket)
    session.commit()


def test_bulk_agendas_skip_people_with_nothing_booked_and_say_how_many(
    client, auth, session, festival
):
    _idle_delegates(session, festival, 2)
    auth.login("org@example.vn", PASSWORD)

    started = client.post("/2025/printing/print/agendas")
    job_id = int(started.headers["Location"].split("job=")[1])
    status = json.loads(client.get(f"/2025/printing/jobs/{job_id}.json").data)
    page = client.get(f"/2025/printing/?job={job_id}").get_data(as_text=True)

    assert (status["status"], status["skipped"]) == ("done", 2)
    pages = pdf_text(client.get(status["download_url"]).data)
    assert len(pages) == 4
    assert not any("Đại biểu Rảnh" in text for text in pages)
    assert "2 người không có phiên nào và không có cuộc gặp nào nên không được in trang." in page
    # the page's live job box has the sentence to fill in too
    assert 'data-text-skipped="{n} người không có phiên nào' in page
    # an idle delegate still gets their own (empty) agenda on demand
    auth.logout()
    auth.login("idle0@example.vn", PASSWORD)
    own = client.get("/2025/printing/my-agenda.pdf")
    assert own.status_code == 200
    assert "Đại biểu Rảnh 0" in pdf_text(own.data)[0]


def test_print_agendas_command_says_how_many_were_left_out(app, session, festival, tmp_path):
    _idle_delegates(session, festival, 3)

    result = cli(app, "print-agendas", "--out", str(tmp_path), "--per-person", "--workers", "1")

    assert "4 agendas (3 with nothing booked left out)" in result.output
    assert len(list((tmp_path / "agendas").iterdir())) == 4

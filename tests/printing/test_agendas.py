"""Personal agendas: what they show, one page each, rendered again only when data changed."""

from __future__ import annotations

import io

from pypdf import PdfReader
from sqlmodel import select

from techfest.printing.models import Document
from techfest.programme.models import SessionSignup
from tests.factories import PASSWORD, make_user
from tests.printing.conftest import LONG_NAME, LONG_TITLE


def pdf_text(pdf: bytes) -> list[str]:
    """The text of each page, whitespace collapsed."""
    reader = PdfReader(io.BytesIO(pdf))
    return [" ".join(page.extract_text().split()) for page in reader.pages]


def my_agenda(client, auth, email: str):
    auth.login(email, PASSWORD)
    return client.get("/2025/printing/my-agenda.pdf")


def test_my_agenda_lists_sessions_times_and_rooms_in_vietnamese(client, auth, festival):
    response = my_agenda(client, auth, "mai@example.vn")

    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    pages = pdf_text(response.data)
    assert len(pages) == 1
    text = pages[0]
    assert "Nguyễn Thị Mai" in text
    assert "Trung tâm Hội nghị và Biểu diễn Thành phố" in text
    assert "Khai mạc Techfest Hải Phòng" in text
    assert "09:00–10:30" in text
    assert "Hội trường lớn" in text
    assert "Tầng 1, cửa chính" in text
    assert "Trí tuệ nhân tạo cho cảng biển" in text
    assert "14:00–15:30" in text
    assert "Phòng hội thảo 2" in text


def test_my_agenda_of_startup_shows_published_meetings_with_reason_and_table(
    client, auth, festival
):
    response = my_agenda(client, auth, "founder@example.vn")

    text = pdf_text(response.data)[0]
    assert "Quỹ Đầu tư Sóng Biển" in text
    assert "Sarah Lim" in text
    assert "13:30–13:50" in text
    assert "T01" in text
    assert "Khu kết nối, dãy 1" in text
    assert "Cùng quan tâm logistics cảng biển" in text
    assert "Mekong Capital Partners" in text
    assert "14:20–14:40" in text
    # the draft meeting at 13:55 is not published: not printed
    assert "13:55" not in text
    assert "A03" in text


def test_my_agenda_of_english_investor_is_in_english(client, auth, festival):
    response = my_agenda(client, auth, "investor@example.vn")

    text = pdf_text(response.data)[0]
    assert "Sarah Lim" in text
    assert "Personal agenda" in text
    assert "Công ty Cổ phần Cảng Thông Minh" in text
    assert "Trần Quốc Bảo" in text
    assert "Both focus on port logistics" in text
    assert "Connection area, row 1" in text
    assert "Friday, 10 October 2025" in text


def test_my_agenda_is_rendered_again_only_when_data_changed(client, auth, session, festival):
    first = my_agenda(client, auth, "mai@example.vn")
    stored = session.exec(select(Document).where(Document.kind == "agenda")).one()
    first_id, first_hash = stored.id, stored.content_hash

    again = client.get("/2025/printing/my-agenda.pdf")
    session.expire_all()
    unchanged = session.exec(select(Document).where(Document.kind == "agenda")).one()
    assert again.data == first.data
    assert (unchanged.id, unchanged.content_hash, unchanged.created_at) == (
        first_id,
        first_hash,
        stored.created_at,
    )

    signup = session.exec(
        select(SessionSignup).where(
            SessionSignup.user_id == festival.mai.id,
            SessionSignup.session_id == festival.sessions["ai"].id,
        )
    ).one()
    signup.status = "cancelled"
    session.add(signup)
    session.commit()
    changed = client.get("/2025/printing/my-agenda.pdf")

    session.expire_all()
    rows = session.exec(select(Document).where(Document.kind == "agenda")).all()
    assert len(rows) == 1
    assert rows[0].content_hash != first_hash
    assert "Trí tuệ nhân tạo cho cảng biển" not in pdf_text(changed.data)[0]


def test_long_vietnamese_name_and_title_wrap_on_one_page(client, auth, session, festival):
    from tests.printing.conftest import sign_up

    user = make_user(
        session,
        festival.edition,
        "startup",
        email="long@example.vn",
        full_name=LONG_NAME,
        organisation=festival.startup,
    )
    sign_up(session, festival.sessions["long"], user)
    session.commit()

    response = my_agenda(client, auth, "long@example.vn")

    pages = pdf_text(response.data)
    assert len(pages) == 1
    compact = pages[0].replace(" ", "")
    assert LONG_NAME.replace(" ", "") in compact
    assert LONG_TITLE.replace(" ", "") in compact


def test_my_agenda_without_registration_answers_not_found(client, auth, session, festival):
    make_user(session, festival.edition, "delegate", email="new@example.vn")
    session.commit()

    response = my_agenda(client, auth, "new@example.vn")

    assert response.status_code == 404
    assert "agenda" in response.get_data(as_text=True)


def test_my_agenda_requires_login(client, festival):
    response = client.get("/2025/printing/my-agenda.pdf")

    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]

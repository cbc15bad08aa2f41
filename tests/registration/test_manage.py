"""Organiser pages: ticket types, the registration list, CSV export and import."""

import csv
import io

import pytest
from sqlmodel import select

from techfest.auth.models import User
from techfest.core.models import AuditLog, EditionRole
from techfest.registration.models import TicketType
from tests.factories import PASSWORD, local, make_edition, make_user
from tests.factories.registration import make_ticket
from tests.registration.conftest import outbox, register, registrations

URL = "/2025/registration/manage"


def ticket_form(**overrides) -> dict:
    data = {
        "code": "vip",
        "name_vi": "Thẻ VIP",
        "name_en": "VIP pass",
        "price_vnd": "1500000",
        "capacity": "200",
        "sale_starts_at": "2025-08-01T08:00",
        "sale_ends_at": "2025-10-08T23:59",
        "is_public": "y",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def upload(client, text: str | bytes, url: str = URL + "/import"):
    data = text.encode("utf-8") if isinstance(text, str) else text
    return client.post(
        url,
        data={"file": (io.BytesIO(data), "delegates.csv")},
        content_type="multipart/form-data",
    )


def audit(session, action: str) -> list[AuditLog]:
    session.expire_all()
    return list(session.exec(select(AuditLog).where(AuditLog.action == action)))


@pytest.mark.parametrize("path", ["/", "/tickets/", "/tickets/new", "/import", "/export.csv"])
def test_manage_pages_refuse_delegate(client, session, auth, edition, delegate, path):
    auth.login(delegate.email, PASSWORD)

    assert client.get(URL + path).status_code == 403


def test_manage_pages_refuse_organiser_of_another_edition(client, session, auth, edition):
    older = make_edition(session, 2024)
    make_user(session, older, role="organiser", email="btc2024@techfest.vn")
    session.commit()
    auth.login("btc2024@techfest.vn", PASSWORD)

    assert client.get(URL + "/").status_code == 403
    assert client.get("/2024/registration/manage/").status_code == 200


def test_manage_anonymous_goes_to_login(client, edition):
    response = client.get(URL + "/")

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login")


def test_ticket_create_stores_local_times_as_utc_and_audits(client, session, auth, organiser):
    auth.login(organiser.email, PASSWORD)

    response = client.post(URL + "/tickets/new", data=ticket_form())

    assert response.status_code == 302
    ticket = session.exec(select(TicketType)).one()
    assert (ticket.code, ticket.name_vi, ticket.price_vnd, ticket.capacity, ticket.is_public) == (
        "VIP",
        "Thẻ VIP",
        1500000,
        200,
        True,
    )
    assert ticket.sale_starts_at == local(2025, 8, 1, 8, 0)
    assert ticket.sale_ends_at == local(2025, 10, 8, 23, 59)
    (entry,) = audit(session, "ticket_type.create")
    assert (entry.user_id, entry.object_id, entry.details["code"]) == (
        organiser.id,
        str(ticket.id),
        "VIP",
    )


def test_ticket_create_rejects_bad_values_and_keeps_them(client, session, auth, organiser):
    auth.login(organiser.email, PASSWORD)

    response = client.post(
        URL + "/tickets/new",
        data=ticket_form(
            code="vé vip", capacity="-3", price_vnd="nhiều", sale_ends_at="2025-07-01T08:00"
        ),
    )

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Chỉ dùng chữ in hoa, chữ số, - và _ (ví dụ DELEGATE, VIP-2)." in page
    assert "Số phải nằm trong khoảng từ 0 đến 1000000." in page
    assert "Vui lòng nhập một số nguyên." in page
    assert "Thời điểm kết thúc mở bán phải sau thời điểm bắt đầu." in page
    assert 'value="Thẻ VIP"' in page
    assert session.exec(select(TicketType)).all() == []


def test_ticket_create_refuses_duplicate_code(client, session, auth, edition, organiser):
    make_ticket(session, edition, "VIP")
    session.commit()
    auth.login(organiser.email, PASSWORD)

    response = client.post(URL + "/tickets/new", data=ticket_form())

    assert "Một loại thẻ khác của kỳ này đã dùng mã này." in response.get_data(as_text=True)
    assert len(session.exec(select(TicketType)).all()) == 1


def test_ticket_edit_refuses_capacity_below_places_taken(client, session, auth, edition, organiser):
    ticket = make_ticket(session, edition, "VIP", capacity=2)
    register(session, edition, make_user(session, edition), ticket)
    register(session, edition, make_user(session, edition), ticket)
    session.commit()
    auth.login(organiser.email, PASSWORD)

    response = client.post(URL + f"/tickets/{ticket.id}/edit", data=ticket_form(capacity="1"))

    assert "Đã có 2 người giữ loại thẻ này; sức chứa không thể thấp hơn." in (
        response.get_data(as_text=True)
    )
    session.expire_all()
    assert session.get(TicketType, ticket.id).capacity == 2


def test_ticket_edit_raising_capacity_promotes_waitlist_in_order(
    client, session, auth, edition, organiser
):
    ticket = make_ticket(session, edition, "VIP", capacity=1)
    register(session, edition, make_user(session, edition), ticket)
    first = make_user(session, edition, email="first@example.vn")
    register(session, edition, first, ticket)
    second = make_user(session, edition, email="second@example.vn")
    register(session, edition, second, ticket)
    third = make_user(session, edition, email="third@example.vn")
    register(session, edition, third, ticket)
    session.commit()
    auth.login(organiser.email, PASSWORD)

    # a free ticket: promotion confirms at once (a paid one holds the place for payment)
    client.post(URL + f"/tickets/{ticket.id}/edit", data=ticket_form(capacity="3", price_vnd="0"))

    statuses = [r.status for r in registrations(session)]
    assert statuses == ["confirmed", "confirmed", "confirmed", "waitlisted"]
    assert session.get(TicketType, ticket.id).confirmed_count == 3
    assert [m.subject for m in outbox(session, "second@example.vn")][-1] == (
        "Bạn đã có chỗ tại Techfest Hải Phòng 2025"
    )
    (entry,) = audit(session, "ticket_type.update")
    assert entry.details["changes"]["capacity"] == ["1", "3"]


def test_ticket_edit_of_another_edition_answers_404(client, session, auth, edition, organiser):
    older = make_edition(session, 2024)
    ticket = make_ticket(session, older, "OLD")
    session.commit()
    auth.login(organiser.email, PASSWORD)

    assert client.get(URL + f"/tickets/{ticket.id}/edit").status_code == 404


def test_ticket_list_shows_counts(client, session, auth, edition, organiser):
    ticket = make_ticket(session, edition, "VIP", capacity=1)
    register(session, edition, make_user(session, edition), ticket)
    register(session, edition, make_user(session, edition), ticket)
    session.commit()
    auth.login(organiser.email, PASSWORD)

    page = client.get(URL + "/tickets/").get_data(as_text=True)

    assert "<code>VIP</code>" in page
    assert f"/2025/registration/manage/tickets/{ticket.id}/edit" in page


def test_list_filters_by_status_ticket_and_text_with_counts(
    client, session, auth, edition, organiser
):
    vip = make_ticket(session, edition, "VIP", capacity=1)
    free = make_ticket(session, edition, "FREE", capacity=10)
    register(session, edition, make_user(session, edition), vip, full_name="Lê Văn An")
    register(session, edition, make_user(session, edition), vip, full_name="Phạm Thị Bình")
    register(
        session,
        edition,
        make_user(session, edition),
        free,
        full_name="Đỗ Minh Châu",
        organisation_name="Cảng Đình Vũ",
    )
    session.commit()
    auth.login(organiser.email, PASSWORD)

    all_page = client.get(URL + "/").get_data(as_text=True)
    waiting = client.get(URL + "/?status=waitlisted").get_data(as_text=True)
    by_ticket = client.get(URL + f"/?ticket={free.id}").get_data(as_text=True)
    by_text = client.get(URL + "/?q=Đình Vũ").get_data(as_text=True)

    assert 'data-count="confirmed">2<' in all_page
    assert 'data-count="waitlisted">1<' in all_page
    assert "3 đăng ký phù hợp" in all_page
    assert ("Phạm Thị Bình" in waiting, "Lê Văn An" in waiting) == (True, False)
    assert ("Đỗ Minh Châu" in by_ticket, "Lê Văn An" in by_ticket) == (True, False)
    assert ("Đỗ Minh Châu" in by_text, "Phạm Thị Bình" in by_text) == (True, False)


def test_list_ignores_nonsense_filters(client, session, auth, organiser):
    auth.login(organiser.email, PASSWORD)

    response = client.get(URL + "/?status=drop&ticket=abc&page=-4&q=%00")

    assert response.status_code == 200


def test_organiser_cancel_promotes_first_waiting(client, session, auth, edition, organiser):
    ticket = make_ticket(session, edition, capacity=1)
    holder = register(session, edition, make_user(session, edition), ticket)
    waiting = register(session, edition, make_user(session, edition), ticket)
    session.commit()
    auth.login(organiser.email, PASSWORD)

    response = client.post(URL + f"/{holder.id}/cancel")

    assert response.status_code == 302
    assert [r.status for r in registrations(session)] == ["cancelled", "confirmed"]
    assert waiting.id == registrations(session, status="confirmed")[0].id
    (entry,) = audit(session, "registration.cancel")
    assert (entry.user_id, entry.details["promoted"]) == (organiser.id, [waiting.id])


def test_organiser_cancel_of_another_edition_answers_404(client, session, auth, edition, organiser):
    older = make_edition(session, 2024)
    reg = register(session, older, make_user(session, older), make_ticket(session, older))
    session.commit()
    auth.login(organiser.email, PASSWORD)

    assert client.post(URL + f"/{reg.id}/cancel").status_code == 404
    assert registrations(session)[0].status == "confirmed"


def test_export_csv_lists_registrations_with_waitlist_positions(
    client, session, auth, edition, organiser
):
    ticket = make_ticket(session, edition, "VIP", capacity=1)
    register(session, edition, make_user(session, edition, email="a@example.vn"), ticket)
    register(
        session,
        edition,
        make_user(session, edition, email="b@example.vn"),
        ticket,
        organisation_name='=HYPERLINK("x")',
    )
    session.commit()
    auth.login(organiser.email, PASSWORD)

    response = client.get(URL + "/export.csv")

    assert response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert [(r["email"], r["ticket_code"], r["status"], r["waitlist_position"]) for r in rows] == [
        ("a@example.vn", "VIP", "confirmed", ""),
        ("b@example.vn", "VIP", "waitlisted", "1"),
    ]
    assert rows[1]["organisation"] == '\'=HYPERLINK("x")'
    assert rows[0]["consent_version"] == "2025-08-v1"


def test_import_creates_accounts_and_registrations_respecting_capacity(
    client, session, auth, edition, organiser
):
    make_ticket(session, edition, "GUEST", capacity=2, is_public=False)
    known = make_user(session, None, role=None, email="known@example.vn", full_name="Đã Có")
    session.commit()
    auth.login(organiser.email, PASSWORD)
    text = (
        "email,full_name,ticket_code,organisation,job_title,phone,language,consent\n"
        "Known@Example.vn,Ngô Thị Hoa,guest,Sở KH&CN,Chuyên viên,0912345678,vi,yes\n"
        "new1@example.vn,John Smith,GUEST,,,,en,\n"
        "new2@example.vn,Vũ Văn Nam,GUEST,,,,,có\n"
    )

    response = upload(client, text)

    assert response.status_code == 302
    regs = registrations(session)
    assert [(r.email, r.status, r.language) for r in regs] == [
        ("known@example.vn", "confirmed", "vi"),
        ("new1@example.vn", "confirmed", "en"),
        ("new2@example.vn", "waitlisted", "vi"),
    ]
    assert regs[0].user_id == known.id
    assert (regs[0].consent_version, regs[1].consent_version) == ("2025-08-v1", "")
    new = session.exec(select(User).where(User.email == "new1@example.vn")).one()
    assert (new.full_name, new.locale, new.password_hash) == ("John Smith", "en", "!")
    roles = session.exec(select(EditionRole.role).where(EditionRole.user_id == new.id)).all()
    assert roles == ["delegate"]
    (entry,) = audit(session, "registration.import")
    assert (entry.details["created"], entry.details["waitlisted"]) == (3, 1)
    # an address the organiser typed is asked first; the registration's mail waits for it
    assert [m.confirms_address for m in outbox(session, "new1@example.vn")] == [True, False]


def test_import_with_one_bad_row_imports_nothing_and_lists_each_error(
    client, session, auth, edition, organiser
):
    make_ticket(session, edition, "GUEST")
    session.commit()
    auth.login(organiser.email, PASSWORD)
    text = (
        "email,full_name,ticket_code,language\n"
        "ok@example.vn,Người Tốt,GUEST,vi\n"
        "sai-email,,NOPE,fr\n"
        "ok@example.vn,Trùng,GUEST,vi\n"
    )

    response = upload(client, text)

    # the import is a job: the request answers with its page, which shows what it found
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Không có gì được nhập: 5 lỗi trong 3 dòng." in page
    assert "Địa chỉ email không hợp lệ." in page
    assert "Kỳ này không có loại thẻ nào mang mã này." in page
    assert "Dùng vi hoặc en." in page
    assert "Trùng với dòng 2." in page
    assert registrations(session) == []
    assert session.exec(select(User).where(User.email == "ok@example.vn")).first() is None


def test_import_twice_updates_instead_of_duplicating(client, session, auth, edition, organiser):
    make_ticket(session, edition, "GUEST")
    session.commit()
    auth.login(organiser.email, PASSWORD)
    upload(client, "email,full_name,ticket_code\nx@example.vn,Tên Cũ,GUEST\n")

    upload(client, "email,full_name,ticket_code\nx@example.vn,Tên Mới,GUEST\n")

    assert [(r.full_name, r.status) for r in registrations(session)] == [("Tên Mới", "confirmed")]
    assert session.get(TicketType, 1).confirmed_count == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"email\x81\x8d,x\n", "Không đọc được tệp: Không nhận ra bảng mã của tệp."),
        (b"", "Không đọc được tệp: Tệp trống."),
        (
            b"name,phone\nA,1\n",
            "Không đọc được tệp: Thiếu cột: email, full_name, ticket_code",
        ),
        (
            b'email,full_name,ticket_code\na@example.vn,An,GUEST\n"b@example.vn,B,GUEST\n',
            "Dòng 3 bị hỏng: một dấu ngoặc kép (&#34;) mở ở đó nhưng không bao giờ được đóng.",
        ),
    ],
)
def test_import_unreadable_file_says_why(client, session, auth, organiser, content, message):
    auth.login(organiser.email, PASSWORD)

    response = upload(client, content)

    assert response.status_code == 200
    assert message in response.get_data(as_text=True)


def test_import_without_file_asks_for_one(client, session, auth, organiser):
    auth.login(organiser.email, PASSWORD)

    response = client.post(URL + "/import", data={}, content_type="multipart/form-data")

    assert "Chọn một tệp CSV." in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "encode",
    [
        lambda t: t.encode("utf-8"),
        lambda t: t.encode("utf-8-sig"),
        lambda t: t.encode("utf-16"),
        lambda t: t.encode("utf-16-le"),
        # Excel's "CSV" on a Vietnamese Windows: Windows-1258, tones as combining marks
        lambda t: t.encode("utf-8").replace("Nguyễn Thị".encode(), b"Nguy\xea\xden Thi\xf2"),
    ],
    ids=["utf-8", "utf-8-bom", "utf-16", "utf-16-le-no-bom", "windows-1258"],
)
def test_import_reads_the_encodings_spreadsheets_save(
    client, session, auth, edition, organiser, encode
):
    make_ticket(session, edition, "GUEST")
    session.commit()
    auth.login(organiser.email, PASSWORD)

    upload(client, encode("email,full_name,ticket_code\nx@example.vn,Nguyễn Thị Mai,GUEST\n"))

    assert [r.full_name for r in registrations(session)] == ["Nguyễn Thị Mai"]

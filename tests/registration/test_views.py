"""Delegate registration through the pages a delegate uses."""

from datetime import timedelta

from sqlmodel import select

from techfest.auth.models import User
from techfest.db import now_utc
from techfest.registration.booking import registration_for
from techfest.registration.catalogue import CONSENT_TEXTS, CONSENT_VERSION
from techfest.registration.models import TicketType
from tests.factories import PASSWORD, make_edition, make_user
from tests.factories.registration import make_ticket
from tests.registration.conftest import form_data, outbox, register, registrations

URL = "/2025/registration"


def test_index_lists_public_tickets_on_sale_only(client, session, edition):
    make_ticket(session, edition, "DELEGATE", name_vi="Thẻ đại biểu", capacity=10)
    make_ticket(session, edition, "SECRET", name_vi="Thẻ khách mời", is_public=False)
    make_ticket(
        session,
        edition,
        "LATER",
        name_vi="Thẻ mở bán sau",
        sale_starts_at=now_utc() + timedelta(days=1),
    )
    make_ticket(
        session, edition, "OVER", name_vi="Thẻ đã đóng", sale_ends_at=now_utc() - timedelta(days=1)
    )
    session.commit()

    page = client.get(URL + "/").get_data(as_text=True)

    assert "Thẻ đại biểu" in page
    assert "Còn 10 chỗ" in page
    assert "Thẻ khách mời" not in page
    assert "Thẻ mở bán sau" not in page
    assert "Thẻ đã đóng" not in page


def test_register_page_sends_anonymous_visitor_to_login_with_next(client, edition):
    response = client.get(URL + "/register")

    assert response.status_code == 302
    assert response.headers["Location"] == "/auth/login?next=%2F2025%2Fregistration%2Fregister"


def test_index_offers_login_and_signup_links_that_come_back(client, session, edition):
    make_ticket(session, edition)
    session.commit()

    page = client.get(URL + "/").get_data(as_text=True)

    assert 'href="/auth/login?next=/2025/registration/register"' in page
    assert 'href="/auth/signup?next=/2025/registration/register"' in page


def test_register_form_starts_with_the_account_details(client, session, auth, edition):
    make_ticket(session, edition)
    make_user(
        session, edition, email="hai@example.vn", full_name="Trần Văn Hải", phone="0912345678"
    )
    session.commit()
    auth.login("hai@example.vn", PASSWORD)

    page = client.get(URL + "/register").get_data(as_text=True)

    assert 'value="Trần Văn Hải"' in page
    assert 'value="0912345678"' in page
    assert CONSENT_TEXTS["vi"] in page
    assert CONSENT_VERSION in page
    assert '<input checked class="form-check-input mt-1" id="ticket_type-0"' in page


def test_register_confirms_place_records_consent_and_emails_in_chosen_language(
    client, session, auth, edition, delegate
):
    ticket = make_ticket(session, edition, capacity=5)
    session.commit()
    auth.login(delegate.email, PASSWORD)

    response = client.post(URL + "/register", data=form_data(ticket, language="en"))

    assert response.status_code == 302
    assert response.headers["Location"] == "/2025/registration/me"
    (reg,) = registrations(session)
    assert (reg.status, reg.full_name, reg.organisation_name, reg.job_title) == (
        "confirmed",
        "Nguyễn Thị Mai",
        "Cảng Hải Phòng",
        "Kỹ sư",
    )
    assert (reg.phone, reg.email, reg.language, reg.consent_version) == (
        "+84 912 345 678",
        "mai@example.vn",
        "en",
        CONSENT_VERSION,
    )
    assert reg.consent_at is not None
    assert session.get(TicketType, ticket.id).confirmed_count == 1
    (mail,) = outbox(session, "mai@example.vn")
    assert mail.subject == "Your place at Techfest Hai Phong 2025 is confirmed"
    assert "http://localhost/2025/registration/me" in mail.body


def test_register_email_in_vietnamese_by_default(client, session, auth, edition, delegate):
    ticket = make_ticket(session, edition)
    edition.venue_vi, edition.address = "Trung tâm Hội nghị", "18 Trần Phú"
    session.add(edition)
    session.commit()
    auth.login(delegate.email, PASSWORD)

    client.post(URL + "/register", data=form_data(ticket))

    (mail,) = outbox(session, "mai@example.vn")
    assert mail.subject == "Chỗ của bạn tại Techfest Hải Phòng 2025 đã được xác nhận"
    assert mail.body == (
        "Kính gửi Nguyễn Thị Mai,\n\nđăng ký tham dự Techfest Hải Phòng 2025 của bạn đã được "
        "xác nhận (loại thẻ: Thẻ DELEGATE).\n\n"
        "Thời gian: 9 tháng 10, 2025 – 11 tháng 10, 2025.\n\n"
        "Địa điểm: Trung tâm Hội nghị, 18 Trần Phú.\n\n"
        "Đăng ký của bạn: http://localhost/2025/registration/me"
    )


def test_register_without_consent_keeps_what_was_typed(client, session, auth, edition, delegate):
    ticket = make_ticket(session, edition)
    session.commit()
    auth.login(delegate.email, PASSWORD)

    response = client.post(
        URL + "/register", data=form_data(ticket, consent=None, job_title="Trưởng phòng CNTT")
    )

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Vui lòng đồng ý với điều khoản bảo vệ dữ liệu cá nhân." in page
    assert 'value="Trưởng phòng CNTT"' in page
    assert 'value="Cảng Hải Phòng"' in page
    assert registrations(session) == []


def test_register_with_bad_fields_shows_each_message_in_english(
    client, session, auth, edition, delegate
):
    ticket = make_ticket(session, edition)
    session.commit()
    auth.login(delegate.email, PASSWORD)
    client.get("/lang/en")

    response = client.post(
        URL + "/register",
        data=form_data(ticket, email="not-an-email", phone="call me", full_name=""),
    )

    page = response.get_data(as_text=True)
    assert "Invalid email address." in page
    assert "Enter a phone number with digits, e.g. +84 912 345 678." in page
    assert "This field is required." in page
    assert 'value="not-an-email"' in page
    assert registrations(session) == []


def test_register_refuses_hidden_ticket_type(client, session, auth, edition, delegate):
    hidden = make_ticket(session, edition, "GUEST", is_public=False)
    make_ticket(session, edition, "DELEGATE")
    session.commit()
    auth.login(delegate.email, PASSWORD)

    response = client.post(URL + "/register", data=form_data(hidden))

    assert response.status_code == 200
    assert "Lựa chọn không hợp lệ." in response.get_data(as_text=True)
    assert registrations(session) == []


def test_register_refuses_ticket_whose_sale_ended(client, session, auth, edition, delegate):
    closed = make_ticket(session, edition, "EARLY", sale_ends_at=now_utc() - timedelta(minutes=1))
    make_ticket(session, edition, "DELEGATE")
    session.commit()
    auth.login(delegate.email, PASSWORD)

    client.post(URL + "/register", data=form_data(closed))

    assert registrations(session) == []


def test_register_when_full_joins_waitlist_with_fifo_position(client, session, auth, edition):
    ticket = make_ticket(session, edition, capacity=1)
    first = make_user(session, edition)
    register(session, edition, first, ticket)
    waiting = make_user(session, edition)
    register(session, edition, waiting, ticket)
    user = make_user(session, edition, email="late@example.vn")
    session.commit()
    auth.login(user.email, PASSWORD)

    client.post(URL + "/register", data=form_data(ticket, email="late@example.vn"))
    page = client.get(URL + "/me").get_data(as_text=True)

    reg = registrations(session, user_id=user.id)[0]
    assert reg.status == "waitlisted"
    assert "Vị trí của bạn trong danh sách chờ: 2" in page
    (mail,) = outbox(session, "late@example.vn")
    assert mail.subject == "Bạn đang trong danh sách chờ của Techfest Hải Phòng 2025"
    assert session.get(TicketType, ticket.id).confirmed_count == 1


def test_newcomer_does_not_jump_the_waitlist_when_capacity_was_raised_directly(
    client, session, auth, edition
):
    ticket = make_ticket(session, edition, capacity=1)
    register(session, edition, make_user(session, edition), ticket)
    waiting = make_user(session, edition)
    register(session, edition, waiting, ticket)
    ticket.capacity = 2
    session.add(ticket)
    user = make_user(session, edition, email="late@example.vn")
    session.commit()
    auth.login(user.email, PASSWORD)

    client.post(URL + "/register", data=form_data(ticket, email="late@example.vn"))

    assert registrations(session, user_id=user.id)[0].status == "waitlisted"


def test_second_submission_shows_the_existing_registration(
    client, session, auth, edition, delegate
):
    ticket = make_ticket(session, edition)
    other = make_ticket(session, edition, "VIP")
    session.commit()
    auth.login(delegate.email, PASSWORD)
    client.post(URL + "/register", data=form_data(ticket))

    response = client.post(URL + "/register", data=form_data(other, full_name="Tên khác"))

    assert response.status_code == 302
    assert response.headers["Location"] == "/2025/registration/me"
    (reg,) = registrations(session)
    assert (reg.ticket_type_id, reg.full_name) == (ticket.id, "Nguyễn Thị Mai")
    assert len(outbox(session, "mai@example.vn")) == 1
    assert session.get(TicketType, other.id).confirmed_count == 0


def test_my_registration_shows_status_and_ticket(client, session, auth, edition, delegate):
    ticket = make_ticket(session, edition, name_vi="Thẻ đại biểu", price_vnd=250000)
    register(session, edition, delegate, ticket, organisation_name="Viện Biển")
    session.commit()
    auth.login(delegate.email, PASSWORD)

    page = client.get(URL + "/me").get_data(as_text=True)

    # a ticket with a price: the place is held until it is paid
    assert "Chờ thanh toán" in page
    assert "Thanh toán ngay bằng chuyển khoản" in page
    assert "Thẻ đại biểu · 250.000 ₫" in page
    assert "Viện Biển" in page
    assert "Hủy đăng ký" in page


def test_my_registration_without_one_points_to_tickets(client, session, auth, edition, delegate):
    page = (auth.login(delegate.email, PASSWORD), client.get(URL + "/me"))[1]

    assert "Bạn chưa có đăng ký nào còn hiệu lực cho kỳ này." in page.get_data(as_text=True)


def test_cancel_frees_place_and_promotes_first_waiting_by_email(client, session, auth, edition):
    ticket = make_ticket(session, edition, capacity=1)
    holder = make_user(session, edition, email="holder@example.vn")
    register(session, edition, holder, ticket)
    first = make_user(session, edition, email="first@example.vn", locale="en")
    register(session, edition, first, ticket)
    second = make_user(session, edition, email="second@example.vn")
    register(session, edition, second, ticket)
    session.commit()
    auth.login(holder.email, PASSWORD)

    response = client.post(URL + "/me/cancel")

    assert response.status_code == 302
    statuses = {r.email: r.status for r in registrations(session)}
    assert statuses == {
        "holder@example.vn": "cancelled",
        "first@example.vn": "confirmed",
        "second@example.vn": "waitlisted",
    }
    assert session.get(TicketType, ticket.id).confirmed_count == 1
    subjects = [m.subject for m in outbox(session, "first@example.vn")]
    assert subjects == [
        "You are on the waitlist for Techfest Hai Phong 2025",
        "A place at Techfest Hai Phong 2025 is now yours",
    ]
    waiting = registration_for(session, edition.id, second.id)
    assert waiting.status == "waitlisted"


def test_cancel_of_waitlisted_person_promotes_nobody(client, session, auth, edition):
    ticket = make_ticket(session, edition, capacity=1)
    register(session, edition, make_user(session, edition), ticket)
    waiting = make_user(session, edition, email="w1@example.vn")
    register(session, edition, waiting, ticket)
    behind = make_user(session, edition, email="w2@example.vn")
    register(session, edition, behind, ticket)
    session.commit()
    auth.login(waiting.email, PASSWORD)

    client.post(URL + "/me/cancel")

    assert registrations(session, user_id=behind.id)[0].status == "waitlisted"
    assert session.get(TicketType, ticket.id).confirmed_count == 1
    auth.logout()
    auth.login(behind.email, PASSWORD)
    assert "Vị trí của bạn trong danh sách chờ: 1" in client.get(URL + "/me").get_data(as_text=True)


def test_cancel_twice_answers_without_error(client, session, auth, edition, delegate):
    ticket = make_ticket(session, edition)
    register(session, edition, delegate, ticket)
    session.commit()
    auth.login(delegate.email, PASSWORD)
    client.post(URL + "/me/cancel")

    response = client.post(URL + "/me/cancel", follow_redirects=True)

    assert response.status_code == 200
    assert "Bạn chưa có đăng ký nào còn hiệu lực cho kỳ này." in response.get_data(as_text=True)
    session.expire_all()
    assert session.get(TicketType, ticket.id).confirmed_count == 0


def test_register_again_after_cancelling(client, session, auth, edition, delegate):
    ticket = make_ticket(session, edition)
    register(session, edition, delegate, ticket)
    session.commit()
    auth.login(delegate.email, PASSWORD)
    client.post(URL + "/me/cancel")

    client.post(URL + "/register", data=form_data(ticket))

    assert [r.status for r in registrations(session)] == ["cancelled", "confirmed"]
    assert session.get(TicketType, ticket.id).confirmed_count == 1


def test_registration_is_per_edition(client, session, auth, edition, delegate):
    older = make_edition(session, 2024)
    old_ticket = make_ticket(session, older)
    register(session, older, delegate, old_ticket)
    ticket = make_ticket(session, edition)
    session.commit()
    auth.login(delegate.email, PASSWORD)

    client.post(URL + "/register", data=form_data(ticket))

    assert [r.edition_id for r in registrations(session)] == [older.id, edition.id]


def test_ticket_of_another_edition_is_not_offered(client, session, auth, edition, delegate):
    older = make_edition(session, 2024)
    old_ticket = make_ticket(session, older, "OLD")
    make_ticket(session, edition)
    session.commit()
    auth.login(delegate.email, PASSWORD)

    client.post(URL + "/register", data=form_data(old_ticket))

    assert registrations(session) == []


def test_unknown_edition_answers_404(client, edition):
    assert client.get("/1999/registration/").status_code == 404


def test_registration_for_returns_live_registration_only(session, edition, delegate):
    ticket = make_ticket(session, edition)
    reg = register(session, edition, delegate, ticket)
    session.commit()

    assert registration_for(session, edition.id, delegate.id).id == reg.id
    other = session.exec(select(User).where(User.email != delegate.email)).first()
    assert other is None or registration_for(session, edition.id, other.id) is None

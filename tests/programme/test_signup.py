"""Sign-ups through HTTP: seats, waitlist, clashes, double submission, cancellation, stars."""

from sqlmodel import select

from techfest.core.models import OutboxEmail
from techfest.programme.models import ProgrammeSession, SessionSignup, SessionStar
from tests.factories import local, make_edition, make_user
from tests.factories.programme import make_session, seat


def signups(session, ps):
    session.rollback()
    session.expire_all()
    return session.exec(
        select(SessionSignup.user_id, SessionSignup.status, SessionSignup.waitlist_position)
        .where(SessionSignup.session_id == ps.id)
        .order_by(SessionSignup.id)
    ).all()


def seats_taken(session, ps):
    session.rollback()
    session.expire_all()
    return session.get(ProgrammeSession, ps.id).seats_taken


def test_sign_up_takes_a_seat(client, auth, session):
    edition = make_edition(session)
    user = make_user(session, edition)
    ps = make_session(session, edition, capacity=2)
    session.commit()
    auth.login(user.email)

    response = client.post(f"/2025/programme/sessions/{ps.id}/signup", follow_redirects=True)

    assert "Đã giữ chỗ cho bạn." in response.get_data(as_text=True)
    assert signups(session, ps) == [(user.id, "seated", None)]
    assert seats_taken(session, ps) == 1


def test_sign_up_when_full_joins_waitlist_in_order(client, auth, session):
    edition = make_edition(session)
    ps = make_session(session, edition, capacity=1)
    seat(session, ps, make_user(session, edition))
    first, second = make_user(session, edition), make_user(session, edition)
    session.commit()

    auth.login(first.email)
    client.post(f"/2025/programme/sessions/{ps.id}/signup")
    auth.logout()
    auth.login(second.email)
    response = client.post(
        f"/2025/programme/sessions/{ps.id}/signup?lang=en", follow_redirects=True
    )

    assert "you are number 2 on the waitlist" in response.get_data(as_text=True)
    assert signups(session, ps)[1:] == [(first.id, "waitlisted", 1), (second.id, "waitlisted", 2)]
    assert seats_taken(session, ps) == 1


def test_sign_up_twice_keeps_one_sign_up(client, auth, session):
    edition = make_edition(session)
    user = make_user(session, edition)
    ps = make_session(session, edition)
    session.commit()
    auth.login(user.email)

    client.post(f"/2025/programme/sessions/{ps.id}/signup")
    client.post(f"/2025/programme/sessions/{ps.id}/signup")

    assert signups(session, ps) == [(user.id, "seated", None)]
    assert seats_taken(session, ps) == 1


def test_sign_up_overlapping_a_held_session_is_refused_naming_it(client, auth, session):
    edition = make_edition(session)
    user = make_user(session, edition)
    held = make_session(
        session,
        edition,
        local(2025, 10, 9, 9),
        local(2025, 10, 9, 10, 30),
        title_vi="Khai mạc",
        title_en="Opening",
    )
    wanted = make_session(session, edition, local(2025, 10, 9, 10), local(2025, 10, 9, 11))
    seat(session, held, user)
    session.commit()
    auth.login(user.email)

    response = client.post(
        f"/2025/programme/sessions/{wanted.id}/signup?lang=en", follow_redirects=True
    )

    page = response.get_data(as_text=True)
    assert "This session overlaps “Opening” (09/10 09:00–10:30), which you already have." in page
    assert signups(session, wanted) == []
    assert seats_taken(session, wanted) == 0


def test_sign_up_overlapping_a_waitlist_place_is_refused(client, auth, session):
    edition = make_edition(session)
    user = make_user(session, edition)
    held = make_session(
        session, edition, local(2025, 10, 9, 9), local(2025, 10, 9, 10), title_vi="Hội thảo bán dẫn"
    )
    wanted = make_session(session, edition, local(2025, 10, 9, 9, 30), local(2025, 10, 9, 11))
    seat(session, held, user, status="waitlisted", position=1)
    session.commit()
    auth.login(user.email)

    response = client.post(f"/2025/programme/sessions/{wanted.id}/signup", follow_redirects=True)

    assert "“Hội thảo bán dẫn”" in response.get_data(as_text=True)
    assert signups(session, wanted) == []


def test_sign_up_right_after_a_session_ends_is_allowed(client, auth, session):
    edition = make_edition(session)
    user = make_user(session, edition)
    held = make_session(session, edition, local(2025, 10, 9, 9), local(2025, 10, 9, 10))
    wanted = make_session(session, edition, local(2025, 10, 9, 10), local(2025, 10, 9, 11))
    seat(session, held, user)
    session.commit()
    auth.login(user.email)

    client.post(f"/2025/programme/sessions/{wanted.id}/signup")

    assert signups(session, wanted) == [(user.id, "seated", None)]


def test_cancel_seat_promotes_first_waiting_and_emails_them(client, auth, session):
    edition = make_edition(session)
    ps = make_session(session, edition, capacity=1, title_vi="Hội thảo AI", title_en="AI workshop")
    leaver = make_user(session, edition)
    first = make_user(session, edition, email="first@example.vn", locale="en")
    second = make_user(session, edition)
    seat(session, ps, leaver)
    seat(session, ps, first, status="waitlisted", position=1)
    seat(session, ps, second, status="waitlisted", position=2)
    session.commit()
    auth.login(leaver.email)

    client.post(f"/2025/programme/sessions/{ps.id}/cancel")

    assert signups(session, ps) == [
        (leaver.id, "cancelled", None),
        (first.id, "seated", None),
        (second.id, "waitlisted", 2),
    ]
    assert seats_taken(session, ps) == 1
    mail = session.exec(select(OutboxEmail).where(OutboxEmail.to_email == "first@example.vn")).one()
    assert mail.subject == "A seat is yours: AI workshop"
    assert "first on the waitlist" in mail.body


def test_cancel_seat_without_waitlist_frees_the_seat(client, auth, session):
    edition = make_edition(session)
    user = make_user(session, edition)
    ps = make_session(session, edition, capacity=5)
    seat(session, ps, user)
    session.commit()
    auth.login(user.email)

    client.post(f"/2025/programme/sessions/{ps.id}/cancel")

    assert seats_taken(session, ps) == 0
    assert signups(session, ps) == [(user.id, "cancelled", None)]


def test_leaving_waitlist_promotes_nobody(client, auth, session):
    edition = make_edition(session)
    ps = make_session(session, edition, capacity=1)
    seat(session, ps, make_user(session, edition))
    waiting = make_user(session, edition)
    seat(session, ps, waiting, status="waitlisted", position=1)
    session.commit()
    auth.login(waiting.email)

    client.post(f"/2025/programme/sessions/{ps.id}/cancel")

    assert [s[1] for s in signups(session, ps)] == ["seated", "cancelled"]
    assert seats_taken(session, ps) == 1
    assert session.exec(select(OutboxEmail)).all() == []


def test_sign_up_again_after_cancelling_is_allowed(client, auth, session):
    edition = make_edition(session)
    user = make_user(session, edition)
    ps = make_session(session, edition)
    session.commit()
    auth.login(user.email)

    client.post(f"/2025/programme/sessions/{ps.id}/signup")
    client.post(f"/2025/programme/sessions/{ps.id}/cancel")
    client.post(f"/2025/programme/sessions/{ps.id}/signup")

    assert [s[1] for s in signups(session, ps)] == ["cancelled", "seated"]
    assert seats_taken(session, ps) == 1


def test_sign_up_needs_login(client, session):
    edition = make_edition(session)
    ps = make_session(session, edition)
    session.commit()

    response = client.post(f"/2025/programme/sessions/{ps.id}/signup")

    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]
    assert signups(session, ps) == []


def test_sign_up_needs_a_role_in_this_edition(client, auth, session):
    edition = make_edition(session, 2025)
    other = make_edition(session, 2024)
    user = make_user(session, other)
    ps = make_session(session, edition)
    session.commit()
    auth.login(user.email)

    response = client.post(f"/2025/programme/sessions/{ps.id}/signup")

    assert response.status_code == 403
    assert signups(session, ps) == []


def test_sign_up_for_a_session_of_another_edition_answers_404(client, auth, session):
    edition = make_edition(session, 2025)
    other = make_edition(session, 2024)
    user = make_user(session, edition)
    ps = make_session(session, other)
    session.commit()
    auth.login(user.email)

    response = client.post(f"/2025/programme/sessions/{ps.id}/signup")

    assert response.status_code == 404


def test_star_and_unstar_a_session(client, auth, session):
    edition = make_edition(session)
    user = make_user(session, edition, role="investor")
    ps = make_session(session, edition)
    session.commit()
    auth.login(user.email)

    client.post(f"/2025/programme/sessions/{ps.id}/star")
    client.post(f"/2025/programme/sessions/{ps.id}/star")
    starred = session.exec(select(SessionStar.user_id).where(SessionStar.session_id == ps.id)).all()
    client.post(f"/2025/programme/sessions/{ps.id}/unstar")
    session.rollback()
    session.expire_all()
    after = session.exec(select(SessionStar.user_id).where(SessionStar.session_id == ps.id)).all()

    assert starred == [user.id]
    assert after == []


def test_busy_intervals_count_seated_and_starred_but_not_waitlisted(app_ctx, session):
    from techfest.programme.signups import busy_intervals

    edition = make_edition(session)
    user, other = make_user(session, edition), make_user(session, edition)
    seated = make_session(session, edition, local(2025, 10, 9, 9), local(2025, 10, 9, 10))
    starred = make_session(session, edition, local(2025, 10, 10, 14), local(2025, 10, 10, 15))
    waiting = make_session(session, edition, local(2025, 10, 11, 9), local(2025, 10, 11, 10))
    seat(session, seated, user)
    seat(session, waiting, user, status="waitlisted", position=1)
    session.add(SessionStar(session_id=starred.id, user_id=user.id))
    session.add(SessionStar(session_id=seated.id, user_id=user.id))
    session.commit()

    busy = busy_intervals(session, edition.id, [user.id, other.id])

    assert busy == {
        user.id: [
            (local(2025, 10, 9, 9), local(2025, 10, 9, 10)),
            (local(2025, 10, 10, 14), local(2025, 10, 10, 15)),
        ],
        other.id: [],
    }

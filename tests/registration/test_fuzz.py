"""Malformed submissions to the registration form and the delegate CSV import (2,000 in all).

Property: no answer is a server error, and the database holds either the whole
registration (or import) or nothing of it. Bad input comes back with what was typed.
"""

from __future__ import annotations

import csv
import io

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markupsafe import escape
from sqlmodel import func, select

from techfest.auth.models import User
from techfest.core.csvio import read_csv
from techfest.registration.booking import cancel_registration
from techfest.registration.catalogue import clean, has_control_chars
from techfest.registration.models import Registration, TicketType
from tests.factories import PASSWORD, make_user
from tests.factories.registration import make_ticket

FORM_EXAMPLES = 1050
CSV_EXAMPLES = 950
FUZZ = settings(
    max_examples=FORM_EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

nasty_text = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=100, max_size=400),
    st.sampled_from(
        [
            "",
            " ",
            "\x00",
            "a\x00b",
            "\u202e",
            "=cmd|' /C calc'!A0",
            "<script>x</script>",
            "Nguyễn Thị Mai",
            "😀" * 5,
            "'; drop table registration; --",
            "\r\n",
            "9" * 40,
        ]
    ),
)
maybe = lambda strategy: st.one_of(st.none(), strategy)  # noqa: E731 - a missing field


def registration_submission(ticket_ids: list[int]):
    return st.fixed_dictionaries(
        {
            "ticket_type": maybe(
                st.one_of(
                    st.sampled_from([str(i) for i in ticket_ids]),
                    st.integers(-(2**70), 2**70).map(str),
                    nasty_text,
                )
            ),
            "full_name": maybe(st.one_of(st.just("Trần Văn Hải"), nasty_text)),
            "organisation_name": maybe(nasty_text),
            "job_title": maybe(nasty_text),
            "phone": maybe(st.one_of(st.just("+84 912 345 678"), nasty_text)),
            "email": maybe(st.one_of(st.just("hai@example.vn"), st.emails().map(str), nasty_text)),
            "language": maybe(st.one_of(st.sampled_from(["vi", "en", "fr", "VI"]), nasty_text)),
            "consent": maybe(st.one_of(st.just("y"), nasty_text)),
        }
    ).map(lambda d: {k: v for k, v in d.items() if v is not None})


def count(session, model, *where) -> int:
    session.expire_all()
    return session.exec(select(func.count()).select_from(model).where(*where)).one()


def test_registration_form_survives_malformed_submissions(client, session, auth, edition):
    open_ticket = make_ticket(session, edition, "DELEGATE", capacity=5)
    hidden = make_ticket(session, edition, "GUEST", is_public=False)
    full = make_ticket(session, edition, "FULL", capacity=0)
    user = make_user(session, edition, email="hai@example.vn", full_name="Trần Văn Hải")
    session.commit()
    auth.login(user.email, PASSWORD)
    ids = [open_ticket.id, hidden.id, full.id]

    @FUZZ
    @given(data=registration_submission(ids))
    def submit(data):
        response = client.post("/2025/registration/register", data=data)

        assert response.status_code in (200, 302)
        live = session.exec(select(Registration).where(Registration.status != "cancelled")).all()
        assert places_match_registrations(session)
        if response.status_code == 302:
            (reg,) = live
            assert (reg.full_name, reg.job_title) == (
                clean(data["full_name"]),
                clean(data.get("job_title")),
            )
            assert reg.consent_version == "2025-08-v1"
            cancel_registration(session, edition.id, user.id)
            session.commit()
        else:
            assert live == []
            page = response.get_data(as_text=True)
            for field in ("full_name", "organisation_name", "job_title"):
                typed = clean(data.get(field))
                if typed and not has_control_chars(typed):
                    assert str(escape(typed)) in page

    with client.application.app_context():
        submit()


COLUMNS = ["email", "full_name", "ticket_code", "organisation", "phone", "language", "consent"]

csv_row = st.fixed_dictionaries(
    {
        "email": st.one_of(st.emails().map(str), nasty_text),
        "full_name": st.one_of(st.just("Phạm Minh Đức"), nasty_text),
        "ticket_code": st.one_of(st.sampled_from(["DELEGATE", "guest", "NOPE", ""]), nasty_text),
        "organisation": nasty_text,
        "phone": st.one_of(st.just("0912345678"), nasty_text),
        "language": st.one_of(st.sampled_from(["vi", "en", "", "de"]), nasty_text),
        "consent": st.one_of(st.sampled_from(["yes", "no", "", "có", "maybe"]), nasty_text),
    }
)


def places_match_registrations(session) -> bool:
    """Every ticket type's count equals its confirmed registrations and fits its capacity."""
    session.expire_all()
    confirmed = dict(
        session.exec(
            select(Registration.ticket_type_id, func.count())
            .where(Registration.status == "confirmed")
            .group_by(Registration.ticket_type_id)
        ).all()
    )
    return all(
        t.confirmed_count == confirmed.get(t.id, 0) and t.confirmed_count <= t.capacity
        for t in session.exec(select(TicketType)).all()
    )


def render_csv(rows, columns, delimiter) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, delimiter=delimiter, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


csv_file = st.one_of(
    st.builds(
        render_csv,
        st.lists(csv_row, max_size=6),
        st.one_of(st.just(COLUMNS), st.permutations(COLUMNS).map(lambda c: c[:4])),
        st.sampled_from([",", ";"]),
    ).map(lambda text: text.encode("utf-8")),
    st.binary(max_size=300),
    nasty_text.map(lambda t: t.encode("utf-8", "surrogatepass")),
)


def test_csv_import_applies_all_rows_or_none(client, session, auth, edition, organiser):
    make_ticket(session, edition, "DELEGATE", capacity=3)
    make_ticket(session, edition, "GUEST", capacity=2, is_public=False)
    session.commit()
    auth.login(organiser.email, PASSWORD)

    @settings(FUZZ, max_examples=CSV_EXAMPLES)
    @given(content=csv_file)
    def upload(content):
        before = (count(session, Registration), count(session, User))

        response = client.post(
            "/2025/registration/manage/import",
            data={"file": (io.BytesIO(content), "fuzz.csv")},
            content_type="multipart/form-data",
        )

        assert response.status_code in (200, 302)
        after = (count(session, Registration), count(session, User))
        if response.status_code == 200:
            assert after == before
        else:
            # a readable file goes to a job (run at once in the tests): at most one
            # registration per row it holds
            rows = read_csv(content)
            assert after[0] - before[0] <= len(rows)
        assert places_match_registrations(session)

    upload()

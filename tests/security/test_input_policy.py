"""The input policy (techfest/core/inputs.py) through the doors people use.

The sweep of every route is tests/security/test_hostile_inputs.py; here each rule of the
policy is shown once, with the message the person reads and what is (not) stored.
"""

from __future__ import annotations

import io

import pytest
from sqlmodel import select
from wtforms import IntegerField
from wtforms.validators import NumberRange

from techfest.auth.models import User
from techfest.core import inputs
from techfest.programme.models import ProgrammeSession
from tests.factories import make_edition, make_user
from tests.security.test_hostile_inputs import form_classes

CSV_HEADER = "code,title_vi,title_en,date,start,end,track,room,language,capacity,speakers\n"


def test_no_form_allows_a_number_its_column_cannot_hold():
    too_big = []
    for cls in form_classes():
        for name in dir(cls):
            unbound = getattr(cls, name, None)
            field_class = getattr(unbound, "field_class", None)
            if not (field_class and issubclass(field_class, IntegerField)):
                continue
            limit = inputs.INT64_MAX if getattr(field_class, "wide", False) else inputs.INT32_MAX
            for validator in unbound.kwargs.get("validators", ()):
                if isinstance(validator, NumberRange) and (validator.max or 0) > limit:
                    too_big.append(f"{cls.__name__}.{name}: {validator.max} > {limit}")
    assert too_big == []


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("12", 12),
        (" 7 ", 7),
        ("²", None),
        ("٣", None),
        ("1_000", None),
        ("1e3", None),
        (str(2**31), None),
        ("-1", -1),
    ],
)
def test_whole_numbers_are_ascii_digits_within_the_column(value, ok):
    try:
        got = inputs.whole_number(value)
    except ValueError:
        got = None
    assert got == ok


@pytest.mark.both_databases
def test_nul_in_signup_is_refused_with_a_message_and_the_rest_kept(client, session):
    make_edition(session)
    session.commit()
    response = client.post(
        "/auth/signup",
        data={
            "full_name": "Nul\x00Name",
            "email": "nul@example.vn",
            "password": "mat-khau-dai",
            "account_type": "startup",
            "organisation_name": "Cảng\x1b[31mXanh",
        },
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Hãy xoá các ký tự điều khiển ẩn." in page
    assert 'value="nul@example.vn"' in page
    assert session.exec(select(User).where(User.email == "nul@example.vn")).first() is None


@pytest.mark.both_databases
@pytest.mark.parametrize(
    "path",
    [
        "/2147483648/",
        "/2025/booths/2147483648",
        "/2025/programme/sessions/9223372036854775808",
        "/2025/programme/ical/%00.ics",
        "/%C2%B2/",
    ],
)
def test_out_of_range_ids_and_control_characters_in_urls_answer_404(client, session, path):
    make_edition(session)
    session.commit()
    assert client.get(path).status_code == 404


@pytest.mark.both_databases
def test_control_characters_in_a_query_are_ignored(client, session):
    make_edition(session)
    session.commit()
    response = client.get("/2025/programme/?q=%00%1B&track=99999999999999999999")
    assert response.status_code == 200


@pytest.mark.both_databases
def test_programme_csv_capacity_in_superscript_digits_is_a_row_error(client, auth, session):
    edition = make_edition(session)
    organiser = make_user(session, edition, role="organiser")
    session.commit()
    auth.login(organiser.email)
    body = CSV_HEADER + "S1,Phiên,,2025-10-09,08:00,09:00,,,vi,²,\n"
    response = client.post(
        "/2025/programme/manage/import?lang=en",
        data={"file": (io.BytesIO(body.encode()), "s.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "Capacity must be between 1 and 100000." in response.get_data(as_text=True)
    assert session.exec(select(ProgrammeSession)).first() is None


@pytest.mark.both_databases
def test_a_control_character_in_a_csv_cell_is_reported_on_its_line(client, auth, session):
    edition = make_edition(session)
    organiser = make_user(session, edition, role="organiser")
    session.commit()
    auth.login(organiser.email)
    body = (
        CSV_HEADER
        + "S1,Phiên,,2025-10-09,08:00,09:00,,,vi,10,\n"
        + "S2,Ph\x1bên,,2025-10-09,08:00,09:00,,,vi,10,\n"
    )
    response = client.post(
        "/2025/programme/manage/import?lang=en",
        data={"file": (io.BytesIO(body.encode()), "s.csv")},
        content_type="multipart/form-data",
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Remove the invisible control characters." in page
    assert session.exec(select(ProgrammeSession)).first() is None

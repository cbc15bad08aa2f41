"""Malformed submissions to the session form and the sessions CSV import.

Hypothesis sends thousands of bad (and a few good) inputs through the HTTP doors an
organiser uses; none may answer 5xx, a refused form must keep what was typed, and an
import either applies every row of its file or none.
"""

import csv
import io

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markupsafe import escape
from sqlmodel import select

from techfest.programme.models import ProgrammeSession
from tests.factories import make_edition, make_user
from tests.factories.programme import make_room, make_track

FUZZ = settings(
    max_examples=1000,
    database=None,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

junk = st.one_of(
    st.text(max_size=12),
    st.text(alphabet="0123456789:-/.", max_size=12),
    st.sampled_from(
        [
            "",
            " ",
            "-1",
            "0",
            "1",
            "99999999999",
            "25:61",
            "2025-02-30",
            "NaN",
            "1e9",
            "<script>",
            "' OR 1=1 --",
            "\u202e",
            "１２０",
            "null",
        ]
    ),
    # too long for any field: one character repeated (cheap to generate)
    st.builds(lambda c, n: c * n, st.characters(), st.integers(301, 5001)),
)


def field(good):
    return st.one_of(st.just(good), junk)


def _arrange(session):
    edition = make_edition(session)
    room = make_room(session, edition, code="HN1", capacity=100)
    track = make_track(session, edition, code="AI")
    organiser = make_user(session, edition, role="organiser")
    session.commit()
    return edition, room, track, organiser


def _snapshot(session):
    session.rollback()
    session.expire_all()
    return {
        ps.code: (ps.title_vi, ps.starts_at, ps.ends_at, ps.room_id, ps.capacity)
        for ps in session.exec(select(ProgrammeSession))
    }


def test_session_form_survives_malformed_submissions(client, auth, session):
    _edition, room, track, organiser = _arrange(session)
    auth.login(organiser.email)
    state = {"sessions": _snapshot(session)}
    codes = st.sampled_from(["F1", "F2", "F3", "bad code", ""])

    @FUZZ
    @given(
        data=st.fixed_dictionaries(
            {
                "code": st.one_of(codes, junk),
                "title_vi": field("Hội thảo"),
                "title_en": field("Workshop"),
                "description_vi": field(""),
                "speakers": st.one_of(st.just("Mai | X"), st.text(max_size=60)),
                "track_id": st.one_of(st.just(str(track.id)), st.just(""), junk),
                "room_id": st.one_of(st.just(str(room.id)), st.just(""), junk),
                "day": st.one_of(st.sampled_from(["2025-10-09", "2025-10-11"]), junk),
                "start_time": st.one_of(st.sampled_from(["09:00", "14:30"]), junk),
                "end_time": st.one_of(st.sampled_from(["10:00", "13:00"]), junk),
                "language": st.one_of(st.sampled_from(["vi", "en", "vi-en"]), junk),
                "capacity": st.one_of(st.sampled_from(["50", "500"]), junk),
            }
        ),
        drop=st.sets(st.sampled_from(["code", "title_vi", "day", "capacity", "language"])),
    )
    def check(data, drop):
        before = state["sessions"]
        form = {k: v for k, v in data.items() if k not in drop}
        response = client.post("/2025/programme/manage/sessions/new", data=form)
        after = state["sessions"] = _snapshot(session)
        assert response.status_code in (302, 422)
        if response.status_code == 302:
            assert len(after) == len(before) + 1
        else:
            assert after == before
            title = (form.get("title_vi") or "").strip()
            if title and "\x00" not in title and "\r" not in title:
                assert str(escape(title)) in response.get_data(as_text=True)

    check()


COLUMNS = [
    "code",
    "title_vi",
    "title_en",
    "date",
    "start",
    "end",
    "track",
    "room",
    "language",
    "capacity",
    "speakers",
]
row_strategy = st.fixed_dictionaries(
    {
        "code": st.one_of(st.sampled_from(["C1", "C2", "C3", "C4"]), junk),
        "title_vi": field("Phiên"),
        "title_en": field(""),
        "date": st.one_of(st.sampled_from(["2025-10-09", "2025-10-10"]), junk),
        "start": st.one_of(st.sampled_from(["08:00", "09:00", "10:00"]), junk),
        "end": st.one_of(st.sampled_from(["09:00", "10:00", "11:00"]), junk),
        "track": st.one_of(st.sampled_from(["", "AI"]), junk),
        "room": st.one_of(st.sampled_from(["", "HN1"]), junk),
        "language": st.one_of(st.sampled_from(["vi", "en", "vi-en", ""]), junk),
        "capacity": st.one_of(st.sampled_from(["", "30", "100"]), junk),
        "speakers": st.one_of(st.just(""), st.text(max_size=40)),
    }
)


def _csv_bytes(rows, columns, delimiter):
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([row.get(c, "") for c in columns])
    # a lone surrogate becomes bytes that are not UTF-8: one more thing a file may hold
    return out.getvalue().encode("utf-8", "surrogatepass")


def test_csv_import_survives_malformed_files_and_applies_all_or_none(client, auth, session):
    *_rest, organiser = _arrange(session)
    auth.login(organiser.email)
    state = {"sessions": _snapshot(session)}

    @FUZZ
    @given(
        rows=st.lists(row_strategy, min_size=0, max_size=5),
        columns=st.one_of(
            st.just(COLUMNS),
            st.permutations(COLUMNS),
            st.lists(st.sampled_from(COLUMNS), max_size=6),
        ),
        delimiter=st.sampled_from([",", ";"]),
        raw=st.one_of(st.none(), st.binary(max_size=80)),
    )
    def check(rows, columns, delimiter, raw):
        before = state["sessions"]
        body = raw if raw is not None else _csv_bytes(rows, columns, delimiter)
        response = client.post(
            "/2025/programme/manage/import",
            data={"file": (io.BytesIO(body), "s.csv")},
            content_type="multipart/form-data",
        )
        after = state["sessions"] = _snapshot(session)
        assert response.status_code in (302, 422)
        if response.status_code == 422:
            assert after == before
        else:
            applied = {r["code"]: r["title_vi"] for r in rows}
            assert {code: after[code][0] for code in applied} == applied
            assert set(after) == set(before) | set(applied)

    check()

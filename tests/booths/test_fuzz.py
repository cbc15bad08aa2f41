"""Malformed booth forms and booth CSV files: never a server error, never a partial row."""

from __future__ import annotations

import io
import string

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlmodel import select

from techfest.booths.models import Booth
from techfest.core.csvio import decode_csv

BASE = "/2025/booths"
FIELDS = ("code", "zone_id", "size", "price_vnd", "x", "y", "w", "h")
FUZZ = settings(
    max_examples=1000,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

junk = st.one_of(
    st.text(max_size=30),
    st.text(alphabet=string.digits + "-+., eE", max_size=25),
    st.sampled_from(
        ["", " ", "0", "-1", "1e3", "NaN", "99999999999999999999", "١٢", "\x00", "'; --"]
    ),
    st.integers(min_value=-(10**15), max_value=10**15).map(str),
)
valid = {
    "code": st.from_regex(r"\A[A-Z][0-9]{2,3}\Z"),
    "zone_id": st.just("1"),
    "size": st.sampled_from(["S", "M", "L"]),
    "price_vnd": st.integers(0, 50_000_000).map(str),
    "x": st.integers(0, 1150).map(str),
    "y": st.integers(0, 750).map(str),
    "w": st.integers(1, 40).map(str),
    "h": st.integers(1, 40).map(str),
}


@st.composite
def booth_submissions(draw) -> dict[str, str]:
    """Every field valid, malformed or missing, decided field by field."""
    data = {}
    clean = not draw(st.integers(0, 3))  # a quarter are well-formed, to test saving too
    for name in FIELDS:
        choice = "valid" if clean else draw(st.sampled_from(["valid", "valid", "junk", "missing"]))
        if choice == "valid":
            data[name] = draw(valid[name])
        elif choice == "junk":
            data[name] = draw(junk)
    return data


def snapshot(session) -> set[tuple]:
    session.rollback()  # end the read transaction: see what the requests committed
    return set(
        session.exec(
            select(
                Booth.code,
                Booth.zone_id,
                Booth.size,
                Booth.price_vnd,
                Booth.x,
                Booth.y,
                Booth.w,
                Booth.h,
            )
        ).all()
    )


def test_booth_form_fuzz_never_fails_and_never_writes_half(client, auth, session, plan):
    auth.login(plan.organiser.email)

    @FUZZ
    @given(booth_submissions())
    def submit(data):
        before = snapshot(session)
        response = client.post(f"{BASE}/manage/new", data=data)
        after = snapshot(session)

        assert response.status_code in (302, 422)
        event("saved" if response.status_code == 302 else "refused")
        if response.status_code == 302:
            expected = (
                data["code"].strip().upper(),
                int(data["zone_id"]),
                data["size"],
                int(data["price_vnd"]),
                int(data["x"]),
                int(data["y"]),
                int(data["w"]),
                int(data["h"]),
            )
            assert after - before == {expected}
            assert before <= after
        else:
            assert after == before

    submit()


codes = st.integers(1, 400).map(lambda n: f"B{n:02d}")


@st.composite
def csv_files(draw) -> bytes:
    """A header and a few rows, some cells malformed; now and then the file itself is broken."""
    rows = []
    clean = not draw(st.integers(0, 2))  # a third have only well-formed cells
    for _ in range(draw(st.integers(1, 6))):
        if clean:
            cells = [draw(codes), "A", draw(st.sampled_from(["S", "m", "L"]))]
            cells += [draw(valid[f]) for f in ("price_vnd", "x", "y", "w", "h")]
            rows.append(",".join([*cells, draw(st.sampled_from(["", "open", "blocked"]))]))
            continue
        cells = [
            draw(codes) if draw(st.integers(0, 5)) else draw(junk),
            "A" if draw(st.integers(0, 6)) else draw(junk),
            draw(st.sampled_from(["S", "M", "L", "s", "m", "XL", ""])),
            draw(valid["price_vnd"]) if draw(st.integers(0, 6)) else draw(junk),
            draw(valid["x"]) if draw(st.integers(0, 8)) else draw(junk),
            draw(valid["y"]) if draw(st.integers(0, 8)) else draw(junk),
            draw(valid["w"]) if draw(st.integers(0, 8)) else draw(junk),
            draw(valid["h"]) if draw(st.integers(0, 8)) else draw(junk),
            draw(st.sampled_from(["", "", "open", "blocked", "closed"])),
        ]
        rows.append(",".join(c.replace(",", " ").replace("\n", " ") for c in cells))
    header = "code,zone,size,price_vnd,x,y,w,h,status"
    if not draw(st.integers(0, 9)):
        header = draw(st.sampled_from(["code,zone,size,x,y,w,h", "", "mã;khu"]))
    encoding = (
        "utf-16" if not draw(st.integers(0, 9)) else draw(st.sampled_from(["utf-8", "utf-8-sig"]))
    )
    return "\n".join([header, *rows]).encode(encoding, errors="replace")


def parsed_rows(raw: bytes) -> dict[str, tuple]:
    # read as the importer reads it: UTF-8 with or without BOM, and UTF-16 too
    text = decode_csv(raw).removeprefix("\ufeff")
    lines = text.split("\n")
    result = {}
    for line in lines[1:]:
        code, _zone, size, price, x, y, w, h, _status = (c.strip() for c in line.split(","))
        result[code.upper()] = (size.upper(), int(price), int(x), int(y), int(w), int(h))
    return result


def test_booth_csv_fuzz_applies_all_rows_or_none(client, auth, session, plan):
    auth.login(plan.organiser.email)

    @FUZZ
    @given(csv_files())
    def upload(raw):
        before = snapshot(session)
        response = client.post(
            f"{BASE}/manage/import",
            data={"file": (io.BytesIO(raw), "booths.csv")},
            content_type="multipart/form-data",
        )
        after = snapshot(session)

        assert response.status_code in (302, 422)
        event("imported" if response.status_code == 302 else "refused")
        if response.status_code == 422:
            assert after == before
        else:
            stored = {row[0]: (row[2], *row[3:]) for row in after}
            for code, values in parsed_rows(raw).items():
                assert stored[code] == values

    upload()

"""Bulk printing benchmark: personal agendas, fast path against one document at a time.

    .venv/bin/python benchmarks/bench_printing.py            # 3,000 delegates
    .venv/bin/python benchmarks/bench_printing.py --quick    # 60 agendas, a smoke run

The data is the demo edition (`flask seed-demo`'s loader) scaled to the number of
delegates asked for, on a fresh SQLite file. When the demo's content files are missing,
an edition of the same shape is invented here instead (12 sessions over 3 days, 170
booths, startups, investors and published meetings). Both figures come from the same run
on the same HTML: the baseline renders each agenda as its own document,
`HTML(string=...).write_pdf()` one after another; the fast path is
`techfest.printing.render.render_many` (chunks laid out once, split per person, 2 worker
processes). `--baseline-sample N` times the baseline on N agendas only and scales the
figure up, when the full baseline would take too long.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlmodel import Session  # noqa: E402

from techfest import create_app  # noqa: E402
from techfest.config import TestConfig  # noqa: E402
from techfest.models import metadata  # noqa: E402

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương"]
MIDDLE = ["Thị", "Văn", "Minh", "Quốc", "Thu", "Hoàng", "Ngọc", "Đức", "Thanh", "Hữu"]
GIVEN = ["Mai", "Hùng", "Lan", "Bảo", "Phương", "Khoa", "Hà", "Tuấn", "Linh", "Dũng", "Trang"]


def build_demo(session: Session, delegates: int) -> int:
    """The demo edition with `delegates` delegates; returns the edition's year."""
    try:
        from techfest.demo.load import load_demo

        loaded = load_demo(session, delegates=delegates)
        return loaded[-1].edition.year
    except FileNotFoundError:
        session.rollback()
        return invent_edition(session, delegates)


def invent_edition(session: Session, delegates: int) -> int:
    """An edition shaped like the demo, for when its content files are not there."""
    from werkzeug.security import generate_password_hash

    from techfest.auth.models import User
    from techfest.booths.models import Booth, BoothBooking, Zone
    from techfest.core.models import Edition, EditionRole, Organisation
    from techfest.matchmaking.models import Meeting, MeetingSlot, MeetingTable
    from techfest.programme.models import ProgrammeSession, Room, SessionSignup, Track
    from techfest.registration.models import Registration, TicketType

    rng = random.Random(2025)
    start = date(2025, 10, 9)
    edition = Edition(
        year=2025,
        number=9,
        name_vi="Techfest Hải Phòng 2025",
        name_en="Techfest Hai Phong 2025",
        venue_vi="Trung tâm Hội nghị và Biểu diễn Thành phố",
        venue_en="City Conference and Performance Centre",
        starts_on=start,
        ends_on=start + timedelta(days=2),
    )
    session.add(edition)
    session.flush()
    ticket = TicketType(
        edition_id=edition.id, code="free", name_vi="Miễn phí", name_en="Free", capacity=10**6
    )
    zone = Zone(edition_id=edition.id, code="A", name_vi="Khu A", name_en="Zone A")
    session.add_all([ticket, zone])
    rooms = [
        Room(
            edition_id=edition.id,
            code=f"R{i}",
            name_vi=f"Phòng hội thảo {i}",
            name_en=f"Conference room {i}",
            capacity=2000,
            location_vi=f"Tầng {i % 3 + 1}",
            location_en=f"Floor {i % 3 + 1}",
        )
        for i in range(1, 7)
    ]
    track = Track(edition_id=edition.id, code="F", name_vi="Diễn đàn", name_en="Forums")
    session.add_all([*rooms, track])
    session.flush()
    sessions = []
    for i in range(12):
        day = start + timedelta(days=i // 4)
        hour = (8, 10, 14, 16)[i % 4]
        sessions.append(
            ProgrammeSession(
                edition_id=edition.id,
                code=f"S{i:02d}",
                track_id=track.id,
                room_id=rooms[i % 6].id,
                title_vi=f"Diễn đàn chuyển đổi số và đổi mới sáng tạo số {i + 1}",
                title_en=f"Digital transformation and innovation forum {i + 1}",
                speakers=[{"name": "Lê Văn Hùng", "organisation": "Sở Khoa học và Công nghệ"}],
                starts_at=datetime(day.year, day.month, day.day, hour, tzinfo=HCM),
                ends_at=datetime(day.year, day.month, day.day, hour + 1, 30, tzinfo=HCM),
                capacity=3000,
            )
        )
    session.add_all(sessions)
    booths = [
        Booth(
            edition_id=edition.id,
            zone_id=zone.id,
            code=f"A{i + 1:03d}",
            x=(i % 17) * 40,
            y=(i // 17) * 40,
            w=30,
            h=30,
        )
        for i in range(170)
    ]
    session.add_all(booths)
    session.flush()
    pw = generate_password_hash("bench")
    startups = [
        Organisation(kind="startup", name=f"Công ty Khởi nghiệp {i}", slug=f"s{i}")
        for i in range(60)
    ]
    investors = [
        Organisation(kind="investor", name=f"Quỹ Đầu tư {i}", slug=f"i{i}") for i in range(25)
    ]
    session.add_all(startups + investors)
    session.flush()
    for booth, org in zip(booths, startups, strict=False):
        session.add(BoothBooking(booth_id=booth.id, organisation_id=org.id, status="approved"))
    users = []
    for n in range(delegates):
        org = None
        role = "delegate"
        if n < len(startups):
            org, role = startups[n], "startup"
        elif n < len(startups) + len(investors):
            org, role = investors[n - len(startups)], "investor"
        users.append(
            (
                User(
                    email=f"bench{n}@example.vn",
                    password_hash=pw,
                    full_name=f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}",
                    organisation_id=org.id if org else None,
                    locale="en" if n % 25 == 0 else "vi",
                    job_title="Chuyên viên",
                ),
                role,
            )
        )
    session.add_all([u for u, _ in users])
    session.flush()
    for user, role in users:
        session.add(EditionRole(user_id=user.id, edition_id=edition.id, role=role))
        session.add(
            Registration(
                edition_id=edition.id,
                user_id=user.id,
                ticket_type_id=ticket.id,
                full_name=user.full_name,
                email=user.email,
                organisation_name="Công ty TNHH Công nghệ Hải Phòng",
                job_title=user.job_title,
                language=user.locale,
            )
        )
        for ps in rng.sample(sessions[::2], k=rng.randint(1, 4)):
            session.add(SessionSignup(session_id=ps.id, user_id=user.id))
    slots = []
    for k in range(8):
        t = datetime(2025, 10, 10, 13, 30, tzinfo=HCM) + timedelta(minutes=25 * k)
        slots.append(
            MeetingSlot(
                edition_id=edition.id,
                day=2,
                block="afternoon",
                starts_at=t,
                ends_at=t + timedelta(minutes=20),
            )
        )
    tables = [
        MeetingTable(
            edition_id=edition.id,
            number=n,
            label=f"T{n:02d}",
            location_vi="Khu kết nối",
            location_en="Connection area",
            booth_id=booths[150 + n].id,
        )
        for n in range(1, 16)
    ]
    session.add_all(slots + tables)
    session.flush()
    for k, slot in enumerate(slots):
        for t, table in enumerate(tables):
            session.add(
                Meeting(
                    edition_id=edition.id,
                    startup_organisation_id=startups[(k * 15 + t) % 60].id,
                    investor_organisation_id=investors[(t + k) % 25].id,
                    slot_id=slot.id,
                    table_id=table.id,
                    status="published",
                    reasons_vi=["Cùng lĩnh vực logistics cảng biển"],
                    reasons_en=["Same sector: port logistics"],
                )
            )
    session.flush()
    return edition.year


def clocks() -> tuple[float, float]:
    """Wall time, and CPU time of this process and its finished children (the workers)."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.perf_counter(), time.process_time() + children.ru_utime + children.ru_stime


def baseline(parts: list[tuple[str, str]]) -> tuple[float, float]:
    """Each agenda as its own document, one after another: (wall, CPU) seconds."""
    from weasyprint import HTML

    from techfest.printing import render

    css = render.stylesheet_text()
    wall, cpu = clocks()
    for body, lang in parts:
        html = (
            f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
            f"<style>{css}</style></head><body>{render.section(0, body, lang)}</body></html>"
        )
        HTML(
            string=html, base_url=render.base_url(), url_fetcher=render.local_only_fetcher()
        ).write_pdf()
    wall2, cpu2 = clocks()
    return wall2 - wall, cpu2 - cpu


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--delegates", type=int, default=3000)
    parser.add_argument("--quick", action="store_true", help="60 agendas, for a smoke test")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--baseline-sample", type=int, default=0, help="time N, scale up")
    args = parser.parse_args(argv)
    count = 60 if args.quick else args.delegates
    if args.quick and not args.baseline_sample:
        args.baseline_sample = 6

    from techfest.printing import data, render, services

    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(TestConfig, DATABASE_URL=f"sqlite:///{tmp}/bench.db", JOBS_MODE="sync")
        engine = app.extensions["techfest_engine"]
        metadata.create_all(engine)
        with app.test_request_context(), Session(engine, expire_on_commit=False) as session:
            t0 = time.perf_counter()
            year = build_demo(session, count)
            session.commit()
            from techfest.core.editions import edition_by_year

            edition = edition_by_year(session, year)
            people = data.agenda_people(session, edition)[:count]
            ctx = data.edition_context(session, edition, services.agenda_url(edition))
            agendas = data.agendas(session, ctx, people)
            t1 = time.perf_counter()
            parts = list(
                zip(services.agendas_html(agendas), [a["lang"] for a in agendas], strict=True)
            )
            t2 = time.perf_counter()
        print(
            f"agendas: {len(parts)}  (data {t1 - t0:.1f} s, HTML {t2 - t1:.1f} s, not timed below)"
        )

        wall, cpu = clocks()
        combined, pdfs, pages = render.render_many(parts, workers=args.workers)
        wall2, cpu2 = clocks()
        fast, fast_cpu = wall2 - wall, cpu2 - cpu
        one_page = sum(1 for p in pages if p == 1)
        print(
            f"fast path: {fast:.1f} s wall, {fast_cpu:.1f} s CPU, for {len(pdfs)} PDFs + combined "
            f"({render.page_count(combined)} pages, {len(combined) // 1024} KiB; "
            f"{one_page} one-page agendas; {sum(map(len, pdfs)) // len(pdfs) // 1024} KiB each)"
        )

        sample = parts if not args.baseline_sample else parts[: args.baseline_sample]
        slow, slow_cpu = baseline(sample)
        scale = len(parts) / len(sample)
        slow, slow_cpu = slow * scale, slow_cpu * scale
        note = "" if len(sample) == len(parts) else f" (timed on {len(sample)}, scaled)"
        print(f"baseline: {slow:.1f} s wall, {slow_cpu:.1f} s CPU, one document at a time{note}")
        print(f"ratio: {slow / fast:.1f}x faster (wall), {slow_cpu / fast_cpu:.1f}x less CPU")
        print(f"load average during the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Check-in desk search on 3,000 people: folded name search against a badge-code lookup.

    .venv/bin/python benchmarks/bench_checkin_search.py             # SQLite, 3,000 people
    .venv/bin/python benchmarks/bench_checkin_search.py --url postgresql+psycopg://…/db
    .venv/bin/python benchmarks/bench_checkin_search.py --quick     # 300 people

Both figures come from the same run on the same data: the baseline is the kiosk's lookup of
one badge by its code (a unique index, the fastest read a desk makes); the search is
`techfest.checkin.services.search` with a query typed without diacritics ("nguyen thi mai").
The ratio says how many badge lookups one search costs.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlmodel import Session, select  # noqa: E402

from techfest import create_app  # noqa: E402
from techfest.checkin import services  # noqa: E402
from techfest.config import TestConfig  # noqa: E402
from techfest.models import metadata  # noqa: E402
from techfest.registration.models import Registration  # noqa: E402
from tests.factories import make_edition, make_user  # noqa: E402
from tests.factories.registration import make_ticket  # noqa: E402

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương"]
MIDDLE = ["Thị", "Văn", "Minh", "Quốc", "Thu", "Hoàng", "Ngọc", "Đức", "Thanh", "Hữu"]
GIVEN = ["Mai", "Hùng", "Lan", "Bảo", "Phương", "Khoa", "Hà", "Tuấn", "Linh", "Dũng", "Trang"]
ORGS = ["Cảng Hải Phòng", "Đại học Hàng hải", "Sở Khoa học và Công nghệ", "Công ty Sóng Biển"]
QUERIES = ["nguyen thi mai", "DANG DUC", "dai hoc hang hai", "ho ngoc trang", "vu"]


def timed(fn, repeat: int) -> float:
    """Median seconds of one call."""
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=3000)
    parser.add_argument("--url", help="database URL (default: a fresh SQLite file)")
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    people = 300 if args.quick else args.people
    tmp = tempfile.TemporaryDirectory()
    url = args.url or f"sqlite:///{Path(tmp.name) / 'bench.db'}"
    app = create_app(TestConfig, DATABASE_URL=url)
    engine = app.extensions["techfest_engine"]
    metadata.drop_all(engine)
    metadata.create_all(engine)
    rng = random.Random(7)
    with app.test_request_context(), Session(engine) as session:
        edition = make_edition(session)
        ticket = make_ticket(session, edition, capacity=people + 10)
        for i in range(people):
            name = f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
            user = make_user(session, edition, email=f"p{i}@example.vn", full_name=name)
            session.add(
                Registration(
                    edition_id=edition.id,
                    user_id=user.id,
                    ticket_type_id=ticket.id,
                    full_name=name,
                    organisation_name=rng.choice(ORGS),
                    email=user.email,
                )
            )
            if i % 500 == 0:
                session.flush()
        session.commit()
        codes = session.exec(select(Registration.badge_code)).all()
        repeat = 20 if args.quick else 60

        def lookup() -> None:
            services._registration_by_code(session, edition, rng.choice(codes))

        def search() -> None:
            for query in QUERIES:
                services.search(session, edition, query)

        found = {q: len(services.search(session, edition, q)) for q in QUERIES}
        baseline = timed(lookup, repeat)
        per_search = timed(search, repeat) / len(QUERIES)
    metadata.drop_all(engine)
    engine.dispose()
    print(f"database: {engine.dialect.name}, people: {people}, matches per query: {found}")
    print(f"baseline (badge code lookup): {baseline * 1000:.2f} ms")
    print(f"folded search (one query): {per_search * 1000:.2f} ms")
    print(f"ratio search / lookup: {per_search / baseline:.1f}")


if __name__ == "__main__":
    main()

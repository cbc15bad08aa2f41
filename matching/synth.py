"""Synthetic but realistic data: ranking evaluations and festival-scale schedules.

Ranking: investors have latent preferences (a few themes, a band of stages, a ticket
range) that their stated thesis only partly reveals; their *earlier* deals (the
portfolio) and *later* deals are drawn from the same latent preferences. The later deals
are hidden among many other startups; a ranker is judged by how many of them it puts in
each investor's top 10 (recall@10), the way real investment histories are used.

Scheduling: a festival with days x slots, tables, startups and investors, meetings chosen
by popularity, some unavailable slots and morning/afternoon restrictions.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .profiles import STAGES, Investor, Startup

__all__ = ["RankingEval", "festival_problem", "make_ranking_eval", "recall_at_k"]

# Each theme: (English sector, Vietnamese sector, English words, Vietnamese words).
THEMES: tuple[tuple[str, str, tuple[str, ...], tuple[str, ...]], ...] = (
    ("maritime logistics", "logistics hàng hải",
     ("port", "shipping", "container", "freight", "vessel", "warehouse", "customs"),
     ("cảng biển", "vận tải biển", "kho bãi", "hàng hải", "tàu", "xuất nhập khẩu")),
    ("agritech", "nông nghiệp công nghệ cao",
     ("farm", "crop", "irrigation", "harvest", "soil", "rice", "greenhouse"),
     ("nông nghiệp", "lúa gạo", "tưới tiêu", "nông dân", "nhà kính", "thu hoạch")),
    ("aquaculture", "thủy sản",
     ("shrimp", "fish", "hatchery", "feed", "pond", "seafood"),
     ("thủy sản", "nuôi trồng", "tôm", "cá", "ao nuôi", "thức ăn")),
    ("healthtech", "y tế số",
     ("clinic", "patient", "diagnosis", "hospital", "telemedicine", "doctor"),
     ("y tế", "bệnh viện", "bệnh nhân", "bác sĩ", "khám bệnh", "sức khỏe")),
    ("edtech", "giáo dục",
     ("learning", "students", "teachers", "courses", "school", "exam"),
     ("giáo dục", "học sinh", "giáo viên", "khóa học", "trường học", "học trực tuyến")),
    ("fintech", "tài chính số",
     ("payments", "lending", "wallet", "credit", "bank", "loan"),
     ("thanh toán", "ngân hàng", "tín dụng", "ví điện tử", "cho vay", "tài chính")),
    ("cleantech", "năng lượng sạch",
     ("solar", "battery", "wind", "carbon", "grid", "emissions"),
     ("năng lượng mặt trời", "điện gió", "pin", "năng lượng tái tạo", "phát thải")),
    ("smart manufacturing", "sản xuất thông minh",
     ("factory", "automation", "robot", "sensor", "machine", "quality"),
     ("nhà máy thông minh", "tự động hóa", "robot", "cảm biến", "sản xuất")),
    ("ecommerce", "thương mại điện tử",
     ("marketplace", "retail", "shop", "delivery", "consumer", "orders"),
     ("thương mại điện tử", "bán lẻ", "cửa hàng", "giao hàng", "người tiêu dùng")),
    ("proptech", "bất động sản",
     ("property", "rental", "apartment", "construction", "building"),
     ("bất động sản", "cho thuê", "căn hộ", "xây dựng", "tòa nhà")),
    ("tourism", "du lịch",
     ("travel", "hotel", "booking", "tour", "guests"),
     ("du lịch", "khách sạn", "đặt phòng", "tour", "du khách")),
    ("cybersecurity", "an ninh mạng",
     ("security", "threat", "encryption", "identity", "fraud"),
     ("an ninh mạng", "bảo mật", "mã hóa", "xác thực", "gian lận")),
)
_GENERIC_EN = ("platform", "app", "data", "ai", "smart", "digital", "solution", "customers",
               "vietnam", "market", "cloud", "mobile", "small", "business", "service")
_GENERIC_VI = ("nền tảng", "ứng dụng", "dữ liệu", "giải pháp", "khách hàng", "doanh nghiệp",
               "thông minh", "chuyển đổi số", "thị trường", "dịch vụ")
_PLACES = ("Hai Phong", "Ha Noi", "Ho Chi Minh City", "Da Nang", "Quang Ninh", "Can Tho")
_RAISE_BY_STAGE = {  # typical raise (USD) per stage: log-uniform between the two
    "idea": (5e3, 5e4), "pre-seed": (2e4, 2e5), "seed": (1e5, 1e6),
    "series-a": (1e6, 8e6), "series-b": (5e6, 3e7), "series-c": (2e7, 8e7),
    "growth": (5e7, 3e8),
}


def _strip(text: str) -> str:
    from .text import fold

    return fold(text)


_NICHE = tuple(f"{a}{b}" for a in ("agri", "bio", "cold", "data", "eco", "geo", "micro", "nano",
                                    "smart", "tele")
               for b in ("chain", "link", "track", "grid", "hub", "lab", "net", "sense"))


def _description(rng: np.random.Generator, themes: list[int], lang: str, plain: bool,
                 niche: tuple[str, ...] = ()) -> str:
    words: list[str] = list(niche)
    for t in themes:
        en, vi = THEMES[t][2], THEMES[t][3]
        pool = en if lang == "en" else vi if lang == "vi" else en + vi
        words += list(rng.choice(pool, size=3, replace=True))
    generic = _GENERIC_EN if lang == "en" else _GENERIC_VI if lang == "vi" else (
        _GENERIC_EN + _GENERIC_VI)
    words += list(rng.choice(generic, size=4, replace=True))
    rng.shuffle(words)
    text = " ".join(words)
    return _strip(text) if plain else text


def _startup(rng: np.random.Generator, sid: Any, themes: list[int], stage: str,
             niche: tuple[str, ...] | None = None) -> Startup:
    lang = str(rng.choice(["en", "vi", "mixed"]))
    plain = bool(rng.random() < 0.3)
    lo, hi = _RAISE_BY_STAGE[stage]
    raising = float(np.exp(rng.uniform(np.log(lo), np.log(hi))))
    t0 = themes[0]
    sector = THEMES[t0][0] if lang == "en" else THEMES[t0][1]
    return Startup(
        id=sid,
        name=f"Startup {sid}",
        description=_description(
            rng, themes, lang, plain,
            niche if niche is not None else (str(rng.choice(_NICHE)),),
        ),
        sectors=(sector,) if rng.random() < 0.8 else (),
        stage=stage if rng.random() < 0.9 else None,
        raising_usd=round(raising, -3) if rng.random() < 0.8 else None,
        location=str(rng.choice(_PLACES)) if rng.random() < 0.8 else None,
        founded_year=int(rng.integers(2012, 2026)),
    )


@dataclass(frozen=True)
class RankingEval:
    """A pool of startups, investors with portfolios, and each investor's later deals."""

    startups: list[Startup]
    investors: list[Investor]
    later: dict[Any, set[Any]]


def make_ranking_eval(
    n_investors: int = 200,
    n_pool: int = 3000,
    n_earlier: tuple[int, int] = (3, 8),
    n_later: int = 3,
    random_state: int = 0,
) -> RankingEval:
    """Investors with latent preferences; earlier deals become the portfolio, later
    deals are hidden in a pool of ``n_pool`` other startups."""
    rng = np.random.default_rng(random_state)
    startups: list[Startup] = []
    investors: list[Investor] = []
    later: dict[Any, set[Any]] = {}
    n_themes = len(THEMES)
    next_id = 0

    def new_startup(themes: list[int], stage: str,
                    niche: tuple[str, ...] | None = None) -> Startup:
        nonlocal next_id
        s = _startup(rng, f"s{next_id}", themes, stage, niche)
        next_id += 1
        return s

    for _ in range(n_pool):
        themes = list(rng.choice(n_themes, size=int(rng.integers(1, 3)), replace=False))
        startups.append(new_startup(themes, str(rng.choice(STAGES, p=[.1, .2, .3, .2, .1, .05,
                                                                       .05]))))
    for j in range(n_investors):
        # Latent preferences: 2-3 themes, a band of 2-3 adjacent stages, a ticket range.
        prefs = list(rng.choice(n_themes, size=int(rng.integers(2, 4)), replace=False))
        first = int(rng.integers(0, len(STAGES) - 2))
        stages = list(STAGES[first : first + int(rng.integers(2, 4))])
        lo = _RAISE_BY_STAGE[stages[0]][0]
        hi = _RAISE_BY_STAGE[stages[-1]][1]
        # The stated thesis names only one of the themes; the rest shows in the deals.
        stated = prefs[:1]
        lang = str(rng.choice(["en", "vi"]))
        thesis = _description(rng, stated, lang, plain=bool(rng.random() < 0.3))
        # Each investor also has a niche (technologies it keeps backing), seen in the deals.
        niches = tuple(str(x) for x in rng.choice(_NICHE, size=3, replace=False))
        deals = [
            new_startup([int(rng.choice(prefs))], str(rng.choice(stages)),
                        (str(rng.choice(niches)),) if rng.random() < 0.7 else None)
            for _ in range(int(rng.integers(n_earlier[0], n_earlier[1] + 1)) + n_later)
        ]
        earlier, held_out = deals[:-n_later], deals[-n_later:]
        startups.extend(held_out)
        later[f"inv{j}"] = {s.id for s in held_out}
        investors.append(
            Investor(
                id=f"inv{j}",
                name=f"Fund {j}",
                thesis=thesis,
                sectors=tuple(THEMES[t][0] for t in stated),
                stages=tuple(stages) if rng.random() < 0.85 else (),
                ticket_min_usd=lo if rng.random() < 0.8 else None,
                ticket_max_usd=hi if rng.random() < 0.8 else None,
                locations=("Vietnam",) if rng.random() < 0.5 else (),
                portfolio=tuple(s.description for s in earlier),
            )
        )
    order = rng.permutation(len(startups))
    return RankingEval([startups[k] for k in order], investors, later)


def recall_at_k(ranked: dict[Any, list[Any]], later: dict[Any, set[Any]], k: int = 10) -> float:
    """Share of all later deals that appear in their investor's top ``k``."""
    hits = total = 0
    for inv, deals in later.items():
        top = set(list(ranked.get(inv, []))[:k])
        hits += len(top & deals)
        total += len(deals)
    return hits / total if total else 0.0


def festival_problem(
    n_startups: int = 170,
    n_investors: int = 60,
    n_meetings: int = 1500,
    days: int = 2,
    slots_per_day: int = 16,
    n_tables: int = 60,
    unavailable_share: float = 0.05,
    random_state: int = 0,
) -> dict[str, Any]:
    """A festival-scale scheduling problem in the JSON contract form.

    Meetings are startup-investor pairs drawn by popularity (some investors and startups
    are asked for more often), at most one meeting per pair; each person's load fits in
    its available slots. Slots are ``d{day}-{k}`` with blocks morning/afternoon.
    """
    rng = np.random.default_rng(random_state)
    n_slots = days * slots_per_day
    slots = [
        {"id": f"d{d + 1}-{k + 1:02d}", "day": d + 1,
         "block": "morning" if k < slots_per_day // 2 else "afternoon"}
        for d in range(days) for k in range(slots_per_day)
    ]
    startups = [f"S{k:03d}" for k in range(n_startups)]
    investors = [f"I{k:02d}" for k in range(n_investors)]
    unavailable: dict[str, list[str]] = {}
    for p in startups + investors:
        if rng.random() < 0.3:  # a few people block a session they attend
            k = int(rng.integers(0, n_slots - 2))
            width = int(rng.integers(1, max(2, int(unavailable_share * n_slots * 3))))
            unavailable[p] = [slots[s]["id"] for s in range(k, min(k + width, n_slots))]
    # Nobody sits through more than seven eighths of the slots.
    cap = {p: min(n_slots - len(unavailable.get(p, [])) - 2, (7 * n_slots) // 8)
           for p in startups + investors}
    w_s = rng.pareto(2.0, n_startups) + 1
    w_i = rng.pareto(2.0, n_investors) + 1
    load = dict.fromkeys(startups + investors, 0)
    pairs: set[tuple[str, str]] = set()
    meetings: list[dict[str, Any]] = []
    tries = 0
    while len(meetings) < n_meetings and tries < 50 * n_meetings:
        tries += 1
        s = startups[int(rng.choice(n_startups, p=w_s / w_s.sum()))]
        i = investors[int(rng.choice(n_investors, p=w_i / w_i.sum()))]
        if (s, i) in pairs or load[s] >= cap[s] or load[i] >= cap[i]:
            continue
        pairs.add((s, i))
        load[s] += 1
        load[i] += 1
        r = rng.random()
        blocks = ["morning"] if r < 0.05 else ["afternoon"] if r < 0.1 else None
        meetings.append({"id": len(meetings) + 1, "participants": [s, i], "blocks": blocks,
                         "fixed_slot": None})
    return {
        "slots": slots,
        "tables": [{"id": f"T{k + 1}"} for k in range(n_tables)],
        "participants": [{"id": p, "unavailable": unavailable.get(p, [])}
                         for p in startups + investors],
        "meetings": meetings,
        "precedences": [],
        "fairness": 2,
    }


def main(argv: list[str] | None = None) -> int:
    """``python -m matching.synth``: print a festival problem as JSON for ``schedule``."""
    import argparse
    import json
    import sys

    parser = argparse.ArgumentParser(
        prog="python -m matching.synth",
        description="Print a generated festival-scale scheduling problem (the JSON that "
                    "'python -m matching schedule' reads) on standard output.",
    )
    parser.add_argument("--startups", type=int, default=170, metavar="N")
    parser.add_argument("--investors", type=int, default=60, metavar="N")
    parser.add_argument("--meetings", type=int, default=1500, metavar="N")
    parser.add_argument("--days", type=int, default=2, metavar="N")
    parser.add_argument("--slots-per-day", type=int, default=16, metavar="N")
    parser.add_argument("--tables", type=int, default=60, metavar="N")
    parser.add_argument("--seed", type=int, default=0, metavar="N",
                        help="random seed: the same seed gives the same problem")
    args = parser.parse_args(argv)
    problem = festival_problem(
        n_startups=args.startups, n_investors=args.investors, n_meetings=args.meetings,
        days=args.days, slots_per_day=args.slots_per_day, n_tables=args.tables,
        random_state=args.seed,
    )
    json.dump(problem, sys.stdout, ensure_ascii=False)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

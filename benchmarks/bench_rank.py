"""Ranking benchmark: quality on real investment histories, speed against a per-pair loop.

    .venv/bin/python benchmarks/bench_rank.py [--quick] [--deals DIR ...]

Quality is measured on a deal-evaluation set built from public investment records
(``../shared/dealeval/``; the data's licence keeps it out of this repository, so the set
is built in a folder outside it and named by ``TECHFEST_DEALEVAL``, or ``--deals``; more
than one folder, separated by ``:``, scores each, e.g. the 2011 and the older 2010
split). An investor's profile there holds only the deals it made before a date; the
truth is the startups it backed after it. The ranking is compared with a TF-IDF cosine
of the same texts, measured in the same run: recall@10, nDCG@10, recall@100 and
coverage@10 (the share of startups that appear in someone's top 10). Without a set the
quality part says it is skipping.

``--smoke`` adds the synthetic check of ``matching.synth`` (generated investors whose
later deals follow the same rules as the generator): it only shows that the ranking runs
end to end and finds planted structure; it is no measure of quality.

Speed: 10,000 startups x 2,000 investors, top 10 per investor with reasons, fitting and
learning included, against the same scores computed pair by pair (a sample, extrapolated).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from matching.profiles import Investor, Startup  # noqa: E402
from matching.ranking import Matcher  # noqa: E402
from matching.synth import make_ranking_eval, recall_at_k  # noqa: E402

ENV = "TECHFEST_DEALEVAL"
METRICS = ("recall@10", "nDCG@10", "recall@100", "coverage@10")


def _read(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def load_deals(folder: Path) -> tuple[list[dict], list[dict], dict[Any, set[Any]]]:
    """Startups, investors and each investor's later deals of one evaluation set."""
    truth = {r["investor"]: set(r["startups"]) for r in _read(folder / "truth.jsonl")}
    return _read(folder / "startups.jsonl"), _read(folder / "investors.jsonl"), truth


def metrics(ranked: dict[Any, list[Any]], truth: dict[Any, set[Any]], pool: list[Any]
            ) -> dict[str, float]:
    """recall@10/@100 and nDCG@10 over investors with later deals; coverage@10 over all."""
    r10 = r100 = ndcg = 0.0
    scored = [inv for inv, rel in truth.items() if rel]
    for inv in scored:
        rel, lst = truth[inv], ranked.get(inv, [])
        hits = [n for n, s in enumerate(lst[:10]) if s in rel]
        r10 += len(hits) / len(rel)
        r100 += sum(1 for s in lst[:100] if s in rel) / len(rel)
        ideal = sum(1 / math.log2(n + 2) for n in range(min(len(rel), 10)))
        ndcg += sum(1 / math.log2(n + 2) for n in hits) / ideal
    shown = {s for lst in ranked.values() for s in lst[:10]}
    n = max(len(scored), 1)
    return {"recall@10": r10 / n, "nDCG@10": ndcg / n, "recall@100": r100 / n,
            "coverage@10": len(shown & set(pool)) / max(len(pool), 1)}


def content_baseline(startups: list[dict], investors: list[dict], top: int = 100
                     ) -> dict[Any, list[Any]]:
    """TF-IDF cosine (word 1-2 grams, sublinear tf, English stop words, min_df 2) of a
    startup's sectors, place and description against an investor's sectors, places and
    portfolio."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    def s_text(s: dict) -> str:
        return " ".join([*(s.get("sectors") or []), s.get("location") or "",
                         s.get("description") or ""])

    def i_text(i: dict) -> str:
        return " ".join([*(i.get("sectors") or []), *(i.get("locations") or []),
                         *(i.get("portfolio") or [])])

    vec = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=2,
                          stop_words="english")
    vec.fit([s_text(s) for s in startups] + [i_text(i) for i in investors])
    S = vec.transform([s_text(s) for s in startups])
    ids = np.array([s["id"] for s in startups], dtype=object)
    out = {}
    for a in range(0, len(investors), 512):
        part = investors[a: a + 512]
        sim = (vec.transform([i_text(i) for i in part]) @ S.T).toarray()
        k = min(top, sim.shape[1])
        idx = np.argpartition(-sim, k - 1, axis=1)[:, :k]
        for r, inv in enumerate(part):
            order = idx[r][np.argsort(-sim[r, idx[r]], kind="stable")]
            out[inv["id"]] = list(ids[order])
    return out


def broken_preferences(startups: list[dict], investors: list[dict],
                       truth: dict[Any, set[Any]]) -> dict[str, float]:
    """Share of real later deals that break the investor's stated stages or ticket range
    (both sides stating them): why those are soft unless an investor marks them strict."""
    by_id = {s["id"]: s for s in startups}
    inv = {i["id"]: i for i in investors}
    stage = [0, 0]
    ticket = [0, 0]
    for i_id, deals in truth.items():
        i = inv.get(i_id)
        if i is None:
            continue
        stages = set(Investor.from_dict(i).stages)
        lo, hi = i.get("ticket_min_usd"), i.get("ticket_max_usd")
        for s_id in deals:
            s = Startup.from_dict(by_id[s_id])
            if s.stage and stages:
                stage[0] += s.stage not in stages
                stage[1] += 1
            if s.raising_usd is not None and (lo is not None or hi is not None):
                ticket[0] += (lo is not None and s.raising_usd < lo) or (
                    hi is not None and s.raising_usd > hi)
                ticket[1] += 1
    return {"stage": stage[0] / max(stage[1], 1), "ticket": ticket[0] / max(ticket[1], 1),
            "stage_pairs": stage[1], "ticket_pairs": ticket[1]}


def deals_quality(folder: Path, **params: Any) -> dict[str, Any]:
    """The ranking and the content baseline on one evaluation set."""
    startups, investors, truth = load_deals(folder)
    pool = [s["id"] for s in startups]
    t0 = time.perf_counter()
    matcher = Matcher(random_state=0, **params).fit(
        [Startup.from_dict(s) for s in startups], [Investor.from_dict(i) for i in investors])
    ranked = {k: [m.startup for m in v] for k, v in matcher.rank_for_investors(100).items()}
    seconds = time.perf_counter() - t0
    ours = metrics(ranked, truth, pool)
    base = metrics(content_baseline(startups, investors), truth, pool)
    return {"set": str(folder), "ours": ours, "baseline": base, "seconds": seconds,
            "broken": broken_preferences(startups, investors, truth),
            "weights": matcher.weights_.standardised(), "source": matcher.weights_.source,
            "investors": len(investors), "startups": len(startups),
            "with_truth": sum(1 for v in truth.values() if v)}


def smoke_quality(n_investors: int = 400, n_pool: int = 4000) -> dict[str, float]:
    """Synthetic smoke check: recall@10 of planted later deals, against TF-IDF cosine."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    ev = make_ranking_eval(n_investors=n_investors, n_pool=n_pool, random_state=0)
    ranked = Matcher(random_state=0).fit(ev.startups, ev.investors).rank_for_investors(10)
    ours = recall_at_k({k: [m.startup for m in v] for k, v in ranked.items()}, ev.later)
    s_docs = [" ".join((s.name, s.description, *s.sectors)) for s in ev.startups]
    i_docs = [" ".join((i.thesis, *i.sectors, *i.portfolio)) for i in ev.investors]
    vec = TfidfVectorizer().fit(s_docs + i_docs)
    sim = (vec.transform(i_docs) @ vec.transform(s_docs).T).toarray()
    top = np.argsort(-sim, axis=1, kind="stable")[:, :10]
    base = recall_at_k({inv.id: [ev.startups[k].id for k in top[j]]
                        for j, inv in enumerate(ev.investors)}, ev.later)
    return {"ours": ours, "baseline": base}


def speed(n_startups: int = 10_000, n_investors: int = 2_000, loop_pairs: int = 2_000,
          random_state: int = 0) -> dict[str, Any]:
    """Seconds to fit and rank top 10 with reasons versus a per-pair loop (extrapolated)."""
    n_pool = max(n_startups - 3 * n_investors, 0)
    ev = make_ranking_eval(n_investors=n_investors, n_pool=n_pool, random_state=random_state)
    t0 = time.perf_counter()
    matcher = Matcher(random_state=random_state).fit(ev.startups, ev.investors)
    fit = time.perf_counter() - t0
    t0 = time.perf_counter()
    matcher.rank_for_investors(top=10)
    rank = time.perf_counter() - t0
    rng = np.random.default_rng(random_state)
    s_sample = rng.integers(0, len(ev.startups), loop_pairs)
    i_sample = rng.integers(0, len(ev.investors), loop_pairs)
    t0 = time.perf_counter()
    for s, i in zip(s_sample, i_sample, strict=True):
        matcher.score_pair(ev.startups[s].id, ev.investors[i].id)
    per_pair = (time.perf_counter() - t0) / loop_pairs
    loop = per_pair * len(ev.startups) * len(ev.investors)
    return {"startups": len(ev.startups), "investors": len(ev.investors), "fit_s": fit,
            "rank_s": rank, "total_s": fit + rank, "loop_s": loop,
            "ratio": loop / (fit + rank)}


def _deal_folders(given: list[str] | None) -> list[Path]:
    text = ":".join(given) if given else os.environ.get(ENV, "")
    return [Path(p) for p in text.split(":") if p]


def main(quick: bool = False, deals: list[str] | None = None, smoke: bool = False
         ) -> dict[str, Any]:
    """Print and return the figures (``quick``: small speed run, seconds not meaningful)."""
    result: dict[str, Any] = {"deals": []}
    folders = _deal_folders(deals)
    if not folders:
        print(f"rank quality: skipping, no deal-evaluation set ({ENV} names its folder; "
              "../shared/dealeval/README.md builds one)")
    for folder in folders:
        if not (folder / "truth.jsonl").exists():
            print(f"rank quality: skipping {folder}: no truth.jsonl there")
            continue
        q = deals_quality(folder)
        result["deals"].append(q)
        print(f"rank quality on {folder.name} ({q['investors']} investors, {q['with_truth']} "
              f"with later deals, {q['startups']} startups; weights {q['source']}):")
        for key in METRICS:
            ours, base = q["ours"][key], q["baseline"][key]
            ratio = f"x{ours / base:.2f}" if base else "n/a"
            print(f"  {key:12s} {ours:.4f}  content baseline {base:.4f}  -> {ratio}")
        b = q["broken"]
        print(f"  ({q['seconds']:.1f} s to fit and rank top 100; real later deals outside the "
              f"stated stages {b['stage']:.0%} of {b['stage_pairs']}, outside the stated "
              f"ticket range {b['ticket']:.0%} of {b['ticket_pairs']})")
    if smoke:
        s = smoke_quality(60, 600) if quick else smoke_quality()
        result["smoke"] = s
        print(f"rank smoke check (synthetic, not a quality measure): recall@10 "
              f"{s['ours']:.3f} vs TF-IDF cosine {s['baseline']:.3f}")
    sp_ = speed(n_startups=600, n_investors=100, loop_pairs=100) if quick else speed()
    result["speed"] = sp_
    print(f"rank speed: {sp_['startups']} startups x {sp_['investors']} investors, top 10 with "
          f"reasons: {sp_['total_s']:.2f} s (fit and learn {sp_['fit_s']:.2f} s, rank "
          f"{sp_['rank_s']:.2f} s) vs per-pair loop {sp_['loop_s']:.0f} s (extrapolated) -> "
          f"x{sp_['ratio']:.0f}")
    return result


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small speed run, for a smoke run")
    parser.add_argument("--deals", action="append", metavar="DIR",
                        help=f"deal-evaluation set(s) (default: ${ENV}, ':'-separated)")
    parser.add_argument("--smoke", action="store_true",
                        help="also run the synthetic smoke check")
    args = parser.parse_args()
    main(args.quick, args.deals, args.smoke)

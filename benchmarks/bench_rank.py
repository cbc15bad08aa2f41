"""Ranking benchmark: held-out recall@10 against plain TF-IDF cosine, and speed against a
per-pair loop, both measured in the same run.

    .venv/bin/python benchmarks/bench_rank.py [--quick]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from matching.ranking import Matcher  # noqa: E402
from matching.synth import make_ranking_eval, recall_at_k  # noqa: E402


def evaluate(n_investors: int = 400, n_pool: int = 4000, random_state: int = 0) -> dict[str, Any]:
    """Recall@10 of the later deals: Matcher versus TF-IDF cosine over the same text."""
    ev = make_ranking_eval(n_investors=n_investors, n_pool=n_pool, random_state=random_state)
    matcher = Matcher(random_state=random_state).fit(ev.startups, ev.investors)
    ranked = matcher.rank_for_investors(top=10)
    ours = recall_at_k({k: [m.startup for m in v] for k, v in ranked.items()}, ev.later)

    s_docs = [" ".join((s.name, s.description, *s.sectors)) for s in ev.startups]

    def cosine_recall(i_docs: list[str]) -> float:
        vec = TfidfVectorizer().fit(s_docs + i_docs)
        sim = (vec.transform(i_docs) @ vec.transform(s_docs).T).toarray()
        top = np.argsort(-sim, axis=1, kind="stable")[:, :10]
        ranked_ids = {inv.id: [ev.startups[k].id for k in top[j]]
                      for j, inv in enumerate(ev.investors)}
        return recall_at_k(ranked_ids, ev.later)

    # The baseline: plain TF-IDF cosine between a startup's text and the investor's own
    # text (thesis and sectors). A stronger variant also pastes the portfolio in.
    baseline = cosine_recall([" ".join((i.name, i.thesis, *i.sectors)) for i in ev.investors])
    with_portfolio = cosine_recall(
        [" ".join((i.name, i.thesis, *i.sectors, *i.portfolio)) for i in ev.investors]
    )
    return {"ours": ours, "baseline": baseline,
            "ratio": ours / baseline if baseline else float("inf"),
            "baseline_with_portfolio": with_portfolio,
            "ratio_with_portfolio": ours / with_portfolio if with_portfolio else float("inf"),
            "investors": n_investors, "startups": len(ev.startups)}


def speed(n_startups: int = 10_000, n_investors: int = 2_000, loop_pairs: int = 2_000,
          random_state: int = 0) -> dict[str, Any]:
    """Seconds to rank top 10 for every investor versus a per-pair loop (extrapolated)."""
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
            "rank_s": rank, "loop_s": loop, "ratio": loop / rank}


def main(quick: bool = False) -> dict[str, Any]:
    """Print and return the figures (``quick`` = small sizes, seconds not meaningful)."""
    if quick:
        ev = evaluate(n_investors=60, n_pool=600)
        sp = speed(n_startups=600, n_investors=100, loop_pairs=100)
    else:
        ev = evaluate()
        sp = speed()
    print(f"rank quality: recall@10 of later deals {ev['ours']:.3f} vs plain TF-IDF cosine "
          f"(startup text vs thesis) {ev['baseline']:.3f} -> x{ev['ratio']:.2f}; vs cosine "
          f"with the portfolio text pasted in {ev['baseline_with_portfolio']:.3f} -> "
          f"x{ev['ratio_with_portfolio']:.2f} ({ev['investors']} investors, "
          f"{ev['startups']} startups)")
    print(f"rank speed: {sp['startups']} startups x {sp['investors']} investors, top 10 each: "
          f"rank {sp['rank_s']:.2f} s (+ fit {sp['fit_s']:.2f} s) vs per-pair loop "
          f"{sp['loop_s']:.0f} s (extrapolated) -> x{sp['ratio']:.0f}")
    return {"quality": ev, "speed": sp}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    main(parser.parse_args().quick)

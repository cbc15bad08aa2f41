"""The adapter to `matching.ranking`: every startup-investor pair's score and reasons.

Rows become the library's plain profiles here and its matches come back as
`Scores` ({(startup id, investor id): (score, reasons)}). Ranking a whole edition takes
seconds, so results are kept in the application's `RankCache`. Only this module and `run`
import the matching library.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from collections import defaultdict

from flask import current_app
from sqlmodel import Session, select

from techfest.core.models import Edition, Organisation
from techfest.matchmaking.models import (
    InvestorProfile,
    Meeting,
    MeetingFeedback,
    StartupProfile,
)
from techfest.matchmaking.participants import profiled_organisations

log = logging.getLogger(__name__)


def _startup_data(org: Organisation, p: StartupProfile) -> dict:
    text = " ".join(x for x in (p.pitch_en, p.pitch_vi, " ".join(p.tags or ())) if x)
    return {
        "id": org.id,
        "name": org.name,
        "description": text,
        "sectors": tuple(p.sectors or ()),
        "stage": p.stage,
        "raising_usd": p.raising_usd,
        "location": p.location or None,
        "founded_year": p.founded_year,
    }


def _investor_data(org: Organisation, p: InvestorProfile) -> dict:
    return {
        "id": org.id,
        "name": org.name,
        "thesis": " ".join(x for x in (p.thesis_en, p.thesis_vi) if x),
        "sectors": tuple(p.sectors or ()),
        "stages": tuple(p.stages or ()),
        "ticket_min_usd": p.ticket_min_usd,
        "ticket_max_usd": p.ticket_max_usd,
        "locations": tuple(p.locations or ()),
        "portfolio": tuple(p.portfolio or ()),
        "max_meetings": p.max_meetings,
    }


Scores = dict[tuple[int, int], tuple[float, tuple[str, ...]]]


class RankCache:
    """Rankings already computed, keyed by a digest of everything the ranking reads.

    Owner and lifetime: the application. The matchmaking domain's `init_app` puts one on
    `app.extensions` (`rank_cache()` finds it), so it lives as long as the application in
    one process and is never shared between two applications. An entry cannot go stale:
    the key covers the edition, the language, both sides' profiles, the pairs left out and
    the earlier ratings, so any change is a new key. It holds at most `size` rankings and
    starts over when full. Safe to use from several threads.
    """

    def __init__(self, size: int = 32) -> None:
        self.size = size
        self._entries: dict[str, Scores] = {}
        self._lock = threading.Lock()

    def get(self, key: str) -> Scores | None:
        with self._lock:
            return self._entries.get(key)

    def put(self, key: str, scores: Scores) -> None:
        with self._lock:
            if len(self._entries) > self.size:
                self._entries.clear()
            self._entries[key] = scores


#: where the application keeps its RankCache
RANK_CACHE = "techfest_rank_cache"


def rank_cache() -> RankCache:
    """The current application's rank cache."""
    return current_app.extensions[RANK_CACHE]


def rank_pairs(
    startups: list[dict],
    investors: list[dict],
    lang: str,
    exclude: list[tuple[int, int]] = (),
    feedback: dict[tuple[int, int], float] | None = None,
) -> Scores:
    """Rank every (startup, investor) pair with `matching.ranking`: scores and reasons."""
    from matching.profiles import Investor, Startup
    from matching.ranking import Matcher

    s_objs = [Startup(**s) for s in startups]
    i_objs = [Investor(**i) for i in investors]
    if not s_objs or not i_objs:
        return {}
    try:
        matcher = Matcher(random_state=0, lang=lang).fit(
            s_objs, i_objs, exclude_pairs=exclude, feedback=feedback or None
        )
        ranked = matcher.rank_for_investors(top=len(s_objs))
    except ValueError:  # a corpus too small to learn from: every pair stays neutral
        log.warning(
            "matcher could not rank %s startups x %s investors",
            len(s_objs),
            len(i_objs),
            exc_info=True,
        )
        return {}
    out: Scores = {}
    for investor_id, matches in ranked.items():
        for m in matches:
            sid = getattr(m.startup, "id", m.startup)
            out[(sid, investor_id)] = (float(m.score), tuple(m.reasons))
    return out


#: how an earlier rating by the investor weighs the pair's kind of startup next time
FEEDBACK_WEIGHT = {"useful": 0.5, "follow_up": 1.0, "not_useful": -1.0}


def earlier_feedback(session: Session, edition: Edition) -> dict[tuple[int, int], float]:
    """Investors' ratings of meetings at earlier editions, as (startup, investor) -> [-1, 1]."""
    earlier = select(Edition.id).where(Edition.year < edition.year)
    rows = session.exec(
        select(
            Meeting.startup_organisation_id,
            Meeting.investor_organisation_id,
            MeetingFeedback.rating,
        )
        .join(MeetingFeedback, MeetingFeedback.meeting_id == Meeting.id)
        .where(
            Meeting.edition_id.in_(earlier),
            MeetingFeedback.organisation_id == Meeting.investor_organisation_id,
        )
    ).all()
    return {(s, i): FEEDBACK_WEIGHT[r] for s, i, r in rows if r in FEEDBACK_WEIGHT}


def pair_scores(session: Session, edition: Edition, lang: str) -> Scores:
    """Every pair's score and reasons in `lang`, cached while the inputs stay the same.

    Pairs that met at an earlier edition are left out; earlier ratings weigh the ranking.
    """
    startups, investors = profiled_organisations(session, edition)
    s_data = [_startup_data(o, p) for o, p in startups]
    i_data = [_investor_data(o, p) for o, p in investors]
    exclude = sorted(met_before(session, edition))
    feedback = earlier_feedback(session, edition)
    key = hashlib.sha256(
        json.dumps(
            [edition.id, lang, s_data, i_data, exclude, sorted(feedback.items())],
            sort_keys=True,
            default=str,
        ).encode()
    ).hexdigest()
    cache = rank_cache()
    cached = cache.get(key)
    if cached is not None:
        return cached
    scores = rank_pairs(s_data, i_data, lang, exclude, feedback)
    cache.put(key, scores)
    return scores


def met_before(session: Session, edition: Edition) -> set[tuple[int, int]]:
    """(startup, investor) pairs that held a meeting in an earlier edition.

    A meeting both sides reported as "did not take place" does not count.
    """
    earlier = select(Edition.id).where(Edition.year < edition.year)
    rows = session.exec(
        select(Meeting.id, Meeting.startup_organisation_id, Meeting.investor_organisation_id).where(
            Meeting.edition_id.in_(earlier), Meeting.status == "held"
        )
    ).all()
    if not rows:
        return set()
    not_happened = defaultdict(int)
    for meeting_id in session.exec(
        select(MeetingFeedback.meeting_id).where(
            MeetingFeedback.meeting_id.in_([r[0] for r in rows]),
            MeetingFeedback.rating == "did_not_happen",
        )
    ).all():
        not_happened[meeting_id] += 1
    return {(s, i) for mid, s, i in rows if not_happened[mid] < 2}


def reasons_for(session, edition, startup_id: int, investor_id: int) -> dict:
    """The pair's score and its reasons in both languages, for a new meeting row."""
    out = {"score": None, "reasons_vi": [], "reasons_en": []}
    for lang in ("vi", "en"):
        score, reasons = pair_scores(session, edition, lang).get(
            (startup_id, investor_id), (None, ())
        )
        out["score"] = score if score is not None else out["score"]
        out[f"reasons_{lang}"] = list(reasons)
    return out

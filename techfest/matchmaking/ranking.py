"""The adapter to `matching.ranking`: every startup-investor pair's score and reasons,
kept per edition.

Profiles become the library's plain profiles here; sectors travel as their slugs and
the reasons name them by their label in each language. What the ranking learns from is
read here too: earlier meetings' ratings, meetings held, and requests accepted or
declined are outcomes (a good one also counts as one of the investor's past companies).

Ranking an edition takes seconds, so it is not done while someone waits. The result is
kept in the database (`RankingSnapshot` and one `RankedPair` per pair, with the reasons
in Vietnamese and English), stamped with a digest of everything it read. Saving a
profile, answering a request or rating a meeting changes that digest; the page that
notices (`refresh_if_stale`) queues the `matchmaking.rank` job, and until it is done
pages read the ranking kept, which is at most a few seconds old. Only this module and
`run` import the matching library.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import current_app
from sqlmodel import Session, select

from techfest.core.jobs import Apply, create_job, live_job
from techfest.core.models import Edition, Job, Organisation
from techfest.db import now_utc
from techfest.matchmaking.labels import sectors
from techfest.matchmaking.models import (
    InvestorProfile,
    Meeting,
    MeetingFeedback,
    MeetingRequest,
    RankedPair,
    RankingSnapshot,
    StartupProfile,
)
from techfest.matchmaking.participants import profiled_organisations

log = logging.getLogger(__name__)

#: the background job that ranks an edition and keeps the result
KIND = "matchmaking.rank"

Scores = dict[tuple[int, int], tuple[float, tuple[str, ...]]]

#: what an earlier meeting's outcome says about the pair, in [-1, 1]
OUTCOME_OF_RATING = {"follow_up": 1.0, "useful": 0.5, "not_useful": -1.0}
OUTCOME_OF_HELD = 0.5
OUTCOME_OF_ANSWER = {"accepted": 0.5, "declined": -0.5}


def _startup_data(org: Organisation, p: StartupProfile) -> dict:
    text = " ".join(x for x in (p.pitch_en, p.pitch_vi, " ".join(p.tags or ())) if x)
    return {
        "id": org.id,
        "name": org.name,
        "description": text,
        "sectors": list(p.sectors or ()),
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
        "sectors": list(p.sectors or ()),
        "stages": list(p.stages or ()),
        "ticket_min_usd": p.ticket_min_usd,
        "ticket_max_usd": p.ticket_max_usd,
        "locations": list(p.locations or ()),
        "portfolio": list(p.portfolio or ()),
        "max_meetings": p.max_meetings,
        "strict": list(p.strict or ()),
    }


@dataclass(frozen=True)
class RankingInputs:
    """Everything a ranking of one edition reads, as plain data."""

    edition_id: int
    startups: list[dict]
    investors: list[dict]
    #: (startup, investor) pairs never proposed: they met at an earlier edition
    exclude: list[tuple[int, int]]
    #: (startup, investor) -> outcome in [-1, 1] of earlier meetings and answered requests
    outcomes: dict[tuple[int, int], float] = field(default_factory=dict)

    @property
    def digest(self) -> str:
        """Changes whenever anything the ranking reads changes."""
        payload = [self.startups, self.investors, self.exclude, sorted(self.outcomes.items())]
        return hashlib.sha256(
            json.dumps(payload, sort_keys=True, default=str).encode()
        ).hexdigest()


def ranking_inputs(session: Session, edition: Edition) -> RankingInputs:
    """Read the profiles, the pairs that met before and the outcomes the ranking learns."""
    startups, investors = profiled_organisations(session, edition)
    return RankingInputs(
        edition_id=edition.id,
        startups=[_startup_data(o, p) for o, p in startups],
        investors=[_investor_data(o, p) for o, p in investors],
        exclude=sorted(met_before(session, edition)),
        outcomes=outcomes(session, edition),
    )


@dataclass
class ComputedRanking:
    """A ranking of every pair: score and reasons in both languages, and the weights."""

    pairs: dict[tuple[int, int], tuple[float, list[str], list[str]]]
    weights: dict[str, float]
    lessons: int
    source: str

    def scores(self, lang: str) -> Scores:
        """The pairs' scores and reasons in `lang`."""
        at = 1 if lang == "vi" else 2
        return {pair: (v[0], tuple(v[at])) for pair, v in self.pairs.items()}


def _labels(lang: str) -> dict[str, str]:
    return {s["slug"]: s.get(lang) or s["en"] for s in sectors()}


def compute_ranking(inputs: RankingInputs, progress: Callable[[int, str], None] | None = None
                    ) -> ComputedRanking:
    """Rank every pair with `matching.ranking`, reasons in Vietnamese and English.

    A pair that nothing explains is left out, as is a pair an investor's strict
    preferences exclude."""
    from matching.profiles import Investor, Startup
    from matching.ranking import Matcher

    step = progress or (lambda percent, text: None)
    s_objs = [Startup.from_dict(s) for s in inputs.startups]
    i_objs = [Investor.from_dict(i) for i in inputs.investors]
    if not s_objs or not i_objs:
        return ComputedRanking(pairs={}, weights={}, lessons=0, source="")
    step(10, "learning the weights")
    matcher = Matcher(random_state=0, lang="vi", labels=_labels("vi")).fit(
        s_objs, i_objs, exclude_pairs=inputs.exclude, feedback=inputs.outcomes or None
    )
    step(50, "ranking every pair")
    pairs: dict[tuple[int, int], tuple[float, list[str], list[str]]] = {}
    for matches in matcher.rank_for_investors(top=len(s_objs)).values():
        for m in matches:
            pairs[(m.startup, m.investor)] = (float(m.score), list(m.reasons), [])
    step(75, "writing the reasons in English")
    english = matcher.in_language("en", _labels("en"))
    for matches in english.rank_for_investors(top=len(s_objs)).values():
        for m in matches:
            key = (m.startup, m.investor)
            if key in pairs:
                pairs[key] = (pairs[key][0], pairs[key][1], list(m.reasons))
    w = matcher.weights_
    return ComputedRanking(pairs=pairs, weights=w.standardised(), lessons=w.lessons,
                           source=w.source)


def store_ranking(session: Session, edition_id: int, digest: str,
                  computed: ComputedRanking) -> RankingSnapshot:
    """Keep a computed ranking as the edition's, replacing the one kept before."""
    session.execute(sa.delete(RankedPair).where(RankedPair.edition_id == edition_id))
    if computed.pairs:
        session.execute(sa.insert(RankedPair), [
            {"edition_id": edition_id, "startup_organisation_id": s,
             "investor_organisation_id": i, "score": score, "reasons_vi": vi,
             "reasons_en": en}
            for (s, i), (score, vi, en) in computed.pairs.items()
        ])
    snapshot = session.exec(
        select(RankingSnapshot).where(RankingSnapshot.edition_id == edition_id)
    ).first() or RankingSnapshot(edition_id=edition_id, digest=digest)
    snapshot.digest = digest
    snapshot.computed_at = now_utc()
    snapshot.lessons = computed.lessons
    snapshot.source = computed.source
    snapshot.weights = computed.weights
    session.add(snapshot)
    session.flush()
    return snapshot


@dataclass(frozen=True)
class RankingState:
    """Whether the edition's kept ranking matches its profiles now."""

    snapshot: RankingSnapshot | None
    fresh: bool
    inputs: RankingInputs

    @property
    def updating(self) -> bool:
        """A ranking is kept but the profiles have changed since."""
        return self.snapshot is not None and not self.fresh


def ranking_state(session: Session, edition: Edition) -> RankingState:
    """The kept ranking of an edition and whether it is up to date."""
    inputs = ranking_inputs(session, edition)
    snapshot = session.exec(
        select(RankingSnapshot).where(RankingSnapshot.edition_id == edition.id)
    ).first()
    return RankingState(snapshot, snapshot is not None and snapshot.digest == inputs.digest,
                        inputs)


def refresh_if_stale(session: Session, edition: Edition, user_id: int | None = None
                     ) -> tuple[Job | None, RankingState]:
    """Queue a new ranking when the kept one is out of date and none is on its way.

    Returns the job queued (the caller commits, then launches it) and the state seen."""
    state = ranking_state(session, edition)
    if state.fresh or live_job(session, KIND, edition.id):
        return None, state
    return create_job(session, KIND, edition_id=edition.id, user_id=user_id), state


def ensure_ranking(session: Session, edition: Edition) -> RankingSnapshot | None:
    """Rank the edition now unless the kept ranking is up to date (commands, demo)."""
    state = ranking_state(session, edition)
    if state.fresh:
        return state.snapshot
    return store_ranking(session, edition.id, state.inputs.digest,
                         compute_ranking(state.inputs))


def rank_edition(session: Session, job: Job, progress) -> Apply:
    """The background job: rank the edition (reading only), then keep the result at once."""
    edition = session.get(Edition, job.edition_id)
    inputs = ranking_inputs(session, edition)
    computed = compute_ranking(inputs, progress)
    progress(95, "saving")
    edition_id, digest = edition.id, inputs.digest

    def apply(write_session: Session) -> dict:
        store_ranking(write_session, edition_id, digest, computed)
        return {"pairs": len(computed.pairs), "lessons": computed.lessons}

    return apply


class RankCache:
    """Rankings computed in this process while none was kept yet, keyed by digest.

    Owner and lifetime: the application (the matchmaking domain's `init_app` puts one on
    `app.extensions`). An entry cannot go stale: the digest covers everything the ranking
    reads. At most `size` entries; starts over when full. Safe to use from several threads.
    """

    def __init__(self, size: int = 8) -> None:
        self.size = size
        self._entries: dict[str, ComputedRanking] = {}
        self._lock = threading.Lock()

    def get(self, key: str) -> ComputedRanking | None:
        with self._lock:
            return self._entries.get(key)

    def put(self, key: str, ranking: ComputedRanking) -> None:
        with self._lock:
            if len(self._entries) >= self.size:
                self._entries.clear()
            self._entries[key] = ranking


#: where the application keeps its RankCache
RANK_CACHE = "techfest_rank_cache"


def rank_cache() -> RankCache:
    """The current application's rank cache."""
    return current_app.extensions[RANK_CACHE]


def _computed(inputs: RankingInputs) -> ComputedRanking:
    cache = rank_cache()
    found = cache.get(inputs.digest)
    if found is None:
        found = compute_ranking(inputs)
        cache.put(inputs.digest, found)
    return found


def current_scores(session: Session, edition: Edition) -> dict[str, Scores]:
    """Scores and reasons for the profiles as they are now, in both languages.

    The kept ranking when it is up to date, else computed here (the matcher run needs
    today's profiles, not a ranking a few seconds old)."""
    state = ranking_state(session, edition)
    if state.fresh:
        return {lang: kept_scores(session, edition, lang) for lang in ("vi", "en")}
    computed = _computed(state.inputs)
    return {lang: computed.scores(lang) for lang in ("vi", "en")}


def kept_scores(session: Session, edition: Edition, lang: str, *, startup_id: int | None = None,
                investor_id: int | None = None) -> Scores:
    """The kept ranking's pairs (of one startup or one investor, if given) in `lang`."""
    query = select(RankedPair).where(RankedPair.edition_id == edition.id)
    if startup_id is not None:
        query = query.where(RankedPair.startup_organisation_id == startup_id)
    if investor_id is not None:
        query = query.where(RankedPair.investor_organisation_id == investor_id)
    at = "reasons_vi" if lang == "vi" else "reasons_en"
    return {(r.startup_organisation_id, r.investor_organisation_id):
            (r.score, tuple(getattr(r, at))) for r in session.exec(query)}


def pair_scores(session: Session, edition: Edition, lang: str, *,
                startup_id: int | None = None, investor_id: int | None = None) -> Scores:
    """Pairs' scores and reasons in `lang`: the kept ranking, even a few seconds old.

    Before any ranking is kept (a new edition), one is computed here, once per process."""
    has_kept = session.exec(
        select(RankingSnapshot.id).where(RankingSnapshot.edition_id == edition.id)
    ).first()
    if has_kept:
        return kept_scores(session, edition, lang, startup_id=startup_id,
                           investor_id=investor_id)
    scores = _computed(ranking_inputs(session, edition)).scores(lang)
    return {pair: v for pair, v in scores.items()
            if (startup_id is None or pair[0] == startup_id)
            and (investor_id is None or pair[1] == investor_id)}


def outcomes(session: Session, edition: Edition) -> dict[tuple[int, int], float]:
    """What earlier meetings and answered requests say about pairs, in [-1, 1].

    Ratings by either side of meetings at earlier editions, meetings held there, and
    requests accepted or declined (at earlier editions and this one)."""
    earlier = select(Edition.id).where(Edition.year < edition.year)
    found: dict[tuple[int, int], float] = defaultdict(float)
    for s, i, rating in session.exec(
        select(
            Meeting.startup_organisation_id,
            Meeting.investor_organisation_id,
            MeetingFeedback.rating,
        )
        .join(MeetingFeedback, MeetingFeedback.meeting_id == Meeting.id)
        .where(Meeting.edition_id.in_(earlier))
    ):
        found[(s, i)] += OUTCOME_OF_RATING.get(rating, 0.0)
    for s, i in session.exec(
        select(Meeting.startup_organisation_id, Meeting.investor_organisation_id).where(
            Meeting.edition_id.in_(earlier), Meeting.status == "held"
        )
    ):
        found[(s, i)] += OUTCOME_OF_HELD
    kinds = {o.id: o.kind for o in session.exec(select(Organisation))}
    for r in session.exec(
        select(MeetingRequest).where(
            sa.or_(MeetingRequest.edition_id == edition.id, MeetingRequest.edition_id.in_(earlier)),
            MeetingRequest.status.in_(tuple(OUTCOME_OF_ANSWER)),
        )
    ):
        a, b = r.from_organisation_id, r.to_organisation_id
        pair = (a, b) if kinds.get(a) == "startup" else (b, a)
        found[pair] += OUTCOME_OF_ANSWER[r.status]
    return {pair: max(-1.0, min(1.0, v)) for pair, v in found.items() if v}


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
        score, reasons = pair_scores(
            session, edition, lang, startup_id=startup_id, investor_id=investor_id
        ).get((startup_id, investor_id), (None, ()))
        out["score"] = score if score is not None else out["score"]
        out[f"reasons_{lang}"] = list(reasons)
    return out

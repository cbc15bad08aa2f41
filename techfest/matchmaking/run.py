"""The organiser's matcher run: who meets whom, in which slot, at which table.

`plan_run` reads (a `RunSnapshot`), builds the library's plain problems, solves them with a
fallback and sums up into a `RunPlan`, writing nothing; `apply_plan` then writes the draft
in one transaction (the background job in `jobs` runs the two). Only this module and
`ranking` import the matching library.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import asdict, dataclass, field

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlmodel import Session, select

from techfest.auth.models import User
from techfest.core.audit import record
from techfest.core.models import Edition
from techfest.matchmaking.availability import blocked_slots
from techfest.matchmaking.errors import MatchmakingError, NotFound
from techfest.matchmaking.models import (
    LIVE,
    InvestorProfile,
    MatcherRun,
    MatchPreference,
    Meeting,
    MeetingRequest,
    MeetingSlot,
    MeetingTable,
    StartupProfile,
)
from techfest.matchmaking.participants import profiled_organisations
from techfest.matchmaking.ranking import Scores, current_scores, met_before
from techfest.matchmaking.requests import is_expired
from techfest.matchmaking.slots import slots, tables


def latest_run(session: Session, edition: Edition) -> MatcherRun | None:
    """The edition's last matcher run, or None."""
    return session.exec(
        select(MatcherRun).where(MatcherRun.edition_id == edition.id).order_by(MatcherRun.id.desc())
    ).first()


def start_run(
    session: Session,
    edition: Edition,
    user: User | None,
    *,
    time_limit: float = 10.0,
    reserve: int = 1,
):
    """Queue a matcher run (assign + schedule) as a background job; caller commits, launches."""
    from techfest.core.jobs import create_job, live_job

    if not slots(session, edition) or not tables(session, edition):
        raise MatchmakingError(_l("Set up meeting slots and tables first."))
    if live_job(session, "matchmaking.run", edition.id) is not None:
        raise MatchmakingError(_l("A matcher run is already in progress."))
    job = create_job(
        session,
        "matchmaking.run",
        edition_id=edition.id,
        user_id=user.id if user else None,
        time_limit=time_limit,
        reserve=reserve,
    )
    record(
        session,
        "matchmaking.run.start",
        user_id=user.id if user else None,
        edition_id=edition.id,
        object_type="job",
        object_id=job.id,
    )
    return job


def _tiers(session, edition, startup_ids, investor_ids) -> dict[tuple[int, int], str]:
    """Pair tiers from both sides' marks: 'no' from either side wins, then 'must'."""
    tiers: dict[tuple[int, int], str] = {}
    rank = {"no": 3, "must": 2, "nice": 1}
    for p in session.exec(select(MatchPreference).where(MatchPreference.edition_id == edition.id)):
        a, b = p.from_organisation_id, p.to_organisation_id
        pair = (a, b) if a in startup_ids else (b, a)
        if pair[0] not in startup_ids or pair[1] not in investor_ids:
            continue
        if rank[p.tier] > rank.get(tiers.get(pair, ""), 0):
            tiers[pair] = p.tier
    return tiers


Pair = tuple[int, int]


@dataclass(frozen=True)
class RunSnapshot:
    """Everything a matcher run reads from the database, read once at its start."""

    #: startups that want meetings, and every investor with a profile
    startup_ids: set[int]
    investor_ids: set[int]
    startup_profiles: dict[int, StartupProfile]
    investor_profiles: dict[int, InvestorProfile]
    slots: list[MeetingSlot]
    tables: list[MeetingTable]
    #: each pair's score and reasons, per language ("vi", "en")
    scores: dict[str, Scores]
    #: the pairs' must / nice / no marks from both sides
    tiers: dict[Pair, str]
    #: pairs whose meeting request was accepted
    accepted: set[Pair]
    #: pairs whose latest request still waits for an answer: left out of the run, so the
    #: matcher never answers for the side that was asked
    pending: set[Pair]
    #: pairs whose latest request was declined: never matched
    declined: set[Pair]
    #: pairs that met at an earlier edition
    met: set[Pair]
    #: meetings that stay: locked drafts and everything already published or held
    kept: list[Meeting]
    #: organisation -> slots it cannot meet in (a kept meeting's own slot is not blocked)
    blocked: dict[int, set[int]]

    @property
    def kept_pairs(self) -> set[Pair]:
        return {(m.startup_organisation_id, m.investor_organisation_id) for m in self.kept}


@dataclass(frozen=True)
class PlannedMeeting:
    """A new draft meeting the run proposes: who, where, when, and why."""

    startup: int
    investor: int
    score: float
    slot: int
    table: int
    reasons_vi: list[str]
    reasons_en: list[str]
    #: why: 'request' (accepted), 'must' (marked must meet) or 'score'
    basis: str = "score"


@dataclass(frozen=True)
class RunFigures:
    """What the organiser reads about a run (stored as JSON on `MatcherRun.figures`)."""

    meetings: int
    new_meetings: int
    kept_meetings: int
    startups: int
    investors: int
    per_startup_min: int
    per_startup_median: float
    per_startup_max: int
    startups_without_meetings: int
    breaks: int | None
    lower_bound: int | None
    fairness: int | None
    schedule_status: str | None
    assign_status: str | None
    solve_seconds: float | None
    #: accepted requests and "must" pairs that got no meeting, as [startup, investor]
    unmet_requests: list[list[int]]
    #: the best pairs left without a meeting, as [startup, investor, score] (at most 200)
    standby: list[list]
    #: pairs left out because their request still waits for an answer, as [startup, investor]
    awaiting_answer: list[list[int]] = field(default_factory=list)


@dataclass(frozen=True)
class RunPlan:
    """The draft a run computed: nothing is written until `apply_plan`."""

    figures: RunFigures
    meetings: list[PlannedMeeting]


def plan_run(
    session: Session, edition: Edition, progress, time_limit: float = 10.0, reserve: int = 0
) -> RunPlan:
    """Compute a draft meeting schedule for the edition; writes nothing (see `apply_plan`).

    Read once (`read_snapshot`), choose who meets whom (`matching.assignment`), place the
    meetings into slots (`matching.scheduling`, falling back to a greedy placement), give
    each a table, and sum up. `reserve` places of each investor's quota stay free for
    booking after publishing.
    """
    progress(5, "reading profiles")
    if not slots(session, edition) or not tables(session, edition):
        raise MatchmakingError(_l("Set up meeting slots and tables first."))
    progress(15, "ranking pairs")
    snap = read_snapshot(session, edition)

    progress(30, "choosing who meets whom")
    from matching.assignment import assign  # imported when needed: OR-Tools loads slowly

    pairs = candidate_pairs(snap)
    chosen = assign(assignment_problem(snap, pairs, reserve))
    musts = {(p["startup"], p["investor"]) for p in pairs if p["tier"] == "must"}
    capacity = len(snap.slots) * len(snap.tables) - len(snap.kept)
    meetings = _fit_capacity(list(chosen.get("meetings", [])), max(capacity, 0), musts)

    progress(55, "placing meetings into slots and tables")
    result = solve_schedule(schedule_problem(snap, meetings), time_limit)
    progress(85, "assigning tables")
    slot_of = {a["meeting"]: a["slot"] for a in result["assignments"]}
    placed = _place_tables(snap.kept, meetings, slot_of, snap.slots, snap.tables)

    plan = RunPlan(
        figures=summarise(snap, pairs, placed, chosen, result),
        meetings=[_planned(snap, m, musts) for m in placed],
    )
    progress(95, "ready to save")
    return plan


def read_snapshot(session: Session, edition: Edition) -> RunSnapshot:
    """Read profiles, rankings, marks, requests, kept meetings and availability."""
    startups, investors = profiled_organisations(session, edition)
    s_ids = {o.id for o, p in startups if p.wants_meetings}
    i_ids = {o.id for o, _p in investors}
    scores = current_scores(session, edition)
    latest: dict[Pair, MeetingRequest] = {}
    for r in session.exec(
        select(MeetingRequest)
        .where(MeetingRequest.edition_id == edition.id)
        .order_by(MeetingRequest.created_at, MeetingRequest.id)
    ):
        a, b = r.from_organisation_id, r.to_organisation_id
        pair = (a, b) if a in s_ids else (b, a)
        if pair[0] in s_ids and pair[1] in i_ids and r.status != "cancelled":
            latest[pair] = r
    accepted = {p for p, r in latest.items() if r.status == "accepted"}
    declined = {p for p, r in latest.items() if r.status == "declined"}
    pending = {p for p, r in latest.items() if r.status == "pending" and not is_expired(r)}
    kept = [
        m
        for m in session.exec(
            select(Meeting).where(Meeting.edition_id == edition.id, Meeting.status.in_(LIVE))
        )
        if m.locked or m.status != "draft"
    ]
    blocked = {o: blocked_slots(session, edition, o) for o in s_ids | i_ids}
    for m in kept:
        for o in (m.startup_organisation_id, m.investor_organisation_id):
            blocked.setdefault(o, set()).discard(m.slot_id)
    return RunSnapshot(
        startup_ids=s_ids,
        investor_ids=i_ids,
        startup_profiles={o.id: p for o, p in startups},
        investor_profiles={o.id: p for o, p in investors},
        slots=slots(session, edition),
        tables=tables(session, edition),
        scores=scores,
        tiers=_tiers(session, edition, s_ids, i_ids),
        accepted=accepted,
        pending=pending,
        declined=declined,
        met=met_before(session, edition),
        kept=kept,
        blocked=blocked,
    )


def candidate_pairs(snap: RunSnapshot) -> list[dict]:
    """Every new (startup, investor) pair with its score and tier, for the assignment."""
    pairs = []
    ranked = snap.scores["en"]
    kept_pairs = snap.kept_pairs
    for s in sorted(snap.startup_ids):
        for i in sorted(snap.investor_ids):
            score = max(0.0, min(1.0, ranked.get((s, i), (0.0, ()))[0]))
            if (s, i) in kept_pairs or (s, i) in snap.pending:
                continue
            tier = snap.tiers.get((s, i), "nice")
            if (s, i) in snap.met or (s, i) in snap.declined:
                tier = "no"
            elif (s, i) in snap.accepted and tier != "no":
                tier = "must"
            elif tier == "nice" and ranked and (s, i) not in ranked:
                tier = "no"  # the ranking rules the pair out (stage, ticket or place conflict)
            pairs.append({"startup": s, "investor": i, "score": round(score, 6), "tier": tier})
    return pairs


def assignment_problem(snap: RunSnapshot, pairs: list[dict], reserve: int) -> dict:
    """The `matching.assignment` problem: pairs, and each side's room for new meetings."""
    n_slots = len(snap.slots)

    def room(o, quota):
        free = n_slots - len(snap.blocked.get(o, ()))
        used = sum(
            1 for m in snap.kept if o in (m.startup_organisation_id, m.investor_organisation_id)
        )
        return max(0, min(quota, free) - used)

    s_profiles, i_profiles = snap.startup_profiles, snap.investor_profiles
    return {
        "pairs": pairs,
        "startups": [
            {
                "id": s,
                "min_meetings": min(
                    s_profiles[s].min_meetings, room(s, s_profiles[s].max_meetings)
                ),
                "max_meetings": room(s, s_profiles[s].max_meetings),
            }
            for s in sorted(snap.startup_ids)
        ],
        "investors": [
            {"id": i, "max_meetings": room(i, max(0, i_profiles[i].max_meetings - reserve))}
            for i in sorted(snap.investor_ids)
        ],
    }


def schedule_problem(snap: RunSnapshot, meetings: list[dict]) -> dict:
    """The `matching.scheduling` problem: kept meetings fixed in their slots, new ones free."""
    return {
        "slots": [{"id": s.id, "day": s.day, "block": s.block} for s in snap.slots],
        "tables": [{"id": t.id} for t in snap.tables],
        "participants": [
            {"id": f"o{o}", "unavailable": sorted(snap.blocked.get(o, ()))}
            for o in sorted(snap.startup_ids | snap.investor_ids)
        ],
        "meetings": [
            {
                "id": f"k{m.id}",
                "participants": [f"o{m.startup_organisation_id}", f"o{m.investor_organisation_id}"],
                "blocks": None,
                "fixed_slot": m.slot_id,
            }
            for m in snap.kept
        ]
        + [
            {
                "id": f"n{k}",
                "participants": [f"o{m['startup']}", f"o{m['investor']}"],
                "blocks": None,
                "fixed_slot": None,
            }
            for k, m in enumerate(meetings)
        ],
        "precedences": [],
        "fairness": 2,
    }


def solve_schedule(problem: dict, time_limit: float) -> dict:
    """Place the meetings: fair if possible, else without the fairness bound, else greedily."""
    from matching.scheduling import greedy_schedule, schedule

    result = schedule(problem, time_limit=time_limit)
    if result["status"] == "infeasible" and "fairness" in " ".join(result.get("explanation", [])):
        result = schedule(problem, time_limit=time_limit, fairness=None)
    if result["status"] not in ("optimal", "feasible"):
        fallback = greedy_schedule(problem)
        if fallback.get("assignments"):
            result = fallback
        else:
            raise MatchmakingError("; ".join(result.get("explanation") or [result["status"]]))
    return result


def summarise(
    snap: RunSnapshot, pairs: list[dict], placed: list[dict], chosen: dict, result: dict
) -> RunFigures:
    """The run's figures: meetings per startup, breaks, unmet wishes and the standby list."""
    per_startup = defaultdict(int)
    for m in snap.kept:
        per_startup[m.startup_organisation_id] += 1
    for m in placed:
        per_startup[m["startup"]] += 1
    counts = [per_startup[s] for s in sorted(snap.startup_ids)] or [0]
    all_pairs = snap.kept_pairs | {(m["startup"], m["investor"]) for m in placed}
    must_pairs = {p for p, t in snap.tiers.items() if t == "must" and p not in snap.met}
    unmet = sorted((snap.accepted | must_pairs) - all_pairs)
    standby = sorted(
        (
            (p["startup"], p["investor"], p["score"])
            for p in pairs
            if p["tier"] != "no" and (p["startup"], p["investor"]) not in all_pairs
        ),
        key=lambda x: -x[2],
    )[:200]
    return RunFigures(
        meetings=len(placed) + len(snap.kept),
        new_meetings=len(placed),
        kept_meetings=len(snap.kept),
        startups=len(snap.startup_ids),
        investors=len(snap.investor_ids),
        per_startup_min=min(counts),
        per_startup_median=statistics.median(counts),
        per_startup_max=max(counts),
        startups_without_meetings=sum(1 for c in counts if c == 0),
        breaks=result.get("breaks"),
        lower_bound=result.get("lower_bound"),
        fairness=result.get("fairness"),
        schedule_status=result.get("status"),
        assign_status=chosen.get("status"),
        solve_seconds=result.get("solve_seconds"),
        unmet_requests=[list(p) for p in unmet],
        standby=[list(p) for p in standby],
        awaiting_answer=[list(p) for p in sorted(snap.pending - snap.kept_pairs)],
    )


def _planned(snap: RunSnapshot, m: dict, musts: set[Pair]) -> PlannedMeeting:
    """A placed meeting with its reasons; wished-for pairs say so first."""
    pair = (m["startup"], m["investor"])
    wish = "request" if pair in snap.accepted else ("must" if pair in musts else None)
    reasons = {}
    for lang in ("vi", "en"):
        ranked = list(snap.scores[lang].get(pair, (0, ()))[1])
        reasons[lang] = ([WISH_REASONS[wish][lang]] if wish else []) + ranked
    return PlannedMeeting(
        startup=m["startup"],
        investor=m["investor"],
        score=m["score"],
        slot=m["slot"],
        table=m["table"],
        reasons_vi=reasons["vi"],
        reasons_en=reasons["en"],
        basis=wish or "score",
    )


#: reasons stored on meetings that people asked for, in both languages of the platform
WISH_REASONS = {
    "request": {
        "vi": "Hai bên đã đồng ý gặp qua lời mời",
        "en": "Both sides agreed to meet through a request",
    },
    "must": {"vi": "Được đánh dấu “phải gặp”", "en": "Marked “must meet”"},
}


def _fit_capacity(meetings: list[dict], capacity: int, musts: set) -> list[dict]:
    """Keep at most `capacity` meetings: "must" pairs (and accepted requests) first, then
    each startup's best one, then the others by score."""
    meetings = sorted(
        meetings,
        key=lambda m: (
            (m["startup"], m["investor"]) not in musts,
            -m["score"],
            m["startup"],
            m["investor"],
        ),
    )
    if len(meetings) <= capacity:
        return meetings
    must, first, rest, seen = [], [], [], set()
    for m in meetings:
        if (m["startup"], m["investor"]) in musts:
            must.append(m)
        elif m["startup"] in seen:
            rest.append(m)
        else:
            first.append(m)
        seen.add(m["startup"])
    return (must + first + rest)[:capacity]


def _place_tables(kept, meetings, slot_of, slot_rows, table_rows) -> list[dict]:
    """Give each new meeting a table; an investor keeps the same table where it can."""
    used = defaultdict(set)
    home: dict[int, int] = {}
    for m in kept:
        used[m.slot_id].add(m.table_id)
        home.setdefault(m.investor_organisation_id, m.table_id)
    order = {s.id: k for k, s in enumerate(slot_rows)}
    new = [(slot_of[f"n{k}"], m) for k, m in enumerate(meetings) if f"n{k}" in slot_of]
    new.sort(key=lambda x: (order[x[0]], x[1]["investor"]))
    table_ids = [t.id for t in table_rows]
    out = []
    for slot_id, m in new:
        want = home.get(m["investor"])
        if want is not None and want not in used[slot_id]:
            table = want
        else:
            table = next(t for t in table_ids if t not in used[slot_id])
            home.setdefault(m["investor"], table)
        used[slot_id].add(table)
        out.append({**m, "slot": slot_id, "table": table})
    return out


def apply_plan(session: Session, edition_id: int, job_id: int | None, plan: RunPlan) -> dict:
    """Write a computed plan: replace unlocked drafts with the new draft meetings."""
    from techfest.matchmaking.requests import expire_requests

    edition = session.get(Edition, edition_id)
    expire_requests(session, edition)  # a lapsed booking frees its place before we write
    session.exec(
        sa.delete(Meeting).where(
            Meeting.edition_id == edition.id,
            Meeting.status == "draft",
            Meeting.locked.is_(False),
        )
    )
    run = MatcherRun(
        edition_id=edition.id, job_id=job_id, status="draft", figures=asdict(plan.figures)
    )
    session.add(run)
    session.flush()
    for m in plan.meetings:
        session.add(
            Meeting(
                edition_id=edition.id,
                startup_organisation_id=m.startup,
                investor_organisation_id=m.investor,
                slot_id=m.slot,
                table_id=m.table,
                status="draft",
                source="matcher",
                run_id=run.id,
                score=m.score,
                reasons_vi=m.reasons_vi,
                reasons_en=m.reasons_en,
                basis=m.basis,
            )
        )
    session.flush()
    return {"run_id": run.id, "meetings": len(plan.meetings)}


def job_for(session: Session, edition: Edition, job_id: int):
    """The matchmaking job with this id in this edition; NotFound otherwise."""
    from techfest.core.models import Job

    job = session.get(Job, job_id)
    if job is None or job.edition_id != edition.id or not job.kind.startswith("matchmaking."):
        raise NotFound()
    return job


def last_job(session: Session, edition: Edition):
    """The edition's last matcher-run job, or None."""
    from techfest.core.models import Job

    return session.exec(
        select(Job)
        .where(Job.edition_id == edition.id, Job.kind == "matchmaking.run")
        .order_by(Job.id.desc())
    ).first()

"""Matchmaking rules: profiles, suggestions, requests, the matcher run, meetings, feedback.

This module is the only place that talks to the `matching` library: it turns rows into the
library's plain data (profiles, assignment and schedule problems) and the answers back
into rows. Functions take a session first, only flush, and raise `MatchmakingError` with a
translatable message when a rule says no.
"""

from __future__ import annotations

import hashlib
import json
import logging
import statistics
import threading
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from techfest.auth.models import EditionRole, User
from techfest.core.audit import record
from techfest.core.mail import queue_email
from techfest.core.models import Edition, Organisation
from techfest.db import now_utc
from techfest.matchmaking.models import (
    STAGES,
    InvestorProfile,
    MatcherRun,
    MatchPreference,
    Meeting,
    MeetingFeedback,
    MeetingRequest,
    MeetingSlot,
    MeetingTable,
    StartupProfile,
    Unavailability,
)

log = logging.getLogger(__name__)
SECTORS_FILE = Path(__file__).resolve().parent.parent / "demo" / "data" / "sectors.json"
TIERS = ("must", "nice", "no")
RATINGS = ("useful", "follow_up", "not_useful", "did_not_happen")
#: statuses of a meeting that still holds its slot, table and participants
LIVE = ("draft", "published", "held")
#: statuses a participant or table host may set on the day
DAY_STATUSES = ("held", "no_show")


class MatchmakingError(Exception):
    """A rule refused the action; `message` is translated for the person who asked."""

    def __init__(self, message) -> None:
        super().__init__(str(message))
        self.message = message


class NotFound(MatchmakingError):
    """The object does not exist or belongs to someone else (answered with 404)."""

    def __init__(self) -> None:
        super().__init__(_l("Not found."))


# --------------------------------------------------------------------------- taxonomy


@lru_cache(maxsize=1)
def sectors() -> tuple[dict, ...]:
    """The sector taxonomy: [{"slug", "vi", "en"}, ...]."""
    data = json.loads(SECTORS_FILE.read_text(encoding="utf-8"))
    return tuple(data["sectors"])


def sector_slugs() -> set[str]:
    return {s["slug"] for s in sectors()}


def sector_label(slug: str, lang: str) -> str:
    for s in sectors():
        if s["slug"] == slug:
            return s.get(lang) or s["en"]
    return slug


STAGE_LABELS = {
    "idea": _l("Idea"),
    "pre-seed": _l("Pre-seed"),
    "seed": _l("Seed"),
    "series-a": _l("Series A"),
    "series-b": _l("Series B"),
    "series-c": _l("Series C"),
    "growth": _l("Growth"),
}
TIER_LABELS = {"must": _l("Must meet"), "nice": _l("Would like"), "no": _l("Do not match")}
RATING_LABELS = {
    "useful": _l("Useful"),
    "follow_up": _l("Follow-up planned"),
    "not_useful": _l("Not useful"),
    "did_not_happen": _l("Did not take place"),
}
JOB_LABELS = {
    "queued": _l("Waiting to start"),
    "running": _l("Running"),
    "done": _l("Done"),
    "failed": _l("Failed"),
    "reading profiles": _l("Reading profiles"),
    "ranking pairs": _l("Ranking pairs"),
    "choosing who meets whom": _l("Choosing who meets whom"),
    "placing meetings into slots and tables": _l("Placing meetings into slots and tables"),
    "assigning tables": _l("Assigning tables"),
    "ready to save": _l("Saving the draft"),
}


def job_label(text: str | None) -> str:
    """A job status or progress message in the reader's language."""
    return str(JOB_LABELS.get(text or "", text or ""))


STATUS_LABELS = {
    "draft": _l("Draft"),
    "published": _l("Confirmed"),
    "cancelled": _l("Cancelled"),
    "held": _l("Held"),
    "no_show": _l("No-show"),
    "pending": _l("Waiting for an answer"),
    "accepted": _l("Accepted"),
    "declined": _l("Declined"),
    "expired": _l("Expired"),
}


# --------------------------------------------------------------------------- who is who


@dataclass(frozen=True)
class Participant:
    """The organisation the signed-in person speaks for in this edition."""

    organisation: Organisation
    side: str  # 'startup' or 'investor'
    profile: StartupProfile | InvestorProfile | None


def participant_for(session: Session, edition: Edition, user: User) -> Participant | None:
    """The startup or investor the user belongs to in `edition`, or None."""
    if user.organisation_id is None:
        return None
    roles = set(
        session.exec(
            select(EditionRole.role).where(
                EditionRole.user_id == user.id, EditionRole.edition_id == edition.id
            )
        )
    )
    org = session.get(Organisation, user.organisation_id)
    if org is None or org.kind not in ("startup", "investor") or org.kind not in roles:
        return None
    return Participant(org, org.kind, _profile(session, edition, org))


def _profile(session: Session, edition: Edition, org: Organisation):
    model = StartupProfile if org.kind == "startup" else InvestorProfile
    return session.exec(
        select(model).where(model.edition_id == edition.id, model.organisation_id == org.id)
    ).first()


def _require_profile(session, edition, org):
    profile = _profile(session, edition, org)
    if profile is None:
        raise MatchmakingError(_l("Please fill in your profile first."))
    return profile


def _other_participant(session: Session, edition: Edition, me: Participant, other_id: int):
    """The organisation on the other side, with a profile in this edition; else NotFound."""
    other = session.get(Organisation, other_id)
    wanted = "investor" if me.side == "startup" else "startup"
    if other is None or other.kind != wanted:
        raise NotFound()
    profile = _profile(session, edition, other)
    if profile is None:
        raise NotFound()
    return other, profile


def members(session: Session, organisation_id: int) -> list[User]:
    return list(
        session.exec(
            select(User).where(
                User.organisation_id == organisation_id,
                User.erased_at.is_(None),
                User.is_active_account.is_(True),
            )
        )
    )


# --------------------------------------------------------------------------- profiles


def _clean_url(url: str) -> str:
    url = (url or "").strip()
    if url and not url.lower().startswith(("https://", "http://")):
        raise MatchmakingError(_l("The link must start with https:// or http://."))
    return url


def _clean_sectors(values) -> list[str]:
    known = sector_slugs()
    unknown = [v for v in values or () if v not in known]
    if unknown:
        raise MatchmakingError(_l("Unknown sector: %(name)s.", name=", ".join(unknown)))
    return list(dict.fromkeys(values or ()))


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _tags(text: str) -> list[str]:
    return list(dict.fromkeys(t.strip() for t in (text or "").split(",") if t.strip()))


def save_startup_profile(
    session: Session, edition: Edition, org: Organisation, data: dict
) -> StartupProfile:
    if org.kind != "startup":
        raise NotFound()
    profile = _profile(session, edition, org) or StartupProfile(
        edition_id=edition.id, organisation_id=org.id
    )
    stage = data.get("stage") or None
    if stage is not None and stage not in STAGES:
        raise MatchmakingError(_l("Unknown stage."))
    profile.pitch_vi = (data.get("pitch_vi") or "").strip()
    profile.pitch_en = (data.get("pitch_en") or "").strip()
    profile.sectors = _clean_sectors(data.get("sectors"))
    profile.tags = _tags(data.get("tags", ""))
    profile.stage = stage
    profile.raising_usd = data.get("raising_usd")
    profile.location = (data.get("location") or "").strip()
    profile.founded_year = data.get("founded_year")
    profile.deck_url = _clean_url(data.get("deck_url", ""))
    profile.wants_meetings = bool(data.get("wants_meetings", True))
    if data.get("max_meetings"):
        profile.max_meetings = int(data["max_meetings"])
    session.add(profile)
    session.flush()
    return profile


def save_investor_profile(
    session: Session, edition: Edition, org: Organisation, data: dict
) -> InvestorProfile:
    if org.kind != "investor":
        raise NotFound()
    profile = _profile(session, edition, org) or InvestorProfile(
        edition_id=edition.id, organisation_id=org.id
    )
    stages = list(data.get("stages") or ())
    if any(s not in STAGES for s in stages):
        raise MatchmakingError(_l("Unknown stage."))
    low, high = data.get("ticket_min_usd"), data.get("ticket_max_usd")
    if low is not None and high is not None and low > high:
        raise MatchmakingError(_l("The smallest ticket is larger than the largest."))
    profile.thesis_vi = (data.get("thesis_vi") or "").strip()
    profile.thesis_en = (data.get("thesis_en") or "").strip()
    profile.sectors = _clean_sectors(data.get("sectors"))
    profile.stages = stages
    profile.ticket_min_usd = low
    profile.ticket_max_usd = high
    profile.locations = _tags(data.get("locations", ""))
    profile.portfolio = _lines(data.get("portfolio", ""))
    profile.max_meetings = int(data.get("max_meetings") or profile.max_meetings or 10)
    session.add(profile)
    session.flush()
    return profile


# --------------------------------------------------------------------------- slots, tables


def slots(session: Session, edition: Edition) -> list[MeetingSlot]:
    return list(
        session.exec(
            select(MeetingSlot)
            .where(MeetingSlot.edition_id == edition.id)
            .order_by(MeetingSlot.starts_at)
        )
    )


def tables(session: Session, edition: Edition) -> list[MeetingTable]:
    return list(
        session.exec(
            select(MeetingTable)
            .where(MeetingTable.edition_id == edition.id)
            .order_by(MeetingTable.number)
        )
    )


def add_slots(
    session: Session,
    edition: Edition,
    user: User,
    *,
    day: int,
    start: time,
    end: time,
    minutes: int,
    gap: int = 0,
    breaks: list[tuple[time, time]] | None = None,
) -> list[MeetingSlot]:
    """Cut the hours from `start` to `end` of edition day `day` into slots of `minutes`.

    `gap` minutes separate consecutive slots; slots overlapping one of `breaks` (e.g. lunch)
    are left out; the morning block ends at noon. Slots that already exist are kept.
    """
    n_days = (edition.ends_on - edition.starts_on).days + 1
    if not 1 <= day <= n_days:
        raise MatchmakingError(_l("The edition has days 1 to %(n)s.", n=n_days))
    if minutes < 5 or minutes > 240:
        raise MatchmakingError(_l("A slot lasts between 5 and 240 minutes."))
    if end <= start:
        raise MatchmakingError(_l("The end must be after the start."))
    tz = ZoneInfo(edition.timezone)
    the_day = edition.starts_on + timedelta(days=day - 1)
    t = datetime.combine(the_day, start, tzinfo=tz)
    stop = datetime.combine(the_day, end, tzinfo=tz)
    pauses = [
        (datetime.combine(the_day, a, tzinfo=tz), datetime.combine(the_day, b, tzinfo=tz))
        for a, b in breaks or ()
    ]
    existing = {s.starts_at for s in slots(session, edition)}
    created = []
    while t + timedelta(minutes=minutes) <= stop:
        finish = t + timedelta(minutes=minutes)
        clash = next((b for a, b in pauses if t < b and a < finish), None)
        if clash is not None:
            t = clash
            continue
        if t not in existing:
            slot = MeetingSlot(
                edition_id=edition.id,
                day=day,
                block="morning" if t.hour < 12 else "afternoon",
                starts_at=t,
                ends_at=finish,
            )
            session.add(slot)
            created.append(slot)
        t = finish + timedelta(minutes=gap)
    session.flush()
    record(
        session,
        "matchmaking.slots.add",
        user_id=user.id,
        edition_id=edition.id,
        object_type="meeting_slot",
        object_id=",".join(str(s.id) for s in created),
        day=day,
        count=len(created),
    )
    return created


def delete_slot(session: Session, edition: Edition, user: User, slot_id: int) -> None:
    slot = session.get(MeetingSlot, slot_id)
    if slot is None or slot.edition_id != edition.id:
        raise NotFound()
    used = session.exec(select(Meeting.id).where(Meeting.slot_id == slot.id)).first()
    if used is not None:
        raise MatchmakingError(_l("Meetings use this slot; move or cancel them first."))
    session.exec(sa.delete(Unavailability).where(Unavailability.slot_id == slot.id))
    session.delete(slot)
    session.flush()
    record(
        session,
        "matchmaking.slots.delete",
        user_id=user.id,
        edition_id=edition.id,
        object_type="meeting_slot",
        object_id=slot_id,
    )


def add_tables(
    session: Session,
    edition: Edition,
    user: User,
    *,
    count: int,
    location_vi: str = "",
    location_en: str = "",
    booth_code: str = "",
) -> list[MeetingTable]:
    """Add `count` numbered tables after the last one, optionally placed at a booth."""
    if not 1 <= count <= 200:
        raise MatchmakingError(_l("Add between 1 and 200 tables at a time."))
    booth_id = None
    if booth_code.strip():
        from techfest.booths.models import Booth

        booth = session.exec(
            select(Booth).where(Booth.edition_id == edition.id, Booth.code == booth_code.strip())
        ).first()
        if booth is None:
            raise MatchmakingError(_l("No booth has the code %(code)s.", code=booth_code))
        booth_id = booth.id
    last = session.exec(
        select(sa.func.max(MeetingTable.number)).where(MeetingTable.edition_id == edition.id)
    ).one()
    start = (last or 0) + 1
    created = []
    for n in range(start, start + count):
        table = MeetingTable(
            edition_id=edition.id,
            number=n,
            label=f"B{n:02d}",
            location_vi=location_vi.strip(),
            location_en=location_en.strip(),
            booth_id=booth_id,
        )
        session.add(table)
        created.append(table)
    session.flush()
    record(
        session,
        "matchmaking.tables.add",
        user_id=user.id,
        edition_id=edition.id,
        object_type="meeting_table",
        object_id=f"{start}-{start + count - 1}",
        count=count,
    )
    return created


def delete_table(session: Session, edition: Edition, user: User, table_id: int) -> None:
    table = session.get(MeetingTable, table_id)
    if table is None or table.edition_id != edition.id:
        raise NotFound()
    if session.exec(select(Meeting.id).where(Meeting.table_id == table.id)).first():
        raise MatchmakingError(_l("Meetings use this table; move or cancel them first."))
    session.delete(table)
    session.flush()
    record(
        session,
        "matchmaking.tables.delete",
        user_id=user.id,
        edition_id=edition.id,
        object_type="meeting_table",
        object_id=table_id,
    )


# --------------------------------------------------------------------------- availability


def busy_from_programme(session: Session, edition: Edition, organisation_id: int) -> set[int]:
    """Slots overlapping a programme session that a member starred or holds a seat in."""
    from techfest.programme.models import ProgrammeSession, SessionSignup, SessionStar

    user_ids = select(User.id).where(User.organisation_id == organisation_id)
    starred = select(SessionStar.session_id).where(SessionStar.user_id.in_(user_ids))
    seated = select(SessionSignup.session_id).where(
        SessionSignup.user_id.in_(user_ids), SessionSignup.status == "seated"
    )
    sessions = session.exec(
        select(ProgrammeSession.starts_at, ProgrammeSession.ends_at).where(
            ProgrammeSession.edition_id == edition.id,
            sa.or_(ProgrammeSession.id.in_(starred), ProgrammeSession.id.in_(seated)),
        )
    ).all()
    if not sessions:
        return set()
    return {
        s.id
        for s in slots(session, edition)
        if any(s.starts_at < end and start < s.ends_at for start, end in sessions)
    }


def unavailable_slots(session: Session, edition: Edition, organisation_id: int) -> set[int]:
    """Slots the organisation marked as unavailable."""
    return set(
        session.exec(
            select(Unavailability.slot_id)
            .join(MeetingSlot, MeetingSlot.id == Unavailability.slot_id)
            .where(
                Unavailability.organisation_id == organisation_id,
                MeetingSlot.edition_id == edition.id,
            )
        )
    )


def blocked_slots(session: Session, edition: Edition, organisation_id: int) -> set[int]:
    return unavailable_slots(session, edition, organisation_id) | busy_from_programme(
        session, edition, organisation_id
    )


def set_unavailable(
    session: Session, edition: Edition, org: Organisation, slot_ids: list[int]
) -> set[int]:
    """Replace the organisation's unavailable slots in this edition with `slot_ids`."""
    valid = {s.id for s in slots(session, edition)}
    wanted = {int(s) for s in slot_ids}
    if wanted - valid:
        raise NotFound()
    current = unavailable_slots(session, edition, org.id)
    for slot_id in current - wanted:
        session.exec(
            sa.delete(Unavailability).where(
                Unavailability.organisation_id == org.id, Unavailability.slot_id == slot_id
            )
        )
    for slot_id in sorted(wanted - current):
        session.add(Unavailability(organisation_id=org.id, slot_id=slot_id))
    session.flush()
    return wanted


# --------------------------------------------------------------------------- ranking


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


def _participants(session: Session, edition: Edition):
    startups = session.exec(
        select(Organisation, StartupProfile)
        .join(StartupProfile, StartupProfile.organisation_id == Organisation.id)
        .where(StartupProfile.edition_id == edition.id)
        .order_by(Organisation.id)
    ).all()
    investors = session.exec(
        select(Organisation, InvestorProfile)
        .join(InvestorProfile, InvestorProfile.organisation_id == Organisation.id)
        .where(InvestorProfile.edition_id == edition.id)
        .order_by(Organisation.id)
    ).all()
    return list(startups), list(investors)


Scores = dict[tuple[int, int], tuple[float, tuple[str, ...]]]
_rank_cache: dict[str, Scores] = {}
_rank_lock = threading.Lock()


def _run_matcher(
    startups: list[dict],
    investors: list[dict],
    lang: str,
    exclude: list[tuple[int, int]] = (),
    feedback: dict[tuple[int, int], float] | None = None,
) -> Scores:
    """Scores and reasons of every (startup, investor) pair, from matching.ranking."""
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
    startups, investors = _participants(session, edition)
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
    with _rank_lock:
        cached = _rank_cache.get(key)
    if cached is not None:
        return cached
    scores = _run_matcher(s_data, i_data, lang, exclude, feedback)
    with _rank_lock:
        if len(_rank_cache) > 32:
            _rank_cache.clear()
        _rank_cache[key] = scores
    return scores


@dataclass
class Suggestion:
    organisation: Organisation
    profile: StartupProfile | InvestorProfile
    score: float
    reasons: tuple[str, ...]
    tier: str | None = None
    request: MeetingRequest | None = None
    meetings: list[Meeting] = field(default_factory=list)
    met_before: bool = False


def _in_ticket(profile, ticket: int | None) -> bool:
    if ticket is None:
        return True
    if isinstance(profile, StartupProfile):
        return profile.raising_usd is None or profile.raising_usd <= ticket
    low, high = profile.ticket_min_usd, profile.ticket_max_usd
    return (low is None or low <= ticket) and (high is None or ticket <= high)


def suggestions(
    session: Session,
    edition: Edition,
    me: Participant,
    lang: str,
    *,
    sector: str | None = None,
    stage: str | None = None,
    ticket: int | None = None,
) -> list[Suggestion]:
    """Ranked organisations of the other side, with score, reasons and the state of the pair.

    Filters: `sector` (slug), `stage` (the startup's stage, or one of the investor's stages),
    `ticket` (USD: the investor's range holds it; the startup raises at most that).
    """
    scores = pair_scores(session, edition, lang)
    startups, investors = _participants(session, edition)
    others = investors if me.side == "startup" else startups
    prefs = {
        p.to_organisation_id: p.tier
        for p in session.exec(
            select(MatchPreference).where(
                MatchPreference.edition_id == edition.id,
                MatchPreference.from_organisation_id == me.organisation.id,
            )
        )
    }
    requests = {}
    for r in _requests_of(session, edition, me.organisation.id):
        other = (
            r.to_organisation_id
            if r.from_organisation_id == me.organisation.id
            else (r.from_organisation_id)
        )
        requests.setdefault(other, r)
    meetings = defaultdict(list)
    for m in _live_meetings_of(session, edition, me.organisation.id):
        other = m.investor_organisation_id if me.side == "startup" else m.startup_organisation_id
        meetings[other].append(m)
    met = met_before(session, edition)
    out = []
    for org, profile in others:
        if sector and sector not in (profile.sectors or ()):
            continue
        if stage:
            stages = [profile.stage] if me.side == "investor" else list(profile.stages or ())
            if stage not in stages:
                continue
        if not _in_ticket(profile, ticket):
            continue
        pair = (
            (me.organisation.id, org.id) if me.side == "startup" else (org.id, me.organisation.id)
        )
        score, reasons = scores.get(pair, (0.0, ()))
        out.append(
            Suggestion(
                organisation=org,
                profile=profile,
                score=score,
                reasons=reasons,
                tier=prefs.get(org.id),
                request=requests.get(org.id),
                meetings=meetings.get(org.id, []),
                met_before=pair in met,
            )
        )
    out.sort(key=lambda s: (s.tier == "no", -s.score, s.organisation.name))
    return out


def set_preference(
    session: Session, edition: Edition, me: Participant, other_id: int, tier: str | None
) -> MatchPreference | None:
    """Mark a pair must / nice / no, or clear the mark with `tier=None`."""
    if tier is not None and tier not in TIERS:
        raise MatchmakingError(_l("Unknown choice."))
    _require_profile(session, edition, me.organisation)
    other, _profile_ = _other_participant(session, edition, me, other_id)
    pref = session.exec(
        select(MatchPreference).where(
            MatchPreference.edition_id == edition.id,
            MatchPreference.from_organisation_id == me.organisation.id,
            MatchPreference.to_organisation_id == other.id,
        )
    ).first()
    if tier is None:
        if pref is not None:
            session.delete(pref)
            session.flush()
        return None
    if pref is None:
        pref = MatchPreference(
            edition_id=edition.id,
            from_organisation_id=me.organisation.id,
            to_organisation_id=other.id,
            tier=tier,
        )
    pref.tier = tier
    session.add(pref)
    session.flush()
    return pref


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


# --------------------------------------------------------------------------- requests


def _requests_of(session: Session, edition: Edition, org_id: int) -> list[MeetingRequest]:
    return list(
        session.exec(
            select(MeetingRequest)
            .where(
                MeetingRequest.edition_id == edition.id,
                sa.or_(
                    MeetingRequest.from_organisation_id == org_id,
                    MeetingRequest.to_organisation_id == org_id,
                ),
            )
            .order_by(MeetingRequest.created_at.desc(), MeetingRequest.id.desc())
        )
    )


def is_expired(req: MeetingRequest, now: datetime | None = None) -> bool:
    return (
        req.status == "pending"
        and req.expires_at is not None
        and req.expires_at <= (now or now_utc())
    )


def effective_status(req: MeetingRequest) -> str:
    return "expired" if is_expired(req) else req.status


def requests_for(session: Session, edition: Edition, me: Participant) -> dict[str, list]:
    """The organisation's requests: {"incoming": [...], "outgoing": [...]}."""
    out: dict[str, list] = {"incoming": [], "outgoing": []}
    for r in _requests_of(session, edition, me.organisation.id):
        key = "outgoing" if r.from_organisation_id == me.organisation.id else "incoming"
        out[key].append(r)
    return out


def expire_requests(session: Session, edition: Edition | None = None) -> int:
    """Mark pending requests past their expiry as expired; returns how many."""
    stmt = sa.update(MeetingRequest).where(
        MeetingRequest.status == "pending", MeetingRequest.expires_at <= now_utc()
    )
    if edition is not None:
        stmt = stmt.where(MeetingRequest.edition_id == edition.id)
    result = session.exec(stmt.values(status="expired", decided_at=now_utc()))
    session.flush()
    return result.rowcount or 0


def _commitments(session: Session, edition: Edition, org_id: int, side: str) -> int:
    """Live meetings plus accepted requests that have no meeting yet."""
    column = (
        Meeting.startup_organisation_id if side == "startup" else (Meeting.investor_organisation_id)
    )
    meetings = session.exec(
        select(Meeting.startup_organisation_id, Meeting.investor_organisation_id).where(
            Meeting.edition_id == edition.id, column == org_id, Meeting.status.in_(LIVE)
        )
    ).all()
    paired = {frozenset(p) for p in meetings}
    accepted = session.exec(
        select(MeetingRequest.from_organisation_id, MeetingRequest.to_organisation_id).where(
            MeetingRequest.edition_id == edition.id,
            MeetingRequest.status == "accepted",
            sa.or_(
                MeetingRequest.from_organisation_id == org_id,
                MeetingRequest.to_organisation_id == org_id,
            ),
        )
    ).all()
    extra = {frozenset(p) for p in accepted} - paired
    return len(meetings) + len(extra)


def _quota(profile) -> int:
    return int(profile.max_meetings or 0)


def _check_quota(session, edition, org, profile, side, message=None) -> None:
    if _commitments(session, edition, org.id, side) >= _quota(profile):
        raise MatchmakingError(
            message
            or _l(
                "%(name)s has reached its quota of %(n)s meetings.",
                name=org.name,
                n=_quota(profile),
            )
        )


def _notify(session: Session, org_id: int, subject_fn, body_fn, key: str) -> None:
    """Queue a message to each member of the organisation, in their language."""
    for user in members(session, org_id):
        with force_locale(user.locale or "vi"):
            queue_email(
                session, user.email, subject_fn(), body_fn(user), dedupe_key=f"{key}:{user.id}"
            )


def request_meeting(
    session: Session, edition: Edition, me: Participant, user: User, other_id: int, message: str
) -> MeetingRequest:
    my_profile = _require_profile(session, edition, me.organisation)
    other, other_profile = _other_participant(session, edition, me, other_id)
    pair = (
        (me.organisation.id, other.id) if me.side == "startup" else (other.id, me.organisation.id)
    )
    if pair in met_before(session, edition):
        raise MatchmakingError(_l("You met this organisation at an earlier edition."))
    for r in _requests_of(session, edition, me.organisation.id):
        if {r.from_organisation_id, r.to_organisation_id} != {me.organisation.id, other.id}:
            continue
        if is_expired(r):
            r.status, r.decided_at = "expired", now_utc()
            session.add(r)
            session.flush()
        elif r.status in ("pending", "accepted"):
            raise MatchmakingError(_l("There is already a request between you and them."))
    _check_quota(
        session,
        edition,
        me.organisation,
        my_profile,
        me.side,
        _l("You have reached your quota of %(n)s meetings.", n=_quota(my_profile)),
    )
    _check_quota(session, edition, other, other_profile, other.kind)
    req = MeetingRequest(
        edition_id=edition.id,
        from_organisation_id=me.organisation.id,
        to_organisation_id=other.id,
        from_user_id=user.id,
        message=(message or "").strip()[:2000],
        status="pending",
        expires_at=now_utc() + timedelta(hours=edition.request_expiry_hours),
    )
    try:
        with session.begin_nested():
            session.add(req)
            session.flush()
    except IntegrityError as exc:
        raise MatchmakingError(_l("There is already a request between you and them.")) from exc
    _notify(
        session,
        other.id,
        lambda: _("Meeting request from %(name)s", name=me.organisation.name),
        lambda u: _(
            "%(name)s would like to meet you at %(edition)s.\n\n%(message)s\n\n"
            "Answer in the matchmaking pages before %(when)s (UTC).",
            name=me.organisation.name,
            edition=_edition_name(edition),
            message=req.message,
            when=req.expires_at.strftime("%Y-%m-%d %H:%M"),
        ),
        f"mm-request:{req.id}",
    )
    return req


def decide_request(
    session: Session,
    edition: Edition,
    me: Participant,
    user: User,
    request_id: int,
    accept: bool,
) -> MeetingRequest:
    req = session.get(MeetingRequest, request_id)
    if req is None or req.edition_id != edition.id or req.to_organisation_id != me.organisation.id:
        raise NotFound()
    if is_expired(req):
        req.status, req.decided_at = "expired", now_utc()
        session.add(req)
        session.flush()
        raise MatchmakingError(_l("This request has expired."))
    if req.status != "pending":
        raise MatchmakingError(_l("This request was already answered."))
    if accept:
        my_profile = _require_profile(session, edition, me.organisation)
        other = session.get(Organisation, req.from_organisation_id)
        other_profile = _require_profile(session, edition, other)
        _check_quota(
            session,
            edition,
            me.organisation,
            my_profile,
            me.side,
            _l("You have reached your quota of %(n)s meetings.", n=_quota(my_profile)),
        )
        _check_quota(session, edition, other, other_profile, other.kind)
    # the conditional update keeps two answers in a race from both counting
    done = session.exec(
        sa.update(MeetingRequest)
        .where(MeetingRequest.id == req.id, MeetingRequest.status == "pending")
        .values(status="accepted" if accept else "declined", decided_at=now_utc())
    )
    if done.rowcount != 1:
        raise MatchmakingError(_l("This request was already answered."))
    session.refresh(req)
    answer_accepted = accept
    _notify(
        session,
        req.from_organisation_id,
        lambda: (
            _("%(name)s accepted your meeting request", name=me.organisation.name)
            if answer_accepted
            else _("%(name)s declined your meeting request", name=me.organisation.name)
        ),
        lambda u: (
            _(
                "%(name)s accepted. The meeting will be placed in the schedule.",
                name=me.organisation.name,
            )
            if answer_accepted
            else _("%(name)s cannot meet you this time.", name=me.organisation.name)
        ),
        f"mm-answer:{req.id}",
    )
    return req


def cancel_request(
    session: Session, edition: Edition, me: Participant, request_id: int
) -> MeetingRequest:
    req = session.get(MeetingRequest, request_id)
    if (
        req is None
        or req.edition_id != edition.id
        or req.from_organisation_id != me.organisation.id
    ):
        raise NotFound()
    if req.status != "pending":
        raise MatchmakingError(_l("This request was already answered."))
    req.status, req.decided_at = "cancelled", now_utc()
    session.add(req)
    session.flush()
    return req


# --------------------------------------------------------------------------- meetings


def _live_meetings_of(session: Session, edition: Edition, org_id: int) -> list[Meeting]:
    return list(
        session.exec(
            select(Meeting)
            .where(
                Meeting.edition_id == edition.id,
                Meeting.status.in_(LIVE + ("no_show",)),
                sa.or_(
                    Meeting.startup_organisation_id == org_id,
                    Meeting.investor_organisation_id == org_id,
                ),
            )
            .order_by(Meeting.id)
        )
    )


@dataclass
class MeetingView:
    meeting: Meeting
    slot: MeetingSlot | None
    table: MeetingTable | None
    startup: Organisation
    investor: Organisation
    feedback: MeetingFeedback | None = None


def _views(session: Session, meetings: list[Meeting], org_id: int | None = None):
    slot_map = {
        s.id: s
        for s in session.exec(
            select(MeetingSlot).where(
                MeetingSlot.id.in_({m.slot_id for m in meetings if m.slot_id})
            )
        ).all()
    }
    table_map = {
        t.id: t
        for t in session.exec(
            select(MeetingTable).where(
                MeetingTable.id.in_({m.table_id for m in meetings if m.table_id})
            )
        ).all()
    }
    org_ids = {m.startup_organisation_id for m in meetings} | {
        m.investor_organisation_id for m in meetings
    }
    orgs = {
        o.id: o
        for o in session.exec(select(Organisation).where(Organisation.id.in_(org_ids))).all()
    }
    feedback = {}
    if org_id is not None and meetings:
        feedback = {
            f.meeting_id: f
            for f in session.exec(
                select(MeetingFeedback).where(
                    MeetingFeedback.organisation_id == org_id,
                    MeetingFeedback.meeting_id.in_([m.id for m in meetings]),
                )
            )
        }
    views = [
        MeetingView(
            m,
            slot_map.get(m.slot_id),
            table_map.get(m.table_id),
            orgs[m.startup_organisation_id],
            orgs[m.investor_organisation_id],
            feedback.get(m.id),
        )
        for m in meetings
    ]
    far = datetime.max.replace(tzinfo=ZoneInfo("UTC"))
    views.sort(key=lambda v: (v.slot.starts_at if v.slot else far, v.meeting.id))
    return views


def my_meetings(session: Session, edition: Edition, me: Participant) -> list[MeetingView]:
    """The organisation's schedule; drafts stay hidden until the organiser publishes."""
    meetings = [
        m for m in _live_meetings_of(session, edition, me.organisation.id) if m.status != "draft"
    ]
    return _views(session, meetings, me.organisation.id)


def _reasons_for(session, edition, startup_id: int, investor_id: int) -> dict:
    out = {"score": None, "reasons_vi": [], "reasons_en": []}
    for lang in ("vi", "en"):
        score, reasons = pair_scores(session, edition, lang).get(
            (startup_id, investor_id), (None, ())
        )
        out["score"] = score if score is not None else out["score"]
        out[f"reasons_{lang}"] = list(reasons)
    return out


def _lock_profiles(session: Session, edition: Edition, startup_id: int, investor_id: int):
    """Lock both profiles (startup first, always) so quota checks see settled counts."""
    sp = session.exec(
        select(StartupProfile)
        .where(
            StartupProfile.edition_id == edition.id, StartupProfile.organisation_id == startup_id
        )
        .with_for_update()
    ).first()
    ip = session.exec(
        select(InvestorProfile)
        .where(
            InvestorProfile.edition_id == edition.id, InvestorProfile.organisation_id == investor_id
        )
        .with_for_update()
    ).first()
    if sp is None or ip is None:
        raise NotFound()
    return sp, ip


def _slot_free_for(session, edition, slot: MeetingSlot, org_ids: list[int]) -> bool:
    taken = session.exec(
        select(Meeting.id).where(
            Meeting.slot_id == slot.id,
            Meeting.status.in_(LIVE),
            sa.or_(
                Meeting.startup_organisation_id.in_(org_ids),
                Meeting.investor_organisation_id.in_(org_ids),
            ),
        )
    ).first()
    if taken is not None:
        return False
    return all(slot.id not in blocked_slots(session, edition, o) for o in org_ids)


def _free_tables(session, edition, slot_id: int) -> list[MeetingTable]:
    used = select(Meeting.table_id).where(
        Meeting.slot_id == slot_id, Meeting.status.in_(LIVE), Meeting.table_id.is_not(None)
    )
    return list(
        session.exec(
            select(MeetingTable)
            .where(MeetingTable.edition_id == edition.id, MeetingTable.id.not_in(used))
            .order_by(MeetingTable.number)
        )
    )


def _insert_meeting(session, meeting: Meeting, tables_: list[MeetingTable]) -> Meeting:
    """Insert at the first table the database accepts (a rival may take one meanwhile)."""
    for table in tables_:
        meeting.table_id = table.id
        try:
            with session.begin_nested():
                session.add(meeting)
                session.flush()
            return meeting
        except IntegrityError:
            session.expunge(meeting) if meeting in session else None
            meeting.id = None
            continue
    raise MatchmakingError(_l("This slot was just taken. Please choose another one."))


def bookable_slots(
    session: Session, edition: Edition, me: Participant, startup_id: int
) -> list[MeetingSlot]:
    """Slots free for the investor and the startup, with at least one free table."""
    other, _p = _other_participant(session, edition, me, startup_id)
    out = []
    for slot in slots(session, edition):
        if not _slot_free_for(session, edition, slot, [me.organisation.id, other.id]):
            continue
        if _free_tables(session, edition, slot.id):
            out.append(slot)
    return out


def book_meeting(
    session: Session, edition: Edition, me: Participant, user: User, startup_id: int, slot_id: int
) -> Meeting:
    """An investor books a meeting with a startup into a slot free for both, at a free table.

    Lock → check → write: both profiles are locked (PostgreSQL), the request's write
    transaction serialises writers (SQLite), and the partial unique indexes refuse a second
    meeting in the same slot for the same table, startup or investor.
    """
    if me.side != "investor":
        raise NotFound()
    if edition.meetings_published_at is None:
        raise MatchmakingError(_l("Booking opens when the meeting schedule is published."))
    startup, _p = _other_participant(session, edition, me, startup_id)
    slot = session.get(MeetingSlot, slot_id)
    if slot is None or slot.edition_id != edition.id:
        raise NotFound()
    if (startup.id, me.organisation.id) in met_before(session, edition):
        raise MatchmakingError(_l("You met this organisation at an earlier edition."))
    if _no_pair(session, edition, startup.id, me.organisation.id):
        raise MatchmakingError(_l("This startup asked not to be matched with you."))
    sp, ip = _lock_profiles(session, edition, startup.id, me.organisation.id)
    existing = session.exec(
        select(Meeting.id).where(
            Meeting.edition_id == edition.id,
            Meeting.startup_organisation_id == startup.id,
            Meeting.investor_organisation_id == me.organisation.id,
            Meeting.status.in_(LIVE),
        )
    ).first()
    if existing is not None:
        raise MatchmakingError(_l("You already have a meeting with this startup."))
    _check_quota(
        session,
        edition,
        me.organisation,
        ip,
        "investor",
        _l("You have reached your quota of %(n)s meetings.", n=_quota(ip)),
    )
    _check_quota(session, edition, startup, sp, "startup")
    if not _slot_free_for(session, edition, slot, [startup.id, me.organisation.id]):
        raise MatchmakingError(_l("This slot is not free for both of you."))
    free = _free_tables(session, edition, slot.id)
    if not free:
        raise MatchmakingError(_l("This slot was just taken. Please choose another one."))
    meeting = Meeting(
        edition_id=edition.id,
        startup_organisation_id=startup.id,
        investor_organisation_id=me.organisation.id,
        slot_id=slot.id,
        status="published",
        source="booking",
        **_reasons_for(session, edition, startup.id, me.organisation.id),
    )
    try:
        meeting = _insert_meeting(session, meeting, free)
    except IntegrityError as exc:  # pragma: no cover - _insert_meeting catches per table
        raise MatchmakingError(_l("This slot was just taken.")) from exc
    _notify_meeting(session, edition, meeting, "mm-booked")
    return meeting


def _no_pair(session, edition, startup_id: int, investor_id: int) -> bool:
    return (
        session.exec(
            select(MatchPreference.id).where(
                MatchPreference.edition_id == edition.id,
                MatchPreference.tier == "no",
                sa.or_(
                    sa.and_(
                        MatchPreference.from_organisation_id == startup_id,
                        MatchPreference.to_organisation_id == investor_id,
                    ),
                    sa.and_(
                        MatchPreference.from_organisation_id == investor_id,
                        MatchPreference.to_organisation_id == startup_id,
                    ),
                ),
            )
        ).first()
        is not None
    )


def _notify_meeting(session, edition, meeting: Meeting, key: str) -> None:
    slot = session.get(MeetingSlot, meeting.slot_id) if meeting.slot_id else None
    table = session.get(MeetingTable, meeting.table_id) if meeting.table_id else None
    startup = session.get(Organisation, meeting.startup_organisation_id)
    investor = session.get(Organisation, meeting.investor_organisation_id)
    tz = ZoneInfo(edition.timezone)
    when = slot.starts_at.astimezone(tz).strftime("%d/%m/%Y %H:%M") if slot else "?"
    for org, other in ((startup, investor), (investor, startup)):
        _notify(
            session,
            org.id,
            lambda other=other: _("Meeting with %(name)s", name=other.name),
            lambda u, other=other: _(
                "Your meeting with %(name)s: %(when)s, table %(table)s.",
                name=other.name,
                when=when,
                table=table.label if table else "?",
            ),
            f"{key}:{meeting.id}:{org.id}",
        )


def mark_meeting(
    session: Session, edition: Edition, user: User, meeting_id: int, status: str, *, organiser=False
) -> Meeting:
    """On the day: a participant, or an organiser, marks a meeting held or no-show."""
    if status not in DAY_STATUSES:
        raise MatchmakingError(_l("Unknown status."))
    meeting = _meeting_for(session, edition, user, meeting_id, organiser)
    if meeting.status not in ("published", "held", "no_show"):
        raise MatchmakingError(_l("Only confirmed meetings can be marked."))
    slot = session.get(MeetingSlot, meeting.slot_id)
    if slot is not None and slot.starts_at > now_utc():
        raise MatchmakingError(_l("The meeting has not started yet."))
    meeting.status = status
    meeting.updated_at = now_utc()
    session.add(meeting)
    session.flush()
    if organiser:
        record(
            session,
            f"matchmaking.meeting.{status}",
            user_id=user.id,
            edition_id=edition.id,
            object_type="meeting",
            object_id=meeting.id,
        )
    return meeting


def _meeting_for(session, edition, user, meeting_id, organiser: bool) -> Meeting:
    meeting = session.get(Meeting, meeting_id)
    if meeting is None or meeting.edition_id != edition.id:
        raise NotFound()
    if organiser:
        return meeting
    if (
        user.organisation_id
        not in (
            meeting.startup_organisation_id,
            meeting.investor_organisation_id,
        )
        or meeting.status == "draft"
    ):
        raise NotFound()
    return meeting


def rate_meeting(
    session: Session,
    edition: Edition,
    me: Participant,
    user: User,
    meeting_id: int,
    rating: str,
    comment: str = "",
) -> MeetingFeedback:
    """After its slot began, each side rates the meeting (one rating per side, changeable)."""
    if rating not in RATINGS:
        raise MatchmakingError(_l("Unknown rating."))
    meeting = _meeting_for(session, edition, user, meeting_id, organiser=False)
    if meeting.status == "cancelled":
        raise NotFound()
    slot = session.get(MeetingSlot, meeting.slot_id) if meeting.slot_id else None
    if slot is None or slot.starts_at > now_utc():
        raise MatchmakingError(_l("You can rate a meeting once it has started."))
    fb = session.exec(
        select(MeetingFeedback).where(
            MeetingFeedback.meeting_id == meeting.id,
            MeetingFeedback.organisation_id == me.organisation.id,
        )
    ).first() or MeetingFeedback(meeting_id=meeting.id, organisation_id=me.organisation.id)
    fb.rating = rating
    fb.comment = (comment or "").strip()[:2000]
    fb.user_id = user.id
    session.add(fb)
    session.flush()
    return fb


# --------------------------------------------------------------------------- standby


def standby_pairs(session: Session, edition: Edition) -> list[tuple[int, int]]:
    """Pairs waiting for a meeting, best first: accepted requests, then the last run's rest."""
    startups = {o.id for o, _p in _participants(session, edition)[0]}
    pairs: list[tuple[int, int]] = []
    for r in session.exec(
        select(MeetingRequest)
        .where(MeetingRequest.edition_id == edition.id, MeetingRequest.status == "accepted")
        .order_by(MeetingRequest.decided_at, MeetingRequest.id)
    ):
        a, b = r.from_organisation_id, r.to_organisation_id
        pairs.append((a, b) if a in startups else (b, a))
    run = latest_run(session, edition)
    if run is not None:
        pairs += [(int(s), int(i)) for s, i, *_rest in run.figures.get("standby", [])]
    live = {
        (s, i)
        for s, i in session.exec(
            select(Meeting.startup_organisation_id, Meeting.investor_organisation_id).where(
                Meeting.edition_id == edition.id, Meeting.status.in_(LIVE + ("no_show",))
            )
        )
    }
    seen, out = set(), []
    for p in pairs:
        if p in live or p in seen:
            continue
        seen.add(p)
        out.append(p)
    return out


@dataclass
class Offer:
    slot: MeetingSlot
    table: MeetingTable
    startup: Organisation
    investor: Organisation


def open_offers(session: Session, edition: Edition, me: Participant | None = None) -> list[Offer]:
    """Freed places (a cancelled or no-show meeting's slot and table, not yet started or
    still running) offered to the first waiting pair free in that slot."""
    if edition.meetings_published_at is None:
        return []
    now = now_utc()
    freed = session.exec(
        select(Meeting.slot_id, Meeting.table_id)
        .join(MeetingSlot, MeetingSlot.id == Meeting.slot_id)
        .where(
            Meeting.edition_id == edition.id,
            Meeting.status.in_(("cancelled", "no_show")),
            Meeting.table_id.is_not(None),
            MeetingSlot.ends_at > now,
        )
        .distinct()
    ).all()
    if not freed:
        return []
    pairs = standby_pairs(session, edition)
    offers, promised = [], set()
    for slot_id, table_id in sorted(freed):
        slot = session.get(MeetingSlot, slot_id)
        taken = session.exec(
            select(Meeting.id).where(
                Meeting.slot_id == slot_id, Meeting.table_id == table_id, Meeting.status.in_(LIVE)
            )
        ).first()
        if taken is not None:
            continue
        for s, i in pairs:
            if (slot_id, s) in promised or (slot_id, i) in promised:
                continue
            if _slot_free_for(session, edition, slot, [s, i]):
                promised |= {(slot_id, s), (slot_id, i)}
                offer = Offer(
                    slot,
                    session.get(MeetingTable, table_id),
                    session.get(Organisation, s),
                    session.get(Organisation, i),
                )
                offers.append(offer)
                pairs = [p for p in pairs if p != (s, i)]
                break
    if me is not None:
        offers = [o for o in offers if me.organisation.id in (o.startup.id, o.investor.id)]
    return offers


def take_offer(
    session: Session, edition: Edition, me: Participant, user: User, slot_id: int, table_id: int
) -> Meeting:
    """One click: the waiting pair takes the freed place offered to it."""
    offer = next(
        (
            o
            for o in open_offers(session, edition, me)
            if o.slot.id == slot_id and o.table.id == table_id
        ),
        None,
    )
    if offer is None:
        raise MatchmakingError(_l("This place is no longer offered to you."))
    sp, ip = _lock_profiles(session, edition, offer.startup.id, offer.investor.id)
    meeting = Meeting(
        edition_id=edition.id,
        startup_organisation_id=offer.startup.id,
        investor_organisation_id=offer.investor.id,
        slot_id=slot_id,
        status="published",
        source="standby",
        **_reasons_for(session, edition, offer.startup.id, offer.investor.id),
    )
    meeting = _insert_meeting(session, meeting, [offer.table])
    _notify_meeting(session, edition, meeting, "mm-standby")
    return meeting


# --------------------------------------------------------------------------- organiser run


def latest_run(session: Session, edition: Edition) -> MatcherRun | None:
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


def plan_run(
    session: Session, edition: Edition, progress, time_limit: float = 10.0, reserve: int = 0
) -> dict:
    """Read everything and compute a draft schedule; writes nothing (see `apply_plan`).

    `reserve` places of each investor's quota stay free for booking after publishing.
    """
    from matching.assignment import assign
    from matching.scheduling import greedy_schedule, schedule

    progress(5, "reading profiles")
    startups, investors = _participants(session, edition)
    s_ids = {o.id for o, p in startups if p.wants_meetings}
    i_ids = {o.id for o, _p in investors}
    slot_rows = slots(session, edition)
    table_rows = tables(session, edition)
    if not slot_rows or not table_rows:
        raise MatchmakingError(_l("Set up meeting slots and tables first."))
    progress(15, "ranking pairs")
    scores = {lang: pair_scores(session, edition, lang) for lang in ("vi", "en")}
    tiers = _tiers(session, edition, s_ids, i_ids)
    accepted = set()
    for r in session.exec(
        select(MeetingRequest).where(
            MeetingRequest.edition_id == edition.id, MeetingRequest.status == "accepted"
        )
    ):
        a, b = r.from_organisation_id, r.to_organisation_id
        pair = (a, b) if a in s_ids else (b, a)
        if pair[0] in s_ids and pair[1] in i_ids:
            accepted.add(pair)
    met = met_before(session, edition)
    # meetings that stay: locked drafts and everything already published or held
    kept = [
        m
        for m in session.exec(
            select(Meeting).where(Meeting.edition_id == edition.id, Meeting.status.in_(LIVE))
        )
        if m.locked or m.status != "draft"
    ]
    kept_pairs = {(m.startup_organisation_id, m.investor_organisation_id) for m in kept}
    blocked = {o: blocked_slots(session, edition, o) for o in s_ids | i_ids}
    for m in kept:
        for o in (m.startup_organisation_id, m.investor_organisation_id):
            blocked.setdefault(o, set()).discard(m.slot_id)
    n_slots = len(slot_rows)

    progress(30, "choosing who meets whom")
    s_profiles = {o.id: p for o, p in startups}
    i_profiles = {o.id: p for o, p in investors}
    pairs = []
    for s in sorted(s_ids):
        for i in sorted(i_ids):
            score = max(0.0, min(1.0, scores["en"].get((s, i), (0.0, ()))[0]))
            if (s, i) in kept_pairs:
                continue
            tier = tiers.get((s, i), "nice")
            if (s, i) in met:
                tier = "no"
            elif (s, i) in accepted and tier != "no":
                tier = "must"
            elif tier == "nice" and scores["en"] and (s, i) not in scores["en"]:
                tier = "no"  # the ranking rules the pair out (stage, ticket or place conflict)
            pairs.append({"startup": s, "investor": i, "score": round(score, 6), "tier": tier})

    def room(o, quota):
        free = n_slots - len(blocked.get(o, ()))
        used = sum(1 for m in kept if o in (m.startup_organisation_id, m.investor_organisation_id))
        return max(0, min(quota, free) - used)

    problem = {
        "pairs": pairs,
        "startups": [
            {
                "id": s,
                "min_meetings": min(
                    s_profiles[s].min_meetings, room(s, s_profiles[s].max_meetings)
                ),
                "max_meetings": room(s, s_profiles[s].max_meetings),
            }
            for s in sorted(s_ids)
        ],
        "investors": [
            {"id": i, "max_meetings": room(i, max(0, i_profiles[i].max_meetings - reserve))}
            for i in sorted(i_ids)
        ],
    }
    capacity = n_slots * len(table_rows) - len(kept)
    chosen = assign(problem)
    musts = {(p["startup"], p["investor"]) for p in pairs if p["tier"] == "must"}
    meetings = _fit_capacity(list(chosen.get("meetings", [])), max(capacity, 0), musts)

    progress(55, "placing meetings into slots and tables")
    sched_problem = {
        "slots": [{"id": s.id, "day": s.day, "block": s.block} for s in slot_rows],
        "tables": [{"id": t.id} for t in table_rows],
        "participants": [
            {"id": f"o{o}", "unavailable": sorted(blocked.get(o, ()))}
            for o in sorted(s_ids | i_ids)
        ],
        "meetings": [
            {
                "id": f"k{m.id}",
                "participants": [f"o{m.startup_organisation_id}", f"o{m.investor_organisation_id}"],
                "blocks": None,
                "fixed_slot": m.slot_id,
            }
            for m in kept
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
    result = schedule(sched_problem, time_limit=time_limit)
    if result["status"] == "infeasible" and "fairness" in " ".join(result.get("explanation", [])):
        result = schedule(sched_problem, time_limit=time_limit, fairness=None)
    if result["status"] not in ("optimal", "feasible"):
        fallback = greedy_schedule(sched_problem)
        if fallback.get("assignments"):
            result = fallback
        else:
            raise MatchmakingError("; ".join(result.get("explanation") or [result["status"]]))
    progress(85, "assigning tables")
    slot_of = {a["meeting"]: a["slot"] for a in result["assignments"]}
    placed = _place_tables(kept, meetings, slot_of, slot_rows, table_rows)

    per_startup = defaultdict(int)
    for m in kept:
        per_startup[m.startup_organisation_id] += 1
    for m in placed:
        per_startup[m["startup"]] += 1
    counts = [per_startup[s] for s in sorted(s_ids)] or [0]
    all_pairs = kept_pairs | {(m["startup"], m["investor"]) for m in placed}
    must_pairs = {p for p, t in tiers.items() if t == "must" and p not in met}
    unmet = sorted((accepted | must_pairs) - all_pairs)
    standby = sorted(
        (
            (p["startup"], p["investor"], p["score"])
            for p in pairs
            if p["tier"] != "no" and (p["startup"], p["investor"]) not in all_pairs
        ),
        key=lambda x: -x[2],
    )[:200]
    figures = {
        "meetings": len(placed) + len(kept),
        "new_meetings": len(placed),
        "kept_meetings": len(kept),
        "startups": len(s_ids),
        "investors": len(i_ids),
        "per_startup_min": min(counts),
        "per_startup_median": statistics.median(counts),
        "per_startup_max": max(counts),
        "startups_without_meetings": sum(1 for c in counts if c == 0),
        "breaks": result.get("breaks"),
        "lower_bound": result.get("lower_bound"),
        "fairness": result.get("fairness"),
        "schedule_status": result.get("status"),
        "assign_status": chosen.get("status"),
        "solve_seconds": result.get("solve_seconds"),
        "unmet_requests": [list(p) for p in unmet],
        "standby": [list(p) for p in standby],
    }
    for m in placed:
        pair = (m["startup"], m["investor"])
        wish = "request" if pair in accepted else ("must" if pair in musts else None)
        for lang in ("vi", "en"):
            reasons = list(scores[lang].get(pair, (0, ()))[1])
            m[f"reasons_{lang}"] = ([WISH_REASONS[wish][lang]] if wish else []) + reasons
    progress(95, "ready to save")
    return {"figures": figures, "meetings": placed}


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


def apply_plan(session: Session, edition_id: int, job_id: int | None, plan: dict) -> dict:
    """Write a computed plan: replace unlocked drafts with the new draft meetings."""
    edition = session.get(Edition, edition_id)
    session.exec(
        sa.delete(Meeting).where(
            Meeting.edition_id == edition.id,
            Meeting.status == "draft",
            Meeting.locked.is_(False),
        )
    )
    run = MatcherRun(edition_id=edition.id, job_id=job_id, status="draft", figures=plan["figures"])
    session.add(run)
    session.flush()
    for m in plan["meetings"]:
        session.add(
            Meeting(
                edition_id=edition.id,
                startup_organisation_id=m["startup"],
                investor_organisation_id=m["investor"],
                slot_id=m["slot"],
                table_id=m["table"],
                status="draft",
                source="matcher",
                run_id=run.id,
                score=m["score"],
                reasons_vi=m.get("reasons_vi", []),
                reasons_en=m.get("reasons_en", []),
            )
        )
    session.flush()
    return {"run_id": run.id, "meetings": len(plan["meetings"])}


# --------------------------------------------------------------------------- review


@dataclass
class Review:
    run: MatcherRun | None
    slots: list[MeetingSlot]
    tables: list[MeetingTable]
    grid: dict[tuple[int, int], MeetingView]
    meetings: list[MeetingView]
    startups: list[Organisation]
    investors: list[Organisation]
    figures: dict


def review(session: Session, edition: Edition) -> Review:
    meetings = list(
        session.exec(
            select(Meeting).where(Meeting.edition_id == edition.id, Meeting.status != "cancelled")
        )
    )
    views = _views(session, meetings)
    grid = {(v.meeting.slot_id, v.meeting.table_id): v for v in views if v.meeting.slot_id}
    startups, investors = _participants(session, edition)
    run = latest_run(session, edition)
    figures = live_figures(session, edition, views, [o.id for o, p in startups if p.wants_meetings])
    if run is not None:
        figures = {**run.figures, **figures}
    return Review(
        run,
        slots(session, edition),
        tables(session, edition),
        grid,
        views,
        [o for o, _p in startups],
        [o for o, _p in investors],
        figures,
    )


def live_figures(session, edition, views: list[MeetingView], startup_ids: list[int]) -> dict:
    """Figures of the schedule as it stands, after the organiser's changes."""
    live = [v for v in views if v.meeting.status in LIVE]
    per = defaultdict(int)
    for v in live:
        per[v.startup.id] += 1
    counts = [per[s] for s in startup_ids] or [0]
    order = {s.id: k for k, s in enumerate(slots(session, edition))}
    days = defaultdict(list)
    for v in live:
        if v.slot is None:
            continue
        for o in (v.startup.id, v.investor.id):
            days[(o, v.slot.day)].append(order[v.slot.id])
    per_person = defaultdict(int)
    for (o, _day), idx in days.items():
        idx.sort()
        per_person[o] += sum(1 for a, b in zip(idx, idx[1:], strict=False) if b - a > 1)
    values = list(per_person.values()) or [0]
    return {
        "meetings": len(live),
        "per_startup_min": min(counts),
        "per_startup_median": statistics.median(counts),
        "per_startup_max": max(counts),
        "startups_without_meetings": sum(1 for c in counts if c == 0),
        "breaks": sum(values),
        "fairness": max(values) - min(values),
        "drafts": sum(1 for v in live if v.meeting.status == "draft"),
    }


def participant_day(session: Session, edition: Edition, org_id: int) -> list[MeetingView]:
    org = session.get(Organisation, org_id)
    if org is None:
        raise NotFound()
    meetings = [m for m in _live_meetings_of(session, edition, org_id) if m.status != "cancelled"]
    return _views(session, meetings)


def _org_meeting_check(session, edition, meeting: Meeting, slot: MeetingSlot) -> None:
    for org_id in (meeting.startup_organisation_id, meeting.investor_organisation_id):
        if slot.id in blocked_slots(session, edition, org_id):
            org = session.get(Organisation, org_id)
            raise MatchmakingError(_l("%(name)s is not available in this slot.", name=org.name))


def _write_checked(session, meeting: Meeting, **changes) -> Meeting:
    """Apply `changes` (or insert) inside a savepoint; the unique indexes have the last word."""
    try:
        with session.begin_nested():
            for name, value in changes.items():
                setattr(meeting, name, value)
            session.add(meeting)
            session.flush()
    except IntegrityError as exc:
        raise MatchmakingError(
            _l("That table or one of the participants is already taken in this slot.")
        ) from exc
    return meeting


def _slot_table(session, edition, slot_id, table_id):
    slot = session.get(MeetingSlot, slot_id)
    table = session.get(MeetingTable, table_id)
    if (
        slot is None
        or slot.edition_id != edition.id
        or table is None
        or (table.edition_id != edition.id)
    ):
        raise NotFound()
    return slot, table


def _organiser_meeting(session, edition, meeting_id) -> Meeting:
    meeting = session.get(Meeting, meeting_id)
    if meeting is None or meeting.edition_id != edition.id:
        raise NotFound()
    return meeting


def move_meeting(
    session: Session, edition: Edition, user: User, meeting_id: int, slot_id: int, table_id: int
) -> Meeting:
    meeting = _organiser_meeting(session, edition, meeting_id)
    if meeting.status not in ("draft", "published"):
        raise MatchmakingError(_l("Only draft or confirmed meetings can be moved."))
    slot, table = _slot_table(session, edition, slot_id, table_id)
    _org_meeting_check(session, edition, meeting, slot)
    before = (meeting.slot_id, meeting.table_id)
    _write_checked(session, meeting, slot_id=slot.id, table_id=table.id, updated_at=now_utc())
    record(
        session,
        "matchmaking.meeting.move",
        user_id=user.id,
        edition_id=edition.id,
        object_type="meeting",
        object_id=meeting.id,
        before=list(before),
        after=[slot.id, table.id],
    )
    if meeting.status == "published":
        _notify_meeting(session, edition, meeting, f"mm-moved-{slot.id}-{table.id}")
    return meeting


def add_meeting(
    session: Session,
    edition: Edition,
    user: User,
    startup_id: int,
    investor_id: int,
    slot_id: int,
    table_id: int,
) -> Meeting:
    startup = session.get(Organisation, startup_id)
    investor = session.get(Organisation, investor_id)
    if (
        startup is None
        or investor is None
        or startup.kind != "startup"
        or (investor.kind != "investor")
    ):
        raise NotFound()
    sp, ip = _lock_profiles(session, edition, startup_id, investor_id)
    slot, table = _slot_table(session, edition, slot_id, table_id)
    if (startup_id, investor_id) in met_before(session, edition):
        raise MatchmakingError(_l("These two met at an earlier edition."))
    _check_quota(session, edition, startup, sp, "startup")
    _check_quota(session, edition, investor, ip, "investor")
    status = "published" if edition.meetings_published_at else "draft"
    meeting = Meeting(
        edition_id=edition.id,
        startup_organisation_id=startup_id,
        investor_organisation_id=investor_id,
        slot_id=slot.id,
        table_id=table.id,
        status=status,
        source="organiser",
        locked=True,
        **_reasons_for(session, edition, startup_id, investor_id),
    )
    _org_meeting_check(session, edition, meeting, slot)
    _write_checked(session, meeting)
    record(
        session,
        "matchmaking.meeting.add",
        user_id=user.id,
        edition_id=edition.id,
        object_type="meeting",
        object_id=meeting.id,
    )
    if status == "published":
        _notify_meeting(session, edition, meeting, "mm-added")
    return meeting


def set_locked(session: Session, edition: Edition, user: User, meeting_id: int, locked: bool):
    meeting = _organiser_meeting(session, edition, meeting_id)
    meeting.locked = locked
    session.add(meeting)
    session.flush()
    record(
        session,
        "matchmaking.meeting.lock" if locked else "matchmaking.meeting.unlock",
        user_id=user.id,
        edition_id=edition.id,
        object_type="meeting",
        object_id=meeting.id,
    )
    return meeting


def cancel_meeting(
    session: Session, edition: Edition, user: User, meeting_id: int, *, organiser: bool
) -> Meeting:
    """Cancel a meeting (organiser: any; participant: its own confirmed one before it starts)."""
    meeting = _meeting_for(session, edition, user, meeting_id, organiser)
    if meeting.status not in ("draft", "published"):
        raise MatchmakingError(_l("This meeting can no longer be cancelled."))
    if not organiser:
        slot = session.get(MeetingSlot, meeting.slot_id) if meeting.slot_id else None
        if slot is not None and slot.starts_at <= now_utc():
            raise MatchmakingError(_l("The meeting has already started."))
    was_published = meeting.status == "published"
    meeting.status = "cancelled"
    meeting.locked = False
    meeting.updated_at = now_utc()
    session.add(meeting)
    session.flush()
    record(
        session,
        "matchmaking.meeting.cancel",
        user_id=user.id,
        edition_id=edition.id,
        object_type="meeting",
        object_id=meeting.id,
        by_organiser=organiser,
    )
    if was_published:
        other_name = {
            meeting.startup_organisation_id: session.get(
                Organisation, meeting.investor_organisation_id
            ).name,
            meeting.investor_organisation_id: session.get(
                Organisation, meeting.startup_organisation_id
            ).name,
        }
        for org_id in (meeting.startup_organisation_id, meeting.investor_organisation_id):
            _notify(
                session,
                org_id,
                lambda org_id=org_id: _("Meeting cancelled: %(name)s", name=other_name[org_id]),
                lambda u, org_id=org_id: _(
                    "Your meeting with %(name)s was cancelled.", name=other_name[org_id]
                ),
                f"mm-cancel:{meeting.id}:{org_id}",
            )
    return meeting


def publish(session: Session, edition: Edition, user: User) -> int:
    """Publish every draft meeting and tell each participant; one transaction, all or none."""
    drafts = list(
        session.exec(
            select(Meeting).where(Meeting.edition_id == edition.id, Meeting.status == "draft")
        )
    )
    if not drafts and edition.meetings_published_at is not None:
        raise MatchmakingError(_l("There is nothing new to publish."))
    if not drafts:
        raise MatchmakingError(_l("Run the matcher before publishing."))
    done = session.exec(
        sa.update(Meeting)
        .where(Meeting.edition_id == edition.id, Meeting.status == "draft")
        .values(status="published", updated_at=now_utc())
    )
    now = now_utc()
    session.exec(
        sa.update(MatcherRun)
        .where(MatcherRun.edition_id == edition.id, MatcherRun.status == "draft")
        .values(status="published", published_at=now)
    )
    edition.meetings_published_at = now
    session.add(edition)
    session.flush()
    # everyone taking part hears about it, with or without meetings
    startups, investors = _participants(session, edition)
    touched = {o.id for o, _p in startups + investors}
    stamp = now.strftime("%Y%m%d%H%M%S")
    for org_id in sorted(touched):
        _notify(
            session,
            org_id,
            lambda: _("Your meeting schedule for %(name)s", name=_edition_name(edition)),
            lambda u, org_id=org_id: _schedule_text(session, edition, org_id, u),
            f"mm-publish:{edition.id}:{stamp}:{org_id}",
        )
    record(
        session,
        "matchmaking.publish",
        user_id=user.id,
        edition_id=edition.id,
        object_type="edition",
        object_id=edition.id,
        meetings=done.rowcount,
    )
    return done.rowcount or 0


def _edition_name(edition: Edition) -> str:
    from flask_babel import get_locale

    return edition.name_en if str(get_locale() or "vi").startswith("en") else edition.name_vi


def _schedule_text(session, edition, org_id: int, user: User) -> str:
    tz = ZoneInfo(edition.timezone)
    lines = [
        _(
            "Your meetings at %(name)s:",
            name=edition.name_en if user.locale == "en" else (edition.name_vi),
        )
    ]
    views = _views(session, _live_meetings_of(session, edition, org_id))
    if not views:
        lines.append(_("No meeting is planned for you yet; you can still request one."))
    for v in views:
        other = v.investor if v.startup.id == org_id else v.startup
        when = v.slot.starts_at.astimezone(tz).strftime("%d/%m %H:%M") if v.slot else "?"
        lines.append(f"- {when} · {v.table.label if v.table else '?'} · {other.name}")
    return "\n".join(lines)


# --------------------------------------------------------------------------- export


EXPORT_COLUMNS = (
    "meeting_id",
    "status",
    "day",
    "starts_at",
    "table",
    "startup",
    "investor",
    "score",
    "source",
    "startup_rating",
    "investor_rating",
    "startup_comment",
    "investor_comment",
)


def export_rows(session: Session, edition: Edition) -> list[dict]:
    meetings = list(
        session.exec(
            select(Meeting).where(Meeting.edition_id == edition.id, Meeting.status != "draft")
        )
    )
    feedback = defaultdict(dict)
    if meetings:
        for f in session.exec(
            select(MeetingFeedback).where(MeetingFeedback.meeting_id.in_([m.id for m in meetings]))
        ):
            feedback[f.meeting_id][f.organisation_id] = f
    tz = ZoneInfo(edition.timezone)
    rows = []
    for v in _views(session, meetings):
        fb = feedback[v.meeting.id]
        s_fb, i_fb = fb.get(v.startup.id), fb.get(v.investor.id)
        rows.append(
            {
                "meeting_id": v.meeting.id,
                "status": v.meeting.status,
                "day": v.slot.day if v.slot else "",
                "starts_at": v.slot.starts_at.astimezone(tz).strftime("%Y-%m-%d %H:%M")
                if v.slot
                else "",
                "table": v.table.label if v.table else "",
                "startup": v.startup.name,
                "investor": v.investor.name,
                "score": "" if v.meeting.score is None else round(v.meeting.score, 3),
                "source": v.meeting.source,
                "startup_rating": s_fb.rating if s_fb else "",
                "investor_rating": i_fb.rating if i_fb else "",
                "startup_comment": s_fb.comment if s_fb else "",
                "investor_comment": i_fb.comment if i_fb else "",
            }
        )
    return rows


def parse_hhmm(text: str) -> time:
    hour, minute = (int(p) for p in text.strip().split(":"))
    return time(hour, minute)


def edition_days(edition: Edition) -> list[date]:
    return [
        edition.starts_on + timedelta(days=k)
        for k in range((edition.ends_on - edition.starts_on).days + 1)
    ]


def job_for(session: Session, edition: Edition, job_id: int):
    from techfest.core.models import Job

    job = session.get(Job, job_id)
    if job is None or job.edition_id != edition.id or not job.kind.startswith("matchmaking."):
        raise NotFound()
    return job


def last_job(session: Session, edition: Edition):
    from techfest.core.models import Job

    return session.exec(
        select(Job)
        .where(Job.edition_id == edition.id, Job.kind == "matchmaking.run")
        .order_by(Job.id.desc())
    ).first()


@dataclass
class Overview:
    participant: Participant | None
    profile_done: bool
    suggestions: int
    incoming_pending: int
    meetings: int
    published: bool


def overview(session: Session, edition: Edition, me: Participant | None) -> Overview:
    if me is None:
        return Overview(None, False, 0, 0, 0, edition.meetings_published_at is not None)
    reqs = requests_for(session, edition, me)
    return Overview(
        me,
        me.profile is not None,
        0,
        sum(1 for r in reqs["incoming"] if effective_status(r) == "pending"),
        len(my_meetings(session, edition, me)),
        edition.meetings_published_at is not None,
    )


def organisation_names(session: Session) -> dict[int, str]:
    rows = session.exec(
        select(Organisation.id, Organisation.name).where(
            Organisation.kind.in_(("startup", "investor"))
        )
    ).all()
    return dict(rows)


def participant_ids(session: Session, edition: Edition) -> tuple[list[int], list[int]]:
    startups, investors = _participants(session, edition)
    return [o.id for o, _p in startups], [o.id for o, _p in investors]

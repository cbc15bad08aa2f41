"""The organiser's review of the draft schedule: figures, moves, additions, locks and publishing."""

from __future__ import annotations

import hashlib
import hmac
import json
import statistics
from collections import defaultdict
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from techfest.auth.models import User
from techfest.core.audit import record
from techfest.core.mail import is_confirmed
from techfest.core.models import Edition, Organisation
from techfest.db import now_utc
from techfest.matchmaking.availability import blocked_slots
from techfest.matchmaking.errors import MatchmakingError, NotFound
from techfest.matchmaking.labels import meeting_basis
from techfest.matchmaking.meetings import (
    MeetingView,
    live_meetings_of,
    lock_profiles,
    meeting_views,
    notify_meeting,
)
from techfest.matchmaking.models import (
    LIVE,
    MatcherRun,
    Meeting,
    MeetingSlot,
    MeetingStatus,
    MeetingTable,
)
from techfest.matchmaking.participants import (
    edition_name,
    members,
    notify_members,
    profiled_organisations,
)
from techfest.matchmaking.quotas import check_quota
from techfest.matchmaking.ranking import met_before, reasons_for
from techfest.matchmaking.run import latest_run
from techfest.matchmaking.slots import slots, tables


@dataclass
class Review:
    """Everything the organiser's review page shows."""

    run: MatcherRun | None
    slots: list[MeetingSlot]
    tables: list[MeetingTable]
    grid: dict[tuple[int, int], MeetingView]
    meetings: list[MeetingView]
    startups: list[Organisation]
    investors: list[Organisation]
    figures: dict
    #: meeting id -> why it is there (a key of `labels.BASIS_LABELS`)
    basis: dict[int, str]


def review(session: Session, edition: Edition) -> Review:
    """The draft and confirmed schedule as a slot-by-table grid, with the run's figures."""
    meetings = list(
        session.exec(
            select(Meeting).where(Meeting.edition_id == edition.id, Meeting.status != "cancelled")
        )
    )
    views = meeting_views(session, meetings)
    grid = {(v.meeting.slot_id, v.meeting.table_id): v for v in views if v.meeting.slot_id}
    startups, investors = profiled_organisations(session, edition)
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
        {v.meeting.id: meeting_basis(v.meeting) for v in views},
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
        "pending": sum(1 for v in live if v.meeting.status == MeetingStatus.REQUESTED.value),
    }


def participant_day(session: Session, edition: Edition, org_id: int) -> list[MeetingView]:
    """One organisation's meetings, for the review page's side panel."""
    org = session.get(Organisation, org_id)
    if org is None:
        raise NotFound()
    meetings = [m for m in live_meetings_of(session, edition, org_id) if m.status != "cancelled"]
    return meeting_views(session, meetings)


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
    """Move a draft or confirmed meeting to another slot and table; confirmed sides are told."""
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
        notify_meeting(session, edition, meeting, f"mm-moved-{slot.id}-{table.id}")
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
    """Add a meeting by hand (locked, so the next run keeps it); checked like a booking."""
    startup = session.get(Organisation, startup_id)
    investor = session.get(Organisation, investor_id)
    if (
        startup is None
        or investor is None
        or startup.kind != "startup"
        or (investor.kind != "investor")
    ):
        raise NotFound()
    sp, ip = lock_profiles(session, edition, startup_id, investor_id)
    slot, table = _slot_table(session, edition, slot_id, table_id)
    if (startup_id, investor_id) in met_before(session, edition):
        raise MatchmakingError(_l("These two met at an earlier edition."))
    check_quota(session, edition, startup, sp, "startup")
    check_quota(session, edition, investor, ip, "investor")
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
        **reasons_for(session, edition, startup_id, investor_id),
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
        notify_meeting(session, edition, meeting, "mm-added")
    return meeting


def set_locked(session: Session, edition: Edition, user: User, meeting_id: int, locked: bool):
    """Lock a meeting so the next matcher run keeps it, or unlock it."""
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


@dataclass(frozen=True)
class MailPreview:
    """One message of the publishing round, as its recipient will read it."""

    name: str
    email: str
    language: str
    subject: str
    body: str


@dataclass(frozen=True)
class PublishPlan:
    """What publishing would do now: how many meetings, who is mailed, and a digest of it
    all, so a confirmation given for another state of the schedule is refused."""

    drafts: int
    #: booking requests still waiting for an answer: they stay out of the round
    pending: int
    #: organisations and people mailed, per side ("startup", "investor")
    organisations: dict[str, int]
    people: dict[str, int]
    #: people whose address nobody confirmed: their mail waits until they do
    unconfirmed: int
    preview: MailPreview | None
    digest: str

    @property
    def recipients(self) -> int:
        return sum(self.people.values())


def _recipients(session, edition) -> list[tuple[Organisation, User]]:
    startups, investors = profiled_organisations(session, edition)
    return [(o, u) for o, _p in startups + investors for u in members(session, o.id)]


def publish_plan(session: Session, edition: Edition, prefer_language: str = "vi") -> PublishPlan:
    """What `publish` would publish and send right now, with one mail shown in full, in
    its recipient's language (someone reading `prefer_language` when there is one)."""
    drafts = list(
        session.exec(
            select(Meeting)
            .where(Meeting.edition_id == edition.id, Meeting.status == "draft")
            .order_by(Meeting.id)
        )
    )
    pending = session.exec(
        select(sa.func.count(Meeting.id)).where(
            Meeting.edition_id == edition.id, Meeting.status == MeetingStatus.REQUESTED.value
        )
    ).one()
    recipients = _recipients(session, edition)
    organisations: dict[str, set[int]] = {"startup": set(), "investor": set()}
    people = {"startup": 0, "investor": 0}
    unconfirmed = 0
    for org, user in recipients:
        organisations[org.kind].add(org.id)
        people[org.kind] += 1
        if not is_confirmed(session, user.email):
            unconfirmed += 1
    with_drafts = {m.startup_organisation_id for m in drafts} | {
        m.investor_organisation_id for m in drafts
    }
    ranked = sorted(
        recipients,
        key=lambda r: (r[0].id not in with_drafts, (r[1].locale or "vi") != prefer_language),
    )
    chosen = ranked[0] if ranked else None
    preview = None
    if chosen is not None:
        org, user = chosen
        language = user.locale or "vi"
        with force_locale(language):
            preview = MailPreview(
                name=user.full_name or user.email,
                email=user.email,
                language=language,
                subject=publish_subject(edition),
                body=schedule_text(session, edition, org.id, user),
            )
    state = {
        "published_at": str(edition.meetings_published_at),
        "drafts": [
            [m.id, m.slot_id, m.table_id, m.startup_organisation_id, m.investor_organisation_id]
            for m in drafts
        ],
        # who is mailed, not in which language: switching language does not stale a page
        "recipients": sorted([o.id, u.id, u.email] for o, u in recipients),
    }
    digest = hashlib.sha256(json.dumps(state, sort_keys=True).encode()).hexdigest()[:32]
    return PublishPlan(
        drafts=len(drafts),
        pending=pending,
        organisations={k: len(v) for k, v in organisations.items()},
        people=people,
        unconfirmed=unconfirmed,
        preview=preview,
        digest=digest,
    )


def publish_subject(edition: Edition) -> str:
    """The subject of the mail each participant gets when the schedule is published."""
    return _("Your meeting schedule for %(name)s", name=edition_name(edition))


def publish(session: Session, edition: Edition, user: User, digest: str) -> int:
    """Publish every draft meeting and tell each participant; one transaction, all or none.

    `digest` is the one the confirmation page showed (`publish_plan`): when the schedule
    or its recipients changed since, nothing is published and nobody is mailed."""
    plan = publish_plan(session, edition)
    if not plan.drafts and edition.meetings_published_at is not None:
        raise MatchmakingError(_l("There is nothing new to publish."))
    if not plan.drafts:
        raise MatchmakingError(_l("Run the matcher before publishing."))
    if not hmac.compare_digest(str(digest or ""), plan.digest):
        raise MatchmakingError(
            _l(
                "The schedule changed since the confirmation page was opened, so nothing "
                "was published or sent. Check the summary again and confirm."
            )
        )
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
    startups, investors = profiled_organisations(session, edition)
    touched = {o.id for o, _p in startups + investors}
    stamp = now.strftime("%Y%m%d%H%M%S")
    for org_id in sorted(touched):
        notify_members(
            session,
            org_id,
            lambda: publish_subject(edition),
            lambda u, org_id=org_id: schedule_text(session, edition, org_id, u),
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
        recipients=plan.recipients,
    )
    return done.rowcount or 0


def schedule_text(session, edition, org_id: int, user: User) -> str:
    """A participant's schedule as plain text, for the email sent when it is published."""
    tz = ZoneInfo(edition.timezone)
    lines = [
        _(
            "Your meetings at %(name)s:",
            name=edition.name_en if user.locale == "en" else (edition.name_vi),
        )
    ]
    views = meeting_views(
        session,
        [
            m
            for m in live_meetings_of(session, edition, org_id)
            if m.status not in (MeetingStatus.REQUESTED.value, MeetingStatus.NO_SHOW.value)
        ],
    )
    if not views:
        lines.append(_("No meeting is planned for you yet; you can still request one."))
    for v in views:
        other = v.investor if v.startup.id == org_id else v.startup
        when = v.slot.starts_at.astimezone(tz).strftime("%d/%m %H:%M") if v.slot else "?"
        lines.append(f"- {when} · {v.table.label if v.table else '?'} · {other.name}")
    return "\n".join(lines)

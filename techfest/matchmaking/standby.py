"""Standby: waiting pairs are offered the places that cancelled or missed meetings free."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlmodel import Session, select

from techfest.auth.models import User
from techfest.core.models import Edition, Organisation
from techfest.db import now_utc
from techfest.matchmaking.errors import MatchmakingError
from techfest.matchmaking.meetings import (
    insert_meeting,
    lock_profiles,
    notify_meeting,
    slot_free_for,
)
from techfest.matchmaking.models import (
    LIVE,
    Meeting,
    MeetingRequest,
    MeetingSlot,
    MeetingTable,
)
from techfest.matchmaking.participants import Participant, profiled_organisations
from techfest.matchmaking.ranking import reasons_for
from techfest.matchmaking.run import latest_run


def standby_pairs(session: Session, edition: Edition) -> list[tuple[int, int]]:
    """Pairs waiting for a meeting, best first: accepted requests, then the last run's rest."""
    startups = {o.id for o, _p in profiled_organisations(session, edition)[0]}
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
    """A freed place (slot and table) offered to one waiting pair."""

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
            if slot_free_for(session, edition, slot, [s, i]):
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
    from techfest.matchmaking.requests import expire_requests

    expire_requests(session, edition)  # a lapsed booking hold must not block the insert
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
    sp, ip = lock_profiles(session, edition, offer.startup.id, offer.investor.id)
    meeting = Meeting(
        edition_id=edition.id,
        startup_organisation_id=offer.startup.id,
        investor_organisation_id=offer.investor.id,
        slot_id=slot_id,
        status="published",
        source="standby",
        **reasons_for(session, edition, offer.startup.id, offer.investor.id),
    )
    meeting = insert_meeting(session, meeting, [offer.table])
    notify_meeting(session, edition, meeting, "mm-standby")
    return meeting

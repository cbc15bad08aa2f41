"""Meeting requests: one side asks, the other accepts or declines before the request expires."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from techfest.auth.models import User
from techfest.core.inputs import clean_text
from techfest.core.mail import greeting_name
from techfest.core.models import Edition, Organisation
from techfest.db import now_utc
from techfest.i18n import fmt_in_zone, zone_name
from techfest.matchmaking import holds
from techfest.matchmaking.errors import MatchmakingError, NotFound
from techfest.matchmaking.models import (
    Meeting,
    MeetingRequest,
    MeetingSlot,
    MeetingTable,
)
from techfest.matchmaking.participants import (
    Participant,
    edition_name,
    notify_members,
    other_participant,
    require_profile,
)
from techfest.matchmaking.quotas import check_quota, quota_of
from techfest.matchmaking.ranking import met_before

#: longest reason a declining side may give
REASON_MAX = 500


def requests_of(session: Session, edition: Edition, org_id: int) -> list[MeetingRequest]:
    """Every request the organisation made or received in this edition, newest first."""
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
    """Whether a pending request is past its expiry."""
    return (
        req.status == "pending"
        and req.expires_at is not None
        and req.expires_at <= (now or now_utc())
    )


def effective_status(req: MeetingRequest) -> str:
    """The request's status as people see it (a pending one past expiry reads expired)."""
    return "expired" if is_expired(req) else req.status


@dataclass(frozen=True)
class RequestView:
    """A request as its page shows it: its state as people read it, and the place a
    booking request asks for."""

    request: MeetingRequest
    status: str
    slot: MeetingSlot | None
    table: MeetingTable | None


def requests_for(session: Session, edition: Edition, me: Participant) -> dict[str, list]:
    """The organisation's requests as views: {"incoming": [...], "outgoing": [...]}."""
    out: dict[str, list] = {"incoming": [], "outgoing": []}
    rows = requests_of(session, edition, me.organisation.id)
    slot_map = {
        s.id: s
        for s in session.exec(
            select(MeetingSlot).where(MeetingSlot.id.in_({r.slot_id for r in rows if r.slot_id}))
        )
    }
    holds = {
        m.id: m
        for m in session.exec(
            select(Meeting).where(Meeting.id.in_({r.meeting_id for r in rows if r.meeting_id}))
        )
    }
    table_map = {
        t.id: t
        for t in session.exec(
            select(MeetingTable).where(
                MeetingTable.id.in_({m.table_id for m in holds.values() if m.table_id})
            )
        )
    }
    for r in rows:
        key = "outgoing" if r.from_organisation_id == me.organisation.id else "incoming"
        hold = holds.get(r.meeting_id)
        out[key].append(
            RequestView(
                r,
                effective_status(r),
                slot_map.get(r.slot_id),
                table_map.get(hold.table_id) if hold and hold.table_id else None,
            )
        )
    return out


def pending_between(session: Session, edition: Edition, a: int, b: int) -> bool:
    """Whether a request between the two organisations still waits for an answer."""
    now = now_utc()
    return any(
        r.status == "pending" and not is_expired(r, now)
        for r in requests_of(session, edition, a)
        if {r.from_organisation_id, r.to_organisation_id} == {a, b}
    )


def expire_requests(session: Session, edition: Edition | None = None) -> int:
    """Mark pending requests past their expiry as expired, free the places booking requests
    held, and tell both sides; returns how many."""
    stmt = select(MeetingRequest).where(
        MeetingRequest.status == "pending", MeetingRequest.expires_at <= now_utc()
    )
    if edition is not None:
        stmt = stmt.where(MeetingRequest.edition_id == edition.id)
    count = 0
    for req in session.exec(stmt.order_by(MeetingRequest.id)).all():
        if _expire(session, req):
            count += 1
    return count


def _expire(session: Session, req: MeetingRequest) -> bool:
    """Expire one request (once, even in a race) and tell both sides."""
    done = session.exec(
        sa.update(MeetingRequest)
        .where(MeetingRequest.id == req.id, MeetingRequest.status == "pending")
        .values(status="expired", decided_at=now_utc())
    )
    if done.rowcount != 1:
        return False
    session.refresh(req)
    edition = session.get(Edition, req.edition_id)
    if req.slot_id is not None:
        holds.tell_booking(session, edition, req, "expired")
        holds.release_hold(session, req)
    else:
        _tell_plain_expired(session, edition, req)
    session.flush()
    return True


def _tell_plain_expired(session: Session, edition: Edition, req: MeetingRequest) -> None:
    sender = session.get(Organisation, req.from_organisation_id)
    receiver = session.get(Organisation, req.to_organisation_id)
    for org, other in ((sender, receiver), (receiver, sender)):
        name = greeting_name(other.name)
        notify_members(
            session,
            org.id,
            lambda name=name: _("Meeting request expired: %(name)s", name=name),
            lambda u, name=name: _(
                "The meeting request between you and %(name)s got no answer before "
                "%(deadline)s (%(zone)s).",
                name=name,
                deadline=fmt_in_zone(req.expires_at, edition.timezone, u.locale or "vi", "long"),
                zone=zone_name(edition.timezone, u.locale or "vi"),
            ),
            f"mm-expired:{req.id}:{org.id}",
        )


def request_meeting(
    session: Session, edition: Edition, me: Participant, user: User, other_id: int, message: str
) -> MeetingRequest:
    """Ask an organisation of the other side for a meeting; checked against quotas and history."""
    my_profile = require_profile(session, edition, me.organisation)
    other, other_profile = other_participant(session, edition, me, other_id)
    pair = (
        (me.organisation.id, other.id) if me.side == "startup" else (other.id, me.organisation.id)
    )
    if pair in met_before(session, edition):
        raise MatchmakingError(_l("You met this organisation at an earlier edition."))
    for r in requests_of(session, edition, me.organisation.id):
        if {r.from_organisation_id, r.to_organisation_id} != {me.organisation.id, other.id}:
            continue
        if is_expired(r):
            _expire(session, r)
        elif r.status in ("pending", "accepted"):
            raise MatchmakingError(_l("There is already a request between you and them."))
    check_quota(
        session,
        edition,
        me.organisation,
        my_profile,
        me.side,
        _l("You have reached your quota of %(n)s meetings.", n=quota_of(my_profile)),
    )
    check_quota(session, edition, other, other_profile, other.kind)
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
    notify_members(
        session,
        other.id,
        lambda: _("Meeting request from %(name)s", name=greeting_name(me.organisation.name)),
        lambda u: _(
            "%(name)s would like to meet you at %(edition)s.\n\n%(message)s\n\n"
            "Answer in the matchmaking pages before %(when)s (%(zone)s).",
            name=greeting_name(me.organisation.name),
            edition=edition_name(edition),
            message=req.message,
            when=fmt_in_zone(req.expires_at, edition.timezone, u.locale or "vi", "long"),
            zone=zone_name(edition.timezone, u.locale or "vi"),
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
    reason: str = "",
) -> MeetingRequest:
    """Accept or decline a request made to your organisation (only once, even in a race).

    Only the receiving side answers; anyone else is told the request does not exist. A
    booking request's held place becomes a confirmed meeting, or is freed. A request past
    its expiry is expired instead (see its status)."""
    req = session.get(MeetingRequest, request_id)
    if req is None or req.edition_id != edition.id or req.to_organisation_id != me.organisation.id:
        raise NotFound()
    if is_expired(req):
        # returned, not refused: a refusal rolls back, and the expiry must stay written
        _expire(session, req)
        return req
    if req.status != "pending":
        raise MatchmakingError(_l("This request was already answered."))
    booking = req.slot_id is not None
    if accept and not booking:  # a booking's held place already counts in both quotas
        my_profile = require_profile(session, edition, me.organisation)
        other = session.get(Organisation, req.from_organisation_id)
        other_profile = require_profile(session, edition, other)
        check_quota(
            session,
            edition,
            me.organisation,
            my_profile,
            me.side,
            _l("You have reached your quota of %(n)s meetings.", n=quota_of(my_profile)),
        )
        check_quota(session, edition, other, other_profile, other.kind)
    # the conditional update keeps two answers in a race from both counting
    done = session.exec(
        sa.update(MeetingRequest)
        .where(MeetingRequest.id == req.id, MeetingRequest.status == "pending")
        .values(
            status="accepted" if accept else "declined",
            decided_at=now_utc(),
            decline_reason="" if accept else clean_text(reason)[:REASON_MAX],
        )
    )
    if done.rowcount != 1:
        raise MatchmakingError(_l("This request was already answered."))
    session.refresh(req)
    if booking:
        if accept:
            holds.confirm_hold(session, req)
        holds.tell_booking(session, edition, req, "accepted" if accept else "declined")
        if not accept:
            holds.release_hold(session, req)
        return req
    answer_accepted = accept
    why = req.decline_reason
    notify_members(
        session,
        req.from_organisation_id,
        lambda: (
            _("%(name)s accepted your meeting request", name=greeting_name(me.organisation.name))
            if answer_accepted
            else _(
                "%(name)s declined your meeting request", name=greeting_name(me.organisation.name)
            )
        ),
        lambda u: (
            _(
                "%(name)s accepted. The meeting will be placed in the schedule.",
                name=greeting_name(me.organisation.name),
            )
            if answer_accepted
            else _("%(name)s cannot meet you this time.", name=greeting_name(me.organisation.name))
            + (("\n\n" + _("Their reason: %(reason)s", reason=why)) if why else "")
        ),
        f"mm-answer:{req.id}",
    )
    return req


def cancel_request(
    session: Session, edition: Edition, me: Participant, request_id: int
) -> MeetingRequest:
    """Withdraw a request your organisation made, while it waits for an answer (one past
    its expiry is expired instead: see its status)."""
    req = session.get(MeetingRequest, request_id)
    if (
        req is None
        or req.edition_id != edition.id
        or req.from_organisation_id != me.organisation.id
    ):
        raise NotFound()
    if is_expired(req):
        _expire(session, req)
        return req
    done = session.exec(
        sa.update(MeetingRequest)
        .where(MeetingRequest.id == req.id, MeetingRequest.status == "pending")
        .values(status="cancelled", decided_at=now_utc())
    )
    if done.rowcount != 1:
        raise MatchmakingError(_l("This request was already answered."))
    session.refresh(req)
    if req.slot_id is not None:
        holds.tell_booking(session, edition, req, "withdrawn")
        holds.release_hold(session, req)
    return req

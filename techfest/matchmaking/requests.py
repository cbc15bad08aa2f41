"""Meeting requests: one side asks, the other accepts or declines before the request expires."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from techfest.auth.models import User
from techfest.core.mail import greeting_name
from techfest.core.models import Edition, Organisation
from techfest.db import now_utc
from techfest.i18n import fmt_in_zone, zone_name
from techfest.matchmaking.errors import MatchmakingError, NotFound
from techfest.matchmaking.models import (
    MeetingRequest,
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


def requests_for(session: Session, edition: Edition, me: Participant) -> dict[str, list]:
    """The organisation's requests: {"incoming": [...], "outgoing": [...]}."""
    out: dict[str, list] = {"incoming": [], "outgoing": []}
    for r in requests_of(session, edition, me.organisation.id):
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
            r.status, r.decided_at = "expired", now_utc()
            session.add(r)
            session.flush()
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
) -> MeetingRequest:
    """Accept or decline a request made to your organisation (only once, even in a race)."""
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
        .values(status="accepted" if accept else "declined", decided_at=now_utc())
    )
    if done.rowcount != 1:
        raise MatchmakingError(_l("This request was already answered."))
    session.refresh(req)
    answer_accepted = accept
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
        ),
        f"mm-answer:{req.id}",
    )
    return req


def cancel_request(
    session: Session, edition: Edition, me: Participant, request_id: int
) -> MeetingRequest:
    """Withdraw a request your organisation made, while it waits for an answer."""
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

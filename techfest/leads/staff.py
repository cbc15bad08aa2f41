"""Booth staff invited by email: a signed link, valid 7 days, used once, revocable.

A startup's member invites an address. The link carries the invitation's id and address,
signed with the application's key (itsdangerous), and is refused after INVITE_DAYS, once
accepted, or once revoked. Only the account with the invited address can accept it (the
person signs in, or signs up first). Acceptance is one atomic UPDATE that needs the row
still unused, so two clicks at once make one acceptance.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlmodel import Session, select

from techfest.auth.models import User
from techfest.core.audit import record
from techfest.core.errors import DomainError
from techfest.core.mail import greeting_name, normalise, queue_email
from techfest.core.models import Edition, Organisation
from techfest.db import now_utc
from techfest.leads.models import StaffInvite

INVITE_DAYS = 7
SALT = "booth-staff-invite"
EMAIL_RE = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,185}\.[^@\s]{2,}$")


class StaffError(DomainError):
    """An invitation rule said no."""


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def inviting_organisations(session: Session, edition: Edition, user: User) -> list[int]:
    """The startups whose accepted, unrevoked invitations make the person their staff."""
    return list(
        session.exec(
            select(StaffInvite.organisation_id)
            .where(
                StaffInvite.edition_id == edition.id,
                StaffInvite.user_id == user.id,
                StaffInvite.accepted_at.is_not(None),
                StaffInvite.revoked_at.is_(None),
            )
            .order_by(StaffInvite.id)
        ).all()
    )


def invite_staff(
    session: Session,
    edition: Edition,
    inviter: User,
    email: str,
    link_for: Callable[[str], str],
) -> StaffInvite:
    """Invite `email` to staff the inviter's booths; `link_for(token)` is the join address."""
    address = normalise(email)
    if not EMAIL_RE.match(address):
        raise StaffError(_l("Enter a valid email address."), field="email")
    org = session.get(Organisation, inviter.organisation_id) if inviter.organisation_id else None
    if org is None or org.kind != "startup":
        raise StaffError(_l("Only a startup invites staff to its booths."))
    now = now_utc()
    invite = StaffInvite(
        edition_id=edition.id,
        organisation_id=org.id,
        email=address,
        invited_by_id=inviter.id,
        created_at=now,
        expires_at=now + timedelta(days=INVITE_DAYS),
    )
    session.add(invite)
    session.flush()
    token = _serializer().dumps({"i": invite.id, "e": address})
    queue_email(
        session,
        address,
        _("%(org)s invites you to staff its booth at Techfest", org=greeting_name(org.name)),
        _(
            "%(org)s invites you to scan visitors' badges at its booth. Sign in (or create "
            "an account) with this email address, then open this link within %(days)s "
            "days: %(link)s\n\nIf you do not expect this, ignore this message.",
            org=greeting_name(org.name),
            days=INVITE_DAYS,
            link=link_for(token),
        ),
        dedupe_key=f"staff-invite:{invite.id}",
    )
    record(
        session,
        "leads.staff_invite",
        user_id=inviter.id,
        edition_id=edition.id,
        object_type="staff_invite",
        object_id=invite.id,
    )
    return invite


@dataclass(frozen=True)
class InviteView:
    id: int
    email: str
    created_at: datetime
    #: 'pending', 'expired', 'accepted' or 'revoked'
    status: str
    staff_name: str


def _status(invite: StaffInvite, now: datetime) -> str:
    if invite.revoked_at is not None:
        return "revoked"
    if invite.accepted_at is not None:
        return "accepted"
    return "expired" if invite.expires_at <= now else "pending"


def invites_of(session: Session, edition: Edition, organisation_id: int | None) -> list[InviteView]:
    """The organisation's invitations in the edition, newest first."""
    if organisation_id is None:
        return []
    rows = session.exec(
        select(StaffInvite, User.full_name)
        .join(User, User.id == StaffInvite.user_id, isouter=True)
        .where(StaffInvite.edition_id == edition.id, StaffInvite.organisation_id == organisation_id)
        .order_by(StaffInvite.created_at.desc(), StaffInvite.id.desc())
    ).all()
    now = now_utc()
    return [
        InviteView(i.id, i.email, i.created_at, _status(i, now), name or "") for i, name in rows
    ]


def revoke_invite(session: Session, edition: Edition, user: User, invite_id: int) -> StaffInvite:
    """Withdraw an invitation, or a staff member's access; 404 for another startup's."""
    invite = session.get(StaffInvite, invite_id)
    if (
        invite is None
        or invite.edition_id != edition.id
        or user.organisation_id is None
        or invite.organisation_id != user.organisation_id
    ):
        raise StaffError(_l("Not found."), not_found=True)
    if invite.revoked_at is None:
        invite.revoked_at = now_utc()
        session.add(invite)
        session.flush()
        record(
            session,
            "leads.staff_revoke",
            user_id=user.id,
            edition_id=edition.id,
            object_type="staff_invite",
            object_id=invite.id,
        )
    return invite


@dataclass(frozen=True)
class Invitation:
    """What the join page shows about a valid link."""

    invite: StaffInvite
    organisation: str
    #: the invitation was sent to the signed-in person's address
    for_me: bool = False


def invitation(
    session: Session, edition: Edition, token: str, user: User | None = None
) -> Invitation:
    """The invitation a link names, if it may still be accepted; else StaffError."""
    try:
        data = _serializer().loads(token, max_age=INVITE_DAYS * 24 * 3600)
    except SignatureExpired as exc:
        raise StaffError(_l("This invitation has expired. Ask the startup for a new one.")) from exc
    except BadSignature as exc:
        raise StaffError(_l("This invitation link is not valid.")) from exc
    invite = session.get(StaffInvite, data.get("i")) if isinstance(data, dict) else None
    if invite is None or invite.edition_id != edition.id or invite.email != data.get("e"):
        raise StaffError(_l("This invitation link is not valid."))
    status = _status(invite, now_utc())
    if status == "revoked":
        raise StaffError(_l("The startup withdrew this invitation."))
    if status == "accepted":
        raise StaffError(_l("This invitation has already been used."))
    if status == "expired":
        raise StaffError(_l("This invitation has expired. Ask the startup for a new one."))
    org = session.get(Organisation, invite.organisation_id)
    for_me = user is not None and normalise(user.email) == invite.email
    return Invitation(invite, org.name if org else "", for_me)


def accept_invite(session: Session, edition: Edition, user: User, token: str) -> Invitation:
    """Make the signed-in person staff of the inviting startup's booths (once per link)."""
    found = invitation(session, edition, token, user)
    if not found.for_me:
        raise StaffError(
            _l(
                "This invitation was sent to %(email)s. Sign in with that address to accept it.",
                email=found.invite.email,
            )
        )
    now = now_utc()
    done = session.execute(
        sa.update(StaffInvite)
        .where(
            StaffInvite.id == found.invite.id,
            StaffInvite.accepted_at.is_(None),
            StaffInvite.revoked_at.is_(None),
        )
        .values(accepted_at=now, user_id=user.id)
        .execution_options(synchronize_session=False)
    )
    if done.rowcount != 1:
        raise StaffError(_l("This invitation has already been used."))
    session.refresh(found.invite)
    record(
        session,
        "leads.staff_join",
        user_id=user.id,
        edition_id=edition.id,
        object_type="staff_invite",
        object_id=found.invite.id,
    )
    return found

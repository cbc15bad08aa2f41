"""Contact exchange: once a meeting is confirmed, each side sees what the other shares.

Each person keeps one contact card (email yes/no, a phone, a Zalo and a LinkedIn link);
nothing is shown before a meeting between the two organisations is published or held,
and nothing of a cancelled meeting.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlmodel import Session, select

from techfest.auth.models import User
from techfest.core.errors import DomainError
from techfest.core.models import Edition, EditionRole
from techfest.db import now_utc
from techfest.matchmaking.meetings import MeetingView
from techfest.matchmaking.models import CONFIRMED, ContactCard

PHONE_RE = re.compile(r"^\+?[0-9][0-9 .()-]{5,22}$")
ZALO_RE = re.compile(r"^https://(zalo\.me|chat\.zalo\.me)/[A-Za-z0-9._~/?=&%+-]{1,200}$")
LINKEDIN_RE = re.compile(
    r"^https://([a-z]{2,3}\.)?linkedin\.com/(in|company|pub)/[A-Za-z0-9._~%-]{1,100}/?$"
)


@dataclass(frozen=True)
class CardData:
    share_email: bool
    phone: str
    zalo_url: str
    linkedin_url: str


@dataclass(frozen=True)
class SharedContact:
    """One person of the other side, with only what they chose to share."""

    name: str
    email: str | None
    phone: str
    zalo_url: str
    linkedin_url: str

    @property
    def shares_anything(self) -> bool:
        return bool(self.email or self.phone or self.zalo_url or self.linkedin_url)


def card_of(session: Session, user_id: int) -> ContactCard | None:
    return session.exec(select(ContactCard).where(ContactCard.user_id == user_id)).first()


def check_card(data: CardData) -> None:
    """Refuse a phone or link that is not one (a link is shown as a link to others)."""
    if data.phone and not PHONE_RE.match(data.phone):
        raise DomainError(
            _l("Enter a phone number with digits, e.g. +84 912 345 678."), field="phone"
        )
    if data.zalo_url and not ZALO_RE.match(data.zalo_url):
        raise DomainError(_l("A Zalo link starts with https://zalo.me/"), field="zalo_url")
    if data.linkedin_url and not LINKEDIN_RE.match(data.linkedin_url):
        raise DomainError(
            _l("A LinkedIn link looks like https://www.linkedin.com/in/your-name"),
            field="linkedin_url",
        )


def save_card(session: Session, user: User, data: CardData) -> ContactCard:
    """Write the person's contact card (one per person)."""
    check_card(data)
    card = card_of(session, user.id) or ContactCard(user_id=user.id)
    card.share_email = data.share_email
    card.phone = data.phone
    card.zalo_url = data.zalo_url
    card.linkedin_url = data.linkedin_url
    card.updated_at = now_utc()
    session.add(card)
    session.flush()
    return card


def _people_of(session: Session, edition: Edition, org_ids: set[int]) -> dict[int, list[User]]:
    """The startup and investor accounts of each organisation in the edition."""
    if not org_ids:
        return {}
    rows = session.exec(
        select(User)
        .join(EditionRole, EditionRole.user_id == User.id)
        .where(
            User.organisation_id.in_(org_ids),
            EditionRole.edition_id == edition.id,
            EditionRole.role.in_(("startup", "investor")),
            User.erased_at.is_(None),
        )
        .order_by(User.full_name)
    ).unique()
    people: dict[int, list[User]] = {}
    for user in rows:
        if user not in people.setdefault(user.organisation_id, []):
            people[user.organisation_id].append(user)
    return people


def contacts_for(
    session: Session, edition: Edition, my_org_id: int, views: list[MeetingView]
) -> dict[int, list[SharedContact]]:
    """Per confirmed meeting of my organisation: the other side's shared contacts."""
    confirmed = [v for v in views if v.meeting.status in CONFIRMED]
    other = {
        v.meeting.id: (
            v.meeting.investor_organisation_id
            if v.meeting.startup_organisation_id == my_org_id
            else v.meeting.startup_organisation_id
        )
        for v in confirmed
    }
    people = _people_of(session, edition, set(other.values()))
    user_ids = [u.id for users in people.values() for u in users]
    cards = {
        c.user_id: c
        for c in session.exec(select(ContactCard).where(ContactCard.user_id.in_(user_ids)))
    }
    out: dict[int, list[SharedContact]] = {}
    for meeting_id, org_id in other.items():
        shown = []
        for user in people.get(org_id, []):
            card = cards.get(user.id)
            if card is None:
                continue
            contact = SharedContact(
                name=user.full_name,
                email=user.email if card.share_email else None,
                phone=card.phone,
                zalo_url=card.zalo_url,
                linkedin_url=card.linkedin_url,
            )
            if contact.shares_anything:
                shown.append(contact)
        out[meeting_id] = shown
    return out

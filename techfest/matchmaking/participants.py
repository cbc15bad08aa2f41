"""Who is who: the startup or investor a person speaks for, its profile and its members."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlmodel import Session, select

from techfest.auth.models import User
from techfest.core.mail import queue_email
from techfest.core.models import Edition, EditionRole, Organisation
from techfest.matchmaking.errors import MatchmakingError, NotFound
from techfest.matchmaking.models import (
    InvestorProfile,
    StartupProfile,
)


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
    return Participant(org, org.kind, profile_of(session, edition, org))


def profile_of(session: Session, edition: Edition, org: Organisation):
    """The organisation's profile in this edition, or None."""
    model = StartupProfile if org.kind == "startup" else InvestorProfile
    return session.exec(
        select(model).where(model.edition_id == edition.id, model.organisation_id == org.id)
    ).first()


def require_profile(session, edition, org):
    """The organisation's profile; refused until it is filled in."""
    profile = profile_of(session, edition, org)
    if profile is None:
        raise MatchmakingError(_l("Please fill in your profile first."))
    return profile


def other_participant(session: Session, edition: Edition, me: Participant, other_id: int):
    """The organisation on the other side, with a profile in this edition; else NotFound."""
    other = session.get(Organisation, other_id)
    wanted = "investor" if me.side == "startup" else "startup"
    if other is None or other.kind != wanted:
        raise NotFound()
    profile = profile_of(session, edition, other)
    if profile is None:
        raise NotFound()
    return other, profile


def members(session: Session, organisation_id: int) -> list[User]:
    """The organisation's active accounts (erased ones left out): who hears about its meetings."""
    return list(
        session.exec(
            select(User).where(
                User.organisation_id == organisation_id,
                User.erased_at.is_(None),
                User.is_active_account.is_(True),
            )
        )
    )


def profiled_organisations(session: Session, edition: Edition):
    """Startups and investors with a profile in this edition, each with it, by id."""
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


def notify_members(session: Session, org_id: int, subject_fn, body_fn, key: str) -> None:
    """Queue a message to each member of the organisation, in their language."""
    for user in members(session, org_id):
        with force_locale(user.locale or "vi"):
            queue_email(
                session, user.email, subject_fn(), body_fn(user), dedupe_key=f"{key}:{user.id}"
            )


def edition_name(edition: Edition) -> str:
    """The edition's name in the current language."""
    from flask_babel import get_locale

    return edition.name_en if str(get_locale() or "vi").startswith("en") else edition.name_vi


def organisation_names(session: Session) -> dict[int, str]:
    """Names of every startup and investor, by id."""
    rows = session.exec(
        select(Organisation.id, Organisation.name).where(
            Organisation.kind.in_(("startup", "investor"))
        )
    ).all()
    return dict(rows)


def participant_ids(session: Session, edition: Edition) -> tuple[list[int], list[int]]:
    """Ids of the startups and of the investors with a profile in this edition."""
    startups, investors = profiled_organisations(session, edition)
    return [o.id for o, _p in startups], [o.id for o, _p in investors]

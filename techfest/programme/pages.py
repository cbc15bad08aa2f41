"""What the programme's pages show, prepared in one call each."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session

from techfest.core.models import Edition
from techfest.programme.catalogue import (
    Filters,
    SessionCard,
    edition_days,
    get_session,
    group_by_day,
    list_sessions,
    rooms,
    session_cards,
    tracks,
)
from techfest.programme.models import Room, Track


@dataclass
class ProgrammePage:
    """What the public programme page shows."""

    days: list[tuple[date, list[SessionCard]]]
    tracks: list[Track]
    rooms: list[Room]
    all_days: list[date]
    total: int


def programme_page(
    session: Session, edition: Edition, filters: Filters, user_id: int | None
) -> ProgrammePage:
    """What the public programme shows: filtered sessions by day, with the viewer's state."""
    sessions = list_sessions(session, edition, filters)
    track_list, room_list = tracks(session, edition.id), rooms(session, edition.id)
    cards = session_cards(session, edition, sessions, user_id, track_list, room_list)
    return ProgrammePage(
        days=group_by_day(edition, cards, key=lambda c: c.ps.starts_at),
        tracks=track_list,
        rooms=room_list,
        all_days=edition_days(edition),
        total=len(cards),
    )


def session_card(
    session: Session, edition: Edition, session_id: int, user_id: int | None
) -> SessionCard:
    """One session as its page shows it, with the viewer's place."""
    ps = get_session(session, edition.id, session_id)
    return session_cards(session, edition, [ps], user_id)[0]


@dataclass
class ManagePage:
    """What the organiser's programme page shows."""

    sessions: list[SessionCard]
    tracks: list[Track]
    rooms: list[Room]


def manage_page(session: Session, edition: Edition) -> ManagePage:
    """The organiser's programme page: sessions by day, tracks and rooms."""
    return ManagePage(
        sessions=session_cards(session, edition, list_sessions(session, edition), None),
        tracks=tracks(session, edition.id),
        rooms=rooms(session, edition.id),
    )

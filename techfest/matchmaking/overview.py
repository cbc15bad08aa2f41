"""A participant's matchmaking front page: profile done, answers waiting, meetings planned."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from techfest.core.models import Edition
from techfest.matchmaking.meetings import my_meetings
from techfest.matchmaking.participants import Participant
from techfest.matchmaking.requests import requests_for


@dataclass
class Overview:
    """What a participant's matchmaking front page counts."""

    participant: Participant | None
    profile_done: bool
    suggestions: int
    incoming_pending: int
    meetings: int
    published: bool


def overview(session: Session, edition: Edition, me: Participant | None) -> Overview:
    """The participant's front page: profile done, answers waiting, meetings planned."""
    if me is None:
        return Overview(None, False, 0, 0, 0, edition.meetings_published_at is not None)
    reqs = requests_for(session, edition, me)
    return Overview(
        me,
        me.profile is not None,
        0,
        sum(1 for r in reqs["incoming"] if r.status == "pending"),
        len(my_meetings(session, edition, me)),
        edition.meetings_published_at is not None,
    )

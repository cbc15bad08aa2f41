"""The meetings of an edition as CSV rows, with both sides' ratings."""

from __future__ import annotations

from collections import defaultdict
from zoneinfo import ZoneInfo

from sqlmodel import Session, select

from techfest.core.models import Edition
from techfest.matchmaking.meetings import meeting_views
from techfest.matchmaking.models import (
    Meeting,
    MeetingFeedback,
)

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
    """Every published, held, missed or cancelled meeting with both sides' ratings, as CSV rows."""
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
    for v in meeting_views(session, meetings):
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

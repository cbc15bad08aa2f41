"""The sector taxonomy and the translated labels of stages, tiers, ratings and statuses."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from flask_babel import lazy_gettext as _l

SECTORS_FILE = Path(__file__).resolve().parent.parent / "demo" / "data" / "sectors.json"


TIERS = ("must", "nice", "no")


RATINGS = ("useful", "follow_up", "not_useful", "did_not_happen")


@lru_cache(maxsize=1)
def sectors() -> tuple[dict, ...]:
    """The sector taxonomy: [{"slug", "vi", "en"}, ...]."""
    data = json.loads(SECTORS_FILE.read_text(encoding="utf-8"))
    return tuple(data["sectors"])


def sector_slugs() -> set[str]:
    """The slugs of every known sector."""
    return {s["slug"] for s in sectors()}


def sector_label(slug: str, lang: str) -> str:
    """A sector's name in `lang` (its slug when unknown)."""
    for s in sectors():
        if s["slug"] == slug:
            return s.get(lang) or s["en"]
    return slug


STAGE_LABELS = {
    "idea": _l("Idea"),
    "pre-seed": _l("Pre-seed"),
    "seed": _l("Seed"),
    "series-a": _l("Series A"),
    "series-b": _l("Series B"),
    "series-c": _l("Series C"),
    "growth": _l("Growth"),
}


TIER_LABELS = {"must": _l("Must meet"), "nice": _l("Would like"), "no": _l("Do not match")}


RATING_LABELS = {
    "useful": _l("Useful"),
    "follow_up": _l("Follow-up planned"),
    "not_useful": _l("Not useful"),
    "did_not_happen": _l("Did not take place"),
}


JOB_LABELS = {
    "queued": _l("Waiting to start"),
    "running": _l("Running"),
    "done": _l("Done"),
    "failed": _l("Failed"),
    "reading profiles": _l("Reading profiles"),
    "ranking pairs": _l("Ranking pairs"),
    "choosing who meets whom": _l("Choosing who meets whom"),
    "placing meetings into slots and tables": _l("Placing meetings into slots and tables"),
    "assigning tables": _l("Assigning tables"),
    "ready to save": _l("Saving the draft"),
}


def job_label(text: str | None) -> str:
    """A job status or progress message in the reader's language."""
    return str(JOB_LABELS.get(text or "", text or ""))


STATUS_LABELS = {
    "draft": _l("Draft"),
    "published": _l("Confirmed"),
    "cancelled": _l("Cancelled"),
    "held": _l("Held"),
    "no_show": _l("No-show"),
    "pending": _l("Waiting for an answer"),
    "accepted": _l("Accepted"),
    "declined": _l("Declined"),
    "expired": _l("Expired"),
    "requested": _l("Waiting for an answer"),
}


#: why a meeting is in the schedule, as the organiser's review reads it
BASIS_LABELS = {
    "request": _l("Request accepted"),
    "must": _l("Marked “must meet”"),
    "score": _l("Suggested by score"),
    "booking": _l("Booked directly (auto-accept)"),
    "pending": _l("Booking request, waiting for an answer"),
    "organiser": _l("Added by the organiser"),
    "standby": _l("Freed place taken from the standby list"),
}


def meeting_basis(meeting) -> str:
    """The key of BASIS_LABELS saying why this meeting exists."""
    if meeting.status == "requested":
        return "pending"
    if meeting.source == "request":
        return "request"
    if meeting.source in ("booking", "organiser", "standby"):
        return meeting.source
    return meeting.basis if meeting.basis in BASIS_LABELS else "score"


#: the two blocks of a meeting day, as a person reads them
BLOCK_LABELS = {"morning": _l("Morning"), "afternoon": _l("Afternoon")}


def block_label(block: str) -> str:
    """ "Buổi sáng" / "Morning" for a slot's block key."""
    return str(BLOCK_LABELS.get(block, block))

"""Startup and investor profiles, meeting slots and tables, requests, meetings, feedback.

A meeting holds one table in one slot, and each participant has at most one live
meeting per slot: partial unique indexes make the database refuse a double booking.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from techfest.core.models import utc_field
from techfest.db import now_utc

STAGES = ("idea", "pre-seed", "seed", "series-a", "series-b", "series-c", "growth")


class MeetingStatus(StrEnum):
    """What became of a meeting: the one list of its statuses (`ck_meeting_status`)."""

    DRAFT = "draft"
    PUBLISHED = "published"
    CANCELLED = "cancelled"
    HELD = "held"
    NO_SHOW = "no_show"
    #: a booking waiting for the other side's answer: it holds its slot and table meanwhile
    REQUESTED = "requested"


#: statuses of a meeting that still holds its slot, table and participants
LIVE = (
    MeetingStatus.DRAFT.value,
    MeetingStatus.PUBLISHED.value,
    MeetingStatus.HELD.value,
    MeetingStatus.REQUESTED.value,
)
#: statuses a participant or table host may set on the day
DAY_STATUSES = (MeetingStatus.HELD.value, MeetingStatus.NO_SHOW.value)
#: confirmed meetings: what agendas, table sheets and reminders show
CONFIRMED = (MeetingStatus.PUBLISHED.value, MeetingStatus.HELD.value)
#: meetings that were on the day's schedule, whatever became of them (the dashboard)
SCHEDULED = (*CONFIRMED, MeetingStatus.NO_SHOW.value)
#: a cancelled or no-show meeting frees its slot, table and participants for others
_LIVE = "status NOT IN ('cancelled', 'no_show')"


class StartupProfile(SQLModel, table=True):
    __tablename__ = "startup_profile"
    __table_args__ = (
        sa.UniqueConstraint("edition_id", "organisation_id", name="uq_startup_profile"),
    )
    id: int | None = Field(default=None, primary_key=True)
    edition_id: int = Field(foreign_key="edition.id", index=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    pitch_vi: str = ""
    pitch_en: str = ""
    #: slugs from the sector taxonomy
    sectors: list = Field(default_factory=list, sa_type=sa.JSON)
    #: free tags typed by the startup
    tags: list = Field(default_factory=list, sa_type=sa.JSON)
    stage: str | None = None
    raised_usd: int | None = Field(default=None, sa_type=sa.BigInteger)
    raising_usd: int | None = Field(default=None, sa_type=sa.BigInteger)
    location: str = ""
    founded_year: int | None = None
    deck_url: str = ""
    #: takes part in the startup–investor connection event
    wants_meetings: bool = True
    min_meetings: int = 1
    max_meetings: int = 8


class InvestorProfile(SQLModel, table=True):
    __tablename__ = "investor_profile"
    __table_args__ = (
        sa.UniqueConstraint("edition_id", "organisation_id", name="uq_investor_profile"),
        sa.CheckConstraint(
            "ticket_min_usd IS NULL OR ticket_max_usd IS NULL OR ticket_min_usd <= ticket_max_usd",
            name="ck_investor_ticket_range",
        ),
    )
    id: int | None = Field(default=None, primary_key=True)
    edition_id: int = Field(foreign_key="edition.id", index=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    kind: str = "vc"
    thesis_vi: str = ""
    thesis_en: str = ""
    sectors: list = Field(default_factory=list, sa_type=sa.JSON)
    stages: list = Field(default_factory=list, sa_type=sa.JSON)
    ticket_min_usd: int | None = Field(default=None, sa_type=sa.BigInteger)
    ticket_max_usd: int | None = Field(default=None, sa_type=sa.BigInteger)
    locations: list = Field(default_factory=list, sa_type=sa.JSON)
    #: one-line descriptions of past investments
    portfolio: list = Field(default_factory=list, sa_type=sa.JSON)
    #: meeting quota for the connection event
    max_meetings: int = 10
    #: preferences that exclude instead of lowering a score: "stages", "ticket"
    strict: list = Field(default_factory=list, sa_type=sa.JSON)


class MeetingSlot(SQLModel, table=True):
    __tablename__ = "meeting_slot"
    __table_args__ = (
        sa.UniqueConstraint("edition_id", "starts_at", name="uq_meeting_slot_start"),
        sa.CheckConstraint("ends_at > starts_at", name="ck_meeting_slot_times"),
        sa.CheckConstraint("block IN ('morning', 'afternoon')", name="ck_meeting_slot_block"),
    )
    id: int | None = Field(default=None, primary_key=True)
    edition_id: int = Field(foreign_key="edition.id", index=True)
    #: 1-based day of the edition
    day: int = 1
    block: str = "morning"
    starts_at: datetime = utc_field(index=True)
    ends_at: datetime = utc_field()


def table_code(number: int) -> str:
    """A meeting table's code: "T05". Booths are coded by zone ("B05"), so a table never
    shares a booth's code and nobody walks to booth B05 for a meeting at table 5."""
    return f"T{number:02d}"


class MeetingTable(SQLModel, table=True):
    __tablename__ = "meeting_table"
    __table_args__ = (sa.UniqueConstraint("edition_id", "number", name="uq_meeting_table_number"),)
    id: int | None = Field(default=None, primary_key=True)
    edition_id: int = Field(foreign_key="edition.id", index=True)
    number: int
    #: the code people see ("T05", see `table_code`)
    label: str
    location_vi: str = ""
    location_en: str = ""
    #: a table placed at a booth keeps walking short
    booth_id: int | None = Field(default=None, foreign_key="booth.id")
    #: column and row of a table in the hall's meeting area (not at a booth)
    x: int | None = None
    y: int | None = None


class Unavailability(SQLModel, table=True):
    """A slot in which an organisation cannot meet."""

    __table_args__ = (sa.UniqueConstraint("organisation_id", "slot_id", name="uq_unavailability"),)
    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    slot_id: int = Field(foreign_key="meeting_slot.id", index=True)


class MatchPreference(SQLModel, table=True):
    """One side's wish about a pair: must meet, would like, or do not match."""

    __tablename__ = "match_preference"
    __table_args__ = (
        sa.UniqueConstraint(
            "edition_id", "from_organisation_id", "to_organisation_id", name="uq_match_preference"
        ),
        sa.CheckConstraint("tier IN ('must', 'nice', 'no')", name="ck_match_preference_tier"),
    )
    id: int | None = Field(default=None, primary_key=True)
    edition_id: int = Field(foreign_key="edition.id", index=True)
    from_organisation_id: int = Field(foreign_key="organisation.id", index=True)
    to_organisation_id: int = Field(foreign_key="organisation.id", index=True)
    tier: str


class MeetingRequest(SQLModel, table=True):
    __tablename__ = "meeting_request"
    __table_args__ = (
        sa.CheckConstraint(
            "status IN ('pending', 'accepted', 'declined', 'expired', 'cancelled')",
            name="ck_meeting_request_status",
        ),
        sa.CheckConstraint(
            "from_organisation_id != to_organisation_id", name="ck_meeting_request_pair"
        ),
        sa.Index(
            "uq_meeting_request_pending",
            "edition_id",
            "from_organisation_id",
            "to_organisation_id",
            unique=True,
            sqlite_where=sa.text("status = 'pending'"),
            postgresql_where=sa.text("status = 'pending'"),
        ),
    )
    id: int | None = Field(default=None, primary_key=True)
    edition_id: int = Field(foreign_key="edition.id", index=True)
    from_organisation_id: int = Field(foreign_key="organisation.id", index=True)
    to_organisation_id: int = Field(foreign_key="organisation.id", index=True)
    from_user_id: int | None = Field(default=None, foreign_key="user.id")
    message: str = ""
    status: str = "pending"
    created_at: datetime = utc_field(default_factory=now_utc)
    expires_at: datetime | None = utc_field(default=None, nullable=True)
    decided_at: datetime | None = utc_field(default=None, nullable=True)
    #: a booking request names the slot asked for; a plain request leaves it to the matcher
    slot_id: int | None = Field(default=None, foreign_key="meeting_slot.id")
    #: the meeting that holds the slot while the booking request waits (then confirmed)
    meeting_id: int | None = Field(default=None, foreign_key="meeting.id")
    #: what the side that declined chose to say (optional)
    decline_reason: str = ""


class MatcherRun(SQLModel, table=True):
    """One run of assign + schedule for an edition, with its figures."""

    __tablename__ = "matcher_run"
    id: int | None = Field(default=None, primary_key=True)
    edition_id: int = Field(foreign_key="edition.id", index=True)
    job_id: int | None = Field(default=None, foreign_key="job.id")
    status: str = "draft"
    #: figures of the run: meetings per startup, breaks, fairness, unmet requests...
    figures: dict = Field(default_factory=dict, sa_type=sa.JSON)
    created_at: datetime = utc_field(default_factory=now_utc)
    published_at: datetime | None = utc_field(default=None, nullable=True)


class Meeting(SQLModel, table=True):
    __table_args__ = (
        sa.CheckConstraint(
            f"status IN ({', '.join(repr(s.value) for s in MeetingStatus)})",
            name="ck_meeting_status",
        ),
        sa.Index(
            "uq_meeting_slot_table",
            "slot_id",
            "table_id",
            unique=True,
            sqlite_where=sa.text(_LIVE),
            postgresql_where=sa.text(_LIVE),
        ),
        sa.Index(
            "uq_meeting_slot_startup",
            "slot_id",
            "startup_organisation_id",
            unique=True,
            sqlite_where=sa.text(_LIVE),
            postgresql_where=sa.text(_LIVE),
        ),
        sa.Index(
            "uq_meeting_slot_investor",
            "slot_id",
            "investor_organisation_id",
            unique=True,
            sqlite_where=sa.text(_LIVE),
            postgresql_where=sa.text(_LIVE),
        ),
    )
    id: int | None = Field(default=None, primary_key=True)
    edition_id: int = Field(foreign_key="edition.id", index=True)
    startup_organisation_id: int = Field(foreign_key="organisation.id", index=True)
    investor_organisation_id: int = Field(foreign_key="organisation.id", index=True)
    slot_id: int | None = Field(default=None, foreign_key="meeting_slot.id", index=True)
    table_id: int | None = Field(default=None, foreign_key="meeting_table.id", index=True)
    status: str = "draft"
    #: kept in place when the matcher runs again
    locked: bool = False
    #: 'matcher', 'request' (a booking the other side answered), 'booking' (booked directly
    #: while the edition accepts bookings without asking), 'organiser' or 'standby'
    source: str = "matcher"
    #: why the matcher placed it: 'request' (accepted), 'must' (marked must meet), 'score'
    basis: str = ""
    run_id: int | None = Field(default=None, foreign_key="matcher_run.id")
    score: float | None = None
    reasons_vi: list = Field(default_factory=list, sa_type=sa.JSON)
    reasons_en: list = Field(default_factory=list, sa_type=sa.JSON)
    created_at: datetime = utc_field(default_factory=now_utc)
    updated_at: datetime = utc_field(default_factory=now_utc)


class MeetingFeedback(SQLModel, table=True):
    __tablename__ = "meeting_feedback"
    __table_args__ = (
        sa.UniqueConstraint("meeting_id", "organisation_id", name="uq_meeting_feedback"),
        sa.CheckConstraint(
            "rating IN ('useful', 'follow_up', 'not_useful', 'did_not_happen')",
            name="ck_meeting_feedback_rating",
        ),
    )
    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    organisation_id: int = Field(foreign_key="organisation.id")
    user_id: int | None = Field(default=None, foreign_key="user.id")
    rating: str
    comment: str = ""
    created_at: datetime = utc_field(default_factory=now_utc)


class RankingSnapshot(SQLModel, table=True):
    """The ranking kept for an edition: which profiles it was computed from, and how."""

    __tablename__ = "ranking_snapshot"
    __table_args__ = (sa.UniqueConstraint("edition_id", name="uq_ranking_snapshot_edition"),)
    id: int | None = Field(default=None, primary_key=True)
    edition_id: int = Field(foreign_key="edition.id", index=True)
    #: digest of every profile, exclusion and outcome the ranking read
    digest: str
    computed_at: datetime = utc_field(default_factory=now_utc)
    #: positive lessons the weights were learned from, and "learned", "defaults", ...
    lessons: int = 0
    source: str = ""
    #: each feature's weight, in standard deviations of the feature
    weights: dict = Field(default_factory=dict, sa_type=sa.JSON)


class RankedPair(SQLModel, table=True):
    """One startup-investor pair of the kept ranking, with its reasons in both languages."""

    __tablename__ = "ranked_pair"
    __table_args__ = (
        sa.UniqueConstraint(
            "edition_id", "startup_organisation_id", "investor_organisation_id",
            name="uq_ranked_pair",
        ),
        sa.Index("ix_ranked_pair_investor", "edition_id", "investor_organisation_id"),
        sa.Index("ix_ranked_pair_startup", "edition_id", "startup_organisation_id"),
    )
    id: int | None = Field(default=None, primary_key=True)
    edition_id: int = Field(foreign_key="edition.id")
    startup_organisation_id: int = Field(foreign_key="organisation.id")
    investor_organisation_id: int = Field(foreign_key="organisation.id")
    score: float
    reasons_vi: list = Field(default_factory=list, sa_type=sa.JSON)
    reasons_en: list = Field(default_factory=list, sa_type=sa.JSON)


class ContactCard(SQLModel, table=True):
    """What a person chose to show the other side of their confirmed meetings."""

    __tablename__ = "contact_card"
    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", unique=True, index=True)
    #: show the account's email address
    share_email: bool = False
    #: a phone number to show; empty shows none
    phone: str = ""
    #: a Zalo link (https://zalo.me/...); empty shows none
    zalo_url: str = ""
    #: a LinkedIn profile link (https://www.linkedin.com/...); empty shows none
    linkedin_url: str = ""
    updated_at: datetime = utc_field(default_factory=now_utc)

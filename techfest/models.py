"""Every domain's tables, imported for Alembic's metadata and create_all."""

from sqlmodel import SQLModel

from techfest.auth.models import RateCounter, User
from techfest.booths.models import Booth, BoothAllowance, BoothBooking, Zone
from techfest.checkin.models import CheckIn
from techfest.core.models import (
    AuditLog,
    Edition,
    EditionRole,
    Job,
    JobFile,
    Organisation,
    OutboxEmail,
)
from techfest.leads.models import Lead, StaffInvite
from techfest.matchmaking.models import (
    ContactCard,
    InvestorProfile,
    MatcherRun,
    MatchPreference,
    Meeting,
    MeetingFeedback,
    MeetingRequest,
    MeetingSlot,
    MeetingTable,
    RankedPair,
    RankingSnapshot,
    StartupProfile,
    Unavailability,
)
from techfest.messages.models import Message, MessageThread
from techfest.organiser.models import DataRequest
from techfest.payments.models import (
    PaymentOrder,
    PaymentOrderLine,
    PaymentSettings,
    StatementLine,
)
from techfest.printing.models import Document
from techfest.programme.models import ProgrammeSession, Room, SessionSignup, SessionStar, Track
from techfest.registration.models import Registration, TicketType

metadata = SQLModel.metadata

__all__ = [
    "AuditLog",
    "JobFile",
    "RateCounter",
    "Booth",
    "BoothAllowance",
    "BoothBooking",
    "CheckIn",
    "ContactCard",
    "DataRequest",
    "Document",
    "Edition",
    "EditionRole",
    "InvestorProfile",
    "Job",
    "Lead",
    "MatchPreference",
    "Message",
    "MessageThread",
    "MatcherRun",
    "Meeting",
    "MeetingFeedback",
    "MeetingRequest",
    "MeetingSlot",
    "MeetingTable",
    "Organisation",
    "OutboxEmail",
    "PaymentOrder",
    "PaymentOrderLine",
    "PaymentSettings",
    "ProgrammeSession",
    "RankedPair",
    "RankingSnapshot",
    "Registration",
    "Room",
    "SessionSignup",
    "SessionStar",
    "StatementLine",
    "StaffInvite",
    "StartupProfile",
    "TicketType",
    "Track",
    "Unavailability",
    "User",
    "Zone",
    "metadata",
]

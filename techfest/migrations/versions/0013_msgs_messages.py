"""messages: a thread per startup-investor pair of an edition, and its plain-text messages

A thread keeps when each side last read it, whether a notice was mailed since, who blocked
it, a report with its reason, and whether organisers closed it. Messages are at most 2,000
characters; an index on (sender, time) counts a sender's recent messages for the rate limit.

Revision ID: 0013_msgs_messages
Revises: 0012_guard_job_files
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import techfest.db

revision: str = "0013_msgs_messages"
down_revision: str | None = "0012_guard_job_files"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "message_thread",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("edition_id", sa.Integer(), nullable=False),
        sa.Column("startup_organisation_id", sa.Integer(), nullable=False),
        sa.Column("investor_organisation_id", sa.Integer(), nullable=False),
        sa.Column("created_at", techfest.db.UTCDateTime(), nullable=False),
        sa.Column("last_message_at", techfest.db.UTCDateTime(), nullable=True),
        sa.Column("startup_read_at", techfest.db.UTCDateTime(), nullable=True),
        sa.Column("investor_read_at", techfest.db.UTCDateTime(), nullable=True),
        sa.Column("startup_notified", sa.Boolean(), nullable=False),
        sa.Column("investor_notified", sa.Boolean(), nullable=False),
        sa.Column("blocked_by_organisation_id", sa.Integer(), nullable=True),
        sa.Column("reported_at", techfest.db.UTCDateTime(), nullable=True),
        sa.Column("reported_by_organisation_id", sa.Integer(), nullable=True),
        sa.Column("report_reason", sa.String(length=500), nullable=False),
        sa.Column("closed_at", techfest.db.UTCDateTime(), nullable=True),
        sa.Column("closed_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["blocked_by_organisation_id"], ["organisation.id"]),
        sa.ForeignKeyConstraint(["closed_by_id"], ["user.id"]),
        sa.ForeignKeyConstraint(["edition_id"], ["edition.id"]),
        sa.ForeignKeyConstraint(["investor_organisation_id"], ["organisation.id"]),
        sa.ForeignKeyConstraint(["reported_by_organisation_id"], ["organisation.id"]),
        sa.ForeignKeyConstraint(["startup_organisation_id"], ["organisation.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "edition_id",
            "startup_organisation_id",
            "investor_organisation_id",
            name="uq_message_thread_pair",
        ),
    )
    with op.batch_alter_table("message_thread", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_message_thread_edition_id"), ["edition_id"])
        batch_op.create_index(
            batch_op.f("ix_message_thread_investor_organisation_id"), ["investor_organisation_id"]
        )
        batch_op.create_index(
            batch_op.f("ix_message_thread_startup_organisation_id"), ["startup_organisation_id"]
        )
    op.create_table(
        "message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("thread_id", sa.Integer(), nullable=False),
        sa.Column("sender_organisation_id", sa.Integer(), nullable=False),
        sa.Column("sender_user_id", sa.Integer(), nullable=True),
        sa.Column("body", sa.String(length=2000), nullable=False),
        sa.Column("created_at", techfest.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["sender_organisation_id"], ["organisation.id"]),
        sa.ForeignKeyConstraint(["sender_user_id"], ["user.id"]),
        sa.ForeignKeyConstraint(["thread_id"], ["message_thread.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("message", schema=None) as batch_op:
        batch_op.create_index("ix_message_sender_time", ["sender_user_id", "created_at"])
        batch_op.create_index(batch_op.f("ix_message_thread_id"), ["thread_id"])


def downgrade() -> None:
    with op.batch_alter_table("message", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_message_thread_id"))
        batch_op.drop_index("ix_message_sender_time")
    op.drop_table("message")
    with op.batch_alter_table("message_thread", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_message_thread_startup_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_message_thread_investor_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_message_thread_edition_id"))
    op.drop_table("message_thread")

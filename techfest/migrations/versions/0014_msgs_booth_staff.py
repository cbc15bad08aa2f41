"""booth staff invited by email: the invitation, its expiry, who accepted it, its revocation

Revision ID: 0014_msgs_booth_staff
Revises: 0013_msgs_messages
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import techfest.db

revision: str = "0014_msgs_booth_staff"
down_revision: str | None = "0013_msgs_messages"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "staff_invite",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("edition_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("invited_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", techfest.db.UTCDateTime(), nullable=False),
        sa.Column("expires_at", techfest.db.UTCDateTime(), nullable=False),
        sa.Column("accepted_at", techfest.db.UTCDateTime(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("revoked_at", techfest.db.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["edition_id"], ["edition.id"]),
        sa.ForeignKeyConstraint(["invited_by_id"], ["user.id"]),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"]),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("staff_invite", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_staff_invite_edition_id"), ["edition_id"])
        batch_op.create_index(batch_op.f("ix_staff_invite_organisation_id"), ["organisation_id"])
        batch_op.create_index(batch_op.f("ix_staff_invite_user_id"), ["user_id"])


def downgrade() -> None:
    with op.batch_alter_table("staff_invite", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_staff_invite_user_id"))
        batch_op.drop_index(batch_op.f("ix_staff_invite_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_staff_invite_edition_id"))
    op.drop_table("staff_invite")

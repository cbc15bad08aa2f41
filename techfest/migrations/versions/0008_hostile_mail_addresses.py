"""mail only to confirmed addresses; the outbox claimed and retried by the app's sender

A new table of confirmed addresses; the outbox learns which message is a confirmation
request, when a failed message may be tried again, and which sender holds it. Accounts
that exist before this revision keep receiving mail: their addresses count as confirmed.

Revision ID: 0008_hostile_mail_addresses
Revises: 0007_hostile_money
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import techfest.db

revision: str = "0008_hostile_mail_addresses"
down_revision: str | None = "0007_hostile_money"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "mail_address",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(length=320), nullable=False),
        sa.Column("confirmed_at", techfest.db.UTCDateTime(), nullable=True),
        sa.Column("created_at", techfest.db.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("mail_address", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_mail_address_email"), ["email"], unique=True)
    with op.batch_alter_table("outboxemail", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("confirms_address", sa.Boolean(), nullable=False,
                      server_default=sa.false())
        )
        batch_op.add_column(sa.Column("next_attempt_at", techfest.db.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("claimed_until", techfest.db.UTCDateTime(), nullable=True))
    op.execute(
        'INSERT INTO mail_address (email, confirmed_at, created_at) '
        'SELECT DISTINCT lower(email), CURRENT_TIMESTAMP, CURRENT_TIMESTAMP FROM "user"'
    )


def downgrade() -> None:
    with op.batch_alter_table("outboxemail", schema=None) as batch_op:
        batch_op.drop_column("claimed_until")
        batch_op.drop_column("next_attempt_at")
        batch_op.drop_column("confirms_address")
    with op.batch_alter_table("mail_address", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_mail_address_email"))
    op.drop_table("mail_address")

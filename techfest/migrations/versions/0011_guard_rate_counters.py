"""rate limits shared by every worker: counters in the database when Redis is not set

Revision ID: 0011_guard_rate_counters
Revises: 0010_flows_meeting_requests
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0011_guard_rate_counters"
down_revision: str | None = "0010_flows_meeting_requests"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "rate_counter",
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("count", sa.BigInteger(), nullable=False),
        sa.Column("expires_ms", sa.BigInteger(), nullable=False),
        sa.Column("last_ms", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_index("ix_rate_counter_expires_ms", "rate_counter", ["expires_ms"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_rate_counter_expires_ms", table_name="rate_counter")
    op.drop_table("rate_counter")

"""the file a background job works on (an uploaded CSV import), until it is done

Revision ID: 0012_guard_job_files
Revises: 0011_guard_rate_counters
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from techfest.db import UTCDateTime

revision: str = "0012_guard_job_files"
down_revision: str | None = "0011_guard_rate_counters"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "job_file",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("job_id", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["job_id"], ["job.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_job_file_job_id", "job_file", ["job_id"], unique=True)


def downgrade() -> None:
    op.drop_index("ix_job_file_job_id", table_name="job_file")
    op.drop_table("job_file")

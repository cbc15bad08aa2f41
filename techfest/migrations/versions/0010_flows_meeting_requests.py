"""bookings ask the other side first: a held meeting, its request, and why meetings exist

A meeting may be 'requested': a booking that holds its slot and table while the startup
answers. A request names the slot it asks for and the meeting that holds it, and keeps the
reason a declining side gave. A matcher meeting says why it was placed (accepted request,
"must meet" mark or score). An edition may let bookings confirm at once (auto-accept).

Revision ID: 0010_flows_meeting_requests
Revises: 0009_agendamap_table_codes
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0010_flows_meeting_requests"
down_revision: str | None = "0009_agendamap_table_codes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NEW = "status IN ('draft', 'published', 'cancelled', 'held', 'no_show', 'requested')"
OLD = "status IN ('draft', 'published', 'cancelled', 'held', 'no_show')"


def upgrade() -> None:
    with op.batch_alter_table("edition", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "meeting_auto_accept", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )
    with op.batch_alter_table("meeting", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "basis", sqlmodel.sql.sqltypes.AutoString(), nullable=False, server_default=""
            )
        )
        batch_op.drop_constraint("ck_meeting_status", type_="check")
        batch_op.create_check_constraint("ck_meeting_status", NEW)
    with op.batch_alter_table("meeting_request", schema=None) as batch_op:
        batch_op.add_column(sa.Column("slot_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("meeting_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "decline_reason",
                sqlmodel.sql.sqltypes.AutoString(),
                nullable=False,
                server_default="",
            )
        )
        batch_op.create_foreign_key(
            "fk_meeting_request_slot_id", "meeting_slot", ["slot_id"], ["id"]
        )
        batch_op.create_foreign_key(
            "fk_meeting_request_meeting_id", "meeting", ["meeting_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("meeting_request", schema=None) as batch_op:
        batch_op.drop_constraint("fk_meeting_request_meeting_id", type_="foreignkey")
        batch_op.drop_constraint("fk_meeting_request_slot_id", type_="foreignkey")
        batch_op.drop_column("decline_reason")
        batch_op.drop_column("meeting_id")
        batch_op.drop_column("slot_id")
    op.execute("DELETE FROM meeting WHERE status = 'requested'")
    with op.batch_alter_table("meeting", schema=None) as batch_op:
        batch_op.drop_constraint("ck_meeting_status", type_="check")
        batch_op.create_check_constraint("ck_meeting_status", OLD)
        batch_op.drop_column("basis")
    with op.batch_alter_table("edition", schema=None) as batch_op:
        batch_op.drop_column("meeting_auto_accept")

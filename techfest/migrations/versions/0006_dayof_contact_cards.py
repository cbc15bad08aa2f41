"""contact cards: what a person shows the other side of a confirmed meeting

Revision ID: 0006_dayof_contact_cards
Revises: 0005_dayof_leads
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import techfest.db

revision: str = "0006_dayof_contact_cards"
down_revision: str | None = "0005_dayof_leads"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "contact_card",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("share_email", sa.Boolean(), nullable=False),
        sa.Column("phone", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("zalo_url", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("linkedin_url", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("updated_at", techfest.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("contact_card", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_contact_card_user_id"), ["user_id"], unique=True)


def downgrade() -> None:
    with op.batch_alter_table("contact_card", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contact_card_user_id"))
    op.drop_table("contact_card")

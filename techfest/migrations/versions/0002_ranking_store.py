"""the ranking kept per edition; strict investor preferences

Revision ID: 0002
Revises: 0001
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import techfest.db

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("investor_profile", schema=None) as batch_op:
        batch_op.add_column(sa.Column("strict", sa.JSON(), nullable=False,
                                      server_default=sa.text("'[]'")))
    op.create_table(
        "ranking_snapshot",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("edition_id", sa.Integer(), nullable=False),
        sa.Column("digest", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("computed_at", techfest.db.UTCDateTime(), nullable=False),
        sa.Column("lessons", sa.Integer(), nullable=False),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("weights", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["edition_id"], ["edition.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("edition_id", name="uq_ranking_snapshot_edition"),
    )
    with op.batch_alter_table("ranking_snapshot", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ranking_snapshot_edition_id"), ["edition_id"],
                              unique=False)
    op.create_table(
        "ranked_pair",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("edition_id", sa.Integer(), nullable=False),
        sa.Column("startup_organisation_id", sa.Integer(), nullable=False),
        sa.Column("investor_organisation_id", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("reasons_vi", sa.JSON(), nullable=False),
        sa.Column("reasons_en", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["edition_id"], ["edition.id"]),
        sa.ForeignKeyConstraint(["investor_organisation_id"], ["organisation.id"]),
        sa.ForeignKeyConstraint(["startup_organisation_id"], ["organisation.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("edition_id", "startup_organisation_id", "investor_organisation_id",
                            name="uq_ranked_pair"),
    )
    with op.batch_alter_table("ranked_pair", schema=None) as batch_op:
        batch_op.create_index("ix_ranked_pair_investor", ["edition_id", "investor_organisation_id"],
                              unique=False)
        batch_op.create_index("ix_ranked_pair_startup", ["edition_id", "startup_organisation_id"],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table("ranked_pair", schema=None) as batch_op:
        batch_op.drop_index("ix_ranked_pair_startup")
        batch_op.drop_index("ix_ranked_pair_investor")
    op.drop_table("ranked_pair")
    with op.batch_alter_table("ranking_snapshot", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ranking_snapshot_edition_id"))
    op.drop_table("ranking_snapshot")
    with op.batch_alter_table("investor_profile", schema=None) as batch_op:
        batch_op.drop_column("strict")

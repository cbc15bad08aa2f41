"""lead capture at booths; the exhibitor-sharing consent of a registration

Revision ID: 0005_dayof_leads
Revises: 0004_payments_orders
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import techfest.db

revision: str = "0005_dayof_leads"
down_revision: str | None = "0004_payments_orders"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("registration", schema=None) as batch_op:
        batch_op.add_column(sa.Column("exhibitor_consent_version",
                                      sqlmodel.sql.sqltypes.AutoString(), nullable=False,
                                      server_default=""))
        batch_op.add_column(sa.Column("exhibitor_consent_at", techfest.db.UTCDateTime(),
                                      nullable=True))
    op.create_table(
        "lead",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("edition_id", sa.Integer(), nullable=False),
        sa.Column("booth_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("registration_id", sa.Integer(), nullable=False),
        sa.Column("visitor_user_id", sa.Integer(), nullable=False),
        sa.Column("scanned_by_id", sa.Integer(), nullable=True),
        sa.Column("scanned_at", techfest.db.UTCDateTime(), nullable=False),
        sa.Column("received_at", techfest.db.UTCDateTime(), nullable=False),
        sa.Column("client_scan_id", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("rating", sa.Integer(), nullable=True),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("contact_status", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("contact_answered_at", techfest.db.UTCDateTime(), nullable=True),
        sa.CheckConstraint("rating IS NULL OR (rating BETWEEN 1 AND 5)", name="ck_lead_rating"),
        sa.CheckConstraint("contact_status IN ('', 'requested', 'accepted', 'declined')",
                           name="ck_lead_contact_status"),
        sa.ForeignKeyConstraint(["booth_id"], ["booth.id"]),
        sa.ForeignKeyConstraint(["edition_id"], ["edition.id"]),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"]),
        sa.ForeignKeyConstraint(["registration_id"], ["registration.id"]),
        sa.ForeignKeyConstraint(["scanned_by_id"], ["user.id"]),
        sa.ForeignKeyConstraint(["visitor_user_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("booth_id", "registration_id", name="uq_lead_booth_registration"),
        sa.UniqueConstraint("client_scan_id"),
    )
    with op.batch_alter_table("lead", schema=None) as batch_op:
        for column in ("booth_id", "edition_id", "organisation_id", "registration_id",
                       "visitor_user_id"):
            batch_op.create_index(batch_op.f(f"ix_lead_{column}"), [column], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("lead", schema=None) as batch_op:
        for column in ("booth_id", "edition_id", "organisation_id", "registration_id",
                       "visitor_user_id"):
            batch_op.drop_index(batch_op.f(f"ix_lead_{column}"))
    op.drop_table("lead")
    with op.batch_alter_table("registration", schema=None) as batch_op:
        batch_op.drop_column("exhibitor_consent_at")
        batch_op.drop_column("exhibitor_consent_version")

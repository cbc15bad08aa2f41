"""payments: orders for paid places, their lines, bank details, statement lines;
a registration may be pending (its place held until paid)

Revision ID: 0004_payments_orders
Revises: 0003_firstday_search_key
Create Date: 2026-12-02 04:51:18.822349
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import techfest.db

revision: str = "0004_payments_orders"
down_revision: str | None = "0003_firstday_search_key"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "payment_settings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("edition_id", sa.Integer(), nullable=False),
        sa.Column("bank_bin", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("bank_name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("account_number", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("account_name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("days_to_pay", sa.Integer(), nullable=False),
        sa.Column("vat_rate_percent", sa.Integer(), nullable=False),
        sa.Column("seller_name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("seller_tax_code", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("seller_address", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.ForeignKeyConstraint(
            ["edition_id"],
            ["edition.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("edition_id"),
    )
    op.create_table(
        "payment_order",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("edition_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("reference", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("total_vnd", sa.BigInteger(), nullable=False),
        sa.Column("paid_vnd", sa.BigInteger(), nullable=False),
        sa.Column("refund_due_vnd", sa.BigInteger(), nullable=False),
        sa.Column("refund_account", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("needs_review", sa.Boolean(), nullable=False),
        sa.Column("buyer_name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("buyer_email", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("buyer_organisation", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("buyer_tax_code", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("buyer_address", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("language", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("created_at", techfest.db.UTCDateTime(), nullable=False),
        sa.Column("expires_at", techfest.db.UTCDateTime(), nullable=False),
        sa.Column("paid_at", techfest.db.UTCDateTime(), nullable=True),
        sa.Column("closed_at", techfest.db.UTCDateTime(), nullable=True),
        sa.Column("refunded_at", techfest.db.UTCDateTime(), nullable=True),
        sa.CheckConstraint("kind IN ('ticket', 'booth')", name="ck_payment_order_kind"),
        sa.CheckConstraint(
            "status IN ('pending', 'paid', 'cancelled', 'expired', 'refunded')",
            name="ck_payment_order_status",
        ),
        sa.CheckConstraint("paid_vnd >= 0 AND refund_due_vnd >= 0", name="ck_payment_order_money"),
        sa.CheckConstraint("total_vnd > 0", name="ck_payment_order_total"),
        sa.ForeignKeyConstraint(
            ["edition_id"],
            ["edition.id"],
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("kind", "subject_id", name="uq_payment_order_subject"),
    )
    with op.batch_alter_table("payment_order", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_payment_order_edition_id"), ["edition_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_payment_order_reference"), ["reference"], unique=True)
        batch_op.create_index(batch_op.f("ix_payment_order_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_payment_order_user_id"), ["user_id"], unique=False)

    op.create_table(
        "payment_order_line",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("description_vi", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("description_en", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("unit_price_vnd", sa.BigInteger(), nullable=False),
        sa.Column("vat_rate_percent", sa.Integer(), nullable=False),
        sa.CheckConstraint("quantity > 0 AND unit_price_vnd >= 0", name="ck_order_line_amount"),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["payment_order.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("payment_order_line", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_payment_order_line_order_id"), ["order_id"], unique=False
        )

    op.create_table(
        "statement_line",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("edition_id", sa.Integer(), nullable=False),
        sa.Column("line_key", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("booked_on", sa.Date(), nullable=False),
        sa.Column("amount_vnd", sa.BigInteger(), nullable=False),
        sa.Column("description", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("counterparty", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("source_name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("problem", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=True),
        sa.Column("imported_by_id", sa.Integer(), nullable=True),
        sa.Column("imported_at", techfest.db.UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "status IN ('matched', 'review', 'resolved', 'ignored')",
            name="ck_statement_line_status",
        ),
        sa.ForeignKeyConstraint(
            ["edition_id"],
            ["edition.id"],
        ),
        sa.ForeignKeyConstraint(
            ["imported_by_id"],
            ["user.id"],
        ),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["payment_order.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("edition_id", "line_key", name="uq_statement_line_key"),
    )
    with op.batch_alter_table("statement_line", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_statement_line_edition_id"), ["edition_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_statement_line_order_id"), ["order_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_statement_line_status"), ["status"], unique=False)

    # a paid ticket's place is held ('pending') until its order is paid
    with op.batch_alter_table("registration", schema=None) as batch_op:
        batch_op.drop_constraint("ck_registration_status", type_="check")
        batch_op.create_check_constraint(
            "ck_registration_status",
            "status IN ('pending', 'confirmed', 'waitlisted', 'cancelled')",
        )


def downgrade() -> None:
    op.execute("UPDATE registration SET status = 'cancelled' WHERE status = 'pending'")
    with op.batch_alter_table("registration", schema=None) as batch_op:
        batch_op.drop_constraint("ck_registration_status", type_="check")
        batch_op.create_check_constraint(
            "ck_registration_status", "status IN ('confirmed', 'waitlisted', 'cancelled')"
        )

    with op.batch_alter_table("statement_line", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_statement_line_status"))
        batch_op.drop_index(batch_op.f("ix_statement_line_order_id"))
        batch_op.drop_index(batch_op.f("ix_statement_line_edition_id"))

    op.drop_table("statement_line")
    with op.batch_alter_table("payment_order_line", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_payment_order_line_order_id"))

    op.drop_table("payment_order_line")
    with op.batch_alter_table("payment_order", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_payment_order_user_id"))
        batch_op.drop_index(batch_op.f("ix_payment_order_status"))
        batch_op.drop_index(batch_op.f("ix_payment_order_reference"))
        batch_op.drop_index(batch_op.f("ix_payment_order_edition_id"))

    op.drop_table("payment_order")
    op.drop_table("payment_settings")

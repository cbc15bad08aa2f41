"""money and investment sizes in 64-bit columns

Ticket and booth prices (VND) and a startup's raised/raising and an investor's ticket
range (USD) held 32-bit integers: 2,147,483,648 and up did not fit on PostgreSQL.
SQLite's INTEGER is already 64-bit; its tables are rebuilt by batch mode all the same.

Revision ID: 0007_hostile_money
Revises: 0006_dayof_contact_cards
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_hostile_money"
down_revision: str | None = "0006_dayof_contact_cards"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = {
    "ticket_type": ("price_vnd",),
    "booth": ("price_vnd",),
    "startup_profile": ("raised_usd", "raising_usd"),
    "investor_profile": ("ticket_min_usd", "ticket_max_usd"),
}


def _alter(to_type, from_type) -> None:
    for table, columns in COLUMNS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column in columns:
                batch_op.alter_column(column, existing_type=from_type, type_=to_type)


def upgrade() -> None:
    _alter(sa.BigInteger(), sa.Integer())


def downgrade() -> None:
    _alter(sa.Integer(), sa.BigInteger())

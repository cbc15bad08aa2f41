"""meeting tables get codes of their own: "T05", no longer "B05" like the booths of zone B

Tables numbered by the platform were labelled "B01", "B02"…, the codes of the booths of
zone B, so a person could walk to booth B05 for a meeting at table 5. Only labels the
platform made (B and the table's own number, two digits) are renamed; a label an
organiser chose is kept. Downgrading gives the old labels back.

Revision ID: 0009_agendamap_table_codes
Revises: 0008_hostile_mail_addresses
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_agendamap_table_codes"
down_revision: str | None = "0008_hostile_mail_addresses"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = sa.table(
    "meeting_table",
    sa.column("id", sa.Integer),
    sa.column("number", sa.Integer),
    sa.column("label", sa.String),
)


def _relabel(old: str, new: str) -> None:
    bind = op.get_bind()
    rows = bind.execute(sa.select(TABLE.c.id, TABLE.c.number, TABLE.c.label)).all()
    for table_id, number, label in rows:
        if label == f"{old}{number:02d}":
            bind.execute(
                sa.update(TABLE).where(TABLE.c.id == table_id).values(label=f"{new}{number:02d}")
            )


def upgrade() -> None:
    _relabel("B", "T")


def downgrade() -> None:
    _relabel("T", "B")

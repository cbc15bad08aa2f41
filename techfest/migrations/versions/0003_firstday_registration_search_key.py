"""registration.search_key: name, organisation and e-mail folded for the check-in search

Revision ID: 0003_firstday_search_key
Revises: 0002
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from techfest.core.text import search_key

revision: str = "0003_firstday_search_key"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # a plain ADD COLUMN: a batch copy of the table would drop it, which SQLite's foreign
    # keys (check_in -> registration) refuse on a database that holds check-ins
    op.add_column("registration", sa.Column("search_key", sa.String(), nullable=False,
                                            server_default=""))
    if op.get_bind().dialect.name != "sqlite":
        op.alter_column("registration", "search_key", server_default=None)
    # fill the key of the rows already there, the way the model keeps it from now on
    registration = sa.table(
        "registration",
        sa.column("id", sa.Integer()),
        sa.column("full_name", sa.String()),
        sa.column("organisation_name", sa.String()),
        sa.column("email", sa.String()),
        sa.column("search_key", sa.String()),
    )
    conn = op.get_bind()
    rows = conn.execute(
        sa.select(registration.c.id, registration.c.full_name,
                  registration.c.organisation_name, registration.c.email)
    ).all()
    updates = [{"row_id": r.id, "key": search_key(r.full_name, r.organisation_name, r.email)}
               for r in rows]
    if updates:
        conn.execute(
            registration.update()
            .where(registration.c.id == sa.bindparam("row_id"))
            .values(search_key=sa.bindparam("key")),
            updates,
        )


def downgrade() -> None:
    op.drop_column("registration", "search_key")

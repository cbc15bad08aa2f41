"""Regenerate the initial migration from the models (before the first release only).

python -m techfest.migrations.regenerate
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from alembic import command

from techfest.migrations import HERE, alembic_config


def main() -> None:
    for old in (HERE / "versions").glob("0001_*.py"):
        old.unlink()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'empty.db'}"
        command.revision(
            alembic_config(url),
            message="initial schema",
            autogenerate=True,
            rev_id="0001",
        )
    for path in (HERE / "versions").glob("0001_*.py"):
        path.rename(HERE / "versions" / "0001_initial_schema.py")


if __name__ == "__main__":
    main()

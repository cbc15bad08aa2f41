"""The demo's meeting tables are coded apart from its booths (tables "T05", booths "B05")."""

from __future__ import annotations

from sqlmodel import Session, select

from techfest.booths.models import Booth
from techfest.matchmaking.models import MeetingTable


def test_demo_tables_share_no_code_with_a_booth(tmp_path):
    from techfest import create_app
    from techfest.config import TestConfig

    app = create_app(TestConfig, DATABASE_URL=f"sqlite:///{tmp_path / 'demo.db'}")
    runner = app.test_cli_runner()
    assert runner.invoke(args=["init-db"]).exit_code == 0
    result = runner.invoke(args=["seed-demo", "--delegates", "20"])
    assert result.exit_code == 0, result.output
    try:
        with Session(app.extensions["techfest_engine"]) as session:
            tables = session.exec(select(MeetingTable.edition_id, MeetingTable.label)).all()
            booths = set(session.exec(select(Booth.edition_id, Booth.code)).all())
    finally:
        app.extensions["techfest_engine"].dispose()

    assert len(tables) >= 40
    assert {(e, label) for e, label in tables} & booths == set()
    assert all(label.startswith("T") for _e, label in tables)
    # the demo does have booths coded like the old table labels
    assert any(code == "B05" for _e, code in booths)

"""The `flask import-delegates` / `export-delegates` commands and the registration demo data."""

import csv
import io

from techfest.registration.booking import waitlist_position
from techfest.registration.demo import VIP_WAITLIST, load_demo
from techfest.registration.models import TicketType
from tests.factories import make_user
from tests.factories.registration import make_ticket
from tests.registration.conftest import register, registrations


def test_import_command_registers_everyone_or_nobody(app, session, edition, tmp_path):
    make_ticket(session, edition, "DELEGATE", capacity=1)
    session.commit()
    good = tmp_path / "good.csv"
    good.write_text(
        "email;full_name;ticket_code\n"
        "an@example.vn;Lê An;DELEGATE\n"
        "binh@example.vn;Bình;DELEGATE\n",
        encoding="utf-8",
    )
    bad = tmp_path / "bad.csv"
    bad.write_text("email,full_name,ticket_code\nchau@example.vn,,DELEGATE\n", encoding="utf-8")
    runner = app.test_cli_runner()

    refused = runner.invoke(args=["import-delegates", str(bad), "--year", "2025"])
    done = runner.invoke(args=["import-delegates", str(good), "--year", "2025"])

    assert refused.exit_code == 1
    assert "line 2, full_name: Required." in refused.output
    assert done.exit_code == 0
    assert done.output == (
        "Imported 2 rows: 2 new registrations (1 confirmed, 1 waitlisted), 0 updated, "
        "2 accounts created.\n"
    )
    assert [(r.email, r.status) for r in registrations(session)] == [
        ("an@example.vn", "confirmed"),
        ("binh@example.vn", "waitlisted"),
    ]


def test_import_command_for_unknown_edition_fails(app, tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("email,full_name,ticket_code\n", encoding="utf-8")

    result = app.test_cli_runner().invoke(args=["import-delegates", str(path), "--year", "1990"])

    assert result.exit_code == 1
    assert "No edition 1990." in result.output


def test_export_command_writes_csv(app, session, edition, tmp_path):
    ticket = make_ticket(session, edition, "VIP", capacity=1)
    register(session, edition, make_user(session, edition, email="a@example.vn"), ticket)
    register(session, edition, make_user(session, edition, email="b@example.vn"), ticket)
    session.commit()
    out = tmp_path / "out.csv"

    result = app.test_cli_runner().invoke(
        args=["export-delegates", "--year", "2025", "--status", "waitlisted", "-o", str(out)]
    )

    assert result.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert [(r["email"], r["waitlist_position"]) for r in rows] == [("b@example.vn", "1")]


def test_demo_fills_vip_and_leaves_a_fifo_waitlist(app_ctx, session, edition):
    vip = make_ticket(session, edition, "VIP", capacity=4)
    register(session, edition, make_user(session, edition), vip)
    session.commit()

    load_demo(session, edition)
    load_demo(session, edition)  # a second load adds nothing
    session.commit()

    session.expire_all()
    assert session.get(TicketType, vip.id).confirmed_count == 4
    regs = registrations(session, ticket_type_id=vip.id)
    assert [r.status for r in regs].count("confirmed") == 4
    waiting = [r for r in regs if r.status == "waitlisted"]
    assert [waitlist_position(session, r) for r in waiting] == list(range(1, VIP_WAITLIST + 1))

"""Statement import through the organiser's page: matching, review, idempotence, bad files."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import func, select

from techfest.core.models import AuditLog
from techfest.payments import reconcile
from techfest.payments.models import PaymentOrder, StatementLine
from techfest.registration.models import Registration
from tests.factories import PASSWORD, make_user
from tests.payments.conftest import VIP_PRICE, hold, order_of, vcb_csv

URL = "/2025/payments/manage"


@pytest.fixture
def held(app, session, edition, vip):
    with app.test_request_context():
        regs = [hold(session, edition, make_user(session, edition), vip) for _ in range(4)]
        session.commit()
    return [order_of(session, r) for r in regs]


def upload(client, data: bytes, name: str = "sao-ke.csv"):
    import io

    return client.post(
        URL + "/statement",
        data={"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
        follow_redirects=True,
    )


def statuses(session) -> list[str]:
    session.commit()  # a fresh snapshot: SQLite keeps a reader on its first one
    session.expire_all()
    return [o.status for o in session.exec(select(PaymentOrder).order_by(PaymentOrder.id))]


def test_exact_matches_are_paid_and_the_rest_wait(client, auth, session, organiser, held):
    a, b, c, d = held
    data = vcb_csv(
        ("FT001", "03/09/2025", VIP_PRICE, f"MBVCB.88.{a.reference.replace('-', '').lower()}.CT"),
        ("FT002", "03/09/2025", 500_000, f"{b.reference} dat coc"),
        ("FT003", "03/09/2025", VIP_PRICE, "CHUYEN TIEN TF25-XXXXX"),
        ("FT004", "04/09/2025", VIP_PRICE * 2, f"{c.reference} va {d.reference}"),
    )
    auth.login(organiser.email, PASSWORD)

    page = upload(client, data).get_data(as_text=True)

    assert statuses(session) == ["paid", "pending", "pending", "pending"]
    session.commit()  # a fresh snapshot: SQLite keeps a reader on its first one
    session.expire_all()
    registration = session.get(Registration, a.subject_id)
    assert registration.status == "confirmed"
    session.commit()
    problems = [line.problem for line in reconcile.review_lines(session, held[0].edition_id)]
    assert problems == ["partial", "unknown", "several"]
    assert "4 khoản ghi có" in page  # the Vietnamese summary of the import


def test_the_same_statement_twice_changes_nothing(client, auth, session, organiser, held):
    a = held[0]
    data = vcb_csv(("FT001", "03/09/2025", VIP_PRICE, a.reference))
    auth.login(organiser.email, PASSWORD)
    upload(client, data)
    upload(client, data)

    session.commit()  # a fresh snapshot: SQLite keeps a reader on its first one
    session.expire_all()
    assert session.exec(select(func.count()).select_from(StatementLine)).one() == 1
    assert order_of_id(session, a.id).paid_vnd == VIP_PRICE


def test_lines_without_bank_id_are_remembered_by_hash(app, session, edition, held):
    a, b = held[:2]
    text = (
        "Ngày giao dịch;Diễn giải;Nợ;Có\n"
        f"03/09/2025;{a.reference};;1.500.000\n"
        f"03/09/2025;{b.reference};;1.500.000\n"
        "04/09/2025;Phi dich vu;11.000;\n"
    ).encode()
    with app.test_request_context():
        first = reconcile.import_statement(session, edition, text, "tcb.csv", by_user_id=None)
        again = reconcile.import_statement(session, edition, text, "tcb.csv", by_user_id=None)
    assert (first.credits, first.matched, again.matched, again.duplicates) == (2, 2, 0, 2)


def test_camt053_is_read(app, session, edition, held):
    a = held[0]
    xml = f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt><Stmt>
<Ntry><Amt Ccy="VND">1500000</Amt><CdtDbtInd>CRDT</CdtDbtInd><BookgDt><Dt>2025-09-03</Dt></BookgDt>
<AcctSvcrRef>CAMT-1</AcctSvcrRef><NtryDtls><TxDtls><RmtInf>
<Ustrd>Thanh toan {a.reference}</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>
<Ntry><Amt Ccy="VND">20000</Amt><CdtDbtInd>DBIT</CdtDbtInd>
<BookgDt><Dt>2025-09-03</Dt></BookgDt></Ntry>
</Stmt></BkToCstmrStmt></Document>""".encode()
    with app.test_request_context():
        report = reconcile.import_statement(session, edition, xml, "camt.xml", by_user_id=None)
    assert (report.ok, report.credits, report.matched) == (True, 1, 1)
    assert order_of_id(session, a.id).status == "paid"


def test_manual_match_settles_and_is_audited(client, auth, session, organiser, held):
    a = held[0]
    auth.login(organiser.email, PASSWORD)
    upload(client, vcb_csv(("FT9", "03/09/2025", VIP_PRICE, "chuyen khoan ve VIP")))
    session.commit()
    (line,) = reconcile.review_lines(session, a.edition_id)

    client.post(URL + f"/review/{line.id}/match", data={"reference": a.reference.lower()})

    assert order_of_id(session, a.id).status == "paid"
    session.commit()
    assert reconcile.review_lines(session, a.edition_id) == []
    entry = session.exec(select(AuditLog).where(AuditLog.action == "payments.manual_match")).one()
    assert (entry.user_id, entry.details["reference"]) == (organiser.id, a.reference)


@pytest.mark.parametrize(
    ("data", "expected"),
    [  # noqa: E501 - one bad file per line reads best
        ("Ngày giao dịch,Số tiền ghi có,Mô tả\n03/09/2025,-1500000,x\n".encode(), "âm"),
        (
            "Ngày giao dịch,Số tiền ghi có,Mô tả\n03/09/2025,99999999999999999,x\n".encode(),
            "quá lớn",
        ),
        ('Ngày giao dịch,Số tiền ghi có,Mô tả\n03/09/2025,"1.500.000,50",x\n'.encode(), "đồng"),
        ("Ngày giao dịch,Số tiền ghi có,Mô tả\n31/02/2025,1500000,x\n".encode(), "ngày"),
        ("Ngày giao dịch,Số tiền ghi có,Mô tả\n03/09/2025,1500000,x\n".encode("utf-16"), "UTF-8"),
        (
            "Ngày giao dịch,Số tiền ghi có,Mô tả\n03/09/2025,1500000,Tr\u1ea7n\n".encode(
                "cp1258", "replace"
            ),
            "UTF-8",
        ),
        (b"just,some,columns\n1,2,3\n", "ngày"),
        (b"<?xml version='1.0'?><!DOCTYPE x [<!ENTITY a 'b'>]><Document/>", "thực thể"),
        (b"<Document><Ntry><Amt>1</Amt>", "XML"),
    ],
)
def test_bad_statements_are_refused_whole(client, auth, session, organiser, held, data, expected):
    good = f"\n03/09/2025,1500000,{held[0].reference}\n"
    body = data if not data.startswith("Ngày".encode()) else data.rstrip(b"\n") + good.encode()
    auth.login(organiser.email, PASSWORD)

    page = upload(client, body).get_data(as_text=True)

    assert 'data-report="' in page
    assert expected in page
    assert statuses(session) == ["pending"] * 4
    session.commit()  # a fresh snapshot: SQLite keeps a reader on its first one
    session.expire_all()
    assert session.exec(select(func.count()).select_from(StatementLine)).one() == 0


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.binary(max_size=400) | st.text(max_size=300).map(str.encode))
def test_fuzzed_statement_never_crashes_or_pays(app, session, edition, held, data):
    with app.test_request_context():
        report = reconcile.import_statement(session, edition, data, "x.csv", by_user_id=None)
        session.rollback()
    assert report.matched == 0
    assert report.ok or report.fatal or report.errors
    assert statuses(session) == ["pending"] * 4


def order_of_id(session, order_id) -> PaymentOrder:
    session.commit()  # a fresh snapshot: SQLite keeps a reader on its first one
    session.expire_all()
    return session.get(PaymentOrder, order_id)


def test_second_transfer_and_overpayment_wait_for_review(app, session, edition, held):
    a, b = held[:2]
    data = vcb_csv(
        ("FT1", "03/09/2025", VIP_PRICE, a.reference),
        ("FT2", "04/09/2025", VIP_PRICE, f"{a.reference} chuyen lan 2"),
        ("FT3", "04/09/2025", VIP_PRICE + 100_000, b.reference),
    )
    with app.test_request_context():
        report = reconcile.import_statement(session, edition, data, "vcb.csv", by_user_id=None)
    assert (report.matched, report.review) == (1, 2)
    problems = [line.problem for line in reconcile.review_lines(session, edition.id)]
    assert problems == ["already_paid", "overpaid"]
    assert [o.needs_review for o in (order_of_id(session, a.id), order_of_id(session, b.id))] == [
        True,
        True,
    ]


def test_import_statement_command(app, session, edition, held, tmp_path):
    path = tmp_path / "sao-ke.csv"
    path.write_bytes(vcb_csv(("FT1", "03/09/2025", VIP_PRICE, held[0].reference)))
    bad = tmp_path / "hong.csv"
    bad.write_bytes("Ngày giao dịch,Số tiền ghi có,Mô tả\n03/09/2025,-5,x\n".encode())
    runner = app.test_cli_runner()

    done = runner.invoke(args=["import-statement", str(path), "--year", "2025"])
    refused = runner.invoke(args=["import-statement", str(bad), "--year", "2025"])

    assert done.output.strip() == "1 credits: 1 matched, 0 to review, 0 already imported"
    assert refused.exit_code == 2
    assert order_of_id(session, held[0].id).status == "paid"


def test_the_dashboard_shows_money_received_and_awaited_per_ticket_type(
    client, auth, session, organiser, held
):
    a = held[0]
    auth.login(organiser.email, PASSWORD)
    upload(client, vcb_csv(("FT009", "03/09/2025", VIP_PRICE, f"{a.reference}")))

    rows = client.get("/2025/organiser/charts/payments.csv").data.decode("utf-8-sig")
    dashboard = client.get("/2025/organiser/").get_data(as_text=True)

    header, *lines = rows.splitlines()
    assert header == "item,paid_vnd,outstanding_vnd"
    assert [line.rsplit(",", 2)[1:] for line in lines] == [[str(VIP_PRICE), str(3 * VIP_PRICE)]]
    assert "Tiền đã nhận và còn chờ theo loại vé và gian hàng" in dashboard


def test_totals_of_nothing_read_zero_dong_not_free(client, auth, session, organiser, held):
    auth.login(organiser.email, PASSWORD)

    page = client.get(URL + "/").get_data(as_text=True)

    assert 'data-total="paid">0 ₫<' in page
    assert "Miễn phí" not in page

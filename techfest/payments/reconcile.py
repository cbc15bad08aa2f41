"""Matching a bank statement to orders: automatically where it is certain, else by a person.

A credit is matched when its description holds exactly one known reference and its
amount is exactly what the order still lacks; the statement's certain matches settle
their orders in the one transaction of the import. Everything else waits on the review
list with the reason: partial payment, overpayment, unknown reference, several
references, an order already paid (a second transfer). Each line is remembered by its
bank id or hash (unique per edition), so the same statement imported twice, even at
the same moment, changes nothing the second time.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select, update

from techfest.core import csvio
from techfest.core.audit import record
from techfest.core.csvio import CsvFormatError, RowError
from techfest.core.models import Edition
from techfest.payments import orders
from techfest.payments import reference as refs
from techfest.payments.errors import PaymentError
from techfest.payments.models import PaymentOrder, StatementLine
from techfest.payments.statements import BankLine, check_line, read_statement, with_keys

#: why a line waits for a person
PROBLEMS = ("unknown", "several", "partial", "overpaid", "already_paid", "closed")


@dataclass
class StatementReport:
    """What an import did; `errors` non-empty means it changed nothing."""

    rows: int = 0
    credits: int = 0
    matched: int = 0
    review: int = 0
    #: lines seen in an earlier import (or a concurrent one), left as they were
    duplicates: int = 0
    errors: list[RowError] = field(default_factory=list)
    #: the file itself could not be read
    fatal: str = ""

    @property
    def ok(self) -> bool:
        return not self.errors and not self.fatal


def _orders_by_reference(session: Session, edition_id: int, found: list[str]):
    if not found:
        return []
    return list(
        session.exec(
            select(PaymentOrder).where(
                PaymentOrder.edition_id == edition_id, PaymentOrder.reference.in_(found)
            )
        )
    )


def _problem_of(line: BankLine, candidates: list[PaymentOrder]) -> tuple[str, PaymentOrder | None]:
    """'' when the line settles its one order exactly; else the reason it waits."""
    if not candidates:
        return "unknown", None
    if len(candidates) > 1:
        return "several", None
    order = candidates[0]
    if order.status in ("cancelled", "refunded"):
        return "closed", order
    if order.status == "paid":
        return "already_paid", order
    lacking = order.total_vnd - order.paid_vnd
    if line.amount_vnd < lacking:
        return "partial", order
    if line.amount_vnd > lacking:
        return "overpaid", order
    return "", order


def import_statement(
    session: Session, edition: Edition, data: bytes, filename: str, *, by_user_id: int | None
) -> StatementReport:
    """Read the statement, refuse it whole if a line is bad, else store and match each
    new credit line (see the module docstring)."""
    report = StatementReport()
    try:
        rows = read_statement(data, filename)
    except CsvFormatError as exc:
        report.fatal = str(exc)
        return report
    report.rows = len(rows)
    parsed: list[BankLine] = []

    def parse(row: dict[str, str], line: int):
        value, errors = check_line(row, line)
        return value, errors

    def apply(s: Session, lines: list[BankLine | None]) -> tuple[int, int]:
        credits = with_keys([line for line in lines if line is not None])
        parsed.extend(credits)
        for line in credits:
            _store_and_match(s, edition, line, filename, by_user_id, report)
        return report.matched, report.review

    result = csvio.import_rows(session, rows, parse, apply)
    report.errors = result.errors
    if report.errors:
        report.matched = report.review = report.duplicates = 0
        return report
    report.credits = len(parsed)
    record(
        session,
        "payments.statement_import",
        user_id=by_user_id,
        edition_id=edition.id,
        object_type="statement",
        object_id=filename[:100],
        credits=report.credits,
        matched=report.matched,
        review=report.review,
        duplicates=report.duplicates,
    )
    return report


def _store_and_match(
    session: Session,
    edition: Edition,
    line: BankLine,
    filename: str,
    by_user_id: int | None,
    report: StatementReport,
) -> None:
    stored = StatementLine(
        edition_id=edition.id,
        line_key=line.key,
        booked_on=line.booked_on,
        amount_vnd=line.amount_vnd,
        description=line.description,
        counterparty=line.counterparty,
        source_name=filename[:200],
        imported_by_id=by_user_id,
    )
    try:
        with session.begin_nested():
            session.add(stored)
            session.flush()
    except IntegrityError:
        report.duplicates += 1  # imported before: it was matched (or reviewed) then
        return
    candidates = _orders_by_reference(session, edition.id, refs.references_in(line.description))
    problem, order = _problem_of(line, candidates)
    stored.order_id = order.id if order is not None else None
    if problem:
        stored.status, stored.problem = "review", problem
        if order is not None:
            _flag(session, order.id)
        report.review += 1
    else:
        settled = orders.apply_payment(session, order.id, line.amount_vnd)
        stored.status = "matched"
        stored.problem = "" if settled.outcome in ("paid", "retaken") else "refund"
        report.matched += 1
    session.add(stored)
    session.flush()


def _flag(session: Session, order_id: int) -> None:
    session.exec(
        update(PaymentOrder)
        .where(PaymentOrder.id == order_id)
        .values(needs_review=True)
        .execution_options(synchronize_session=False)
    )


def review_lines(session: Session, edition_id: int) -> list[StatementLine]:
    """The lines waiting for a person, oldest first."""
    return list(
        session.exec(
            select(StatementLine)
            .where(StatementLine.edition_id == edition_id, StatementLine.status == "review")
            .order_by(StatementLine.id)
        )
    )


def match_by_hand(
    session: Session,
    edition_id: int,
    line_id: int,
    reference: str,
    *,
    by_user_id: int,
) -> orders.Settlement:
    """The organiser says which order a waiting line pays; counted as any payment, audited."""
    line = session.exec(
        select(StatementLine)
        .where(StatementLine.id == line_id, StatementLine.edition_id == edition_id)
        .execution_options(populate_existing=True)
    ).first()
    if line is None:
        raise PaymentError(not_found=True)
    found = refs.references_in(reference)
    order = _orders_by_reference(session, edition_id, found[:1])
    if not order:
        raise PaymentError(_("No order of this edition has that reference."), field="reference")
    moved = session.exec(
        update(StatementLine)
        .where(StatementLine.id == line.id, StatementLine.status == "review")
        .values(status="resolved", order_id=order[0].id)
        .execution_options(synchronize_session=False)
    )
    if moved.rowcount != 1:
        raise PaymentError(_("This line was already dealt with."))
    settled = orders.apply_payment(session, order[0].id, line.amount_vnd)
    record(
        session,
        "payments.manual_match",
        user_id=by_user_id,
        edition_id=edition_id,
        object_type="statement_line",
        object_id=line.id,
        reference=order[0].reference,
        amount_vnd=line.amount_vnd,
        outcome=settled.outcome,
    )
    return settled


def ignore_line(session: Session, edition_id: int, line_id: int, *, by_user_id: int) -> None:
    """The organiser says a waiting line is no payment of ours (audited)."""
    moved = session.exec(
        update(StatementLine)
        .where(
            StatementLine.id == line_id,
            StatementLine.edition_id == edition_id,
            StatementLine.status == "review",
        )
        .values(status="ignored")
        .execution_options(synchronize_session=False)
    )
    if moved.rowcount != 1:
        raise PaymentError(not_found=True)
    record(
        session,
        "payments.ignore_line",
        user_id=by_user_id,
        edition_id=edition_id,
        object_type="statement_line",
        object_id=line_id,
    )

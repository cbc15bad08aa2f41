"""Whole journeys through the real pages, in a real browser, on a desktop and a phone.

Each journey runs in Vietnamese (the festival's first language); the delegate's also runs
in English. Selectors are form field names and form actions (the URL a button posts to),
so the tests do not depend on wording; texts are checked where the person reads them.
"""

from __future__ import annotations

import io
import re
import time

import pytest
from sqlmodel import Session, select

from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e

YEAR = 2025
PASSWORD = "techfest2025"


def engine(live_server):
    return live_server.app.extensions["techfest_engine"]


def flash_text(page) -> str:
    return " ".join(page.locator(".alert").all_inner_texts())


def submit(page, form_selector: str) -> None:
    """Press the submit button of the form matched by `form_selector` and wait for the page."""
    with page.expect_navigation():
        page.locator(form_selector).first.locator("button[type=submit]").first.click()


def switch_language(page, base: str, code: str) -> None:
    page.goto(f"{base}/lang/{code}?next=/")
    assert page.locator("html").get_attribute("lang") == code


def pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(data)).pages)


def wait_for_job(page, status_url: str, seconds: float = 120) -> dict:
    """Poll a job's JSON status, as its page does, until it is done or failed."""
    deadline = time.monotonic() + seconds
    while True:
        job = page.context.request.get(status_url).json()
        if job["status"] in ("done", "failed") or time.monotonic() > deadline:
            return job
        time.sleep(0.5)


# --------------------------------------------------------------------------- delegate


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_delegate_registers_signs_up_for_two_sessions_and_downloads_agenda(
    page, live_server, viewport, lang
):
    base = live_server
    email = f"e2e-{lang}-{viewport}@example.vn"
    name = "Phạm Thu Trang" if lang == "vi" else "Anna Schmidt"
    if lang != "vi":
        switch_language(page, base, lang)

    # an account
    page.goto(f"{base}/auth/signup")
    page.fill("input[name=full_name]", name)
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", "mat-khau-e2e-2025")
    page.check("input[name=account_type][value=delegate]")
    submit(page, "form:has(input[name=email])")
    assert email in page.content()
    log_in(page, base, email, "mat-khau-e2e-2025")

    # a ticket
    page.goto(f"{base}/{YEAR}/registration/register")
    page.locator("input[name=ticket_type]").first.check()
    page.fill("input[name=full_name]", name)
    page.fill("input[name=organisation_name]", "Cảng Hải Phòng")
    page.fill("input[name=job_title]", "Kỹ sư")
    page.fill("input[name=phone]", "+84 912 345 678")
    page.fill("input[name=email]", email)
    page.check(f"input[name=language][value={lang}]")
    page.check("input[name=consent]")
    submit(page, "form:has(input[name=consent])")
    assert page.url.endswith(f"/{YEAR}/registration/me")
    assert page.locator(".alert-success").count() == 1
    assert name in page.content()

    # two sessions that do not overlap
    page.goto(f"{base}/{YEAR}/programme/")
    actions = page.locator('form[action$="/signup"]').evaluate_all(
        "forms => forms.map(f => f.getAttribute('action'))"
    )
    seated: list[str] = []
    for action in actions:
        page.goto(f"{base}/{YEAR}/programme/")
        form = f'form[action="{action}"]'
        if page.locator(form).count() == 0:
            continue
        submit(page, form)
        if page.locator(".alert-success").count():
            seated.append(re.search(r"/sessions/(\d+)/", action).group(1))
        if len(seated) == 2:
            break
    assert len(seated) == 2

    page.goto(f"{base}/{YEAR}/programme/agenda")
    agenda = page.content()
    for session_id in seated:
        assert f"/programme/sessions/{session_id}" in agenda

    # the agenda as a PDF
    response = page.context.request.get(f"{base}/{YEAR}/printing/my-agenda.pdf")
    assert response.status == 200
    body = response.body()
    assert body.startswith(b"%PDF")
    assert name.split()[-1] in pdf_text(body)
    assert page.console_errors == []


# --------------------------------------------------------------------------- arranging


def pick_startup(live_server, index: int):
    """A demo startup account with a profile, its booth given back: (email, organisation id).

    The demo gives every startup a booth; this one withdrew, so it can book again.
    """
    from sqlalchemy import update

    from techfest.auth.models import User
    from techfest.booths.models import BoothBooking
    from techfest.core.editions import edition_by_year
    from techfest.core.models import EditionRole
    from techfest.matchmaking.models import StartupProfile

    with Session(engine(live_server)) as s:
        edition = edition_by_year(s, YEAR)
        rows = s.exec(
            select(User.email, User.organisation_id)
            .join(EditionRole, EditionRole.user_id == User.id)
            .join(StartupProfile, StartupProfile.organisation_id == User.organisation_id)
            .where(
                EditionRole.edition_id == edition.id,
                EditionRole.role == "startup",
                StartupProfile.edition_id == edition.id,
                User.email != "startup@techfest.vn",
            )
            .order_by(User.id)
        ).all()
        email, org_id = rows[5 + index]
        s.exec(
            update(BoothBooking)
            .where(
                BoothBooking.organisation_id == org_id,
                BoothBooking.status.in_(("pending", "approved")),
            )
            .values(status="cancelled")
        )
        s.commit()
    return email, org_id


def free_booth(live_server, index: int) -> int:
    from techfest.booths.models import Booth, BoothBooking
    from techfest.core.editions import edition_by_year

    with Session(engine(live_server)) as s:
        edition = edition_by_year(s, YEAR)
        taken = select(BoothBooking.booth_id).where(
            BoothBooking.status.in_(("pending", "approved"))
        )
        ids = s.exec(
            select(Booth.id)
            .where(Booth.edition_id == edition.id, Booth.status == "open", Booth.id.not_in(taken))
            .order_by(Booth.id.desc())
        ).all()
    return ids[index]


def investor_with_request(live_server, index: int) -> tuple[str, int]:
    """A demo investor and a pending meeting request a startup sent it: (email, request id)."""
    from datetime import timedelta

    from techfest.auth.models import User
    from techfest.core.editions import edition_by_year
    from techfest.core.models import EditionRole
    from techfest.db import now_utc
    from techfest.matchmaking.models import (
        InvestorProfile,
        Meeting,
        MeetingRequest,
        StartupProfile,
    )

    with Session(engine(live_server), expire_on_commit=False) as s:
        edition = edition_by_year(s, YEAR)
        investors = s.exec(
            select(User.email, User.organisation_id)
            .join(EditionRole, EditionRole.user_id == User.id)
            .join(InvestorProfile, InvestorProfile.organisation_id == User.organisation_id)
            .where(
                EditionRole.edition_id == edition.id,
                EditionRole.role == "investor",
                InvestorProfile.edition_id == edition.id,
                User.email != "investor@techfest.vn",
            )
            .order_by(User.id)
        ).all()
        email, investor_org = investors[10 + index]
        met = select(Meeting.startup_organisation_id).where(
            Meeting.investor_organisation_id == investor_org
        )
        asked = select(MeetingRequest.from_organisation_id).where(
            MeetingRequest.to_organisation_id == investor_org
        )
        startup_org = s.exec(
            select(StartupProfile.organisation_id)
            .where(
                StartupProfile.edition_id == edition.id,
                StartupProfile.organisation_id.not_in(met),
                StartupProfile.organisation_id.not_in(asked),
            )
            .order_by(StartupProfile.id.desc())
        ).first()
        request = MeetingRequest(
            edition_id=edition.id,
            from_organisation_id=startup_org,
            to_organisation_id=investor_org,
            message="Chúng tôi muốn giới thiệu giải pháp cảng xanh.",
            expires_at=now_utc() + timedelta(days=3),
        )
        if edition.meetings_published_at is None:
            edition.meetings_published_at = now_utc()
            s.add(edition)
        s.add(request)
        s.commit()
        return email, request.id


# --------------------------------------------------------------------------- startup


def test_startup_books_a_booth_and_requests_a_meeting(page, live_server, viewport):
    base = live_server
    email, _org = pick_startup(live_server, 0 if viewport == "desktop" else 1)
    booth_id = free_booth(live_server, 0 if viewport == "desktop" else 1)
    log_in(page, base, email, PASSWORD)

    page.goto(f"{base}/{YEAR}/booths/list")
    with page.expect_navigation():
        page.locator(f'a[href$="/booths/{booth_id}"]').first.click()
    submit(page, f'form[action$="/booths/{booth_id}/request"]')
    assert page.locator(".alert-success").count() == 1
    assert f"/{YEAR}/booths/mine" in page.url

    page.goto(f"{base}/{YEAR}/matchmaking/suggestions")
    with page.expect_navigation():
        page.locator('a[href*="/matchmaking/request/"]').first.click()
    page.fill("textarea[name=message]", "Chúng tôi làm logistics cảng biển, xin gặp quỹ.")
    submit(page, "form:has(textarea[name=message])")
    assert page.locator(".alert-success").count() == 1, flash_text(page)
    page.goto(f"{base}/{YEAR}/matchmaking/requests")
    assert "Chúng tôi làm logistics cảng biển" in page.content()
    assert page.console_errors == []


# --------------------------------------------------------------------------- investor


def test_investor_accepts_a_request_then_books_another_meeting(page, live_server, viewport):
    base = live_server
    email, request_id = investor_with_request(live_server, 0 if viewport == "desktop" else 1)
    log_in(page, base, email, PASSWORD)

    page.goto(f"{base}/{YEAR}/matchmaking/requests")
    submit(page, f'form[action$="/requests/{request_id}/accept"]')
    assert page.locator(".alert-success").count() == 1, flash_text(page)

    page.goto(f"{base}/{YEAR}/matchmaking/suggestions")
    with page.expect_navigation():
        page.locator('a[href*="/matchmaking/book/"]').first.click()
    page.locator("select[name=slot_id]").select_option(index=0)
    page.fill("textarea[name=message]", "Xin gặp để bàn về vòng hạt giống.")
    submit(page, "form:has(select[name=slot_id])")
    assert page.locator(".alert-success").count() == 1, flash_text(page)
    # the startup is asked first: the booking waits for its answer, the place held
    assert f"/{YEAR}/matchmaking/requests" in page.url
    booked = booking_request_of(live_server, email)
    assert booked.status == "pending"
    assert page.console_errors == []

    # the startup declines, saying why; the held place is freed
    page.context.clear_cookies()
    log_in(page, base, startup_member(live_server, booked.to_organisation_id), PASSWORD)
    page.goto(f"{base}/{YEAR}/matchmaking/requests")
    card = page.locator(f'form[action$="/requests/{booked.id}/decline"]')
    page.locator(f'details:has(form[action$="/requests/{booked.id}/decline"]) summary').click()
    card.locator("textarea[name=reason]").fill("Lịch của chúng tôi đã kín.")
    with page.expect_navigation():
        card.locator("button[type=submit]").click()
    assert page.locator(".alert-success").count() == 1, flash_text(page)
    done = booking_request_of(live_server, email, booked.id)
    assert (done.status, done.decline_reason, done.meeting_id) == (
        "declined",
        "Lịch của chúng tôi đã kín.",
        None,
    )
    assert page.console_errors == []


def booking_request_of(live_server, investor_email: str, request_id: int | None = None):
    """The investor's latest booking request (or the one with `request_id`)."""
    from techfest.auth.models import User
    from techfest.matchmaking.models import MeetingRequest

    with Session(engine(live_server), expire_on_commit=False) as s:
        if request_id is not None:
            return s.get(MeetingRequest, request_id)
        org = s.exec(select(User.organisation_id).where(User.email == investor_email)).one()
        return s.exec(
            select(MeetingRequest)
            .where(MeetingRequest.from_organisation_id == org, MeetingRequest.slot_id.is_not(None))
            .order_by(MeetingRequest.id.desc())
        ).first()


def startup_member(live_server, org_id: int) -> str:
    from techfest.auth.models import User

    with Session(engine(live_server)) as s:
        return s.exec(
            select(User.email).where(User.organisation_id == org_id).order_by(User.id)
        ).first()


# --------------------------------------------------------------------------- organiser


def fresh_connection_event(live_server) -> None:
    """Undo an earlier run's schedule, so that each run of this journey has drafts to publish."""
    from sqlalchemy import update

    from techfest.core.editions import edition_by_year
    from techfest.matchmaking.models import Meeting

    with Session(engine(live_server)) as s:
        edition = edition_by_year(s, YEAR)
        s.exec(
            update(Meeting)
            .where(Meeting.edition_id == edition.id, Meeting.source == "matcher")
            .values(status="cancelled")
        )
        edition.meetings_published_at = None
        s.add(edition)
        s.commit()


def test_organiser_runs_matcher_publishes_prints_agendas_and_checks_someone_in(
    page, live_server, viewport
):
    base = live_server
    fresh_connection_event(live_server)
    log_in(page, base, "organiser@techfest.vn", PASSWORD)

    page.goto(f"{base}/{YEAR}/matchmaking/admin")
    submit(page, 'form[action$="/matchmaking/admin/run"]')
    assert re.search(r"/matchmaking/admin/jobs/\d+$", page.url), page.url
    job = wait_for_job(page, page.url + "?format=json")
    assert job["status"] == "done", job
    page.wait_for_url("**/matchmaking/admin/review", timeout=10_000)
    with page.expect_navigation():
        page.locator('a[href$="/matchmaking/admin/publish"]').click()
    # the confirmation page says who gets what before anything is sent
    assert page.locator("#pub-people").count() == 1
    assert page.locator(".mm-mail-preview").count() == 1
    publish = page.locator('form[action$="/matchmaking/admin/publish"] button[type=submit]')
    with page.expect_navigation():
        publish.click()
    assert page.locator(".alert-success").count() == 1, flash_text(page)

    page.goto(f"{base}/{YEAR}/printing/")
    submit(page, 'form[action$="/printing/print/agendas"]')
    assert page.locator("#print-job").count() == 1, flash_text(page)
    link = page.locator('#print-job a[href*="/printing/documents/"]')
    link.wait_for(timeout=90_000)
    pdf = page.context.request.get(base + link.get_attribute("href"))
    assert pdf.status == 200
    assert pdf.body().startswith(b"%PDF")

    who = "delegate2025.0003" if viewport == "desktop" else "delegate2025.0004"
    page.goto(f"{base}/{YEAR}/checkin/search?q={who}")
    submit(page, 'form[action*="/checkin/registrations/"]')
    assert page.locator(".alert-success").count() == 1, flash_text(page)
    assert page.console_errors == []

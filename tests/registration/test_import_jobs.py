"""The delegate import runs as a background job: the request returns at once, a page shows
its progress and then its result, and a file with one bad row stores nothing."""

from __future__ import annotations

import csv
import io

import pytest
from sqlmodel import Session, func, select

from techfest.auth.models import User
from techfest.core.jobs import run_job
from techfest.core.models import Edition, EditionRole, Job, JobFile, OutboxEmail
from techfest.registration import csv as delegate_csv
from techfest.registration.models import Registration, TicketType
from tests.factories import PASSWORD, make_edition, make_user
from tests.factories.registration import make_ticket

URL = "/2025/registration/manage/import"


def rows_csv(n: int, *, start: int = 0, ticket: str = "DELEGATE", bad_line: int | None = None):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["email", "full_name", "ticket_code", "organisation", "language", "consent"])
    for i in range(start, start + n):
        email = f"person{i}@example.vn"
        if bad_line is not None and i - start + 2 == bad_line:
            email = "not an address"
        writer.writerow([email, f"Nguyễn Văn {i}", ticket, "Cảng Hải Phòng", "vi", "yes"])
    return out.getvalue().encode()


def upload(client, data: bytes, lang: str = "vi"):
    return client.post(
        f"{URL}?lang={lang}",
        data={"file": (io.BytesIO(data), "delegates.csv")},
        content_type="multipart/form-data",
    )


def count(session: Session, model) -> int:
    session.rollback()  # a fresh snapshot: what the job committed
    return session.exec(select(func.count()).select_from(model)).one()


@pytest.fixture
def organiser(session):
    edition = make_edition(session)
    make_ticket(session, edition, "DELEGATE", capacity=30)
    user = make_user(session, edition, role="organiser")
    session.commit()
    return user


def test_the_request_only_queues_the_import_and_its_page_follows_it(
    app, client, auth, session, organiser, monkeypatch
):
    launched: list[int] = []
    monkeypatch.setattr("techfest.registration.views.launch", launched.append)
    auth.login(organiser.email, PASSWORD)
    response = upload(client, rows_csv(40))
    assert response.status_code == 302
    [job_id] = launched
    assert response.headers["Location"].endswith(f"/2025/registration/manage/imports/{job_id}")
    # nothing is imported by the request itself
    assert count(session, Registration) == 0
    page = client.get(f"/2025/registration/manage/imports/{job_id}").get_data(as_text=True)
    assert "<progress" in page
    assert "js/imports.js" in page
    assert client.get(f"/2025/registration/manage/imports/{job_id}.json").get_json() == {
        "id": job_id,
        "status": "queued",
        "progress": 0,
        "message": "",
        "finished": False,
    }

    run_job(app, job_id)  # what the worker does

    status = client.get(f"/2025/registration/manage/imports/{job_id}.json").get_json()
    assert status["status"] == "done"
    assert status["finished"] is True
    assert status["progress"] == 100
    page = client.get(f"/2025/registration/manage/imports/{job_id}").get_data(as_text=True)
    done = "Đã nhập 40 dòng: 40 đăng ký mới (30 được xác nhận, 10 trong danh sách chờ)"
    assert done in page
    assert "<progress" not in page
    assert count(session, Registration) == 40
    statuses = session.exec(select(Registration.status)).all()
    assert statuses.count("confirmed") == 30
    assert statuses.count("waitlisted") == 10
    # the uploaded file (people's details) is not kept once the import is done
    assert count(session, JobFile) == 0


@pytest.mark.both_databases
def test_one_bad_row_stores_nothing_and_the_page_lists_it_in_english(
    client, auth, session, organiser
):
    auth.login(organiser.email, PASSWORD)
    users_before = count(session, User)
    response = upload(client, rows_csv(300, bad_line=250), lang="en")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Nothing was imported: 1 problem(s) in 300 row(s)." in page
    assert "<td>250</td><td>email</td><td>Not a valid email address.</td>" in page
    assert count(session, Registration) == 0
    assert count(session, User) == users_before
    assert count(session, OutboxEmail) == 0
    session.rollback()
    assert session.exec(select(TicketType.confirmed_count)).one() == 0


@pytest.mark.both_databases
def test_a_conflict_found_while_writing_stores_nothing(
    client, auth, session, organiser, monkeypatch
):
    """The last check is the database's: a registration that breaks a constraint at the
    end of the write undoes every row before it."""
    from techfest.registration import booking

    real = booking.register_in_bulk

    def then_break(session, edition, items, **kwargs):
        result = real(session, edition, items, **kwargs)
        ticket = session.exec(select(TicketType)).one()
        session.add(
            Registration(
                edition_id=edition.id,
                user_id=items[0].user_id,
                ticket_type_id=ticket.id,
                full_name="Twice",
                email="twice@example.vn",
            )
        )
        session.flush()
        return result

    monkeypatch.setattr("techfest.registration.csv.register_in_bulk", then_break)
    auth.login(organiser.email, PASSWORD)
    users_before = count(session, User)
    response = upload(client, rows_csv(50), lang="en")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Conflicts with existing data" in page
    assert count(session, Registration) == 0
    assert count(session, User) == users_before
    assert count(session, OutboxEmail) == 0


def test_only_organisers_of_that_edition_see_the_job(app, client, auth, session, organiser):
    edition_2025 = session.exec(select(Edition).where(Edition.year == 2025)).one()
    edition_2026 = make_edition(session, 2026)
    other_organiser = make_user(session, edition_2026, role="organiser")
    delegate = make_user(session, edition_2025, role="delegate")
    session.commit()
    auth.login(organiser.email, PASSWORD)
    job_url = upload(client, rows_csv(3)).headers["Location"]
    assert client.get(job_url).status_code == 200
    auth.logout()

    assert client.get(job_url).status_code == 302  # to the login page
    assert client.get(job_url + ".json").status_code in (302, 401)
    for person in (other_organiser, delegate):
        auth.login(person.email, PASSWORD)
        assert client.get(job_url).status_code in (403, 404)
        assert client.get(job_url + ".json").status_code in (403, 404)
        auth.logout()
    # an organiser of 2026 asking under 2026 finds no such import either
    auth.login(other_organiser.email, PASSWORD)
    job_id = job_url.rsplit("/", 1)[-1]
    assert client.get(f"/2026/registration/manage/imports/{job_id}").status_code == 404


def test_another_kind_of_job_is_not_an_import(client, auth, session, organiser):
    job = Job(edition_id=1, kind="matchmaking.run", status="done", progress=100)
    session.add(job)
    session.commit()
    auth.login(organiser.email, PASSWORD)
    assert client.get(f"/2025/registration/manage/imports/{job.id}").status_code == 404


def _snapshot(session: Session):
    session.expire_all()
    regs = session.exec(
        select(Registration, User.email)
        .join(User, User.id == Registration.user_id)
        .order_by(User.email)
    ).all()
    roles = session.exec(
        select(User.email, EditionRole.role)
        .join(User, User.id == EditionRole.user_id)
        .order_by(User.email, EditionRole.role)
    ).all()
    mails = sorted(
        (m.to_email, m.subject, m.body.split("\n\n", 1)[-1][:60], m.confirms_address)
        for m in session.exec(select(OutboxEmail))
    )
    counts = session.exec(select(TicketType.code, TicketType.confirmed_count)).all()
    return (
        [
            (
                email,
                r.status,
                r.waitlist_position,
                r.full_name,
                r.organisation_name,
                r.search_key,
                r.consent_version,
            )
            for r, email in regs
        ],
        roles,
        mails,
        sorted(counts),
    )


@pytest.mark.both_databases
def test_the_bulk_path_does_what_the_row_by_row_path_does(app_ctx, database_url):
    """Same file, same starting data: the same accounts, places, waitlist and mail."""
    from techfest.models import metadata

    engine = app_ctx.extensions["techfest_engine"]
    snapshots = []
    for bulk in (False, True):
        metadata.drop_all(engine)
        metadata.create_all(engine)
        with Session(engine, expire_on_commit=False) as session:
            edition = make_edition(session)
            make_ticket(session, edition, "DELEGATE", capacity=12)
            make_ticket(session, edition, "VIP", capacity=3)
            # someone already registered, someone with an account but no registration
            known = make_user(session, edition, email="person3@example.vn")
            make_user(session, None, role=None, email="person5@example.vn")
            session.commit()
            from tests.registration.conftest import register

            ticket = session.exec(select(TicketType).where(TicketType.code == "DELEGATE")).one()
            register(session, edition, known, ticket)
            session.commit()
            data = rows_csv(20) + rows_csv(6, start=20, ticket="VIP").split(b"\n", 1)[1]
            result = delegate_csv.import_delegates(
                session, edition, data, by_user_id=None, bulk=bulk
            )
            assert result.report.ok, result.report.errors
            session.commit()
            snapshots.append(((result.confirmed, result.waitlisted), _snapshot(session)))
    for a, b in zip(snapshots[0][1], snapshots[1][1], strict=True):
        assert sorted(set(a) ^ set(b)) == []
    assert snapshots[0] == snapshots[1]
    (confirmed, waitlisted), (regs, _roles, _mails, counts) = snapshots[1]
    assert (confirmed, waitlisted) == (14, 11)
    assert counts == [("DELEGATE", 12), ("VIP", 3)]

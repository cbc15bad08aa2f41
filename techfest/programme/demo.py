"""Demo programme state: one small workshop full with a waitlist, and stars on the agenda."""

from __future__ import annotations

import contextlib

from flask import current_app
from sqlmodel import Session, select

from techfest.auth.models import User
from techfest.core.models import Edition, EditionRole
from techfest.programme import catalogue, errors, signups

DEMO_DELEGATE = "delegate@techfest.vn"


def load_demo(session: Session, edition: Edition) -> None:
    with current_app.test_request_context():
        _load(session, edition)


def _load(session: Session, edition: Edition) -> None:
    delegate = session.exec(select(User).where(User.email == DEMO_DELEGATE)).first()
    sessions = catalogue.list_sessions(session, edition)
    if delegate is None or not sessions:
        return
    # the smallest session fills up and gets a waitlist, so the demo shows one
    smallest = min(sessions, key=lambda ps: (ps.capacity, ps.code))
    people = session.exec(
        select(User)
        .join(EditionRole, EditionRole.user_id == User.id)
        .where(
            EditionRole.edition_id == edition.id,
            EditionRole.role == "delegate",
            User.sample.is_(True),
            User.id != delegate.id,
        )
        .order_by(User.id)
    ).all()
    waiting = 0
    for person in people:
        if waiting >= 3:
            break
        try:
            signup = signups.sign_up(session, edition, person, smallest.id)
        except errors.ProgrammeError:
            continue
        if signup.status == "waitlisted":
            waiting += 1
    # the demo delegate stars two sessions and waits for the full one
    for ps in sessions[:2]:
        signups.star(session, edition, delegate, ps.id)
    # when it overlaps one the delegate already holds, the demo stays as it is
    with contextlib.suppress(errors.ProgrammeError):
        signups.sign_up(session, edition, delegate, smallest.id)
    session.flush()

"""Builders for matchmaking tests: an edition with slots and tables, startups, investors."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from sqlmodel import Session

from techfest.db import now_utc
from techfest.matchmaking.models import (
    InvestorProfile,
    Meeting,
    MeetingSlot,
    MeetingTable,
    StartupProfile,
)
from tests.factories import make_edition, make_org, make_user

PITCHES = (
    "cold chain tracking for seafood exporters in Hai Phong port",
    "container yard booking software for truck drivers",
    "warehouse robots that pick parcels for online shops",
    "customs paperwork assistant using language models",
    "electric delivery scooters rented by the hour",
    "shrimp farm water sensors with mobile alerts",
)
THESES = (
    "seed rounds in port logistics and maritime software",
    "early supply chain automation, robotics and warehouses",
    "agritech and aquaculture technology in the Red River delta",
)


@dataclass
class World:
    edition: object
    slots: list
    tables: list
    startups: list = field(default_factory=list)
    investors: list = field(default_factory=list)
    users: dict = field(default_factory=dict)
    organiser: object = None


def add_startup(session: Session, world: World, name: str, **profile) -> tuple:
    org = make_org(session, "startup", name)
    user = make_user(session, world.edition, "startup", organisation=org)
    words = PITCHES[len(world.startups) % len(PITCHES)]
    defaults = {"pitch_en": f"{name}: {words}", "sectors": ["logistics"], "stage": "seed"}
    defaults.update(profile)
    session.add(StartupProfile(edition_id=world.edition.id, organisation_id=org.id, **defaults))
    session.flush()
    world.startups.append(org)
    world.users[org.id] = user
    return org, user


def add_investor(session: Session, world: World, name: str, **profile) -> tuple:
    org = make_org(session, "investor", name)
    user = make_user(session, world.edition, "investor", organisation=org)
    defaults = {
        "thesis_en": f"{name}: {THESES[len(world.investors) % len(THESES)]}",
        "portfolio": [PITCHES[(len(world.investors) + 1) % len(PITCHES)]],
        "sectors": ["logistics"],
        "stages": ["seed"],
    }
    defaults.update(profile)
    session.add(InvestorProfile(edition_id=world.edition.id, organisation_id=org.id, **defaults))
    session.flush()
    world.investors.append(org)
    world.users[org.id] = user
    return org, user


def build_world(
    session: Session,
    *,
    year: int = 2025,
    n_slots: int = 4,
    n_tables: int = 2,
    startups: int = 2,
    investors: int = 2,
    future: bool = True,
) -> World:
    """An edition whose slots start tomorrow (or started an hour ago with future=False)."""
    edition = make_edition(session, year)
    base = now_utc().replace(second=0, microsecond=0) + (
        timedelta(days=1) if future else timedelta(hours=-1)
    )
    slots = []
    for k in range(n_slots):
        start = base + timedelta(minutes=25 * k)
        slot = MeetingSlot(
            edition_id=edition.id,
            day=1,
            block="morning",
            starts_at=start,
            ends_at=start + timedelta(minutes=20),
        )
        session.add(slot)
        slots.append(slot)
    tables = []
    for n in range(1, n_tables + 1):
        table = MeetingTable(edition_id=edition.id, number=n, label=f"T{n:02d}")
        session.add(table)
        tables.append(table)
    session.flush()
    world = World(edition, slots, tables)
    world.organiser = make_user(session, edition, "organiser", email=f"org{year}@example.vn")
    for k in range(startups):
        add_startup(session, world, f"Startup {chr(65 + k)}")
    for k in range(investors):
        add_investor(session, world, f"Investor {chr(65 + k)}")
    session.commit()
    return world


def meeting(session, world, startup, investor, slot, table, status="published", **kw) -> Meeting:
    m = Meeting(
        edition_id=world.edition.id,
        startup_organisation_id=startup.id,
        investor_organisation_id=investor.id,
        slot_id=slot.id if slot else None,
        table_id=table.id if table else None,
        status=status,
        **kw,
    )
    session.add(m)
    session.commit()
    return m


@pytest.fixture
def world(session) -> World:
    return build_world(session)


def url(world: World, path: str) -> str:
    return f"/{world.edition.year}/matchmaking{path}"


def publish_digest(client, world: World) -> str:
    """The digest the publishing confirmation page shows to the signed-in organiser."""
    import re

    page = client.get(url(world, "/admin/publish")).get_data(as_text=True)
    found = re.search(r'name="digest"[^>]*value="([0-9a-f]+)"', page) or re.search(
        r'value="([0-9a-f]+)"[^>]*name="digest"', page
    )
    assert found, "the confirmation page carries the schedule's digest"
    return found.group(1)


def publish(client, world: World):
    """Publish as the signed-in organiser: open the confirmation page, then confirm it."""
    return client.post(url(world, "/admin/publish"), data={"digest": publish_digest(client, world)})

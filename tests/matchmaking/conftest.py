"""Builders for matchmaking tests: an edition with slots and tables, startups, investors."""

from __future__ import annotations

import importlib.util
import sys
import types
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


def _stub_missing_matching() -> None:
    """Until matching.ranking / assignment / profiles land, stand in with tiny versions of
    the agreed contract so the web rules can be tested; the real library wins when present."""
    if importlib.util.find_spec("matching.profiles") is None:
        mod = types.ModuleType("matching.profiles")

        @dataclass(frozen=True)
        class Startup:
            id: object
            name: str = ""
            description: str = ""
            sectors: tuple = ()
            stage: str | None = None
            raising_usd: int | None = None
            location: str | None = None
            founded_year: int | None = None

        @dataclass(frozen=True)
        class Investor:
            id: object
            name: str = ""
            thesis: str = ""
            sectors: tuple = ()
            stages: tuple = ()
            ticket_min_usd: int | None = None
            ticket_max_usd: int | None = None
            locations: tuple = ()
            portfolio: tuple = ()
            max_meetings: int | None = None

        mod.Startup, mod.Investor = Startup, Investor
        sys.modules["matching.profiles"] = mod
    if importlib.util.find_spec("matching.ranking") is None:
        mod = types.ModuleType("matching.ranking")

        @dataclass(frozen=True)
        class Match:
            startup: object
            investor: object
            score: float
            reasons: tuple = field(default_factory=tuple)

        class Matcher:
            def __init__(self, random_state=0, lang="en"):
                self.lang = lang

            def fit(self, startups, investors):
                self.startups, self.investors = startups, investors
                return self

            def rank_for_investors(self, top=10):
                out = {}
                for i in self.investors:
                    matches = []
                    for s in self.startups:
                        shared = sorted(set(s.sectors) & set(i.sectors))
                        score = 0.2 + 0.6 * bool(shared) + 0.2 * (s.stage in i.stages)
                        reasons = tuple(f"{self.lang}: both in {x}" for x in shared)
                        matches.append(Match(s.id, i.id, round(score, 3), reasons))
                    matches.sort(key=lambda m: (-m.score, m.startup))
                    out[i.id] = matches[:top]
                return out

        mod.Match, mod.Matcher = Match, Matcher
        sys.modules["matching.ranking"] = mod
    if importlib.util.find_spec("matching.assignment") is None:
        mod = types.ModuleType("matching.assignment")

        def assign(problem):
            s_max = {s["id"]: s["max_meetings"] for s in problem["startups"]}
            i_max = {i["id"]: i["max_meetings"] for i in problem["investors"]}
            used_s, used_i, out = {}, {}, []
            pairs = sorted(
                (p for p in problem["pairs"] if p["tier"] != "no"),
                key=lambda p: (p["tier"] != "must", -p["score"]),
            )
            for p in pairs:
                s, i = p["startup"], p["investor"]
                if used_s.get(s, 0) < s_max.get(s, 0) and used_i.get(i, 0) < i_max.get(i, 0):
                    used_s[s] = used_s.get(s, 0) + 1
                    used_i[i] = used_i.get(i, 0) + 1
                    out.append({"startup": s, "investor": i, "score": p["score"]})
            return {
                "status": "feasible",
                "objective": sum(m["score"] for m in out),
                "meetings": out,
            }

        mod.assign = assign
        sys.modules["matching.assignment"] = mod


_stub_missing_matching()


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
    defaults = {"pitch_en": f"{name} builds software", "sectors": ["logistics"], "stage": "seed"}
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
        "thesis_en": f"{name} backs logistics",
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
        table = MeetingTable(edition_id=edition.id, number=n, label=f"B{n:02d}")
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

"""Demo matchmaking data: marks, requests and availability for 2025; ratings for 2024.

The 2025 pages come alive before any run: the demo startup has an accepted request with
the demo investor (the matcher keeps it), a request waiting in each direction, and a
handful of "must meet" / "do not match" marks; a few investors are away for some slots.
The 2024 edition gets investors' ratings of its held meetings, which weigh the next ranking.
"""

from __future__ import annotations

import random
from datetime import timedelta

from sqlmodel import Session, select

from techfest.auth.models import User
from techfest.core.models import Edition
from techfest.db import now_utc
from techfest.matchmaking.models import (
    InvestorProfile,
    MatchPreference,
    Meeting,
    MeetingFeedback,
    MeetingRequest,
    MeetingSlot,
    StartupProfile,
    Unavailability,
)


def load_demo(session: Session, edition: Edition) -> None:
    if edition.year == 2025:
        _current(session, edition)
        # Keep the edition's ranking now, so the first suggestions page is instant.
        from techfest.matchmaking.ranking import ensure_ranking

        ensure_ranking(session, edition)
    else:
        _past(session, edition)


def _org_of(session: Session, email: str) -> int | None:
    user = session.exec(select(User).where(User.email == email)).first()
    return user.organisation_id if user else None


def _current(session: Session, edition: Edition) -> None:
    rng = random.Random(edition.year)
    startups = list(
        session.exec(
            select(StartupProfile)
            .where(StartupProfile.edition_id == edition.id)
            .order_by(StartupProfile.id)
        )
    )
    investors = list(
        session.exec(
            select(InvestorProfile)
            .where(InvestorProfile.edition_id == edition.id)
            .order_by(InvestorProfile.id)
        )
    )
    if len(startups) < 6 or len(investors) < 4:
        return
    if session.exec(
        select(MeetingRequest.id).where(MeetingRequest.edition_id == edition.id)
    ).first():
        return  # already loaded
    demo_s = _org_of(session, "startup@techfest.vn") or startups[0].organisation_id
    demo_i = _org_of(session, "investor@techfest.vn") or investors[0].organisation_id
    others_s = [p for p in startups if p.organisation_id != demo_s]
    others_i = [p for p in investors if p.organisation_id != demo_i]
    now = now_utc()

    def request(a: int, b: int, status: str, message: str) -> None:
        session.add(
            MeetingRequest(
                edition_id=edition.id,
                from_organisation_id=a,
                to_organisation_id=b,
                message=message,
                status=status,
                created_at=now - timedelta(hours=rng.randint(2, 40)),
                # open as long as a real request is (not ten years: "answer before 2036")
                expires_at=now + timedelta(hours=edition.request_expiry_hours),
                decided_at=now if status != "pending" else None,
            )
        )

    from techfest.matchmaking.ranking import current_scores

    scores = current_scores(session, edition)["en"]

    def best(side: str, org_id: int, n: int) -> list[int]:
        """The `n` best partners of one organisation (the other demo account left out)."""
        if side == "startup":
            ranked = [(-sc, i) for (st, i), (sc, _r) in scores.items() if st == org_id]
            skip = demo_i
        else:
            ranked = [(-sc, st) for (st, i), (sc, _r) in scores.items() if i == org_id]
            skip = demo_s
        return [other for _sc, other in sorted(ranked) if other != skip][:n]

    # the demo startup: an accepted request, a waiting one each way, an investor's must
    top_i = best("startup", demo_s, 4)
    if len(top_i) < 4:
        top_i += [p.organisation_id for p in others_i if p.organisation_id not in top_i]
    request(
        top_i[0],
        demo_s,
        "accepted",
        "Quỹ quan tâm tới nền tảng cảng biển của bạn và muốn trao đổi về vòng gọi vốn.",
    )
    request(
        top_i[1],
        demo_s,
        "pending",
        "We like your traction with container terminals. Could we meet at Techfest?",
    )
    request(demo_s, top_i[2], "pending", "Would you have 20 minutes for our logistics platform?")
    # the demo investor: a startup asks, and it marks its favourite "must meet"
    top_s = best("investor", demo_i, 3)
    if len(top_s) < 3:
        top_s += [p.organisation_id for p in others_s if p.organisation_id not in top_s]
    request(
        top_s[0],
        demo_i,
        "pending",
        "Chúng tôi muốn giới thiệu sản phẩm và nghe góp ý của quỹ về kế hoạch mở rộng.",
    )
    for k in range(6):
        s = others_s[1 + k].organisation_id
        i = others_i[(2 + k) % len(others_i)].organisation_id
        request(s, i, "accepted" if k % 2 else "declined", "Hẹn gặp tại khu kết nối.")

    def mark(a: int, b: int, tier: str) -> None:
        session.add(
            MatchPreference(
                edition_id=edition.id, from_organisation_id=a, to_organisation_id=b, tier=tier
            )
        )

    mark(demo_i, top_s[1], "must")
    mark(demo_i, top_s[2], "nice")
    mark(top_i[3], demo_s, "must")
    mark(demo_s, others_i[-1].organisation_id, "no")
    used = {frozenset(p) for p in ((demo_i, top_s[1]), (demo_i, top_s[2]), (top_i[3], demo_s))}
    pairs = set()
    while len(pairs) < 24:
        s = rng.choice(others_s[3:]).organisation_id
        i = rng.choice(others_i[3:]).organisation_id
        if frozenset((s, i)) not in used:
            used.add(frozenset((s, i)))
            pairs.add((s, i) if rng.random() < 0.5 else (i, s))
    for n, (a, b) in enumerate(sorted(pairs)):
        mark(a, b, "no" if n % 8 == 0 else ("must" if n % 3 == 0 else "nice"))

    slots = list(
        session.exec(
            select(MeetingSlot.id)
            .where(MeetingSlot.edition_id == edition.id)
            .order_by(MeetingSlot.starts_at)
        )
    )
    if slots:
        for p in rng.sample(others_i, k=min(4, len(others_i))):
            for slot_id in rng.sample(slots, k=min(2, len(slots))):
                session.add(Unavailability(organisation_id=p.organisation_id, slot_id=slot_id))
    session.flush()


def _past(session: Session, edition: Edition) -> None:
    held = list(
        session.exec(
            select(Meeting)
            .where(Meeting.edition_id == edition.id, Meeting.status == "held")
            .order_by(Meeting.id)
        )
    )
    ratings = ("follow_up", "useful", "not_useful", "useful", "did_not_happen")
    for n, m in enumerate(held):
        exists = session.exec(
            select(MeetingFeedback.id).where(MeetingFeedback.meeting_id == m.id)
        ).first()
        if exists:
            continue
        session.add(
            MeetingFeedback(
                meeting_id=m.id,
                organisation_id=m.investor_organisation_id,
                rating=ratings[n % len(ratings)],
            )
        )
        session.add(
            MeetingFeedback(
                meeting_id=m.id,
                organisation_id=m.startup_organisation_id,
                rating="useful" if n % 2 else "follow_up",
            )
        )
    session.flush()

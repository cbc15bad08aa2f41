"""A small festival where every kind of object has an owner, for the authorisation matrix.

Two editions: 2025 (the one every URL names) and 2024 (the "other" edition, whose objects
must never be reachable through a 2025 URL). The people who act in the matrix are the
ACTORS; the strangers own the objects the actors must not reach.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from sqlmodel import Session

from techfest.booths.models import Booth, BoothAllowance, BoothBooking, Zone
from techfest.checkin.models import CheckIn
from techfest.core.models import Job
from techfest.db import now_utc
from techfest.leads.models import Lead, StaffInvite
from techfest.matchmaking.models import (
    InvestorProfile,
    Meeting,
    MeetingRequest,
    MeetingSlot,
    MeetingTable,
    StartupProfile,
)
from techfest.messages.models import Message, MessageThread
from techfest.organiser.models import DataRequest
from techfest.printing.jobs import KIND as PRINT_KIND
from techfest.printing.models import Document
from techfest.programme.models import ProgrammeSession, Room, SessionSignup, Track
from techfest.registration.jobs import KIND as IMPORT_KIND
from techfest.registration.models import Registration, TicketType
from tests.factories import local, make_edition, make_org, make_user

ACTORS = (
    "anonymous",
    "delegate",
    "delegate2",
    "startup",
    "investor",
    "organiser",
    "organiser_other",
)
#: private details of the first delegate that no one else but organisers may ever see
SECRET_PHONE = "+84 912 000 777"
SECRET_EMAIL = "mai.private@example.vn"


@dataclass
class World:
    users: dict[str, object] = field(default_factory=dict)
    ids: dict[str, int] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)


def _registration(session, edition, ticket, user, **fields) -> Registration:
    reg = Registration(
        edition_id=edition.id,
        user_id=user.id,
        ticket_type_id=ticket.id,
        full_name=user.full_name,
        email=fields.pop("email", user.email),
        status="confirmed",
        confirmed_at=now_utc(),
        **fields,
    )
    session.add(reg)
    session.flush()
    return reg


def _edition_objects(session, edition, year, prefix: str) -> dict[str, object]:
    """Ticket, zone, booths, room, track, session, slot and table of one edition."""
    ticket = TicketType(
        edition_id=edition.id, code=f"{prefix}-std", name_vi="Vé", name_en="Ticket", capacity=50
    )
    zone = Zone(edition_id=edition.id, code=f"{prefix}-A", name_vi="Khu A", name_en="Zone A")
    room = Room(edition_id=edition.id, code=f"{prefix}-R1", name_vi="Phòng 1", name_en="Room 1")
    track = Track(edition_id=edition.id, code=f"{prefix}-T1", name_vi="Chuỗi", name_en="Track")
    session.add_all([ticket, zone, room, track])
    session.flush()
    booths = [
        Booth(
            edition_id=edition.id,
            zone_id=zone.id,
            code=f"{prefix}-{n}",
            x=10 * n,
            y=10,
            w=30,
            h=30,
            price_vnd=5_000_000,
        )
        for n in range(1, 5)
    ]
    talk = ProgrammeSession(
        edition_id=edition.id,
        track_id=track.id,
        room_id=room.id,
        code=f"{prefix}-S1",
        title_vi="Diễn đàn",
        title_en="Forum",
        starts_at=local(year, 10, 9, 9),
        ends_at=local(year, 10, 9, 10),
        capacity=20,
    )
    talk2 = ProgrammeSession(
        edition_id=edition.id,
        track_id=track.id,
        room_id=room.id,
        code=f"{prefix}-S2",
        title_vi="Hội thảo",
        title_en="Workshop",
        starts_at=local(year, 10, 9, 14),
        ends_at=local(year, 10, 9, 15),
        capacity=20,
    )
    slots = [
        MeetingSlot(
            edition_id=edition.id,
            day=1,
            block="morning",
            starts_at=local(year, 10, 10, 9) + timedelta(minutes=20 * i),
            ends_at=local(year, 10, 10, 9) + timedelta(minutes=20 * (i + 1)),
        )
        for i in range(3)
    ]
    tables = [MeetingTable(edition_id=edition.id, number=n, label=f"Bàn {n}") for n in range(1, 3)]
    session.add_all([*booths, talk, talk2, *slots, *tables])
    session.flush()
    return {
        "ticket": ticket,
        "zone": zone,
        "room": room,
        "track": track,
        "booths": booths,
        "session": talk,
        "session2": talk2,
        "slots": slots,
        "tables": tables,
    }


def _payment_objects(session, this, other, u, regs) -> dict[str, int]:
    """The first delegate's paid order (with the private email), a stranger's pending one,
    one of 2024, and a bank line to review in each edition."""
    from techfest.payments.models import PaymentOrder, PaymentOrderLine, StatementLine

    now = now_utc()

    def order(edition, user, reg, reference, **fields):
        row = PaymentOrder(
            edition_id=edition.id,
            user_id=user.id,
            kind="ticket",
            subject_id=reg.id,
            reference=reference,
            total_vnd=1_500_000,
            buyer_name=user.full_name,
            buyer_email=fields.pop("buyer_email", user.email),
            expires_at=now + timedelta(days=5),
            **fields,
        )
        session.add(row)
        session.flush()
        session.add(
            PaymentOrderLine(
                order_id=row.id,
                description_vi="Vé",
                description_en="Ticket",
                unit_price_vnd=1_500_000,
            )
        )
        return row

    mine = order(
        this,
        u["delegate"],
        regs["delegate"],
        "TF25-AAAA0",
        status="paid",
        paid_vnd=1_500_000,
        paid_at=now,
        buyer_email=SECRET_EMAIL,
    )
    theirs = order(this, u["stranger"], regs["stranger"], "TF25-BBBB0")
    past = order(other, u["past_delegate"], regs["past"], "TF24-CCCC0")
    lines = {}
    for key, edition in (("line_this", this), ("line_other", other)):
        line = StatementLine(
            edition_id=edition.id,
            line_key=key,
            booked_on=now.date(),
            amount_vnd=1_500_000,
            description="chuyen khoan",
            status="review",
            problem="unknown",
        )
        session.add(line)
        session.flush()
        lines[key] = line.id
    return {"order_delegate": mine.id, "order_stranger": theirs.id, "order_past": past.id, **lines}


def build_world(session: Session) -> World:
    world = World()
    this = make_edition(session, 2025)
    other = make_edition(session, 2024)
    o25 = _edition_objects(session, this, 2025, "25")
    o24 = _edition_objects(session, other, 2024, "24")

    s_org = make_org(session, "startup", "Cảng Xanh Logistics")
    s2_org = make_org(session, "startup", "Nông Nghiệp Số")
    i_org = make_org(session, "investor", "Quỹ Biển Lớn")
    i2_org = make_org(session, "investor", "Quỹ Đồng Bằng")
    # took part in 2024 only: no pair with anyone in 2025, so no conversation either
    s3_org = make_org(session, "startup", "Khởi Nghiệp Cũ")
    i3_org = make_org(session, "investor", "Quỹ Năm Trước")

    u = world.users
    u["delegate"] = make_user(
        session, this, "delegate", email="mai@example.vn", full_name="Nguyễn Thị Mai"
    )
    u["delegate2"] = make_user(
        session, this, "delegate", email="lan@example.vn", full_name="Trần Thị Lan"
    )
    u["startup"] = make_user(
        session,
        this,
        "startup",
        email="cx@example.vn",
        organisation=s_org,
        full_name="Phạm Văn Cảng",
    )
    u["investor"] = make_user(
        session,
        this,
        "investor",
        email="bl@example.vn",
        organisation=i_org,
        full_name="Lê Thị Biển",
    )
    u["organiser"] = make_user(
        session, this, "organiser", email="btc@example.vn", full_name="Ban Tổ chức"
    )
    u["organiser_other"] = make_user(
        session, other, "organiser", email="btc24@example.vn", full_name="Ban Tổ chức 2024"
    )
    # strangers: they own the objects the actors try to reach
    u["stranger"] = make_user(
        session, this, "delegate", email="hung@example.vn", full_name="Đỗ Văn Hùng"
    )
    u["startup2"] = make_user(
        session,
        this,
        "startup",
        email="nns@example.vn",
        organisation=s2_org,
        full_name="Vũ Thị Nông",
    )
    u["investor2"] = make_user(
        session,
        this,
        "investor",
        email="db@example.vn",
        organisation=i2_org,
        full_name="Hoàng Văn Đồng",
    )
    u["past_delegate"] = make_user(
        session, other, "delegate", email="cu@example.vn", full_name="Người Năm Trước"
    )

    regs = {
        "delegate": _registration(
            session, this, o25["ticket"], u["delegate"], phone=SECRET_PHONE, email=SECRET_EMAIL
        ),
        "delegate2": _registration(session, this, o25["ticket"], u["delegate2"]),
        "stranger": _registration(session, this, o25["ticket"], u["stranger"]),
        "past": _registration(session, other, o24["ticket"], u["past_delegate"]),
    }
    for who in ("delegate", "stranger"):
        session.add(SessionSignup(session_id=o25["session"].id, user_id=u[who].id))
    o25["session"].seats_taken = 2
    session.add(o25["session"])

    for org, edition in ((s_org, this), (s2_org, this), (s_org, other), (s3_org, other)):
        session.add(
            StartupProfile(
                edition_id=edition.id,
                organisation_id=org.id,
                pitch_vi="Khởi nghiệp",
                sectors=["logistics"],
                stage="seed",
            )
        )
    for org, edition in ((i_org, this), (i2_org, this), (i_org, other), (i3_org, other)):
        session.add(
            InvestorProfile(
                edition_id=edition.id,
                organisation_id=org.id,
                thesis_vi="Đầu tư",
                sectors=["logistics"],
                stages=["seed"],
            )
        )
    booths25, booths24 = o25["booths"], o24["booths"]
    bookings = {
        "startup": BoothBooking(
            booth_id=booths25[0].id,
            organisation_id=s_org.id,
            requested_by_id=u["startup"].id,
            hold_expires_at=now_utc() + timedelta(days=2),
        ),
        "startup2": BoothBooking(
            booth_id=booths25[1].id,
            organisation_id=s2_org.id,
            requested_by_id=u["startup2"].id,
            hold_expires_at=now_utc() + timedelta(days=2),
        ),
        "past": BoothBooking(booth_id=booths24[0].id, organisation_id=s_org.id, status="approved"),
    }
    allowances = {
        "this": BoothAllowance(edition_id=this.id, organisation_id=s2_org.id, max_booths=2),
        "other": BoothAllowance(edition_id=other.id, organisation_id=s2_org.id, max_booths=2),
    }
    requests = {
        "own": MeetingRequest(
            edition_id=this.id,
            from_organisation_id=s_org.id,
            to_organisation_id=i_org.id,
            from_user_id=u["startup"].id,
            message="Xin gặp",
            expires_at=now_utc() + timedelta(days=3),
        ),
        "other": MeetingRequest(
            edition_id=this.id,
            from_organisation_id=s2_org.id,
            to_organisation_id=i2_org.id,
            from_user_id=u["startup2"].id,
            message="Xin gặp",
            expires_at=now_utc() + timedelta(days=3),
        ),
    }
    session.add_all([*bookings.values(), *allowances.values(), *requests.values()])
    session.flush()
    slots25, tables25 = o25["slots"], o25["tables"]
    meetings = {
        "own": Meeting(
            edition_id=this.id,
            startup_organisation_id=s_org.id,
            investor_organisation_id=i_org.id,
            slot_id=slots25[0].id,
            table_id=tables25[0].id,
            status="published",
            source="matcher",
        ),
        "other": Meeting(
            edition_id=this.id,
            startup_organisation_id=s2_org.id,
            investor_organisation_id=i2_org.id,
            slot_id=slots25[0].id,
            table_id=tables25[1].id,
            status="published",
            source="matcher",
        ),
        "past": Meeting(
            edition_id=other.id,
            startup_organisation_id=s_org.id,
            investor_organisation_id=i_org.id,
            slot_id=o24["slots"][0].id,
            table_id=o24["tables"][0].id,
            status="held",
            source="matcher",
        ),
    }
    this.meetings_published_at = now_utc()
    session.add(this)
    jobs = {
        "this": Job(edition_id=this.id, kind="matchmaking.run", status="done", progress=100),
        "other": Job(edition_id=other.id, kind="matchmaking.run", status="done", progress=100),
        "print": Job(edition_id=this.id, kind=PRINT_KIND, status="done", progress=100),
        "print_other": Job(edition_id=other.id, kind=PRINT_KIND, status="done", progress=100),
        "import": Job(edition_id=this.id, kind=IMPORT_KIND, status="done", progress=100),
        "import_other": Job(edition_id=other.id, kind=IMPORT_KIND, status="done", progress=100),
    }
    data_requests = {
        "this": DataRequest(user_id=u["stranger"].id, edition_id=this.id, kind="export"),
        "other": DataRequest(user_id=u["past_delegate"].id, edition_id=other.id, kind="export"),
    }
    documents = {
        who: Document(
            edition_id=this.id,
            kind="agenda",
            key=f"user:{u[who].id}:vi",
            owner_user_id=u[who].id,
            content_hash="x",
            filename="agenda.pdf",
            pdf=b"%PDF-1.4 test",
            pages=1,
        )
        for who in ("delegate", "delegate2", "stranger")
    }
    session.add_all([*meetings.values(), *jobs.values(), *data_requests.values()])
    documents["past"] = Document(
        edition_id=other.id,
        kind="agenda",
        key="all",
        content_hash="x",
        filename="agendas.pdf",
        pdf=b"%PDF-1.4 old",
    )
    session.add_all(documents.values())
    session.flush()
    session.add(CheckIn(edition_id=other.id, registration_id=regs["past"].id))
    # each startup holds one booth where its staff scanned a delegate who shares nothing
    held = {
        "startup": BoothBooking(
            booth_id=booths25[3].id, organisation_id=s_org.id, status="approved"
        ),
    }
    session.add_all(held.values())
    session.flush()
    leads = {
        "own": Lead(
            edition_id=this.id,
            booth_id=booths25[3].id,
            organisation_id=s_org.id,
            registration_id=regs["delegate"].id,
            visitor_user_id=u["delegate"].id,
            note="Quan tâm",
        ),
        "other": Lead(
            edition_id=this.id,
            booth_id=booths25[1].id,
            organisation_id=s2_org.id,
            registration_id=regs["delegate2"].id,
            visitor_user_id=u["delegate2"].id,
        ),
    }
    session.add_all(leads.values())
    session.flush()
    # invitations to staff a booth: the startup's own, and its rival's
    invites = {
        case: StaffInvite(
            edition_id=this.id,
            organisation_id=org.id,
            email=f"helper.{case}@example.vn",
            expires_at=now_utc() + timedelta(days=7),
        )
        for case, org in (("own", s_org), ("other", s2_org))
    }
    session.add_all(invites.values())
    session.flush()
    # conversations: the strangers' one was reported in 2025, and one of 2024 too
    threads = {
        "reported": MessageThread(
            edition_id=this.id,
            startup_organisation_id=s2_org.id,
            investor_organisation_id=i2_org.id,
            last_message_at=now_utc(),
            reported_at=now_utc(),
            reported_by_organisation_id=s2_org.id,
            report_reason="Lời lẽ khiếm nhã",
        ),
        "past": MessageThread(
            edition_id=other.id,
            startup_organisation_id=s_org.id,
            investor_organisation_id=i_org.id,
            last_message_at=now_utc(),
            reported_at=now_utc(),
            reported_by_organisation_id=s_org.id,
            report_reason="Spam",
        ),
    }
    session.add_all(threads.values())
    session.flush()
    for thread, sender in ((threads["reported"], u["investor2"]), (threads["past"], u["investor"])):
        session.add(
            Message(
                thread_id=thread.id,
                sender_organisation_id=sender.organisation_id,
                sender_user_id=sender.id,
                body="Gửi số liệu ngay",
            )
        )
    session.flush()
    payment_orders = _payment_objects(session, this, other, u, regs)

    ids = world.ids
    ids.update(
        edition=this.id,
        other_edition=other.id,
        s_org=s_org.id,
        s2_org=s2_org.id,
        i_org=i_org.id,
        i2_org=i2_org.id,
        s3_org=s3_org.id,
        i3_org=i3_org.id,
    )
    for key in ("ticket", "zone", "room", "track", "session", "session2"):
        ids[key] = o25[key].id
        ids[f"{key}_other"] = o24[key].id
    ids.update(
        booth_booked=booths25[0].id,
        booth_free=booths25[2].id,
        booth_other=booths24[0].id,
        slot=slots25[1].id,
        slot_other=o24["slots"][0].id,
        table=tables25[0].id,
        table_other=o24["tables"][0].id,
    )
    for who, reg in regs.items():
        ids[f"registration_{who}"] = reg.id
    for key, value in payment_orders.items():
        ids[key] = value
    for who, booking in bookings.items():
        ids[f"booking_{who}"] = booking.id
    for case, obj in allowances.items():
        ids[f"allowance_{case}"] = obj.id
    for case, obj in requests.items():
        ids[f"mrequest_{case}"] = obj.id
    for case, obj in meetings.items():
        ids[f"meeting_{case}"] = obj.id
    for case, obj in jobs.items():
        ids[f"job_{case}"] = obj.id
    for case, obj in data_requests.items():
        ids[f"datarequest_{case}"] = obj.id
    for who, doc in documents.items():
        ids[f"document_{who}"] = doc.id
    ids.update(booth_leads=booths25[3].id, booth_leads_other=booths25[1].id)
    for case, obj in leads.items():
        ids[f"lead_{case}"] = obj.id
    for case, obj in threads.items():
        ids[f"thread_{case}"] = obj.id
    for case, obj in invites.items():
        ids[f"invite_{case}"] = obj.id
    for who, user in u.items():
        ids[f"user_{who}"] = user.id
        world.tokens[who] = user.feed_token
    return world

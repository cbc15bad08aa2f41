"""A small festival with rooms, sessions, booths, meetings and registrations to print."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from sqlmodel import Session

from techfest.auth.models import User
from techfest.booths.models import Booth, BoothBooking, Zone
from techfest.core.models import Edition, Organisation
from techfest.matchmaking.models import Meeting, MeetingSlot, MeetingTable
from techfest.programme.models import ProgrammeSession, Room, SessionSignup, Track
from techfest.registration.models import Registration, TicketType
from tests.factories import local, make_edition, make_org, make_user

LONG_NAME = "Tôn Nữ Hoàng Phương Thảo Nguyễn Phước Bửu Long Công Huyền Tôn Nữ Minh Châu"
LONG_TITLE = (
    "Chuyển đổi số toàn diện cho doanh nghiệp nhỏ và vừa ở Hải Phòng: trí tuệ nhân tạo, "
    "dữ liệu lớn, điện toán đám mây và an ninh mạng trong chuỗi cung ứng cảng biển"
)


@dataclass
class Festival:
    edition: Edition
    mai: User
    investor: User
    founder: User
    organiser: User
    startup: Organisation
    fund: Organisation
    sessions: dict[str, ProgrammeSession] = field(default_factory=dict)
    rooms: dict[str, Room] = field(default_factory=dict)
    tables: list[MeetingTable] = field(default_factory=list)
    users: list[User] = field(default_factory=list)


def register(session: Session, edition: Edition, user: User, ticket: TicketType, **fields):
    reg = Registration(
        edition_id=edition.id,
        user_id=user.id,
        ticket_type_id=ticket.id,
        full_name=fields.pop("full_name", user.full_name),
        email=user.email,
        organisation_name=fields.pop("organisation_name", ""),
        job_title=fields.pop("job_title", user.job_title),
        language=fields.pop("language", user.locale),
        **fields,
    )
    session.add(reg)
    session.flush()
    return reg


def sign_up(session: Session, ps: ProgrammeSession, user: User, status: str = "seated"):
    session.add(SessionSignup(session_id=ps.id, user_id=user.id, status=status))
    if status == "seated":
        ps.seats_taken += 1
        session.add(ps)
    session.flush()


def build_festival(session: Session, year: int = 2025) -> Festival:
    edition = make_edition(
        session,
        year,
        venue_vi="Trung tâm Hội nghị và Biểu diễn Thành phố",
        venue_en="City Conference and Performance Centre",
        theme_vi="Đổi mới sáng tạo vì thành phố cảng",
        theme_en="Innovation for the port city",
    )
    ticket = TicketType(
        edition_id=edition.id, code="free", name_vi="Miễn phí", name_en="Free", capacity=5000
    )
    session.add(ticket)
    zone = Zone(edition_id=edition.id, code="A", name_vi="Khu A", name_en="Zone A", color="#1aa3a3")
    session.add(zone)
    hall = Room(
        edition_id=edition.id,
        code="H1",
        name_vi="Hội trường lớn",
        name_en="Main hall",
        capacity=300,
        location_vi="Tầng 1, cửa chính",
        location_en="Ground floor, main entrance",
    )
    lab = Room(
        edition_id=edition.id,
        code="R2",
        name_vi="Phòng hội thảo 2",
        name_en="Workshop room 2",
        capacity=40,
        location_vi="Tầng 2",
        location_en="First floor",
    )
    forum = Track(edition_id=edition.id, code="F", name_vi="Diễn đàn", name_en="Forums")
    workshop = Track(
        edition_id=edition.id, code="W", name_vi="Hội thảo", name_en="Workshops", color="#1c8a55"
    )
    session.add_all([hall, lab, forum, workshop])
    session.flush()

    def programme(code, day, start, end, room, track, title_vi, title_en, speakers=()):
        ps = ProgrammeSession(
            edition_id=edition.id,
            code=code,
            track_id=track.id,
            room_id=room.id,
            title_vi=title_vi,
            title_en=title_en,
            speakers=list(speakers),
            starts_at=local(year, 10, 8 + day, *start),
            ends_at=local(year, 10, 8 + day, *end),
            capacity=room.capacity,
        )
        session.add(ps)
        session.flush()
        return ps

    sessions = {
        "opening": programme(
            "S1",
            1,
            (9, 0),
            (10, 30),
            hall,
            forum,
            "Khai mạc Techfest Hải Phòng",
            "Techfest Hai Phong opening",
            [{"name": "Lê Văn Hùng", "organisation": "Sở Khoa học và Công nghệ"}],
        ),
        "ai": programme(
            "S2",
            1,
            (14, 0),
            (15, 30),
            lab,
            workshop,
            "Trí tuệ nhân tạo cho cảng biển",
            "AI for seaports",
            [{"name": "Phạm Thu Hà", "organisation": "VinAI"}],
        ),
        "long": programme(
            "S3", 3, (9, 0), (11, 0), hall, forum, LONG_TITLE, "Digital transformation"
        ),
    }
    booths = []
    for i in range(6):
        booth = Booth(
            edition_id=edition.id, zone_id=zone.id, code=f"A{i + 1:02d}", x=i * 40, y=0, w=30, h=30
        )
        session.add(booth)
        booths.append(booth)
    session.flush()

    startup = make_org(session, "startup", "Công ty Cổ phần Cảng Thông Minh")
    fund = make_org(session, "investor", "Quỹ Đầu tư Sóng Biển")
    other_fund = make_org(session, "investor", "Mekong Capital Partners")
    session.add(BoothBooking(booth_id=booths[2].id, organisation_id=startup.id, status="approved"))
    organiser = make_user(
        session, edition, "organiser", email="org@example.vn", full_name="Ban Tổ chức"
    )
    mai = make_user(
        session,
        edition,
        "delegate",
        email="mai@example.vn",
        full_name="Nguyễn Thị Mai",
        job_title="Kỹ sư phần mềm",
    )
    founder = make_user(
        session,
        edition,
        "startup",
        email="founder@example.vn",
        full_name="Trần Quốc Bảo",
        organisation=startup,
        job_title="Nhà sáng lập",
    )
    investor = make_user(
        session,
        edition,
        "investor",
        email="investor@example.vn",
        full_name="Sarah Lim",
        organisation=fund,
        locale="en",
        job_title="Partner",
    )
    make_user(session, edition, "investor", full_name="Đỗ Minh Khoa", organisation=other_fund)
    register(session, edition, mai, ticket, organisation_name="Sở Khoa học và Công nghệ Hải Phòng")
    register(session, edition, founder, ticket)
    sign_up(session, sessions["opening"], mai)
    sign_up(session, sessions["ai"], mai)
    sign_up(session, sessions["opening"], founder)
    sign_up(session, sessions["long"], founder, status="waitlisted")

    slots = []
    for start, end in (((13, 30), (13, 50)), ((13, 55), (14, 15)), ((14, 20), (14, 40))):
        slot = MeetingSlot(
            edition_id=edition.id,
            day=2,
            block="afternoon",
            starts_at=local(year, 10, 10, *start),
            ends_at=local(year, 10, 10, *end),
        )
        session.add(slot)
        slots.append(slot)
    tables = [
        MeetingTable(
            edition_id=edition.id,
            number=1,
            label="T01",
            location_vi="Khu kết nối, dãy 1",
            location_en="Connection area, row 1",
            booth_id=booths[4].id,
        ),
        MeetingTable(
            edition_id=edition.id,
            number=2,
            label="T02",
            location_vi="Khu kết nối, dãy 1",
            location_en="Connection area, row 1",
        ),
    ]
    session.add_all(tables)
    session.flush()
    session.add(
        Meeting(
            edition_id=edition.id,
            startup_organisation_id=startup.id,
            investor_organisation_id=fund.id,
            slot_id=slots[0].id,
            table_id=tables[0].id,
            status="published",
            reasons_vi=["Cùng quan tâm logistics cảng biển", "Giai đoạn hạt giống"],
            reasons_en=["Both focus on port logistics", "Seed stage"],
        )
    )
    session.add(
        Meeting(
            edition_id=edition.id,
            startup_organisation_id=startup.id,
            investor_organisation_id=other_fund.id,
            slot_id=slots[2].id,
            table_id=tables[1].id,
            status="published",
            reasons_vi=["Khoản đầu tư phù hợp"],
            reasons_en=["Ticket size fits"],
        )
    )
    session.add(
        Meeting(
            edition_id=edition.id,
            startup_organisation_id=startup.id,
            investor_organisation_id=other_fund.id,
            slot_id=slots[1].id,
            table_id=tables[1].id,
            status="draft",
        )
    )
    session.flush()
    return Festival(
        edition=edition,
        mai=mai,
        investor=investor,
        founder=founder,
        organiser=organiser,
        startup=startup,
        fund=fund,
        sessions=sessions,
        rooms={"hall": hall, "lab": lab},
        tables=tables,
    )


@pytest.fixture
def festival(session) -> Festival:
    fest = build_festival(session)
    session.commit()
    return fest

"""The check-in desk of the tests: an edition, its organiser and two delegates."""

import pytest

from tests.factories import make_edition, make_user
from tests.factories.registration import make_ticket
from tests.organiser.builders import register


@pytest.fixture
def desk(session):
    """An edition with an organiser at the desk and two delegates, one waitlisted."""
    edition = make_edition(session)
    make_user(session, edition, "organiser", email="desk@techfest.vn")
    ticket = make_ticket(session, edition, name_vi="Đại biểu", name_en="Delegate")
    mai = make_user(session, edition, email="mai@example.vn", full_name="Nguyễn Thị Mai")
    reg = register(session, edition, mai, ticket, organisation_name="Cảng Hải Phòng")
    late = make_user(session, edition, email="late@example.vn", full_name="Đỗ Văn Muộn")
    waiting = register(session, edition, late, ticket, "waitlisted", waitlist_position=1)
    session.commit()
    return {"edition": edition, "reg": reg, "user": mai, "waiting": waiting}

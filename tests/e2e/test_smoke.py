"""A visitor finds the festival in Vietnamese, switches to English and logs in."""

import pytest

from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e


def test_home_in_vietnamese_then_english_then_login(page, live_server, viewport):
    page.goto(live_server + "/")
    assert page.locator("html").get_attribute("lang") == "vi"
    assert "Techfest Hải Phòng" in page.title()
    if viewport == "phone":
        page.click("button.navbar-toggler")
    page.click("a[hreflang=en]")
    assert page.locator("html").get_attribute("lang") == "en"
    log_in(page, live_server, "delegate@techfest.vn")
    assert "Nguyễn Thị Mai" in page.content()
    assert page.console_errors == []

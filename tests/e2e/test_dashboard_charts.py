"""The organiser dashboard's charts are readable where they are shown: text of at least
12 px at 1280 and 390 px wide, no label cut off at the chart's edge, dates with a year."""

from __future__ import annotations

import re

import pytest

from tests.e2e.conftest import log_in

MEASURE = """() => [...document.querySelectorAll('svg.tf-chart')]
  .filter(svg => svg.getBoundingClientRect().width > 0)
  .map(svg => {
    const box = svg.getBoundingClientRect();
    const texts = [...svg.querySelectorAll('text')].map(t => {
      const r = t.getBoundingClientRect();
      return {text: t.textContent, size: r.height, px: parseFloat(getComputedStyle(t).fontSize)
        * box.width / svg.viewBox.baseVal.width,
        out: r.left < box.left - 0.5 || r.right > box.right + 0.5
          || r.top < box.top - 0.5 || r.bottom > box.bottom + 0.5};
    });
    return {title: svg.getAttribute('aria-label'), texts};
  })"""


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_dashboard_chart_text_is_readable_and_whole(live_server, page, viewport, lang):
    log_in(page, live_server, "organiser@techfest.vn")
    page.goto(f"{live_server}/lang/{lang}")
    page.goto(f"{live_server}/2025/organiser/")

    charts = page.evaluate(MEASURE)

    assert len(charts) >= 6
    small = [
        (c["title"], t["text"], round(t["px"], 1))
        for c in charts
        for t in c["texts"]
        if t["px"] < 12
    ]
    assert small == []
    cut = [(c["title"], t["text"]) for c in charts for t in c["texts"] if t["out"]]
    assert cut == []
    title = "Lượt đăng ký theo thời gian" if lang == "vi" else "Registrations over time"
    curve = next(c for c in charts if c["title"] == title)
    dates = [t["text"] for t in curve["texts"] if not re.fullmatch(r"[\d.]+", t["text"])]
    # the registrations curve's dates carry their year, written as the language writes it
    pattern = r"\d{1,2}/\d{1,2}/\d{4}" if lang == "vi" else r"\d{1,2} [A-Z][a-z]{2} \d{4}"
    assert dates
    assert all(re.fullmatch(pattern, d) for d in dates), dates

"""The small SVG chart helpers."""

from techfest.organiser.charts import (
    Series,
    bar_chart,
    hbar_chart,
    histogram_counts,
    line_chart,
    nice_max,
)


def test_nice_max_rounds_up_to_a_readable_axis_top():
    assert [nice_max(v) for v in (0, 3, 7, 12, 230, 1000)] == [1, 5, 10, 20, 250, 1000]


def test_histogram_counts_fills_the_gaps_from_zero():
    assert histogram_counts([0, 2, 2, 5]) == [(0, 1), (1, 0), (2, 2), (3, 0), (4, 0), (5, 1)]


def test_bar_chart_escapes_labels_and_draws_one_rect_per_value():
    svg = bar_chart("<b>", ["A&B", "C"], [Series("x", [1, 2]), Series("y", [3, 4])], stacked=True)

    assert "<b>" not in svg
    assert "A&amp;B" in svg
    # drawn twice: for the wide and the narrow frame
    assert svg.count('class="tf-series-0" x=') == 4
    assert svg.count('class="tf-series-1" x=') == 4


def test_line_chart_has_a_dot_per_point():
    svg = line_chart("Registrations", ["1", "2", "3"], [1, 4, 9])

    assert svg.count("<circle") == 6
    assert "<polyline" in svg


def test_hbar_chart_has_a_bar_and_a_value_per_row():
    svg = hbar_chart("Fill", ["D1-AI · Trí tuệ nhân tạo", "D2-LOG"], [50.0, 12.5], "%")

    assert svg.count('class="tf-series-0" x=') == 4
    assert ">50%</text>" in svg
    assert ">12.5%</text>" in svg


def test_every_chart_is_drawn_for_a_wide_and_a_narrow_frame_with_its_text_size():
    svg = line_chart("Registrations", ["9/10/2025", "10/10/2025"], [1, 4])

    assert svg.count('<svg class="tf-chart tf-chart-wide" viewBox="0 0 640 ') == 1
    assert svg.count('<svg class="tf-chart tf-chart-narrow" viewBox="0 0 360 ') == 1
    assert 'font-size="16"' in svg
    assert 'font-size="15"' in svg
    assert svg.count(">10/10/2025</text>") == 2


def test_long_axis_labels_are_shortened_and_narrow_frames_show_fewer():
    labels = [f"Ngày {i} tháng mười hai" for i in range(1, 31)]

    svg = bar_chart("Days", labels, [Series("n", list(range(30)))])

    wide, narrow = svg.split('<svg class="tf-chart tf-chart-narrow"')
    assert "Ngày 1 tháng …</text>" in wide
    # every third label and the last one (the table has them all)
    assert wide.count('class="tf-axis" x=') - 5 == 11
    assert narrow.count('class="tf-axis" x=') - 5 == 6

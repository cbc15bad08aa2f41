"""Small server-side SVG charts: bars (stacked or grouped), a line, a histogram.

The SVG carries no inline style (the CSP forbids it): series colours come from the
classes `tf-series-0`, `tf-series-1`, ... in static/css/organiser.css. Each chart is a
`role="img"` with a title; the numbers themselves sit in a table next to it and in a CSV.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH = 640
HEIGHT = 280
MARGIN_LEFT = 56
MARGIN_RIGHT = 12
MARGIN_TOP = 12
MARGIN_BOTTOM = 56


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float]


def nice_max(value: float) -> float:
    """The smallest 1-2-5 step number at or above `value` (the top of the y axis)."""
    if value <= 0:
        return 1
    exponent = math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        top = step * 10**exponent
        if top >= value:
            return top
    return 10 ** (exponent + 1)  # pragma: no cover - the loop always returns


def _fmt(value: float) -> str:
    return f"{value:g}" if value != int(value) else str(int(value))


def _svg(title: str, body: list[str], height: int = HEIGHT) -> Markup:
    label = escape(title)
    # every piece of text in `body` went through escape() above
    return Markup(  # noqa: S704
        f'<svg class="tf-chart" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-label="{label}" xmlns="http://www.w3.org/2000/svg">'
        f"<title>{label}</title>{''.join(body)}</svg>"
    )


def _y_axis(top: float, plot_h: float, ticks: int = 4) -> list[str]:
    parts = []
    for i in range(ticks + 1):
        value = top * i / ticks
        y = MARGIN_TOP + plot_h - plot_h * i / ticks
        parts.append(
            f'<line class="tf-grid" x1="{MARGIN_LEFT}" x2="{WIDTH - MARGIN_RIGHT}" '
            f'y1="{y:.1f}" y2="{y:.1f}"/>'
            f'<text class="tf-axis" x="{MARGIN_LEFT - 6}" y="{y + 4:.1f}" '
            f'text-anchor="end">{_fmt(round(value, 2))}</text>'
        )
    return parts


def _x_label(x: float, text: str, plot_bottom: float, rotate: bool) -> str:
    short = text if len(text) <= 14 else text[:13] + "…"
    if rotate:
        return (
            f'<text class="tf-axis" x="{x:.1f}" y="{plot_bottom + 14:.1f}" text-anchor="end" '
            f'transform="rotate(-35 {x:.1f} {plot_bottom + 14:.1f})">{escape(short)}</text>'
        )
    return (
        f'<text class="tf-axis" x="{x:.1f}" y="{plot_bottom + 16:.1f}" '
        f'text-anchor="middle">{escape(short)}</text>'
    )


def _legend(series: Sequence[Series], y: float) -> list[str]:
    parts, x = [], MARGIN_LEFT
    for i, s in enumerate(series):
        parts.append(
            f'<rect class="tf-series-{i} tf-key" x="{x}" y="{y - 9}" width="10" height="10"/>'
            f'<text class="tf-legend" x="{x + 14}" y="{y}">{escape(s.name)}</text>'
        )
        x += 24 + 7 * len(s.name)
    return parts


def bar_chart(
    title: str, labels: Sequence[str], series: Sequence[Series], stacked: bool = False
) -> Markup:
    """Vertical bars per label: one bar per series side by side, or stacked."""
    legend = len(series) > 1
    height = HEIGHT + (20 if legend else 0)
    plot_w = WIDTH - MARGIN_LEFT - MARGIN_RIGHT
    plot_h = HEIGHT - MARGIN_TOP - MARGIN_BOTTOM
    n = max(len(labels), 1)
    if stacked:
        peak = max((sum(s.values[i] for s in series) for i in range(len(labels))), default=0)
    else:
        peak = max((v for s in series for v in s.values), default=0)
    top = nice_max(peak)
    band = plot_w / n
    bar_w = band * 0.7 / (1 if stacked else max(len(series), 1))
    bottom = MARGIN_TOP + plot_h
    rotate = n > 8 or any(len(label) > 10 for label in labels)
    body = _y_axis(top, plot_h)
    for i, label in enumerate(labels):
        x0 = MARGIN_LEFT + band * i + band * 0.15
        base = 0.0
        for k, s in enumerate(series):
            value = s.values[i]
            h = plot_h * value / top
            x = x0 if stacked else x0 + bar_w * k
            y = bottom - h - (plot_h * base / top if stacked else 0)
            body.append(
                f'<rect class="tf-series-{k}" x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" '
                f'height="{h:.1f}"><title>{escape(label)} · {escape(s.name)}: '
                f"{_fmt(value)}</title></rect>"
            )
            if stacked:
                base += value
        body.append(_x_label(MARGIN_LEFT + band * (i + 0.5), label, bottom, rotate))
    body.append(
        f'<line class="tf-baseline" x1="{MARGIN_LEFT}" x2="{WIDTH - MARGIN_RIGHT}" '
        f'y1="{bottom}" y2="{bottom}"/>'
    )
    if legend:
        body.extend(_legend(series, height - 6))
    return _svg(title, body, height)


def hbar_chart(
    title: str, labels: Sequence[str], values: Sequence[float], suffix: str = ""
) -> Markup:
    """Horizontal bars, one row per label: for many items with long names (sessions)."""
    row_h, label_w, pad = 18, 176, 36
    height = MARGIN_TOP + row_h * max(len(labels), 1) + 24
    plot_w = WIDTH - label_w - MARGIN_RIGHT - pad
    top = nice_max(max(values, default=0))
    body = []
    for i in range(5):
        x = label_w + plot_w * i / 4
        body.append(
            f'<line class="tf-grid" x1="{x:.1f}" x2="{x:.1f}" y1="{MARGIN_TOP}" '
            f'y2="{height - 20}"/><text class="tf-axis" x="{x:.1f}" y="{height - 6}" '
            f'text-anchor="middle">{_fmt(round(top * i / 4, 2))}</text>'
        )
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = MARGIN_TOP + row_h * i
        w = plot_w * value / top
        short = label if len(label) <= 26 else label[:25] + "…"
        body.append(
            f'<text class="tf-axis" x="{label_w - 6}" y="{y + row_h * 0.7:.1f}" '
            f'text-anchor="end">{escape(short)}</text>'
            f'<rect class="tf-series-0" x="{label_w}" y="{y + 3}" width="{w:.1f}" '
            f'height="{row_h - 6}"><title>{escape(label)}: {_fmt(value)}{escape(suffix)}'
            "</title></rect>"
            f'<text class="tf-axis" x="{label_w + w + 4:.1f}" y="{y + row_h * 0.7:.1f}">'
            f"{_fmt(value)}{escape(suffix)}</text>"
        )
    return _svg(title, body, height)


@dataclass(frozen=True)
class MapBooth:
    code: str
    x: int
    y: int
    w: int
    h: int
    #: 'free', 'held', 'taken' or 'blocked'
    state: str


def floor_map(title: str, booths: Sequence[MapBooth], names: dict[str, str]) -> Markup:
    """The hall seen from above, each booth coloured by its state, with a legend."""
    if not booths:
        return Markup("")
    left = min(b.x for b in booths)
    top = min(b.y for b in booths)
    right = max(b.x + b.w for b in booths)
    bottom = max(b.y + b.h for b in booths)
    scale = (WIDTH - 2 * MARGIN_RIGHT) / max(right - left, 1)
    map_h = (bottom - top) * scale
    height = int(map_h + 2 * MARGIN_RIGHT + 24)
    body = []
    for b in booths:
        body.append(
            f'<rect class="tf-state-{escape(b.state)}" '
            f'x="{MARGIN_RIGHT + (b.x - left) * scale:.1f}" '
            f'y="{MARGIN_RIGHT + (b.y - top) * scale:.1f}" width="{b.w * scale:.1f}" '
            f'height="{b.h * scale:.1f}"><title>{escape(b.code)}: '
            f"{escape(names.get(b.state, b.state))}</title></rect>"
        )
    x = MARGIN_RIGHT
    for state, name in names.items():
        body.append(
            f'<rect class="tf-state-{state} tf-key" x="{x}" y="{height - 16}" width="10" '
            f'height="10"/><text class="tf-legend" x="{x + 14}" y="{height - 7}">'
            f"{escape(name)}</text>"
        )
        x += 24 + 7 * len(name)
    return _svg(title, body, height)


def line_chart(title: str, labels: Sequence[str], values: Sequence[float]) -> Markup:
    """One line through the points, with a dot on each (e.g. registrations per day)."""
    plot_w = WIDTH - MARGIN_LEFT - MARGIN_RIGHT
    plot_h = HEIGHT - MARGIN_TOP - MARGIN_BOTTOM
    top = nice_max(max(values, default=0))
    bottom = MARGIN_TOP + plot_h
    n = len(values)
    step = plot_w / (n - 1) if n > 1 else 0

    def point(i: int, v: float) -> tuple[float, float]:
        x = MARGIN_LEFT + (step * i if n > 1 else plot_w / 2)
        return x, bottom - plot_h * v / top

    body = _y_axis(top, plot_h)
    points = [point(i, v) for i, v in enumerate(values)]
    if points:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        body.append(f'<polyline class="tf-line" points="{path}"/>')
    every = max(1, math.ceil(n / 10))
    for i, ((x, y), label) in enumerate(zip(points, labels, strict=True)):
        body.append(
            f'<circle class="tf-dot" cx="{x:.1f}" cy="{y:.1f}" r="3">'
            f"<title>{escape(label)}: {_fmt(values[i])}</title></circle>"
        )
        if i % every == 0 or i == n - 1:
            body.append(_x_label(x, label, bottom, rotate=True))
    body.append(
        f'<line class="tf-baseline" x1="{MARGIN_LEFT}" x2="{WIDTH - MARGIN_RIGHT}" '
        f'y1="{bottom}" y2="{bottom}"/>'
    )
    return _svg(title, body)


def histogram_counts(values: Sequence[int]) -> list[tuple[int, int]]:
    """(value, how many) for every integer from 0 to the largest value, gaps included."""
    counts: dict[int, int] = {}
    for v in values:
        counts[v] = counts.get(v, 0) + 1
    return [(v, counts.get(v, 0)) for v in range(0, max(values, default=0) + 1)]


def histogram(title: str, values: Sequence[int], series_name: str) -> Markup:
    """Bars of how often each whole number occurs (e.g. meetings per startup)."""
    counts = histogram_counts(values)
    return bar_chart(
        title, [str(v) for v, _ in counts], [Series(series_name, [c for _, c in counts])]
    )

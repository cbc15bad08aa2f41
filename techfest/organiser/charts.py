"""Small server-side SVG charts: bars (stacked or grouped), a line, a histogram.

The SVG carries no inline style (the CSP forbids it): series colours come from the
classes `tf-series-0`, `tf-series-1`, ... in static/css/organiser.css. Each chart is a
`role="img"` with a title; the numbers themselves sit in a table next to it and in a CSV.

An SVG's text scales with the drawing, so one drawing cannot be readable both on a
phone and on a desktop: each chart is drawn twice, for a wide frame (shown from 576 px
up, at most 720 px wide) and a narrow one (phones), each with text of at least 12 px
where it is shown, fewer labels on the narrow axis, and margins measured from the labels
so that none is cut off. The stylesheet shows the one that fits.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

#: the rotation of x labels that do not fit side by side, in degrees
ROTATE = 35
#: glyph widths over the font size, for measuring labels (generous for system sans-serif)
WIDE_GLYPH, NARROW_GLYPH, GLYPH = 0.8, 0.38, 0.62


@dataclass(frozen=True)
class Frame:
    """The drawing's size in SVG units and its text size in the same units."""

    name: str
    width: int
    height: int
    font: float
    #: the most characters an axis label keeps before "…"
    label_chars: int
    #: the most x labels drawn along the axis (the others are in the table)
    max_labels: int
    margin_right: int = 12
    margin_top: int = 14


#: shown 512–720 px wide (dashboard columns): 16 units print 12–16 px
WIDE = Frame("wide", 640, 300, 16, 14, 10)
#: shown 300–560 px wide on phones: 15 units print 12.3–23 px
NARROW = Frame("narrow", 360, 300, 15, 11, 5)
FRAMES = (WIDE, NARROW)

# the wide frame's size, for callers that lay charts out
WIDTH, HEIGHT = WIDE.width, WIDE.height


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


def _short(text: str, frame: Frame, chars: int | None = None) -> str:
    limit = chars or frame.label_chars
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _text_width(text: str, frame: Frame) -> float:
    units = sum(
        WIDE_GLYPH
        if c.isupper() or c.isdigit() or c in "mwMW"
        else NARROW_GLYPH
        if c in " .,:;·'ijl|/-()"
        else GLYPH
        for c in text
    )
    return units * frame.font


def _svg(title: str, body: list[str], frame: Frame, height: float) -> str:
    label = escape(title)
    # every piece of text in `body` went through escape() above
    return (
        f'<svg class="tf-chart tf-chart-{frame.name}" viewBox="0 0 {frame.width} '
        f'{math.ceil(height)}" font-size="{frame.font:g}" role="img" aria-label="{label}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{label}</title>{"".join(body)}</svg>'
    )


def _both(draw: Callable[[Frame], str]) -> Markup:
    # each drawing escaped all text it holds
    return Markup("".join(draw(frame) for frame in FRAMES))  # noqa: S704


@dataclass(frozen=True)
class _Axes:
    """Where the plot sits inside the frame, measured from its labels."""

    left: float
    top: float
    width: float
    height: float
    rotate: bool

    @property
    def bottom(self) -> float:
        return self.top + self.height


def _axes(
    frame: Frame, top_value: float, labels: list[str], first_x: float, slot: float | None
) -> _Axes:
    """Margins wide enough for the y values and the x labels, rotated when they crowd.

    `first_x` is how far right of the plot's left edge the first x label sits; `slot` is
    the room each label has when centred under its bar (None: always rotated, as under a
    line whose last point sits on the plot's right edge).
    """
    y_text = max(_text_width(_fmt(round(top_value * i / 4, 2)), frame) for i in range(5))
    widest = max((_text_width(label, frame) for label in labels), default=0)
    rotate = slot is None or widest > slot * 0.9
    left = y_text + 10
    if rotate:
        angle = math.radians(ROTATE)
        # the first label, anchored at its end, reaches this far left of its point
        reach = _text_width(labels[0], frame) * math.cos(angle) + frame.font * 0.9 if labels else 0
        left = max(left, reach - first_x + 4)
        below = widest * math.sin(angle) + frame.font * 1.6
    else:
        below = frame.font * 2
    height = frame.height - frame.margin_top - below
    return _Axes(left, frame.margin_top, frame.width - left - frame.margin_right, height, rotate)


def _y_axis(frame: Frame, axes: _Axes, top: float, ticks: int = 4) -> list[str]:
    parts = []
    for i in range(ticks + 1):
        value = top * i / ticks
        y = axes.bottom - axes.height * i / ticks
        parts.append(
            f'<line class="tf-grid" x1="{axes.left:.1f}" x2="{frame.width - frame.margin_right}" '
            f'y1="{y:.1f}" y2="{y:.1f}"/>'
            f'<text class="tf-axis" x="{axes.left - 6:.1f}" y="{y + frame.font * 0.35:.1f}" '
            f'text-anchor="end">{_fmt(round(value, 2))}</text>'
        )
    return parts


def _x_label(frame: Frame, axes: _Axes, x: float, text: str) -> str:
    y = axes.bottom + frame.font * 1.2
    if axes.rotate:
        return (
            f'<text class="tf-axis" x="{x:.1f}" y="{y:.1f}" text-anchor="end" '
            f'transform="rotate(-{ROTATE} {x:.1f} {y:.1f})">{escape(text)}</text>'
        )
    return (
        f'<text class="tf-axis" x="{x:.1f}" y="{y:.1f}" text-anchor="middle">{escape(text)}</text>'
    )


def _shown(n: int, frame: Frame) -> set[int]:
    """Which of n x labels are drawn: evenly spread, the last one always."""
    every = max(1, math.ceil(n / frame.max_labels))
    return {i for i in range(n) if i % every == 0} | ({n - 1} if n else set())


def _legend(frame: Frame, series: Sequence[Series], y: float) -> tuple[list[str], float]:
    """Keys and names, wrapping onto more lines; returns the parts and the height used."""
    parts, x, line = [], 4.0, 0
    key = frame.font * 0.8
    for i, s in enumerate(series):
        name = _short(s.name, frame, 28)
        width = key + 6 + _text_width(name, frame) + frame.font
        if x > 4 and x + width > frame.width:
            x, line = 4.0, line + 1
        top = y + line * frame.font * 1.5
        parts.append(
            f'<rect class="tf-series-{i} tf-key" x="{x:.1f}" y="{top - key:.1f}" '
            f'width="{key:.1f}" height="{key:.1f}"/>'
            f'<text class="tf-legend" x="{x + key + 5:.1f}" y="{top:.1f}">{escape(name)}</text>'
        )
        x += width
    return parts, (line + 1) * frame.font * 1.5


def bar_chart(
    title: str, labels: Sequence[str], series: Sequence[Series], stacked: bool = False
) -> Markup:
    """Vertical bars per label: one bar per series side by side, or stacked."""
    return _both(lambda frame: _bar_chart(frame, title, labels, series, stacked))


def _bar_chart(
    frame: Frame, title: str, labels: Sequence[str], series: Sequence[Series], stacked: bool
) -> str:
    n = max(len(labels), 1)
    if stacked:
        peak = max((sum(s.values[i] for s in series) for i in range(len(labels))), default=0)
    else:
        peak = max((v for s in series for v in s.values), default=0)
    top = nice_max(peak)
    shown = _shown(len(labels), frame)
    texts = [_short(label, frame) for label in labels]
    visible = [t for i, t in enumerate(texts) if i in shown]
    band = (frame.width - 4 * frame.font - frame.margin_right) / n
    axes = _axes(frame, top, visible, band / 2, band)
    for _ in range(2):  # a wider margin narrows the bands: measure again with them
        band = axes.width / n
        axes = _axes(frame, top, visible, band / 2, band)
    band = axes.width / n
    bar_w = band * 0.7 / (1 if stacked else max(len(series), 1))
    body = _y_axis(frame, axes, top)
    for i, label in enumerate(labels):
        x0 = axes.left + band * i + band * 0.15
        base = 0.0
        for k, s in enumerate(series):
            value = s.values[i]
            h = axes.height * value / top
            x = x0 if stacked else x0 + bar_w * k
            y = axes.bottom - h - (axes.height * base / top if stacked else 0)
            body.append(
                f'<rect class="tf-series-{k}" x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" '
                f'height="{h:.1f}"><title>{escape(label)} · {escape(s.name)}: '
                f"{_fmt(value)}</title></rect>"
            )
            if stacked:
                base += value
        if i in shown:
            body.append(_x_label(frame, axes, axes.left + band * (i + 0.5), texts[i]))
    body.append(
        f'<line class="tf-baseline" x1="{axes.left:.1f}" x2="{frame.width - frame.margin_right}" '
        f'y1="{axes.bottom:.1f}" y2="{axes.bottom:.1f}"/>'
    )
    height = float(frame.height)
    if len(series) > 1:
        keys, used = _legend(frame, series, frame.height + frame.font * 0.4)
        body.extend(keys)
        height += used
    return _svg(title, body, frame, height)


def hbar_chart(
    title: str, labels: Sequence[str], values: Sequence[float], suffix: str = ""
) -> Markup:
    """Horizontal bars, one row per label: for many items with long names (sessions)."""
    return _both(lambda frame: _hbar_chart(frame, title, labels, values, suffix))


def _hbar_chart(
    frame: Frame, title: str, labels: Sequence[str], values: Sequence[float], suffix: str
) -> str:
    chars = 26 if frame is WIDE else 16
    texts = [_short(label, frame, chars) for label in labels]
    row_h = frame.font * 1.7
    label_w = max((_text_width(t, frame) for t in texts), default=0) + 12
    top = nice_max(max(values, default=0))
    pad = _text_width(f"{_fmt(top)}{suffix}", frame) + 6
    plot_w = frame.width - label_w - frame.margin_right - pad
    height = frame.margin_top + row_h * max(len(labels), 1) + frame.font * 2
    axis_y = height - frame.font * 0.5
    body = []
    for i in range(5):
        x = label_w + plot_w * i / 4
        body.append(
            f'<line class="tf-grid" x1="{x:.1f}" x2="{x:.1f}" y1="{frame.margin_top}" '
            f'y2="{height - frame.font * 1.6:.1f}"/><text class="tf-axis" x="{x:.1f}" '
            f'y="{axis_y:.1f}" text-anchor="middle">{_fmt(round(top * i / 4, 2))}</text>'
        )
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = frame.margin_top + row_h * i
        w = plot_w * value / top
        body.append(
            f'<text class="tf-axis" x="{label_w - 6:.1f}" y="{y + row_h * 0.7:.1f}" '
            f'text-anchor="end">{escape(texts[i])}</text>'
            f'<rect class="tf-series-0" x="{label_w:.1f}" y="{y + 3:.1f}" width="{w:.1f}" '
            f'height="{row_h - 6:.1f}"><title>{escape(label)}: {_fmt(value)}{escape(suffix)}'
            "</title></rect>"
            f'<text class="tf-axis" x="{label_w + w + 4:.1f}" y="{y + row_h * 0.7:.1f}">'
            f"{_fmt(value)}{escape(suffix)}</text>"
        )
    return _svg(title, body, frame, height)


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
    return _both(lambda frame: _floor_map(frame, title, booths, names))


def _floor_map(frame: Frame, title: str, booths: Sequence[MapBooth], names: dict[str, str]) -> str:
    left = min(b.x for b in booths)
    top = min(b.y for b in booths)
    right = max(b.x + b.w for b in booths)
    bottom = max(b.y + b.h for b in booths)
    margin = frame.margin_right
    scale = (frame.width - 2 * margin) / max(right - left, 1)
    map_h = (bottom - top) * scale
    body = []
    for b in booths:
        body.append(
            f'<rect class="tf-state-{escape(b.state)}" '
            f'x="{margin + (b.x - left) * scale:.1f}" '
            f'y="{margin + (b.y - top) * scale:.1f}" width="{b.w * scale:.1f}" '
            f'height="{b.h * scale:.1f}"><title>{escape(b.code)}: '
            f"{escape(names.get(b.state, b.state))}</title></rect>"
        )
    key = frame.font * 0.8
    x, line = 4.0, 0
    y0 = map_h + 2 * margin + frame.font
    for state, name in names.items():
        width = key + 6 + _text_width(name, frame) + frame.font
        if x > 4 and x + width > frame.width:
            x, line = 4.0, line + 1
        y = y0 + line * frame.font * 1.5
        body.append(
            f'<rect class="tf-state-{state} tf-key" x="{x:.1f}" y="{y - key:.1f}" '
            f'width="{key:.1f}" height="{key:.1f}"/><text class="tf-legend" '
            f'x="{x + key + 5:.1f}" y="{y:.1f}">{escape(name)}</text>'
        )
        x += width
    return _svg(title, body, frame, y0 + line * frame.font * 1.5 + frame.font * 0.6)


def line_chart(title: str, labels: Sequence[str], values: Sequence[float]) -> Markup:
    """One line through the points, with a dot on each (e.g. registrations per day)."""
    return _both(lambda frame: _line_chart(frame, title, labels, values))


def _line_chart(frame: Frame, title: str, labels: Sequence[str], values: Sequence[float]) -> str:
    top = nice_max(max(values, default=0))
    n = len(values)
    shown = _shown(n, frame)
    texts = [_short(label, frame) for label in labels]
    axes = _axes(frame, top, [t for i, t in enumerate(texts) if i in shown], 0, None)
    step = axes.width / (n - 1) if n > 1 else 0

    def point(i: int, v: float) -> tuple[float, float]:
        x = axes.left + (step * i if n > 1 else axes.width / 2)
        return x, axes.bottom - axes.height * v / top

    body = _y_axis(frame, axes, top)
    points = [point(i, v) for i, v in enumerate(values)]
    if points:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        body.append(f'<polyline class="tf-line" points="{path}"/>')
    for i, ((x, y), label) in enumerate(zip(points, labels, strict=True)):
        body.append(
            f'<circle class="tf-dot" cx="{x:.1f}" cy="{y:.1f}" r="3">'
            f"<title>{escape(label)}: {_fmt(values[i])}</title></circle>"
        )
        if i in shown:
            body.append(_x_label(frame, axes, x, texts[i]))
    body.append(
        f'<line class="tf-baseline" x1="{axes.left:.1f}" x2="{frame.width - frame.margin_right}" '
        f'y1="{axes.bottom:.1f}" y2="{axes.bottom:.1f}"/>'
    )
    return _svg(title, body, frame, frame.height)


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

"""The hall map of printed agendas, drawn from the booths' x/y/w/h.

The map of all booths is the same for everyone who reads one language: one PNG per
language, embedded once per PDF and only referenced by each page (as SVG, its hundreds of
booths were drawn again on every page, which was most of the time spent painting an
agenda). It names the zones and the hall's areas, prints each booth's code where it fits,
and draws the meeting tables that stand in the meeting area. What is marked for a person
(their booths, their meeting tables, each with its code) is a second, small SVG with the
same view box, laid over it; the legend above the map names exactly what it marks.
"""

from __future__ import annotations

import base64
import io
import math
from dataclasses import dataclass, field
from functools import lru_cache

from markupsafe import escape

from techfest.config import ROOT
from techfest.printing import render

PAD = 20
#: printed width of the map of each shape, in mm (print.css: .map-wide, .map-square, .map-tall)
PRINTED_MM = {"map-wide": 186, "map-square": 150, "map-tall": 90}
#: pixels across the shared PNG
PNG_WIDTH = 1800
MM_PER_PT = 0.3528
FONT_DIR = ROOT / "static" / "fonts"
#: the hall area where tables not placed at a booth stand
MEETING_AREA = "MEET"
BOOTH_MARK, TABLE_MARK = "#e4572e", "#f39c12"


@dataclass(frozen=True)
class Rect:
    code: str
    x: int
    y: int
    w: int
    h: int
    color: str = "#dfe6ec"


@dataclass(frozen=True)
class ZoneLabel:
    """A zone's name, printed above its booths in the zone's colour."""

    name_vi: str
    name_en: str
    color: str
    x: int
    y: int
    w: int


@dataclass(frozen=True)
class Area:
    """A named part of the hall without booths (stage, meeting area, entrance)."""

    code: str
    name_vi: str
    name_en: str
    x: int
    y: int
    w: int
    h: int


@dataclass
class HallMap:
    """View box of the hall and the shared base images (one per language, made on demand)."""

    box: tuple[int, int, int, int]
    #: CSS class choosing the printed width from the map's shape
    shape: str
    booths: list[Rect]
    zones: list[ZoneLabel]
    areas: list[Area]
    #: meeting tables drawn in the meeting area, by table id
    tables: dict[int, Rect]
    _bases: dict[str, str] = field(default_factory=dict)

    @property
    def units_per_pt(self) -> float:
        """Map units in one printed point: text sizes are given in points."""
        return self.box[2] / PRINTED_MM[self.shape] * MM_PER_PT

    def base_uri(self, lang: str) -> str:
        if lang not in self._bases:
            self._bases[lang] = _cached_png_uri(self, lang)
        return self._bases[lang]


def _data_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def _svg(box: tuple[int, int, int, int], inner: str) -> str:
    x, y, w, h = box
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="{x} {y} {w} {h}" '
        f'width="{w}" height="{h}">{inner}</svg>'
    )


def place_tables(area: Area, tables: list[tuple[int, int | None, int | None]]) -> dict[int, Rect]:
    """Squares for tables (id, column, row) in a grid inside the area, under its name.

    Tables without a column and row follow the placed ones by number. A tall area turns
    the grid so that the squares come out as large as they can.
    """
    if not tables:
        return {}
    placed = {tid: (c, r) for tid, c, r in tables if c is not None and r is not None}
    cols = max((c for c, _r in placed.values()), default=-1) + 1
    rest = [tid for tid, c, r in tables if tid not in placed]
    if rest:
        cols = cols or max(1, round(math.sqrt(len(rest) * area.w / max(area.h, 1))))
        start = max((r for _c, r in placed.values()), default=-1) + 1
        for k, tid in enumerate(rest):
            placed[tid] = (k % cols, start + k // cols)
    rows = max(r for _c, r in placed.values()) + 1
    top = area.y + 0.16 * area.h
    inner_w, inner_h = area.w * 0.92, area.h * 0.8
    turn = (inner_h > inner_w) != (rows > cols)
    across, down = (rows, cols) if turn else (cols, rows)
    cell = min(inner_w / across, inner_h / down)
    size = max(4, round(cell * 0.7))
    left = area.x + (area.w - cell * across) / 2
    out = {}
    for tid, (c, r) in placed.items():
        i, j = (r, c) if turn else (c, r)
        out[tid] = Rect(
            "",
            round(left + cell * i + (cell - size) / 2),
            round(top + cell * j + (cell - size) / 2),
            size,
            size,
        )
    return out


def build_map(
    booths: list[Rect],
    zones: list[ZoneLabel] | None = None,
    areas: list[Area] | None = None,
    tables: dict[int, Rect] | None = None,
) -> HallMap | None:
    if not booths:
        return None
    areas = areas or []
    shapes = [(b.x, b.y, b.w, b.h) for b in booths] + [(a.x, a.y, a.w, a.h) for a in areas]
    x0 = min(s[0] for s in shapes) - PAD
    y0 = min(s[1] for s in shapes) - PAD
    x1 = max(s[0] + s[2] for s in shapes) + PAD
    y1 = max(s[1] + s[3] for s in shapes) + PAD
    box = (x0, y0, x1 - x0, y1 - y0)
    ratio = (y1 - y0) / (x1 - x0)
    shape = "map-wide" if ratio <= 0.55 else "map-square" if ratio <= 1.1 else "map-tall"
    return HallMap(
        box=box,
        shape=shape,
        booths=booths,
        zones=zones or [],
        areas=areas,
        tables=tables or {},
    )


def _tint(color: str, amount: float = 0.35) -> tuple[int, int, int]:
    """The zone colour at `amount` over white, as the map prints it."""
    text = color.lstrip("#")
    try:
        r, g, b = (int(text[i : i + 2], 16) for i in (0, 2, 4))
    except ValueError:
        r, g, b = 0xDF, 0xE6, 0xEC
    return tuple(round(255 - amount * (255 - c)) for c in (r, g, b))  # type: ignore[return-value]


def _shade(color: str) -> tuple[int, int, int]:
    """The zone colour darkened enough to be read as text on white."""
    r, g, b = _tint(color, 1.0)
    light = (0.299 * r + 0.587 * g + 0.114 * b) / 255
    factor = min(1.0, 0.45 / light) if light > 0.45 else 1.0
    return (round(r * factor), round(g * factor), round(b * factor))


@lru_cache(maxsize=32)
def _font(weight: str, px: int):
    from PIL import ImageFont

    return ImageFont.truetype(str(FONT_DIR / f"BeVietnamPro-{weight}.ttf"), max(6, px))


def _fitted(draw, text: str, weight: str, px: float, width: float, smallest: float):
    """The font at `px`, smaller (down to `smallest`) while the text is wider than `width`."""
    size = px
    while True:
        font = _font(weight, round(size))
        if draw.textlength(text, font=font) <= width or size <= smallest:
            return font
        size *= 0.9


#: base images already drawn in this process, by what they show (an agenda downloaded
#: on its own builds its hall map again; drawing it takes a third of a second)
_DRAWN: dict[tuple, str] = {}


def _cached_png_uri(hall: HallMap, lang: str) -> str:
    key = (lang, hall.box, hall.shape, tuple(hall.booths), tuple(hall.zones))
    key += (tuple(hall.areas), tuple(sorted(hall.tables.items())))
    if key not in _DRAWN:
        if len(_DRAWN) >= 8:
            _DRAWN.clear()
        _DRAWN[key] = _png_uri(hall, lang)
    return _DRAWN[key]


def _png_uri(hall: HallMap, lang: str) -> str:
    from PIL import Image, ImageDraw

    x0, y0, w, h = hall.box
    scale = PNG_WIDTH / w
    pt = hall.units_per_pt * scale  # pixels in one printed point
    image = Image.new("RGB", (PNG_WIDTH, max(1, round(h * scale))), "#f7f9fb")
    draw = ImageDraw.Draw(image)

    def box(x, y, bw, bh):
        left, top = (x - x0) * scale, (y - y0) * scale
        return left, top, left + bw * scale, top + bh * scale

    for a in hall.areas:
        left, top, right, bottom = box(a.x, a.y, a.w, a.h)
        draw.rounded_rectangle(
            (left, top, right, bottom), radius=2 * pt, fill="#e9eef2", outline="#b7c3ce", width=2
        )
        name = a.name_en if lang == "en" else a.name_vi
        font = _fitted(draw, name, "SemiBold", 6.5 * pt, right - left - 2 * pt, 5.5 * pt)
        lines = _wrap(draw, name, font, right - left - 2 * pt)
        line_h = font.size * 1.2
        y = top + 1.2 * pt
        for line in lines[:3]:
            draw.text(((left + right) / 2, y), line, font=font, fill="#4a5866", anchor="ma")
            y += line_h
    code_font = _font("SemiBold", round(4.2 * pt))
    for b in hall.booths:
        left, top, right, bottom = box(b.x, b.y, b.w, b.h)
        draw.rectangle((left, top, right, bottom), fill=_tint(b.color), outline="#8d9aa6", width=2)
        if (
            draw.textlength(b.code, font=code_font) <= (right - left) * 0.92
            and (bottom - top) >= code_font.size * 1.1
        ):
            draw.text(
                ((left + right) / 2, (top + bottom) / 2),
                b.code,
                font=code_font,
                fill="#33414e",
                anchor="mm",
            )
    for t in hall.tables.values():
        draw.rectangle(box(t.x, t.y, t.w, t.h), fill="#ffffff", outline="#8d9aa6", width=2)
    for z in hall.zones:
        name = z.name_en if lang == "en" else z.name_vi
        left, top, right, _bottom = box(z.x, z.y, z.w, 0)
        font = _fitted(draw, name, "Bold", 6.5 * pt, right - left, 4.5 * pt)
        swatch = font.size * 0.7
        draw.rectangle(
            (left, top - 1.2 * pt - swatch, left + swatch, top - 1.2 * pt), fill=_shade(z.color)
        )
        draw.text(
            (left + swatch * 1.5, top - 0.8 * pt),
            name,
            font=font,
            fill=_shade(z.color),
            anchor="ls",
        )
    buffer = io.BytesIO()
    # a palette image: the map has a few flat colours, and each per-person PDF carries it
    image.quantize(colors=96, method=Image.Quantize.MEDIANCUT).save(buffer, "PNG", optimize=True)
    return render.add_asset(buffer.getvalue(), "image/png")


def _wrap(draw, text: str, font, width: float) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        if lines and draw.textlength(f"{lines[-1]} {word}", font=font) <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines


@dataclass(frozen=True)
class Mark:
    """Something marked for one person: a booth or a meeting table, with its label."""

    kind: str  # 'booth' or 'table'
    rect: Rect
    label: str


def marks_uri(hall: HallMap, marks: list[Mark]) -> str:
    """The person's booths and meeting tables, filled, each with its code in a tag.

    Empty when there is nothing to mark (most delegates): an empty overlay prints
    nothing, but costs a positioned box and an SVG drawing on every page.
    """
    if not marks:
        return ""
    unit = hall.units_per_pt
    size = 7.5 * unit
    x0, y0, w, h = hall.box
    shapes, tags = [], []
    # the zone names printed on the base map stay readable: tags go around them
    taken: list[tuple[float, float, float, float]] = [
        (z.x, z.y - 9 * unit, z.w, 9 * unit) for z in hall.zones
    ]
    for mark in marks:
        r = mark.rect
        fill = BOOTH_MARK if mark.kind == "booth" else TABLE_MARK
        grow = 0 if mark.kind == "booth" else max(0, (2.2 * unit - r.w) / 2)
        shapes.append(
            f'<rect x="{r.x - grow:.1f}" y="{r.y - grow:.1f}" width="{r.w + 2 * grow:.1f}" '
            f'height="{r.h + 2 * grow:.1f}" fill="{fill}" stroke="#17212b" '
            f'stroke-width="{0.5 * unit:.1f}"/>'
        )
        tag_w = (0.62 * len(mark.label) + 0.8) * size
        tag_h = 1.35 * size
        gap = grow + 0.6 * unit
        cx, cy = r.x + r.w / 2, r.y + r.h / 2
        candidates = [
            (cx - tag_w / 2, r.y - gap - tag_h),  # above
            (cx - tag_w / 2, r.y + r.h + gap),  # below
            (r.x - gap - tag_w, cy - tag_h / 2),  # left
            (r.x + r.w + gap, cy - tag_h / 2),  # right
        ]
        inside = [
            (min(max(x, x0), x0 + w - tag_w), min(max(y, y0), y0 + h - tag_h))
            for x, y in candidates
        ]
        left, top = next(
            (c for c in inside if not any(_overlaps((*c, tag_w, tag_h), t) for t in taken)),
            inside[0],
        )
        taken.append((left, top, tag_w, tag_h))
        tags.append(
            f'<rect x="{left:.1f}" y="{top:.1f}" width="{tag_w:.1f}" '
            f'height="{tag_h:.1f}" rx="{0.3 * size:.1f}" fill="#ffffff" stroke="{fill}" '
            f'stroke-width="{0.6 * unit:.1f}"/>'
            f'<text x="{left + tag_w / 2:.1f}" y="{top + tag_h * 0.74:.1f}" text-anchor="middle" '
            f'font-family="Be Vietnam Pro" font-weight="700" font-size="{size:.1f}" '
            f'fill="#17212b">{escape(mark.label)}</text>'
        )
    return _data_uri(_svg(hall.box, "".join(shapes) + "".join(tags)))


def _overlaps(a, b) -> bool:
    return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]


#: badge size and place inside each quarter of an A4 sheet, in mm
BADGE_W, BADGE_H, CELL_W, CELL_H = 90, 130, 105, 148.5


def cutmarks_uri() -> str:
    """Crop marks at the corners of the four badges of an A4 sheet (mm view box)."""
    lines = []
    for col in range(2):
        for row in range(2):
            left = col * CELL_W + (CELL_W - BADGE_W) / 2
            top = row * CELL_H + (CELL_H - BADGE_H) / 2
            for x in (left, left + BADGE_W):
                for y in (top, top + BADGE_H):
                    dx = -1 if x == left else 1
                    dy = -1 if y == top else 1
                    lines.append(f"M{x + dx} {y}h{dx * 4}M{x} {y + dy}v{dy * 4}")
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 210 297" width="210mm" '
        f'height="297mm"><path d="{"".join(lines)}" stroke="#000" stroke-width="0.2" '
        'fill="none"/></svg>'
    )
    return _data_uri(svg)

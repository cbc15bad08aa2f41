"""The hall map of printed agendas, drawn from the booths' x/y/w/h.

The map of all booths is the same for everyone: one PNG, embedded once per PDF and only
referenced by each page (as SVG, its hundreds of booths were drawn again on every page,
which was most of the time spent painting an agenda). What is marked for a person is a
second, tiny SVG with the same view box, laid over it.
"""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass

from techfest.printing import render

PAD = 20


@dataclass(frozen=True)
class Rect:
    code: str
    x: int
    y: int
    w: int
    h: int
    color: str = "#dfe6ec"


@dataclass(frozen=True)
class HallMap:
    """View box of the hall and the shared base image."""

    box: tuple[int, int, int, int]
    base_uri: str
    #: CSS class choosing the printed width from the map's shape
    shape: str


def _data_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def _svg(box: tuple[int, int, int, int], inner: str) -> str:
    x, y, w, h = box
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="{x} {y} {w} {h}" '
        f'width="{w}" height="{h}">{inner}</svg>'
    )


def build_map(booths: list[Rect]) -> HallMap | None:
    if not booths:
        return None
    x0 = min(b.x for b in booths) - PAD
    y0 = min(b.y for b in booths) - PAD
    x1 = max(b.x + b.w for b in booths) + PAD
    y1 = max(b.y + b.h for b in booths) + PAD
    box = (x0, y0, x1 - x0, y1 - y0)
    ratio = (y1 - y0) / (x1 - x0)
    shape = "map-wide" if ratio <= 0.55 else "map-square" if ratio <= 1.1 else "map-tall"
    return HallMap(box=box, base_uri=_png_uri(box, booths), shape=shape)


def _tint(color: str) -> tuple[int, int, int]:
    """The zone colour at 35 % over white, as the map prints it."""
    text = color.lstrip("#")
    try:
        r, g, b = (int(text[i : i + 2], 16) for i in (0, 2, 4))
    except ValueError:
        r, g, b = 0xDF, 0xE6, 0xEC
    return tuple(round(255 - 0.35 * (255 - c)) for c in (r, g, b))  # type: ignore[return-value]


def _png_uri(box: tuple[int, int, int, int], booths: list[Rect], width: int = 1400) -> str:
    from PIL import Image, ImageDraw

    x0, y0, w, h = box
    scale = width / w
    image = Image.new("RGB", (width, max(1, round(h * scale))), "#f7f9fb")
    draw = ImageDraw.Draw(image)
    for b in booths:
        left, top = (b.x - x0) * scale, (b.y - y0) * scale
        draw.rectangle(
            (left, top, left + b.w * scale, top + b.h * scale),
            fill=_tint(b.color),
            outline="#9aa7b3",
            width=2,
        )
    buffer = io.BytesIO()
    image.save(buffer, "PNG", optimize=True)
    return render.add_asset(buffer.getvalue(), "image/png")


def marks_uri(hall: HallMap, booth: Rect | None, tables: list[Rect]) -> str:
    """The person's booth (filled) and meeting tables (dots) on the map's view box.

    Empty when there is nothing to mark (most delegates): an empty overlay prints
    nothing, but costs a positioned box and an SVG drawing on every page.
    """
    if booth is None and not tables:
        return ""
    parts = []
    if booth is not None:
        parts.append(
            f'<rect x="{booth.x}" y="{booth.y}" width="{booth.w}" height="{booth.h}" '
            f'fill="#e4572e" stroke="#8c2a10" stroke-width="2"/>'
        )
    radius = max(6, hall.box[2] // 90)
    for table in tables:
        cx, cy = table.x + table.w // 2, table.y + table.h // 2
        parts.append(
            f'<circle cx="{cx}" cy="{cy}" r="{radius}" fill="#f39c12" stroke="#7a4a00" '
            f'stroke-width="2"/>'
        )
    return _data_uri(_svg(hall.box, "".join(parts)))


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

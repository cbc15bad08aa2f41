"""PDF files put together from the objects WeasyPrint made, without reading a PDF back.

A chunk of documents is laid out and drawn once; then each document needs its own PDF,
and the chunks together make the combined PDF. Reading the chunk's PDF back to split it
(pypdf parses every object again and clones it for each document) took a tenth of a
chunk's time, and merging the chunks again cost seconds in the parent process after the
last worker had finished. Here the objects are serialized once, while WeasyPrint still
holds them; a `Part` is some pages with every object they use (the shared resources:
fonts, images), numbered from FIRST, and a file is written by only shifting those
numbers. Objects 1 and 2 of every file are its catalog and its page tree.

Bookmarks (WeasyPrint makes them from the headings) go along with their pages, so the
combined PDF still lists every document.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

CATALOG, PAGES, FIRST = 1, 2, 3
#: an indirect reference; WeasyPrint writes no other generation than 0
_REFERENCE = re.compile(rb"(?<![\w.])(\d+) 0 R(?!\w)")
_STREAM = b"\nstream\n"


@dataclass(frozen=True)
class Bookmark:
    """An outline entry: its label, target (page index in the part, x, y) and children."""

    label: str
    page: int
    x: float
    y: float
    children: tuple[Bookmark, ...] = ()
    closed: bool = False


@dataclass(frozen=True)
class Part:
    """Pages with the objects they use; object FIRST + i is `objects[i]`.

    Each object is (dictionary, stream): references are only ever in the dictionary,
    so only that is rewritten when numbers move; the stream (with its "stream" and
    "endstream" keywords) is copied as it is.
    """

    objects: list[tuple[bytes, bytes]]
    #: object numbers of the pages, in order
    pages: list[int]
    bookmarks: tuple[Bookmark, ...] = field(default=())


def parts_of(pdf, ranges: Iterable[tuple[int, int]], bookmarks=()) -> list[Part]:
    """One Part per [start, end) page range of a pydyf PDF (a WeasyPrint finisher's)."""
    objects = _serialized(pdf)
    pages = [int(number) for number in pdf.pages["Kids"][::3]]
    # pages are reached only from the page tree, never through another page
    stop = {pdf.pages.number, pdf.catalog.number, *pages}
    found: dict[int, frozenset[int]] = {}

    def reached(number: int) -> frozenset[int]:
        if number not in found:
            inner = {number}
            for ref in _references(objects[number][0]):
                if ref in objects and ref not in stop:
                    inner |= reached(ref)
            found[number] = frozenset(inner)
        return found[number]

    tree = _bookmarks(bookmarks)
    out = []
    for start, end in ranges:
        used: set[int] = set()
        for page in pages[start:end]:
            used |= {page}
            for ref in _references(objects[page][0]):
                if ref in objects and ref not in stop:
                    used |= reached(ref)
        order = sorted(used)
        numbers = {old: FIRST + i for i, old in enumerate(order)}
        numbers[pdf.pages.number] = PAGES
        out.append(
            Part(
                objects=[(_renumber(objects[n][0], numbers), objects[n][1]) for n in order],
                pages=[numbers[page] for page in pages[start:end]],
                bookmarks=tuple(_shifted(b, -start) for b in tree if start <= b.page < end),
            )
        )
    return out


def write(parts: Sequence[Part], lang: str | None = None) -> bytes:
    """One PDF file of the parts' pages, in order."""
    bodies: list[bytes] = []
    kids: list[int] = []
    bookmarks: list[Bookmark] = []
    for part in parts:
        shift = len(bodies)
        for dictionary, stream in part.objects:
            bodies.append((_shift(dictionary, shift) if shift else dictionary) + stream)
        bookmarks += [_shifted(b, len(kids)) for b in part.bookmarks]
        kids += [page + shift for page in part.pages]
    catalog = b"<</Type /Catalog/Pages %d 0 R" % PAGES
    if lang:
        catalog += b"/Lang " + _text(lang)
    if bookmarks:
        root = FIRST + len(bodies)
        bodies += _outlines(bookmarks, root, kids)
        catalog += b"/Outlines %d 0 R" % root
    tree = b"<</Type /Pages/Kids [%s]/Count %d>>" % (
        b" ".join(b"%d 0 R" % kid for kid in kids),
        len(kids),
    )
    return _file([catalog + b">>", tree, *bodies])


def _serialized(pdf) -> dict[int, tuple[bytes, bytes]]:
    """Every object of the PDF once, as (dictionary, stream); content streams compress here."""
    out = {}
    for obj in pdf.objects:
        if obj.free == "f" or not obj.number:
            continue
        data = obj.data
        head, sep, tail = data.partition(_STREAM)
        out[obj.number] = (head, sep + tail) if sep else (data, b"")
    return out


def _references(dictionary: bytes) -> set[int]:
    return {int(number) for number in _REFERENCE.findall(dictionary)}


def _renumber(dictionary: bytes, numbers: dict[int, int]) -> bytes:
    """References to objects outside the part (another document's page) become null."""

    def replace(match: re.Match) -> bytes:
        new = numbers.get(int(match[1]))
        return b"null" if new is None else b"%d 0 R" % new

    return _REFERENCE.sub(replace, dictionary)


def _shift(dictionary: bytes, shift: int) -> bytes:
    def replace(match: re.Match) -> bytes:
        number = int(match[1])
        return b"%d 0 R" % (number + shift if number >= FIRST else number)

    return _REFERENCE.sub(replace, dictionary)


def _bookmarks(tree) -> list[Bookmark]:
    """WeasyPrint's bookmark tree (label, (page, x, y), children, state) as Bookmarks."""
    return [
        Bookmark(label, page, x, y, tuple(_bookmarks(children)), state == "closed")
        for label, (page, x, y), children, state in tree
    ]


def _shifted(bookmark: Bookmark, pages: int) -> Bookmark:
    return Bookmark(
        bookmark.label,
        bookmark.page + pages,
        bookmark.x,
        bookmark.y,
        tuple(_shifted(child, pages) for child in bookmark.children),
        bookmark.closed,
    )


def _outlines(bookmarks: list[Bookmark], root: int, kids: list[int]) -> list[bytes]:
    """The outline objects, the root (numbered `root`) first, as WeasyPrint writes them."""
    bodies: list[bytes] = [b""]

    def add(level: list[Bookmark], parent: int) -> tuple[list[int], int]:
        numbers: list[int] = []
        entries: list[dict[str, bytes]] = []
        visible = len(level)
        for bookmark in level:
            number = root + len(bodies)
            bodies.append(b"")
            numbers.append(number)
            children, count = add(list(bookmark.children), number)
            if not bookmark.closed:
                visible += count
            entry = {
                "Title": _text(bookmark.label),
                "Dest": b"[%d 0 R /XYZ %s %s 0]"
                % (kids[bookmark.page], _number(bookmark.x), _number(bookmark.y)),
                "Count": b"%d" % (-count if bookmark.closed else count),
                "Parent": b"%d 0 R" % parent,
            }
            if children:
                entry["First"] = b"%d 0 R" % children[0]
                entry["Last"] = b"%d 0 R" % children[-1]
            entries.append(entry)
        for i, (number, entry) in enumerate(zip(numbers, entries, strict=True)):
            if i:
                entry["Prev"] = b"%d 0 R" % numbers[i - 1]
            if i + 1 < len(numbers):
                entry["Next"] = b"%d 0 R" % numbers[i + 1]
            bodies[number - root] = _dictionary(entry)
        return numbers, visible

    top, count = add(bookmarks, root)
    bodies[0] = b"<</Count %d/First %d 0 R/Last %d 0 R>>" % (count, top[0], top[-1])
    return bodies


def _dictionary(entries: dict[str, bytes]) -> bytes:
    return b"<<" + b"".join(b"/%s %s" % (k.encode(), v) for k, v in entries.items()) + b">>"


def _text(value: str) -> bytes:
    """A PDF text string: literal when ASCII, else UTF-16 with its byte order mark."""
    try:
        return b"(" + re.sub(rb"([\\()])", rb"\\\1", value.encode("ascii")) + b")"
    except UnicodeEncodeError:
        return b"<feff" + value.encode("utf-16-be").hex().encode() + b">"


def _number(value: float) -> bytes:
    return (b"%f" % value).rstrip(b"0").rstrip(b".") or b"0"


def _file(bodies: list[bytes]) -> bytes:
    """A PDF file of the objects numbered 1, 2, … in order, with its cross-reference table."""
    out = [b"%PDF-1.7\n%\xf0\x9f\x96\xa4\n"]
    position = len(out[0])
    offsets = []
    for number, body in enumerate(bodies, start=1):
        offsets.append(position)
        chunk = b"%d 0 obj\n%s\nendobj\n" % (number, body)
        out.append(chunk)
        position += len(chunk)
    size = len(bodies) + 1
    out.append(b"xref\n0 %d\n0000000000 65535 f \n" % size)
    out.append(b"".join(b"%010d 00000 n \n" % offset for offset in offsets))
    out.append(
        b"trailer\n<</Size %d/Root %d 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (size, CATALOG, position)
    )
    return b"".join(out)

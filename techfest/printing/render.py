"""HTML to PDF with WeasyPrint: one document, or many documents in one layout pass.

Nothing here touches the database or Flask: the functions take HTML strings and give
back PDF bytes, so they run in worker processes too. WeasyPrint may only read the
project's own files under static/ (fonts, images) and data: URIs.

Where the time goes when every document is its own `HTML(...).write_pdf()`: parsing the
stylesheet and loading the @font-face fonts again for each document, a fresh image cache
(the hall map is parsed again for every person), then font subsetting and PDF writing per
file. `render_many` pays those once per chunk: the documents of a chunk are sections of
one HTML document, laid out once with a shared stylesheet, font configuration and image
cache; each section starts a new page, and the pages of each section are found in the
laid-out boxes. The chunk's PDF is then split per document, and the chunks are joined
into the combined PDF, with pikepdf (qpdf): 1 ms a document, where reading the chunk
back with pypdf took a tenth of the chunk's time. Bookmarks (WeasyPrint makes them from
the headings) go along with their pages, so the combined PDF lists every document.

A section carries no `id` or `lang` attribute: WeasyPrint turns those into declarations
of that one element, and an element with its own declarations shares no computed style
with its siblings, nor do any of its descendants. Without them, every agenda of a chunk
reuses the styles the first one computed (a third of the layout time); the language is
a class the stylesheet maps to WeasyPrint's `lang` property instead.

Images every document shares (the hall map, the QR code of the online agenda) are
"asset:" URLs served from memory, not data: URIs repeated in each document's HTML: the
HTML parser was spending more time reading the same base64 map again and again than on
anything else. Chunks run on a pool of worker processes. Layout allocates millions of small objects
that live until the chunk is written, so Python's cyclic garbage collector is paused while
a chunk renders (a quarter of the layout time went to collections that freed nothing).
"""

from __future__ import annotations

import atexit
import contextlib
import gc
import hashlib
import io
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import lru_cache, partial
from multiprocessing import get_context
from pathlib import Path
from urllib.request import url2pathname

from techfest.config import ROOT

STATIC_DIR = (ROOT / "static").resolve()
PRINT_DIR = (ROOT / "templates" / "print").resolve()
#: the stylesheet every printed document uses
PRINT_CSS = PRINT_DIR / "print.css"
#: attribute numbering the documents (sections) of a combined HTML document
DOC_ATTRIBUTE = "data-doc"
#: PDF points per CSS pixel, the scale WeasyPrint draws pages at
PDF_SCALE = 0.75


#: shared images by "asset:" URL: (bytes, media type); copied to the worker processes
_ASSETS: dict[str, tuple[bytes, str]] = {}
#: images WeasyPrint has read, by URL, kept for all chunks of a worker process (None
#: elsewhere: a long-lived web process reads them again for each document)
_WORKER_IMAGES: dict | None = None


def add_asset(data: bytes, media_type: str) -> str:
    """Keep an image every document may show; returns its "asset:" URL."""
    url = f"asset:{hashlib.sha1(data).hexdigest()}"  # noqa: S324 - a name, not security
    _ASSETS[url] = (data, media_type)
    return url


def base_url() -> str:
    return STATIC_DIR.as_uri() + "/"


def _fetcher_class():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class LocalOnlyFetcher(URLFetcher):
        """Serves data: URIs and files under static/; refuses every other URL."""

        def fetch(self, url, headers=None):
            if url.startswith("asset:"):
                if url not in _ASSETS:
                    raise ValueError(f"unknown asset {url!r}")
                data, media_type = _ASSETS[url]
                return URLFetcherResponse(url, data, {"Content-Type": media_type})
            if url.startswith("data:"):
                return super().fetch(url, headers)
            if url.startswith("file:"):
                path = Path(url2pathname(url.split("?")[0].split("#")[0].removeprefix("file:")))
                resolved = path.resolve()
                if resolved.is_relative_to(STATIC_DIR) and resolved.is_file():
                    return super().fetch(resolved.as_uri(), headers)
            raise ValueError(f"printing may not fetch {url[:80]!r}")

    return LocalOnlyFetcher


def local_only_fetcher():
    """A WeasyPrint URL fetcher restricted to static/ and data: URIs."""
    return _fetcher_class()(allowed_protocols=("data", "file"), timeout=1)


def stylesheet_text() -> str:
    return PRINT_CSS.read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def _shared():
    """Font configuration, parsed stylesheet and fetcher, kept for the life of the process."""
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

    fonts = FontConfiguration()
    # drop it while the interpreter is intact (its destructor needs its modules)
    atexit.register(_shared.cache_clear)
    fetcher = local_only_fetcher()
    css = CSS(string=stylesheet_text(), base_url=base_url(), font_config=fonts, url_fetcher=fetcher)
    return fonts, css, fetcher


def wrap(body: str, lang: str = "vi", title: str = "Techfest") -> str:
    """A complete HTML document around `body`; the stylesheet is given separately."""
    return (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
        f"<title>{title}</title></head><body>{body}</body></html>"
    )


def html_to_pdf(body: str, lang: str = "vi", title: str = "Techfest") -> tuple[bytes, int]:
    """One document: PDF bytes and its page count."""
    from weasyprint import HTML

    fonts, css, fetcher = _shared()
    document = HTML(
        string=wrap(body, lang, title), base_url=base_url(), url_fetcher=fetcher
    ).render(font_config=fonts, stylesheets=[css], cache={})
    return document.write_pdf(), len(document.pages)


def section(index: int, body: str, lang: str) -> str:
    """One document of a combined HTML document; it starts a new page.

    The language is a class (`tf-lang-vi`), not a `lang` attribute: see the module's
    docstring.
    """
    return f'<section class="tf-doc tf-lang-{lang}" {DOC_ATTRIBUTE}="{index}">{body}</section>'


@contextlib.contextmanager
def _collector_paused():
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


#: a bookmark: (label, page index, x, y, children, closed), as plain data between processes
Bookmark = tuple[str, int, float, float, tuple, bool]


@dataclass(frozen=True)
class ChunkResult:
    """A rendered chunk: its PDF and bookmarks, one PDF and page count per document."""

    pdf: bytes
    bookmarks: list[Bookmark]
    documents: list[bytes]
    pages: list[int]


def render_chunk(
    parts: Sequence[tuple[str, str]],
    split: bool = True,
    assets: dict[str, tuple[bytes, str]] | None = None,
) -> ChunkResult:
    """Lay out (body, lang) documents as one HTML document, then one PDF per document."""
    from weasyprint import HTML

    if assets:
        _ASSETS.update(assets)
    fonts, css, fetcher = _shared()
    body = "".join(section(i, html, lang) for i, (html, lang) in enumerate(parts))
    with _collector_paused():
        document = HTML(string=wrap(body), base_url=base_url(), url_fetcher=fetcher).render(
            font_config=fonts, stylesheets=[css], cache=_images()
        )
        starts = _document_starts(document, len(parts))
        total = len(document.pages)
        bookmarks = _bookmarks(document.make_bookmark_tree(PDF_SCALE, transform_pages=True))
        pdf = document.write_pdf()
        del document
    ends = [*starts[1:], total]
    ranges = list(zip(starts, ends, strict=True))
    documents = split_pdf(pdf, ranges, [lang for _html, lang in parts], bookmarks) if split else []
    pages = [end - start for start, end in ranges]
    return ChunkResult(pdf=pdf, bookmarks=bookmarks, documents=documents, pages=pages)


def _bookmarks(tree) -> list[Bookmark]:
    """WeasyPrint's bookmark tree, (label, (page, x, y), children, state), as Bookmarks."""
    return [
        (label, page, x, y, tuple(_bookmarks(children)), state == "closed")
        for label, (page, x, y), children, state in tree
    ]


def _outline(bookmarks: Sequence[Bookmark], first: int, end: int, shift: int) -> list:
    """pikepdf outline items of the bookmarks on pages [first, end), moved by `shift`."""
    from pikepdf import OutlineItem

    items = []
    for label, page, x, y, children, closed in bookmarks:
        if first <= page < end:
            item = OutlineItem(label, page + shift, "XYZ", left=x, top=y)
            item.children.extend(_outline(children, first, end, shift))
            item.is_closed = closed
            items.append(item)
    return items


def _saved(pdf) -> bytes:
    buffer = io.BytesIO()
    pdf.save(buffer)
    return buffer.getvalue()


def split_pdf(
    pdf: bytes,
    ranges: Sequence[tuple[int, int]],
    langs: Sequence[str],
    bookmarks: Sequence[Bookmark] = (),
) -> list[bytes]:
    """One PDF per [start, end) page range of `pdf`, each with its language and bookmarks."""
    import pikepdf

    out = []
    with pikepdf.open(io.BytesIO(pdf)) as source:
        for (start, end), lang in zip(ranges, langs, strict=True):
            with pikepdf.new() as part:
                part.pages.extend(source.pages[start:end])
                part.Root.Lang = pikepdf.String(lang)
                with part.open_outline() as outline:
                    outline.root.extend(_outline(bookmarks, start, end, -start))
                out.append(_saved(part))
    return out


def merge_chunks(chunks: Sequence[ChunkResult]) -> bytes:
    """The chunks' PDFs as one, in order, with every chunk's bookmarks."""
    import pikepdf

    sources = [pikepdf.open(io.BytesIO(chunk.pdf)) for chunk in chunks]
    try:
        with pikepdf.new() as merged:
            items = []
            for chunk, source in zip(chunks, sources, strict=True):
                shift = len(merged.pages)
                merged.pages.extend(source.pages)
                items += _outline(chunk.bookmarks, 0, len(source.pages), shift)
            with merged.open_outline() as outline:
                outline.root.extend(items)
            return _saved(merged)
    finally:
        for source in sources:
            source.close()


def _document_starts(document, count: int) -> list[int]:
    """First page index of each document, from the section boxes laid out on each page."""
    starts: list[int | None] = [None] * count
    for number, page in enumerate(document.pages):
        for index in _documents_on(page):
            if starts[index] is None:
                starts[index] = number
    if any(s is None for s in starts):
        raise RuntimeError("a document of the chunk has no page")
    return [int(s) for s in starts]  # type: ignore[arg-type]


def _documents_on(page) -> list[int]:
    """Numbers of the sections on a page: page box > html > body > section."""
    found = []
    level = [page._page_box]  # noqa: SLF001 - WeasyPrint keeps the laid-out boxes there
    for _depth in range(3):
        level = [child for box in level for child in getattr(box, "children", ())]
        for box in level:
            element = getattr(box, "element", None)
            number = element.get(DOC_ATTRIBUTE) if element is not None else None
            if number is not None:
                found.append(int(number))
    return found


def default_workers() -> int:
    return max(1, min(2, os.cpu_count() or 1))


def _images() -> dict:
    """The image cache for a chunk: the worker's own, or a fresh one."""
    return {} if _WORKER_IMAGES is None else _WORKER_IMAGES


def _start_worker() -> None:
    """Load WeasyPrint, the fonts and the stylesheet, then freeze what is loaded.

    Frozen objects are left out of garbage collections, so the collection after each
    chunk looks at that chunk's objects only, not at the hundred thousand that live as
    long as the process (65 ms a chunk before, 1 ms after). Images are read once per
    worker, not once per chunk: the hall map and the QR code are "asset:" URLs named
    after their content, and a worker lives for one bulk print.

    When the pool shuts down, the worker leaves at once (its last exit handler): tearing
    its heap down object by object took over half a second, spent after the last chunk
    of every bulk print, and the operating system frees the memory anyway.
    """
    global _WORKER_IMAGES  # noqa: PLW0603 - set once, when the worker process starts
    _WORKER_IMAGES = {}
    _shared()
    gc.collect()
    gc.freeze()
    atexit.register(os._exit, 0)


def render_many(
    parts: Sequence[tuple[str, str]],
    *,
    workers: int | None = None,
    chunk_size: int = 100,
    combined: bool = True,
    split: bool = True,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[bytes | None, list[bytes], list[int]]:
    """Render many documents fast: combined PDF (optional), one PDF and page count each.

    Documents are laid out `chunk_size` at a time in one HTML document per chunk, on a
    pool of `workers` processes (none when one worker or one chunk suffices).
    """
    workers = default_workers() if workers is None else max(1, workers)
    chunks = [parts[i : i + chunk_size] for i in range(0, len(parts), chunk_size)]
    results: list[ChunkResult] = []
    done = 0
    if workers == 1 or len(chunks) <= 1:
        for chunk in chunks:
            results.append(render_chunk(chunk, split))
            done += len(chunk)
            if progress:
                progress(done, len(parts))
    else:
        with ProcessPoolExecutor(
            max_workers=workers, mp_context=get_context("spawn"), initializer=_start_worker
        ) as pool:
            jobs = pool.map(partial(render_chunk, split=split, assets=dict(_ASSETS)), chunks)
            for chunk, result in zip(chunks, jobs, strict=True):
                results.append(result)
                done += len(chunk)
                if progress:
                    progress(done, len(parts))
    documents = [pdf for r in results for pdf in r.documents]
    pages = [n for r in results for n in r.pages]
    merged = merge_chunks(results) if combined and results else None
    return merged, documents, pages


def page_count(pdf: bytes) -> int:
    import pikepdf

    with pikepdf.open(io.BytesIO(pdf)) as document:
        return len(document.pages)

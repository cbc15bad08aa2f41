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
laid-out boxes, so each document gets its own PDF made from the chunk's objects
(pdfparts), and the chunks' objects make the combined PDF.

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
from techfest.printing import pdfparts

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


@dataclass(frozen=True)
class ChunkResult:
    """A rendered chunk: its PDF, its pages as a Part, one PDF and page count per document."""

    pdf: bytes
    part: pdfparts.Part
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
    made: list[pdfparts.Part] = []
    with _collector_paused():
        document = HTML(string=wrap(body), base_url=base_url(), url_fetcher=fetcher).render(
            font_config=fonts, stylesheets=[css], cache=_images()
        )
        starts = _document_starts(document, len(parts))
        total = len(document.pages)
        ends = [*starts[1:], total]
        ranges = [(0, total), *zip(starts, ends, strict=True)] if split else [(0, total)]
        bookmarks = document.make_bookmark_tree(PDF_SCALE, transform_pages=True)

        def take_parts(_document, chunk_pdf) -> None:
            made.extend(pdfparts.parts_of(chunk_pdf, ranges, bookmarks))

        pdf = document.write_pdf(finisher=take_parts)
        del document
    whole, *each = made
    documents = (
        [pdfparts.write([part], lang) for part, (_html, lang) in zip(each, parts, strict=True)]
        if split
        else []
    )
    pages = [end - start for start, end in zip(starts, ends, strict=True)]
    return ChunkResult(pdf=pdf, part=whole, documents=documents, pages=pages)


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
    merged = pdfparts.write([r.part for r in results]) if combined and results else None
    return merged, documents, pages


def page_count(pdf: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(pdf)).pages)

"""Printing: render documents from their data, keep them in the Document table.

A document is rendered again only when its content hash changed: the hash covers the
data it shows and the print templates, stylesheet, fonts and catalogues it is made with.
Documents live in the database, so every app server behind a load balancer serves them.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlmodel import Session, col, select

from techfest.auth.models import User
from techfest.config import ROOT
from techfest.core.models import Edition
from techfest.db import now_utc
from techfest.printing import data, maps, render
from techfest.printing.models import Document

#: bulk documents an organiser can print, with their labels
KINDS = {
    "agendas": _l("Personal agendas"),
    "badges": _l("Badges"),
    "table-sheets": _l("Table sheets"),
    "room-sheets": _l("Room sheets"),
    "booklet": _l("Programme booklet"),
}
BADGE_LAYOUTS = ("a4", "a6")


class PrintingError(Exception):
    """A printing rule was broken; `message` is shown to the person."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class NothingToPrint(PrintingError):
    pass


# --- fingerprints and hashes --------------------------------------------------------------


@lru_cache(maxsize=1)
def _fingerprint() -> str:
    """Hash of everything a document is made with besides its data."""
    digest = hashlib.sha256()
    paths = sorted((ROOT / "templates" / "print").glob("*"))
    paths += sorted((ROOT / "static" / "fonts").glob("*.ttf"))
    paths += sorted((ROOT / "techfest" / "printing" / "translations").rglob("*.mo"))
    for path in paths:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def content_hash(payload: object) -> str:
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256((_fingerprint() + text).encode()).hexdigest()


# --- the Document table -------------------------------------------------------------------


def find_document(session: Session, edition: Edition, kind: str, key: str) -> Document | None:
    return session.exec(
        select(Document).where(
            Document.edition_id == edition.id, Document.kind == kind, Document.key == key
        )
    ).first()


def document_for_organiser(session: Session, edition: Edition, document_id: int) -> Document:
    """A document of this edition (another edition's answers as missing)."""
    doc = session.exec(
        select(Document).where(Document.id == document_id, Document.edition_id == edition.id)
    ).first()
    if doc is None:
        raise NothingToPrint(_("This document does not exist."))
    return doc


def store_document(
    session: Session,
    edition: Edition,
    kind: str,
    key: str,
    *,
    pdf: bytes,
    pages: int,
    content_hash: str,
    filename: str,
    owner_user_id: int | None = None,
    existing: Document | None = None,
) -> Document:
    """Insert or replace the document (edition, kind, key)."""
    doc = existing or find_document(session, edition, kind, key)
    if doc is None:
        doc = Document(edition_id=edition.id, kind=kind, key=key, content_hash="", filename="")
    doc.pdf = pdf
    doc.pages = pages
    doc.content_hash = content_hash
    doc.filename = filename
    doc.owner_user_id = owner_user_id
    doc.created_at = now_utc()
    session.add(doc)
    session.flush()
    return doc


def latest_documents(session: Session, edition: Edition) -> dict[str, Document]:
    """The newest bulk document of each kind (not the personal agendas)."""
    rows = session.exec(
        select(Document)
        .where(Document.edition_id == edition.id, col(Document.owner_user_id).is_(None))
        .order_by(col(Document.created_at).desc())
    ).all()
    out: dict[str, Document] = {}
    for doc in rows:
        out.setdefault(doc.kind, doc)
    return out


# --- HTML of each document ---------------------------------------------------------------


def agenda_url(edition: Edition) -> str:
    """The online agenda the QR code leads to."""
    base = (
        current_app.config.get("PUBLIC_URL")
        or os.environ.get("TECHFEST_PUBLIC_URL")
        or "http://localhost:5000"
    )
    return f"{base.rstrip('/')}/{edition.year}/programme/agenda"


def role_labels() -> dict[str, str]:
    return {
        "organiser": _("Organiser"),
        "investor": _("Investor"),
        "startup": _("Startup"),
        "delegate": _("Delegate"),
    }


def badge_role_labels() -> dict[str, str]:
    """The word printed in each role's band of a badge."""
    return {
        **role_labels(),
        "speaker": _("Speaker"),
        "vip": _("VIP"),
        "press": _("Press"),
        "exhibitor": _("Exhibitor"),
        "student": _("Student"),
    }


def agenda_html(agenda: dict) -> str:
    """The body of one agenda, in the person's language (needs an app context)."""
    return agendas_html([agenda])[0]


#: the template's line breaks and indentation between two tags
_BETWEEN_TAGS = re.compile(r">\s*\n\s*<")


def agendas_html(agendas: list[dict]) -> list[str]:
    """The bodies of many agendas, each in its person's language.

    The locale is switched once per language, not once per person: switching reloads the
    catalogues, which cost more than rendering the template. The template's line breaks
    between elements are dropped: WeasyPrint reads each as text, builds a box for it and
    throws it away (the template never breaks a line inside running text).
    """
    out: list[str] = [""] * len(agendas)
    template = current_app.jinja_env.get_template("print/agenda.html")
    for lang in sorted({a["lang"] for a in agendas}):
        with force_locale(lang):
            labels = role_labels()
            for i, agenda in enumerate(agendas):
                if agenda["lang"] == lang:
                    html = template.render(
                        agenda={**agenda, "qr": data.qr_asset(agenda["url"])}, role_labels=labels
                    )
                    out[i] = _BETWEEN_TAGS.sub("><", html).strip()
    return out


def _agenda_key(user_id: int) -> str:
    return f"user:{user_id}"


def _slug(text: str) -> str:
    from techfest.auth.services import slugify

    return slugify(text)[:60]


def agenda_filename(edition: Edition, agenda: dict) -> str:
    return f"agenda-{edition.year}-{_slug(agenda['person']['name'])}.pdf"


# --- personal agenda on demand ------------------------------------------------------------


def agenda_document(session: Session, edition: Edition, user: User) -> Document:
    """The person's agenda PDF: the stored one while its data is unchanged, else a new one."""
    people = data.agenda_people(session, edition, [user.id])
    if not people:
        raise NothingToPrint(_("You have no agenda in this edition yet."))
    ctx = data.edition_context(session, edition, agenda_url(edition))
    agenda = data.agendas(session, ctx, people)[0]
    digest = content_hash(agenda)
    doc = find_document(session, edition, "agenda", _agenda_key(user.id))
    if doc is not None and doc.content_hash == digest:
        return doc
    chunk = render.render_chunk([(agenda_html(agenda), agenda["lang"])], split=False)
    return store_document(
        session,
        edition,
        "agenda",
        _agenda_key(user.id),
        pdf=chunk.pdf,
        pages=chunk.pages[0],
        content_hash=digest,
        filename=agenda_filename(edition, agenda),
        owner_user_id=user.id,
        existing=doc,
    )


# --- bulk ---------------------------------------------------------------------------------


Progress = Callable[[int, int], None]


@dataclass
class Rendered:
    """A bulk print, computed without writing: what to store once it is done."""

    kind: str
    combined: bytes | None = None
    combined_pages: int = 0
    combined_hash: str = ""
    combined_filename: str = ""
    #: (key, owner user id, filename, pdf, pages, hash) of per-person documents to store
    personal: list[tuple[str, int, str, bytes, int, str]] = field(default_factory=list)
    #: per-person files for an output directory: (filename, pdf)
    files: list[tuple[str, bytes]] = field(default_factory=list)
    up_to_date: bool = False
    count: int = 0
    #: people left out: agendas with no session and no meeting get no page
    skipped: int = 0


def bulk_key(kind: str, option: str = "") -> str:
    return f"all:{option}" if option else "all"


def render_agendas(
    session: Session,
    edition: Edition,
    *,
    user_ids: list[int] | None = None,
    force: bool = False,
    workers: int | None = None,
    progress: Progress | None = None,
) -> Rendered:
    """Everyone's agenda: one combined PDF and one PDF per person, in one fast pass.

    A person with no session and no meeting gets no page (a page saying "nothing booked"
    for each of them would be most of the stack); `skipped` says how many were left out.
    """
    people = data.agenda_people(session, edition, user_ids)
    if not people:
        raise NothingToPrint(_("Nobody has an agenda in this edition yet."))
    ctx = data.edition_context(session, edition, agenda_url(edition))
    everyone = data.agendas(session, ctx, people)
    agendas = [a for a in everyone if a["days"]]
    if not agendas:
        raise NothingToPrint(_("Nobody has a session or a meeting in their agenda yet."))
    hashes = [content_hash(a) for a in agendas]
    combined_hash = hashlib.sha256("".join(hashes).encode()).hexdigest()
    result = Rendered(
        kind="agendas",
        count=len(agendas),
        skipped=len(everyone) - len(agendas),
        combined_hash=combined_hash,
    )
    result.combined_filename = f"agendas-{edition.year}.pdf"
    existing = find_document(session, edition, "agendas", bulk_key("agendas"))
    stored = _stored_hashes(session, edition, "agenda")
    if (
        not force
        and existing is not None
        and existing.content_hash == combined_hash
        and all(
            stored.get(_agenda_key(a["user_id"])) == h for a, h in zip(agendas, hashes, strict=True)
        )
    ):
        result.up_to_date = True
        return result
    parts = list(zip(agendas_html(agendas), [a["lang"] for a in agendas], strict=True))
    combined, pdfs, pages = render.render_many(parts, workers=workers, progress=progress)
    result.combined = combined
    result.combined_pages = sum(pages)
    for agenda, digest, pdf, count in zip(agendas, hashes, pdfs, pages, strict=True):
        filename = agenda_filename(edition, agenda)
        result.files.append((f"{agenda['user_id']:05d}-{filename}", pdf))
        key = _agenda_key(agenda["user_id"])
        if stored.get(key) != digest or force:
            result.personal.append((key, agenda["user_id"], filename, pdf, count, digest))
    return result


def _stored_hashes(session: Session, edition: Edition, kind: str) -> dict[str, str]:
    rows = session.exec(
        select(Document.key, Document.content_hash).where(
            Document.edition_id == edition.id, Document.kind == kind
        )
    ).all()
    return dict(rows)


def _single(
    session: Session,
    edition: Edition,
    kind: str,
    payload: object,
    html: Callable[[], list[tuple[str, str]]],
    filename: str,
    key: str,
    force: bool,
    workers: int | None,
    progress: Progress | None,
    count: int,
) -> Rendered:
    digest = content_hash(payload)
    result = Rendered(kind=kind, combined_hash=digest, combined_filename=filename, count=count)
    existing = find_document(session, edition, kind, key)
    if not force and existing is not None and existing.content_hash == digest:
        result.up_to_date = True
        return result
    parts = html()
    if len(parts) > 1:
        combined, _pdfs, pages = render.render_many(
            parts, workers=workers, progress=progress, split=False
        )
        result.combined, result.combined_pages = combined, sum(pages)
    else:
        chunk = render.render_chunk(parts, split=False)
        result.combined, result.combined_pages = chunk.pdf, sum(chunk.pages)
        if progress:
            progress(1, 1)
    return result


def _badges_html(badges: list[dict], layout: str) -> list[tuple[str, str]]:
    """Badge sheets as HTML parts (four badges per A4 page, or one per A6)."""
    labels = {}
    for lang in ("vi", "en"):
        with force_locale(lang):
            labels[lang] = badge_role_labels()
    per_page = 4 if layout == "a4" else 1
    pages = [badges[i : i + per_page] for i in range(0, len(badges), per_page)]
    # one part per 10 pages keeps layouts parallel without splitting a page
    parts = []
    for i in range(0, len(pages), 10):
        group = pages[i : i + 10]
        for page in group:
            for badge in page:
                badge["qr"] = data.qr_uri(badge["code"])
                badge["role_label"] = labels[badge["lang"]][badge["role"]]
        body = render_template(
            "print/badges.html", pages=group, layout=layout, cutmarks=maps.cutmarks_uri()
        )
        parts.append((body, "vi"))
    return parts


@dataclass(frozen=True)
class OneBadge:
    """One person's badge, printed at the check-in desk."""

    pdf: bytes
    filename: str


def badge_of(session: Session, edition: Edition, registration_id: int) -> OneBadge:
    """The badge of one confirmed registration of this edition, on one A6 page."""
    badges = data.badges(session, edition, [registration_id])
    if not badges:
        raise NothingToPrint(_("This person has no confirmed registration to print a badge for."))
    chunk = render.render_chunk(_badges_html(badges, "a6"), split=False)
    return OneBadge(chunk.pdf, f"badge-{edition.year}-{_slug(badges[0]['name']) or 'badge'}.pdf")


def render_badges(
    session: Session,
    edition: Edition,
    *,
    layout: str = "a4",
    force: bool = False,
    workers: int | None = None,
    progress: Progress | None = None,
) -> Rendered:
    """Badges of every confirmed registration: four per A4 with cut marks, or one per A6."""
    if layout not in BADGE_LAYOUTS:
        raise PrintingError(_("Unknown badge layout."))
    badges = data.badges(session, edition)
    if not badges:
        raise NothingToPrint(_("There are no confirmed registrations to print badges for."))

    def html() -> list[tuple[str, str]]:
        return _badges_html(badges, layout)

    return _single(
        session,
        edition,
        "badges",
        {"layout": layout, "badges": badges},
        html,
        f"badges-{edition.year}-{layout}.pdf",
        bulk_key("badges", layout),
        force,
        workers,
        progress,
        len(badges),
    )


def render_table_sheets(
    session: Session,
    edition: Edition,
    *,
    lang: str = "vi",
    force: bool = False,
    workers: int | None = None,
    progress: Progress | None = None,
) -> Rendered:
    sheets = data.table_sheets(session, edition, lang)
    if not sheets:
        raise NothingToPrint(_("There are no meeting tables in this edition."))
    return _render_sheets(session, edition, "table-sheets", sheets, lang, force, workers, progress)


def render_room_sheets(
    session: Session,
    edition: Edition,
    *,
    lang: str = "vi",
    force: bool = False,
    workers: int | None = None,
    progress: Progress | None = None,
) -> Rendered:
    sheets = data.room_sheets(session, edition, lang)
    if not sheets:
        raise NothingToPrint(_("There are no rooms in this edition."))
    return _render_sheets(session, edition, "room-sheets", sheets, lang, force, workers, progress)


def _render_sheets(session, edition, kind, sheets, lang, force, workers, progress) -> Rendered:
    """Door sheets (one page per table or room) as one document; `kind` names the template."""
    info = data.edition_info(edition, lang)
    template = f"print/{kind.replace('-', '_')}.html"

    def html() -> list[tuple[str, str]]:
        with force_locale(lang):
            body = render_template(template, sheets=sheets, edition=info)
        return [(body, lang)]

    return _single(
        session,
        edition,
        kind,
        {"lang": lang, "sheets": sheets, "edition": info},
        html,
        f"{kind}-{edition.year}-{lang}.pdf",
        bulk_key(kind, lang),
        force,
        workers,
        progress,
        len(sheets),
    )


def render_booklet(
    session: Session,
    edition: Edition,
    *,
    force: bool = False,
    workers: int | None = None,
    progress: Progress | None = None,
) -> Rendered:
    book = data.booklet(session, edition)
    if not book["days"]:
        raise NothingToPrint(_("There are no programme sessions in this edition."))

    def html() -> list[tuple[str, str]]:
        with force_locale("vi"):
            body = render_template("print/booklet.html", book=book)
        return [(body, "vi")]

    return _single(
        session,
        edition,
        "booklet",
        book,
        html,
        f"programme-{edition.year}.pdf",
        bulk_key("booklet"),
        force,
        workers,
        progress,
        book["count"],
    )


def render_kind(session: Session, edition: Edition, kind: str, **options) -> Rendered:
    """Dispatch a bulk print by kind (organiser page, background job, CLI)."""
    if kind == "agendas":
        options.pop("lang", None)
        options.pop("layout", None)
        return render_agendas(session, edition, **options)
    if kind == "badges":
        options.pop("lang", None)
        return render_badges(session, edition, **options)
    options.pop("layout", None)
    if kind == "table-sheets":
        return render_table_sheets(session, edition, **options)
    if kind == "room-sheets":
        return render_room_sheets(session, edition, **options)
    if kind == "booklet":
        options.pop("lang", None)
        return render_booklet(session, edition, **options)
    raise PrintingError(_("Unknown document."))


def store_rendered(session: Session, edition: Edition, rendered: Rendered, key: str) -> Document:
    """Keep a bulk print (and its per-person documents) in the Document table."""
    existing = find_document(session, edition, rendered.kind, key)
    if rendered.up_to_date and existing is not None:
        return existing
    docs = (
        {
            d.key: d
            for d in session.exec(
                select(Document).where(
                    Document.edition_id == edition.id,
                    Document.kind == "agenda",
                    col(Document.key).in_([p[0] for p in rendered.personal]),
                )
            )
        }
        if rendered.personal
        else {}
    )
    for doc_key, owner, filename, pdf, pages, digest in rendered.personal:
        store_document(
            session,
            edition,
            "agenda",
            doc_key,
            pdf=pdf,
            pages=pages,
            content_hash=digest,
            filename=filename,
            owner_user_id=owner,
            existing=docs.get(doc_key),
        )
    assert rendered.combined is not None  # noqa: S101 - not up to date means rendered
    return store_document(
        session,
        edition,
        rendered.kind,
        key,
        pdf=rendered.combined,
        pages=rendered.combined_pages,
        content_hash=rendered.combined_hash,
        filename=rendered.combined_filename,
        existing=existing,
    )


def key_for(kind: str, lang: str = "vi", layout: str = "a4") -> str:
    if kind == "badges":
        return bulk_key(kind, layout)
    if kind in ("table-sheets", "room-sheets"):
        return bulk_key(kind, lang)
    return bulk_key(kind)

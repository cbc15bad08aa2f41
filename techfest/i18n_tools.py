"""Translation catalogues per domain: extract, update, compile and check.

    python -m techfest.i18n_tools update [DOMAIN]   # refresh .po files from the sources
    python -m techfest.i18n_tools compile   # write the .mo files the app reads
    python -m techfest.i18n_tools check     # list Vietnamese strings still untranslated
    python -m techfest.i18n_tools fill DOMAIN < vi.json   # {"msgid": "bản dịch", ...}

Each domain keeps its catalogue in techfest/<domain>/translations/ (sources: its Python
package and templates/<domain>/); shared pages (layout, errors, core) use
techfest/translations/. Separate catalogues let each domain's strings change on their own.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_file
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

PACKAGE = Path(__file__).resolve().parent
ROOT = PACKAGE.parent
TEMPLATES = ROOT / "templates"
LOCALES = ("vi", "en")
KEYWORDS = {
    "_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "lazy_gettext": None,
    "lazy_ngettext": (1, 2),
    "_l": None,
}
SHARED_TEMPLATE_DIRS = ("_macros", "errors", "core")
#: templates of a domain that live outside templates/<domain>/
EXTRA_TEMPLATE_DIRS = {"printing": ("print",)}


def domains() -> list[str]:
    return sorted(
        p.name
        for p in PACKAGE.iterdir()
        if p.is_dir()
        and (p / "__init__.py").exists()
        and p.name not in ("core", "migrations", "demo", "translations")
    )


def sources(domain: str | None) -> Iterator[tuple[Path, str]]:
    """(file, method) pairs of one domain, or of the shared catalogue when domain is None."""
    if domain is None:
        for path in sorted(PACKAGE.glob("*.py")):
            yield path, "python"
        for sub in ("core", "demo"):
            for path in sorted((PACKAGE / sub).rglob("*.py")):
                yield path, "python"
        for path in sorted(TEMPLATES.glob("*.html")):
            yield path, "jinja2"
        for sub in SHARED_TEMPLATE_DIRS:
            for path in sorted((TEMPLATES / sub).rglob("*.html")):
                yield path, "jinja2"
        return
    for path in sorted((PACKAGE / domain).rglob("*.py")):
        yield path, "python"
    for sub in (domain, *EXTRA_TEMPLATE_DIRS.get(domain, ())):
        for path in sorted((TEMPLATES / sub).rglob("*.html")):
            yield path, "jinja2"


def catalogue_dir(domain: str | None) -> Path:
    return (PACKAGE / domain / "translations") if domain else PACKAGE / "translations"


def extract(domain: str | None) -> Catalog:
    template = Catalog(project="techfest", charset="utf-8")
    for path, method in sources(domain):
        method_name = "python" if method == "python" else "jinja2.ext:babel_extract"
        options = {} if method == "python" else {"extensions": "jinja2.ext.i18n"}
        for lineno, message, comments, context in extract_from_file(
            method_name, str(path), keywords=KEYWORDS, options=options
        ):
            template.add(
                message,
                None,
                [(str(path.relative_to(ROOT)), lineno)],
                auto_comments=comments,
                context=context,
            )
    return template


def update(only: str | None = None) -> None:
    selected = [None, *domains()]
    if only:
        selected = [None if only in ("core", "shared") else only]
    for domain in selected:
        template = extract(domain)
        if not len(template):
            continue
        base = catalogue_dir(domain)
        for locale in LOCALES:
            po_path = base / locale / "LC_MESSAGES" / "messages.po"
            po_path.parent.mkdir(parents=True, exist_ok=True)
            if po_path.exists():
                with po_path.open("rb") as f:
                    catalog = read_po(f, locale=locale)
                catalog.update(template, no_fuzzy_matching=True)
                catalog.obsolete.clear()
            else:
                catalog = Catalog(locale=locale, project="techfest", charset="utf-8")
                catalog.update(template, no_fuzzy_matching=True)
            with po_path.open("wb") as f:
                write_po(f, catalog, width=100, omit_header=False, sort_output=False)


def compile_all() -> int:
    count = 0
    for po_path in sorted(PACKAGE.rglob("translations/*/LC_MESSAGES/messages.po")):
        with po_path.open("rb") as f:
            catalog = read_po(f)
        with po_path.with_suffix(".mo").open("wb") as f:
            write_mo(f, catalog, use_fuzzy=False)
        count += 1
    return count


def untranslated() -> list[tuple[str, str]]:
    """(catalogue, msgid) for every Vietnamese entry without a translation."""
    missing = []
    for domain in [None, *domains()]:
        template = extract(domain)
        po_path = catalogue_dir(domain) / "vi" / "LC_MESSAGES" / "messages.po"
        translated: dict = {}
        if po_path.exists():
            with po_path.open("rb") as f:
                for message in read_po(f, locale="vi"):
                    if message.id and message.string and not message.fuzzy:
                        translated[message.id] = message.string
        for message in template:
            if not message.id:
                continue
            value = translated.get(message.id)
            if isinstance(message.id, tuple):
                ok = isinstance(value, tuple | list) and all(value)
            else:
                ok = bool(value)
            if not ok:
                missing.append((str(catalogue_dir(domain).relative_to(ROOT)), str(message.id)))
    return missing


def fill(domain: str | None, translations: dict[str, str]) -> int:
    """Write Vietnamese translations into a domain's catalogue (`core` for the shared one)."""
    po_path = catalogue_dir(domain) / "vi" / "LC_MESSAGES" / "messages.po"
    with po_path.open("rb") as f:
        catalog = read_po(f, locale="vi")
    done = 0
    for message in catalog:
        # a plural entry is filled from its singular: Vietnamese has one form
        key = message.id[0] if isinstance(message.id, tuple) else message.id
        if key and key in translations:
            value = translations[key]
            plural = isinstance(message.id, tuple)
            message.string = tuple([value] * catalog.num_plurals) if plural else value
            message.flags.discard("fuzzy")
            done += 1
    with po_path.open("wb") as f:
        write_po(f, catalog, width=100, sort_output=False)
    return done


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "help"
    if command == "update":
        update(argv[1] if len(argv) > 1 else None)
        return 0
    if command == "compile":
        print(f"compiled {compile_all()} catalogues")  # noqa: T201
        return 0
    if command == "fill":
        import json

        domain = None if argv[1] in ("core", "shared") else argv[1]
        print(f"filled {fill(domain, json.load(sys.stdin))}")  # noqa: T201
        return 0
    if command == "check":
        missing = untranslated()
        for where, msgid in missing:
            print(f"{where}: {msgid!r}")  # noqa: T201
        return 1 if missing else 0
    print(__doc__)  # noqa: T201
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

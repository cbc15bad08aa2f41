"""Organisation logos: checked by content and size, stored under a generated name.

What the uploader says (file name, Content-Type) is never trusted. The bytes must start
like a PNG, JPEG or WebP image, must decode as that very format, must hold no markup that
a browser could run (SVG, HTML, script: a "polyglot" that is an image and a page at once)
and must fit in `MAX_LOGO_BYTES`. The stored file is the image re-encoded by Pillow, so
trailing payloads and metadata do not survive, under a random name in
instance/uploads/logos/. `Organisation.logo_filename` keeps that name.
"""

from __future__ import annotations

import io
import re
import secrets
from pathlib import Path

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlmodel import Session

from techfest.core.models import Organisation

MAX_LOGO_BYTES = 1024 * 1024
MAX_LOGO_PIXELS = 4096 * 4096
#: format name (Pillow's) -> (magic test, stored extension)
FORMATS = {
    "PNG": ".png",
    "JPEG": ".jpg",
    "WEBP": ".webp",
}
_MARKUP = re.compile(
    rb"<\s*(?:svg|html|script|body|iframe|object|embed|!doctype|\?xml|\?php)|javascript:",
    re.IGNORECASE,
)
_STORED_NAME = re.compile(r"^[A-Za-z0-9_-]{20,64}\.(?:png|jpg|webp)$")


class UploadRejected(ValueError):
    """The file is not an acceptable logo; `message` says why, in the user's language."""

    def __init__(self, message) -> None:
        super().__init__(str(message))
        self.message = message


def sniff(data: bytes) -> str | None:
    """The image format the bytes announce by their magic number, or None."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if data.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    return None


def check_logo(data: bytes) -> tuple[str, bytes]:
    """Validate the bytes of a logo; return (format, clean re-encoded bytes)."""
    from PIL import Image, UnidentifiedImageError

    if not data:
        raise UploadRejected(_l("The file is empty."))
    if len(data) > MAX_LOGO_BYTES:
        raise UploadRejected(_l("The logo is larger than 1 MB."))
    kind = sniff(data)
    if kind is None:
        raise UploadRejected(_l("The logo must be a PNG, JPEG or WebP image."))
    if _MARKUP.search(data):
        raise UploadRejected(_l("The file holds more than an image and was refused."))
    try:
        with Image.open(io.BytesIO(data)) as probe:
            probe.verify()
        with Image.open(io.BytesIO(data)) as image:
            if image.format != kind:
                raise UploadRejected(_l("The logo must be a PNG, JPEG or WebP image."))
            if image.width * image.height > MAX_LOGO_PIXELS:
                raise UploadRejected(_l("The logo has too many pixels (at most 4096 × 4096)."))
            image.load()
            clean = _reencode(image, kind)
    except UploadRejected:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise UploadRejected(_l("The image could not be read; it may be damaged.")) from None
    return kind, clean


def _reencode(image, kind: str) -> bytes:
    out = io.BytesIO()
    if kind == "JPEG":
        image = image.convert("RGB")
        image.save(out, format="JPEG", quality=90)
    elif kind == "PNG":
        if image.mode not in ("1", "L", "LA", "P", "RGB", "RGBA"):
            image = image.convert("RGBA")
        image.save(out, format="PNG", optimize=True)
    else:
        if image.mode not in ("RGB", "RGBA"):
            image = image.convert("RGBA")
        image.save(out, format="WEBP", quality=90)
    return out.getvalue()


def logo_dir() -> Path:
    return Path(current_app.instance_path) / "uploads" / "logos"


def logo_path(filename: str | None) -> Path | None:
    """Where a stored logo lives, or None for a name that this module did not generate."""
    if not filename or not _STORED_NAME.match(filename):
        return None
    path = logo_dir() / filename
    return path if path.is_file() else None


def _read_limited(file_storage) -> bytes:
    stream = getattr(file_storage, "stream", file_storage)
    data = stream.read(MAX_LOGO_BYTES + 1)
    if len(data) > MAX_LOGO_BYTES:
        raise UploadRejected(_l("The logo is larger than 1 MB."))
    return data


def store_logo(session: Session, organisation: Organisation, file_storage) -> str:
    """Check an uploaded logo, write it under a random name and point the organisation at it.

    `file_storage` is a werkzeug FileStorage (or any object with `.read()`); its file name
    and content type are ignored. Returns the stored name. Flushes; the caller commits.
    The previous file stays on disk: the transaction may still roll back to it.
    """
    kind, clean = check_logo(_read_limited(file_storage))
    folder = logo_dir()
    folder.mkdir(parents=True, exist_ok=True)
    name = secrets.token_urlsafe(24) + FORMATS[kind]
    tmp = folder / f".{name}.part"
    tmp.write_bytes(clean)
    tmp.replace(folder / name)
    organisation.logo_filename = name
    session.add(organisation)
    session.flush()
    return name

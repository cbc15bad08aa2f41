"""Logos are checked by what they contain, limited in size and stored under generated names."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image
from werkzeug.datastructures import FileStorage

from techfest.core.models import Organisation
from techfest.core.uploads import MAX_LOGO_BYTES, UploadRejected, logo_path, store_logo
from tests.factories import make_org


@pytest.fixture(autouse=True)
def _instance_in_tmp(app, tmp_path):
    """Logos go to a temporary instance folder, never the working tree's."""
    app.instance_path = str(tmp_path / "instance")


def image_bytes(fmt: str, size=(64, 32), color=(200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format=fmt)
    return out.getvalue()


def upload(data: bytes, filename: str = "logo.png", content_type: str = "image/png"):
    return FileStorage(stream=io.BytesIO(data), filename=filename, content_type=content_type)


@pytest.mark.parametrize(("fmt", "ext"), [("PNG", ".png"), ("JPEG", ".jpg"), ("WEBP", ".webp")])
def test_store_logo_accepts_png_jpeg_webp_under_a_generated_name(
    app_ctx, session, tmp_path, fmt, ext
):
    org = make_org(session, "startup", "CảngXanh")
    name = store_logo(session, org, upload(image_bytes(fmt), filename="../../etc/passwd.png"))
    session.commit()
    assert re.fullmatch(r"[A-Za-z0-9_-]{32}" + re.escape(ext), name)
    assert session.get(Organisation, org.id).logo_filename == name
    stored = logo_path(name)
    assert stored is not None
    assert stored.parent == tmp_path / "instance" / "uploads" / "logos"
    with Image.open(stored) as image:
        assert (image.format, image.size) == (fmt, (64, 32))


def test_store_logo_gives_two_uploads_of_the_same_file_two_names(app_ctx, session):
    org = make_org(session)
    first = store_logo(session, org, upload(image_bytes("PNG")))
    second = store_logo(session, org, upload(image_bytes("PNG")))
    assert first != second


SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
)
HTML = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"


@pytest.mark.parametrize(
    ("data", "label"),
    [
        (SVG, "svg"),
        (HTML, "html"),
        (b"GIF89a" + b"\x00" * 40, "gif"),
        (b"", "empty"),
        (b"\x89PNG\r\n\x1a\n" + b"not really a png", "broken png"),
        (image_bytes("PNG") + b"<script>alert(1)</script>", "png + script"),
        (image_bytes("JPEG") + b"<html><body>hi</body></html>", "jpeg + html"),
        (b"\xff\xd8\xff\xe0" + b"<svg onload=alert(1)>", "jpeg magic + svg"),
    ],
)
def test_store_logo_refuses_what_is_not_a_clean_image(app_ctx, session, data, label):
    org = make_org(session)
    with pytest.raises(UploadRejected):
        store_logo(session, org, upload(data, filename=f"{label}.png"))
    assert org.logo_filename is None


def test_store_logo_refuses_a_png_that_announces_itself_as_jpeg_inside(app_ctx, session):
    org = make_org(session)
    data = b"\x89PNG\r\n\x1a\n" + image_bytes("JPEG")[3:]
    with pytest.raises(UploadRejected):
        store_logo(session, org, upload(data))


def test_store_logo_refuses_a_file_over_one_megabyte(app_ctx, session):
    org = make_org(session)
    big = image_bytes("PNG") + b"\x00" * MAX_LOGO_BYTES
    with pytest.raises(UploadRejected) as caught:
        store_logo(session, org, upload(big))
    assert "1 MB" in str(caught.value.message)


def test_store_logo_strips_trailing_bytes_by_reencoding(app_ctx, session):
    org = make_org(session)
    data = image_bytes("PNG") + b"TRAILING-PAYLOAD"
    name = store_logo(session, org, upload(data))
    assert b"TRAILING-PAYLOAD" not in logo_path(name).read_bytes()


@pytest.mark.parametrize("name", ["../secret.png", "logo.png", "/etc/passwd", "", None])
def test_logo_path_ignores_names_it_did_not_generate(app_ctx, name):
    assert logo_path(name) is None

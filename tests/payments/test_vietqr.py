"""The VietQR payload: a published example, the CRC, the round trip through a QR image."""

from __future__ import annotations

import io

import pytest

from techfest.payments import reference
from techfest.payments.pages import qr_png
from techfest.payments.vietqr import (
    PayloadError,
    Transfer,
    build_payload,
    crc16_ccitt_false,
    parse_payload,
)

#: published in the README of the open-source `vietqr` Go package (subiz/vietqr): 120,000 ₫
#: to account 0011001932418 at BIN 970415, message "ung ho lu lut"
PUBLISHED = (
    "00020101021238570010A00000072701270006970415011300110019324180208QRIBFTTA"
    "530370454061200005802VN62170813ung ho lu lut6304C15C"
)


def test_payload_equals_a_published_example():
    assert build_payload("970415", "0011001932418", 120000, "ung ho lu lut") == PUBLISHED


def test_crc_is_ccitt_false():
    # the check value of CRC-16/CCITT-FALSE
    assert crc16_ccitt_false(b"123456789") == 0x29B1


def test_payload_fields_read_back():
    payload = build_payload("970436", "0031000123456", 1_500_000, "TF25-7K3Q9")
    assert payload.startswith("000201010212")
    for field in ("0010A000000727", "0208QRIBFTTA", "5303704", "54071500000", "5802VN"):
        assert field in payload
    assert parse_payload(payload) == Transfer("970436", "0031000123456", 1_500_000, "TF25-7K3Q9")


def test_vietnamese_message_is_carried_without_diacritics():
    payload = build_payload("970436", "0031000123456", 1000, "Đăng ký vé VIP")
    assert parse_payload(payload).purpose == "Dang ky ve VIP"


@pytest.mark.parametrize(
    ("bin_", "account", "amount"),
    [("97043", "1", 1), ("970436", "", 1), ("970436", "12 34", 1), ("970436", "1", 0)],
)
def test_bad_input_is_refused(bin_, account, amount):
    with pytest.raises(PayloadError):
        build_payload(bin_, account, amount, "x")


def test_a_changed_payload_fails_its_crc():
    tampered = PUBLISHED.replace("54061200005802", "54061900005802")
    with pytest.raises(PayloadError):
        parse_payload(tampered)


def test_qr_image_decodes_to_the_payload():
    zxingcpp = pytest.importorskip("zxingcpp")
    image_module = pytest.importorskip("PIL.Image")
    payload = build_payload("970436", "0031000123456", 1_500_000, "TF25-7K3Q9")
    image = image_module.open(io.BytesIO(qr_png(payload)))
    found = zxingcpp.read_barcodes(image)
    assert [r.text for r in found] == [payload]
    assert parse_payload(found[0].text).purpose == "TF25-7K3Q9"


def test_references_are_found_in_bank_text():
    ref = reference.new_reference(2025)
    body = ref.removeprefix("TF25-")
    texts = [
        f"CHUYEN TIEN {ref} NGUYEN VAN A",
        f"MBVCB.123.{ref.lower()}.CT tu 0123",
        f"TF25{body} thanh toan",
        f"tf25 {body[:2]} {body[2:]}",
    ]
    for text in texts:
        assert reference.references_in(text) == [ref], text


def test_a_mistyped_reference_is_not_found():
    ref = reference.new_reference(2025)
    wrong = ref[:-2] + ("A" if ref[-2] != "A" else "B") + ref[-1]
    assert reference.references_in(wrong) == []

"""The VietQR payload: what a Vietnamese banking app reads from the payment QR code.

VietQR is NAPAS's profile of the EMVCo merchant-presented QR format: a string of
tag–length–value fields (two-digit tag, two-digit length, value), closed by a CRC-16
over everything before it. We build the "transfer to an account" form (service code
QRIBFTTA) with the amount and the payment reference filled in, so the app opens a
transfer the payer only confirms. Plain strings in, plain strings out: no Flask here.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

#: NAPAS's application identifier in the merchant account template (tag 38)
NAPAS_GUID = "A000000727"
#: inter-bank fund transfer 24/7 to an account
SERVICE_TRANSFER_TO_ACCOUNT = "QRIBFTTA"
CURRENCY_VND = "704"
COUNTRY_VN = "VN"
#: "12": a code made for one payment (amount fixed); "11" would be a reusable one
DYNAMIC = "12"
#: the longest message (tag 62, sub-tag 08) the format lets us carry
PURPOSE_MAX = 25


class PayloadError(ValueError):
    """A payload that is not well-formed VietQR (wrong length, CRC, missing field)."""


@dataclass(frozen=True)
class Transfer:
    """What the payer's banking app fills in from the code."""

    bank_bin: str
    account: str
    amount_vnd: int | None
    purpose: str


def crc16_ccitt_false(data: bytes) -> int:
    """CRC-16/CCITT-FALSE: polynomial 0x1021, start 0xFFFF, no reflection, no final XOR."""
    crc = 0xFFFF
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else crc << 1
            crc &= 0xFFFF
    return crc


def _field(tag: str, value: str) -> str:
    if len(value) > 99:
        raise PayloadError(f"field {tag} is longer than 99 characters")
    return f"{tag}{len(value):02d}{value}"


def plain_purpose(text: str) -> str:
    """The message as banks carry it: ASCII letters, digits and spaces, at most 25."""
    folded = unicodedata.normalize("NFKD", text.replace("đ", "d").replace("Đ", "D"))
    ascii_only = "".join(c for c in folded if c.isascii() and (c.isalnum() or c in " -"))
    return " ".join(ascii_only.split())[:PURPOSE_MAX]


def build_payload(bank_bin: str, account: str, amount_vnd: int | None, purpose: str) -> str:
    """The VietQR string for a transfer of `amount_vnd` đồng to `account` at bank `bank_bin`."""
    if not (bank_bin.isdigit() and len(bank_bin) == 6):
        raise PayloadError("the bank BIN has six digits")
    if not (account.isascii() and account.isalnum() and 1 <= len(account) <= 19):
        raise PayloadError("the account number has 1 to 19 letters or digits")
    if amount_vnd is not None and not (0 < amount_vnd < 10**13):
        raise PayloadError("the amount is a positive number of đồng below 13 digits")
    beneficiary = _field("00", bank_bin) + _field("01", account)
    merchant = (
        _field("00", NAPAS_GUID)
        + _field("01", beneficiary)
        + _field("02", SERVICE_TRANSFER_TO_ACCOUNT)
    )
    parts = [_field("00", "01"), _field("01", DYNAMIC), _field("38", merchant)]
    parts.append(_field("53", CURRENCY_VND))
    if amount_vnd is not None:
        parts.append(_field("54", str(amount_vnd)))
    parts.append(_field("58", COUNTRY_VN))
    message = plain_purpose(purpose)
    if message:
        parts.append(_field("62", _field("08", message)))
    body = "".join(parts) + "6304"
    return body + f"{crc16_ccitt_false(body.encode('ascii')):04X}"


def fields_of(text: str) -> dict[str, str]:
    """Split a run of tag–length–value fields; refuses a field that runs past the end."""
    fields: dict[str, str] = {}
    at = 0
    while at < len(text):
        tag, length = text[at : at + 2], text[at + 2 : at + 4]
        if len(tag) < 2 or not length.isdigit():
            raise PayloadError(f"no field header at position {at}")
        end = at + 4 + int(length)
        if end > len(text):
            raise PayloadError(f"field {tag} runs past the end")
        fields[tag] = text[at + 4 : end]
        at = end
    return fields


def parse_payload(payload: str) -> Transfer:
    """Read a VietQR transfer back; checks the CRC and the NAPAS fields."""
    if len(payload) < 8 or payload[-8:-4] != "6304":
        raise PayloadError("the payload does not end with a CRC field")
    expected = f"{crc16_ccitt_false(payload[:-4].encode('utf-8')):04X}"
    if payload[-4:].upper() != expected:
        raise PayloadError("the CRC does not match")
    top = fields_of(payload)
    if top.get("00") != "01" or top.get("53") != CURRENCY_VND or top.get("58") != COUNTRY_VN:
        raise PayloadError("not a VietQR payload in đồng for Vietnam")
    merchant = fields_of(top.get("38", ""))
    if merchant.get("00") != NAPAS_GUID:
        raise PayloadError("no NAPAS account information")
    beneficiary = fields_of(merchant.get("01", ""))
    amount = top.get("54")
    extra = fields_of(top.get("62", ""))
    return Transfer(
        bank_bin=beneficiary.get("00", ""),
        account=beneficiary.get("01", ""),
        amount_vnd=int(amount) if amount and amount.isdigit() else None,
        purpose=extra.get("08", ""),
    )

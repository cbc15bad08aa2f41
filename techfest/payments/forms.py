"""Forms of the payments pages: the statement upload, a match by hand, a refund."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired, FileSize
from wtforms import IntegerField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

from techfest.core.forms import TranslatedForm


class StatementForm(TranslatedForm):
    file = FileField(
        _l("Bank statement"),
        validators=[
            FileRequired(message=_l("Choose the statement file.")),
            FileSize(max_size=5 * 1024 * 1024, message=_l("The file is larger than 5 MB.")),
        ],
        description=_l(
            "The bank's export as CSV (UTF-8; Vietcombank, Techcombank, BIDV or similar "
            "columns) or CAMT.053 XML."
        ),
    )


class MatchForm(TranslatedForm):
    reference = StringField(
        _l("Payment reference"),
        validators=[
            DataRequired(message=_l("Enter the order's reference.")),
            Length(max=40, message=_l("At most 40 characters.")),
        ],
    )


class RefundForm(TranslatedForm):
    account = StringField(
        _l("Paid back to (bank and account)"),
        validators=[Optional(), Length(max=120, message=_l("At most 120 characters."))],
    )


class SettingsForm(TranslatedForm):
    bank_bin = StringField(
        _l("Bank BIN (NAPAS)"),
        validators=[Regexp(r"^[0-9]{6}$", message=_l("Six digits, e.g. 970436."))],
        description=_l("The bank's six-digit NAPAS code, e.g. 970436 for Vietcombank."),
    )
    bank_name = StringField(
        _l("Bank"), validators=[DataRequired(message=_l("Name the bank.")), Length(max=80)]
    )
    account_number = StringField(
        _l("Account number"),
        validators=[Regexp(r"^[0-9A-Za-z]{1,19}$", message=_l("1 to 19 letters or digits."))],
    )
    account_name = StringField(
        _l("Account holder"),
        validators=[DataRequired(message=_l("Name the account holder.")), Length(max=120)],
    )
    days_to_pay = IntegerField(
        _l("Days to pay"),
        validators=[NumberRange(min=1, max=60, message=_l("Between 1 and 60 days."))],
        description=_l("A pending order holds its place this long, then expires unpaid."),
    )
    vat_rate_percent = SelectField(
        _l("VAT rate"),
        coerce=int,
        choices=[SelectChoice(rate, f"{rate}%") for rate in (0, 5, 8, 10)],
    )
    seller_name = StringField(_l("Seller on receipts"), validators=[Length(max=200)])
    seller_tax_code = StringField(
        _l("Seller's tax code"),
        validators=[
            Optional(),
            Regexp(r"^[0-9]{10}(-[0-9]{3})?$", message=_l("10 digits, or 10-3 for a branch.")),
        ],
    )
    seller_address = StringField(_l("Seller's address"), validators=[Length(max=300)])

    def values(self) -> dict:
        return {
            name: (field.data.strip() if isinstance(field.data, str) else field.data)
            for name, field in self._fields.items()
            if name != "csrf_token"
        }

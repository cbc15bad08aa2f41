"""Forms of the payments pages: the statement upload, a match by hand, a refund."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired, FileSize
from wtforms import StringField
from wtforms.validators import DataRequired, Length, Optional

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

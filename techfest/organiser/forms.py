"""Forms of the organiser pages and of a person's privacy page."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, IntegerField, PasswordField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, InputRequired, Length, NumberRange

from techfest.core.forms import TranslatedForm


class RetentionForm(TranslatedForm):
    retention_days = IntegerField(
        _l("Keep personal data for (days after the edition ends)"),
        validators=[InputRequired(), NumberRange(min=0, max=3650)],
        description=_l("After this period `flask erase-expired-data` erases it."),
    )


class LogRequestForm(TranslatedForm):
    email = EmailField(
        _l("E-mail of the person"), validators=[DataRequired(), Email(), Length(max=254)]
    )
    kind = SelectField(
        _l("Request"),
        choices=[
            SelectChoice("export", _l("Copy of their data")),
            SelectChoice("erasure", _l("Erasure")),
        ],
        validators=[DataRequired()],
    )


class EraseForm(TranslatedForm):
    password = PasswordField(
        _l("Your password"),
        validators=[DataRequired(), Length(max=200)],
        render_kw={"autocomplete": "current-password"},
    )
    confirm = BooleanField(
        _l("I understand that my account and personal data will be erased for good."),
        validators=[DataRequired(message=_l("Please tick the box to confirm."))],
    )

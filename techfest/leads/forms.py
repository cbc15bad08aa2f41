"""Forms of lead capture: a lead's rating, note and tags; a visitor's sharing choice."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from techfest.core.forms import TranslatedForm
from techfest.leads.services import NOTE_MAX

TOO_LONG = _l("At most %(max)d characters.")


class LeadForm(TranslatedForm):
    rating = RadioField(
        _l("Rating"),
        choices=[SelectChoice(str(n), str(n)) for n in range(1, 6)],
        validators=[Optional()],
        validate_choice=True,
    )
    note = TextAreaField(_l("Note"), validators=[Length(max=NOTE_MAX, message=TOO_LONG)])
    tags = StringField(
        _l("Tags"),
        validators=[Length(max=400, message=TOO_LONG)],
        description=_l("Separate tags with commas, e.g. investor, follow-up."),
    )


class SharingForm(TranslatedForm):
    share = BooleanField(_l("Exhibitors who scan my badge may see my email and phone."))


class StaffInviteForm(TranslatedForm):
    email = EmailField(
        _l("Email address"),
        validators=[DataRequired(), Length(max=254, message=TOO_LONG)],
        description=_l("They get a link valid for 7 days, to use once."),
    )

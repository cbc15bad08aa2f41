from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError


class EditionForm(FlaskForm):
    year = IntegerField(_l("Year"), validators=[DataRequired(), NumberRange(2000, 2100)])
    number = IntegerField(_l("Edition number"), validators=[Optional(), NumberRange(1, 999)])
    name_vi = StringField(_l("Name (Vietnamese)"), validators=[DataRequired(), Length(max=200)])
    name_en = StringField(_l("Name (English)"), validators=[DataRequired(), Length(max=200)])
    theme_vi = StringField(_l("Theme (Vietnamese)"), validators=[Optional(), Length(max=300)])
    theme_en = StringField(_l("Theme (English)"), validators=[Optional(), Length(max=300)])
    venue_vi = StringField(_l("Venue (Vietnamese)"), validators=[Optional(), Length(max=200)])
    venue_en = StringField(_l("Venue (English)"), validators=[Optional(), Length(max=200)])
    address = StringField(_l("Address"), validators=[Optional(), Length(max=300)])
    starts_on = DateField(_l("First day"), validators=[DataRequired()])
    ends_on = DateField(_l("Last day"), validators=[DataRequired()])
    booth_hold_hours = IntegerField(
        _l("Hours a booth request is held"), default=48, validators=[NumberRange(1, 24 * 60)]
    )
    max_booths_per_organisation = IntegerField(
        _l("Booths one organisation may hold"), default=1, validators=[NumberRange(1, 50)]
    )
    request_expiry_hours = IntegerField(
        _l("Hours before a meeting request expires"),
        default=72,
        validators=[NumberRange(1, 24 * 60)],
    )
    retention_days = IntegerField(
        _l("Days personal data is kept after the edition"),
        default=365,
        validators=[NumberRange(1, 3650)],
    )

    def validate_ends_on(self, field):
        if self.starts_on.data and field.data and field.data < self.starts_on.data:
            raise ValidationError(_l("The last day cannot be before the first day."))

from flask_babel import get_translations, lazy_ngettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, IntegerField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from techfest.core.inputs import check_form, form_values

#: WTForms' own messages, listed so that they are extracted into the shared catalogue;
#: TranslatedForm looks them up there, in the person's language.
WTFORMS_MESSAGES = (
    _l("This field is required."),
    _l("Invalid email address."),
    _l("Not a valid choice."),
    _l("Invalid Choice: could not coerce."),
    _l("Not a valid integer value."),
    _l("Not a valid decimal value."),
    _l("Not a valid float value."),
    _l("Not a valid date value."),
    _l("Not a valid datetime value."),
    _l("Number must be between %(min)s and %(max)s."),
    _l("Number must be at least %(min)s."),
    _l("Number must be at most %(max)s."),
    _l("Field must be between %(min)d and %(max)d characters long."),
    lazy_ngettext(
        "Field must be at least %(min)d character long.",
        "Field must be at least %(min)d characters long.",
        1,
    ),
    lazy_ngettext(
        "Field cannot be longer than %(max)d character.",
        "Field cannot be longer than %(max)d characters.",
        1,
    ),
    lazy_ngettext(
        "Field must be exactly %(max)d character long.",
        "Field must be exactly %(max)d characters long.",
        1,
    ),
    _l("Invalid input."),
    _l("Invalid URL."),
    _l("Field must be equal to %(other_name)s."),
    _l("The CSRF token is missing."),
    _l("The CSRF token has expired."),
    _l("The CSRF token is invalid."),
)


class _CatalogueTranslations:
    def gettext(self, string: str) -> str:
        return get_translations().ugettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return get_translations().ungettext(singular, plural, n)


class TranslatedForm(FlaskForm):
    """Base of every form: WTForms' built-in messages come in the person's language."""

    class Meta:
        def get_translations(self, form):
            return _CatalogueTranslations()

        def wrap_formdata(self, form, formdata):
            # a text field takes text only: files and JSON lists or objects sent in its
            # place are dropped (the field then reads as not filled in)
            return form_values(form, super().wrap_formdata(form, formdata))

    def validate(self, extra_validators=None) -> bool:
        # the one input policy first (core/inputs.py): trimmed, clean text, numbers that
        # fit their column; a field that breaks it keeps what was typed and says why
        problems = check_form(self)
        # a number too large for a float makes WTForms' NumberRange crash; no field here
        # takes such a number, so it becomes "no value" and gets the field's own message
        for field in self:
            if isinstance(field.data, int) and abs(field.data) > 2**53:
                field.data = None
        valid = super().validate(extra_validators)
        for name, messages in problems.items():
            if name in self._fields:
                self._fields[name].errors = list(messages)
                valid = False
        return valid and not problems


class WideIntegerField(IntegerField):
    """An integer stored in a 64-bit column (money, investment sizes): up to 2⁶³−1."""

    wide = True


class ActionForm(TranslatedForm):
    """A button that changes something: the form carries only the CSRF token."""


class EditionForm(TranslatedForm):
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
    meeting_auto_accept = BooleanField(
        _l("Bookings are confirmed without asking"),
        description=_l(
            "When ticked, an investor's booking is a confirmed meeting at once; otherwise the "
            "startup is asked and the place is held until it answers or the request expires."
        ),
    )
    retention_days = IntegerField(
        _l("Days personal data is kept after the edition"),
        default=365,
        validators=[NumberRange(1, 3650)],
    )

    def validate_ends_on(self, field):
        if self.starts_on.data and field.data and field.data < self.starts_on.data:
            raise ValidationError(_l("The last day cannot be before the first day."))

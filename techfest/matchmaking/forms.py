"""Forms of matchmaking: profiles, availability, marks, requests, booking, feedback, set-up."""

from __future__ import annotations

import re
from datetime import date

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    URLField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import URL, DataRequired, Length, NumberRange, Optional, ValidationError

from techfest.core.forms import TranslatedForm, WideIntegerField
from techfest.matchmaking.labels import (
    RATING_LABELS,
    STAGE_LABELS,
    TIER_LABELS,
    sector_label,
    sectors,
)
from techfest.matchmaking.models import STAGES

_HHMM = re.compile(r"^([01]?\d|2[0-3]):[0-5]\d$")


def sector_choices(lang: str) -> list[SelectChoice]:
    return [SelectChoice(s["slug"], sector_label(s["slug"], lang)) for s in sectors()]


def stage_choices(blank: bool = True) -> list[SelectChoice]:
    out = [SelectChoice("", _l("Not stated"))] if blank else []
    return out + [SelectChoice(s, STAGE_LABELS[s]) for s in STAGES]


def _hhmm(form, field) -> None:
    if field.data and not _HHMM.match(field.data.strip()):
        raise ValidationError(_l("Write the time as HH:MM, for example 13:30."))


class StartupProfileForm(TranslatedForm):
    pitch_vi = TextAreaField(_l("Pitch in Vietnamese"), validators=[Length(max=3000)])
    pitch_en = TextAreaField(_l("Pitch in English"), validators=[Length(max=3000)])
    sectors = SelectMultipleField(_l("Sectors"), choices=[], validate_choice=True)
    tags = StringField(
        _l("Tags"),
        validators=[Optional(), Length(max=300)],
        description=_l("Free words, separated by commas."),
    )
    stage = SelectField(_l("Stage"), choices=[], validators=[Optional()])
    raising_usd = WideIntegerField(
        _l("Raising (USD)"), validators=[Optional(), NumberRange(min=0, max=10**10)]
    )
    location = StringField(_l("Location"), validators=[Optional(), Length(max=120)])
    founded_year = IntegerField(
        _l("Founded in"),
        validators=[Optional(), NumberRange(min=1900, max=date.today().year + 1)],
    )
    deck_url = URLField(
        _l("Pitch deck link"),
        validators=[
            Optional(),
            URL(message=_l("Please give a full web address.")),
            Length(max=500),
        ],
    )
    max_meetings = IntegerField(
        _l("Meetings at most"), default=8, validators=[DataRequired(), NumberRange(min=1, max=30)]
    )
    wants_meetings = BooleanField(_l("Take part in the startup–investor meetings"), default=True)

    def setup(self, lang: str) -> StartupProfileForm:
        self.sectors.choices = sector_choices(lang)
        self.stage.choices = stage_choices()
        return self


class InvestorProfileForm(TranslatedForm):
    thesis_vi = TextAreaField(_l("Investment thesis in Vietnamese"), validators=[Length(max=3000)])
    thesis_en = TextAreaField(_l("Investment thesis in English"), validators=[Length(max=3000)])
    sectors = SelectMultipleField(_l("Sectors"), choices=[])
    stages = SelectMultipleField(_l("Stages"), choices=[])
    ticket_min_usd = WideIntegerField(
        _l("Smallest ticket (USD)"), validators=[Optional(), NumberRange(min=0, max=10**10)]
    )
    ticket_max_usd = WideIntegerField(
        _l("Largest ticket (USD)"), validators=[Optional(), NumberRange(min=0, max=10**10)]
    )
    locations = StringField(
        _l("Locations"),
        validators=[Optional(), Length(max=300)],
        description=_l("Cities or countries, separated by commas."),
    )
    portfolio = TextAreaField(
        _l("Past investments"),
        validators=[Optional(), Length(max=5000)],
        description=_l(
            "One line per company: what it does, where, the round and the year, e.g. "
            "“Tàu Nhanh: container tracking at Hải Phòng port, seed round, 2023”. The "
            "suggestions learn from these lines."
        ),
    )
    max_meetings = IntegerField(
        _l("Meeting quota"), default=10, validators=[DataRequired(), NumberRange(min=1, max=40)]
    )
    strict_stages = BooleanField(
        _l("Only suggest startups at these stages"),
        description=_l("Otherwise a startup at another stage is only ranked lower."),
    )
    strict_ticket = BooleanField(
        _l("Only suggest startups raising within my ticket range"),
        description=_l("Otherwise a startup raising more or less is only ranked lower."),
    )

    def setup(self, lang: str) -> InvestorProfileForm:
        self.sectors.choices = sector_choices(lang)
        self.stages.choices = stage_choices(blank=False)
        return self

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        low, high = self.ticket_min_usd.data, self.ticket_max_usd.data
        if ok and low is not None and high is not None and low > high:
            self.ticket_max_usd.errors.append(
                _l("The largest ticket must not be smaller than the smallest.")
            )
            ok = False
        return ok


class RequestForm(TranslatedForm):
    message = TextAreaField(
        _l("Message"),
        validators=[DataRequired(), Length(max=2000)],
        description=_l("Say why you would like to meet."),
    )


class BookForm(TranslatedForm):
    slot_id = SelectField(_l("Time"), choices=[], coerce=int, validators=[DataRequired()])
    message = TextAreaField(
        _l("Message"),
        validators=[Optional(), Length(max=2000)],
        description=_l("Optional: say why you would like to meet."),
    )


class DeclineForm(TranslatedForm):
    """Declining a meeting request, with an optional word for the side that asked."""

    reason = TextAreaField(
        _l("Reason (optional)"),
        validators=[Optional(), Length(max=500)],
        description=_l("The side that asked reads it in the email it receives."),
    )


class PublishForm(TranslatedForm):
    """The confirmation of publishing: the digest of the schedule the organiser saw."""

    digest = HiddenField(validators=[DataRequired(), Length(max=64)])


class FeedbackForm(TranslatedForm):
    rating = RadioField(
        _l("How was the meeting?"),
        choices=[SelectChoice(k, v) for k, v in RATING_LABELS.items()],
        validators=[DataRequired()],
    )
    comment = TextAreaField(_l("Comment"), validators=[Optional(), Length(max=2000)])


class PreferenceForm(TranslatedForm):
    tier = SelectField(
        _l("Mark"),
        choices=[SelectChoice("", _l("No mark"))]
        + [SelectChoice(k, v) for k, v in TIER_LABELS.items()],
        validators=[Optional()],
    )


class SlotsForm(TranslatedForm):
    day = IntegerField(_l("Day of the edition"), default=1, validators=[DataRequired()])
    start = StringField(_l("From"), default="08:30", validators=[DataRequired(), _hhmm])
    end = StringField(_l("Until"), default="17:00", validators=[DataRequired(), _hhmm])
    minutes = IntegerField(
        _l("Slot length (minutes)"), default=20, validators=[DataRequired(), NumberRange(5, 240)]
    )
    gap = IntegerField(
        _l("Pause between slots (minutes)"), default=5, validators=[Optional(), NumberRange(0, 120)]
    )
    break_start = StringField(_l("Break from"), default="11:30", validators=[Optional(), _hhmm])
    break_end = StringField(_l("Break until"), default="13:30", validators=[Optional(), _hhmm])


class TablesForm(TranslatedForm):
    count = IntegerField(
        _l("Number of tables"), default=10, validators=[DataRequired(), NumberRange(1, 200)]
    )
    location_vi = StringField(_l("Place (Vietnamese)"), validators=[Optional(), Length(max=120)])
    location_en = StringField(_l("Place (English)"), validators=[Optional(), Length(max=120)])
    booth_code = StringField(
        _l("At booth"),
        validators=[Optional(), Length(max=20)],
        description=_l("Optional booth code, so walking between meetings stays short."),
    )


class MoveForm(TranslatedForm):
    slot_id = SelectField(_l("Slot"), choices=[], coerce=int, validators=[DataRequired()])
    table_id = SelectField(_l("Table"), choices=[], coerce=int, validators=[DataRequired()])


class AddMeetingForm(MoveForm):
    startup_id = SelectField(_l("Startup"), choices=[], coerce=int, validators=[DataRequired()])
    investor_id = SelectField(_l("Investor"), choices=[], coerce=int, validators=[DataRequired()])


class RunForm(TranslatedForm):
    reserve = IntegerField(
        _l("Places kept free per investor for booking"),
        default=1,
        validators=[Optional(), NumberRange(0, 20)],
        description=_l("After publishing, investors book these places themselves."),
    )
    time_limit = IntegerField(
        _l("Time limit for the schedule (seconds)"),
        default=10,
        validators=[DataRequired(), NumberRange(1, 600)],
    )


class ContactCardForm(TranslatedForm):
    """What I show the other side of my confirmed meetings."""

    share_email = BooleanField(_l("Show my email address"))
    phone = StringField(
        _l("Phone"), filters=[lambda v: (v or "").strip()], validators=[Length(max=30)]
    )
    zalo_url = StringField(
        _l("Zalo link"),
        filters=[lambda v: (v or "").strip()],
        validators=[Length(max=220)],
        description=_l("For example https://zalo.me/0912345678"),
    )
    linkedin_url = StringField(
        _l("LinkedIn link"),
        filters=[lambda v: (v or "").strip()],
        validators=[Length(max=140)],
        description=_l("For example https://www.linkedin.com/in/your-name"),
    )

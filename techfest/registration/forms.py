"""Forms of delegate registration and of the organiser's ticket and import pages."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired, FileSize
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    EmailField,
    IntegerField,
    RadioField,
    StringField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from techfest.core.forms import TranslatedForm
from techfest.registration.booking import BadgeDetails
from techfest.registration.catalogue import (
    CODE_RE,
    NAME_MAX,
    ORG_MAX,
    PHONE_RE,
    TITLE_MAX,
    TicketTypeData,
    clean,
    has_control_chars,
)

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]

TOO_LONG = _l("At most %(max)d characters.")


def printable(form, field) -> None:
    if isinstance(field.data, str) and has_control_chars(field.data):
        raise ValidationError(_l("This field holds characters that cannot be printed."))


def _strip(value):
    return clean(value) if isinstance(value, str) else value


class RegistrationForm(TranslatedForm):
    ticket_type = RadioField(
        _l("Ticket type"),
        coerce=int,
        validate_choice=True,
        validators=[InputRequired(message=_l("Please choose a ticket type."))],
    )
    full_name = StringField(
        _l("Full name (as printed on the badge)"),
        filters=[_strip],
        validators=[DataRequired(), Length(max=NAME_MAX, message=TOO_LONG), printable],
    )
    organisation_name = StringField(
        _l("Organisation"),
        filters=[_strip],
        validators=[Length(max=ORG_MAX, message=TOO_LONG), printable],
    )
    job_title = StringField(
        _l("Job title"),
        filters=[_strip],
        validators=[Length(max=TITLE_MAX, message=TOO_LONG), printable],
    )
    phone = StringField(
        _l("Phone"),
        filters=[_strip],
        validators=[
            Optional(),
            Regexp(PHONE_RE, message=_l("Enter a phone number with digits, e.g. +84 912 345 678.")),
            printable,
        ],
    )
    email = EmailField(
        _l("Email"),
        filters=[_strip],
        validators=[DataRequired(), Email(), Length(max=254, message=TOO_LONG), printable],
        description=_l("We send the confirmation and updates here."),
    )
    language = RadioField(
        _l("Language of the badge and emails"),
        choices=[SelectChoice("vi", "Tiếng Việt"), SelectChoice("en", "English")],
        default="vi",
        validators=[InputRequired(message=_l("Choose Vietnamese or English."))],
    )
    consent = BooleanField(
        _l("I agree to the processing of my personal data as described above."),
        validators=[DataRequired(message=_l("Please accept the data protection consent."))],
    )
    share_with_exhibitors = BooleanField(
        _l("Exhibitors who scan my badge may see my email and phone (optional)."),
    )

    def set_ticket_choices(self, offers) -> None:
        self.ticket_type.choices = [SelectChoice(o.ticket.id, o.ticket.code) for o in offers]

    def details(self) -> BadgeDetails:
        return BadgeDetails(
            full_name=self.full_name.data,
            email=self.email.data,
            organisation_name=self.organisation_name.data or "",
            job_title=self.job_title.data or "",
            phone=self.phone.data or "",
            language=self.language.data,
        )


class CancelForm(TranslatedForm):
    """Only the CSRF token: the registration is the signed-in person's own."""


class TicketTypeForm(TranslatedForm):
    code = StringField(
        _l("Code"),
        filters=[lambda v: _strip(v).upper() if isinstance(v, str) else v],
        validators=[
            DataRequired(),
            Length(max=32, message=TOO_LONG),
            Regexp(
                CODE_RE,
                message=_l("Capital letters, digits, - and _ only (e.g. DELEGATE, VIP-2)."),
            ),
        ],
        description=_l("Short and unique in this edition; used in CSV files."),
    )
    name_vi = StringField(
        _l("Name (Vietnamese)"),
        filters=[_strip],
        validators=[DataRequired(), Length(max=120, message=TOO_LONG), printable],
    )
    name_en = StringField(
        _l("Name (English)"),
        filters=[_strip],
        validators=[DataRequired(), Length(max=120, message=TOO_LONG), printable],
    )
    price_vnd = IntegerField(
        _l("Price (VND)"),
        default=0,
        validators=[InputRequired(), NumberRange(min=0, max=1_000_000_000)],
        description=_l("0 for a free ticket."),
    )
    capacity = IntegerField(
        _l("Capacity"),
        validators=[InputRequired(), NumberRange(min=0, max=1_000_000)],
        description=_l("Confirmed places; when they are taken, people join a waitlist."),
    )
    sale_starts_at = DateTimeLocalField(
        _l("Sale starts (local time)"),
        format=DATETIME_FORMATS,
        validators=[Optional()],
        description=_l("Empty: on sale now."),
    )
    sale_ends_at = DateTimeLocalField(
        _l("Sale ends (local time)"),
        format=DATETIME_FORMATS,
        validators=[Optional()],
        description=_l("Empty: until the organisers close it."),
    )
    is_public = BooleanField(
        _l("Visible on the public registration page"),
        default=True,
        description=_l("Hidden ticket types are given by organisers (e.g. CSV import)."),
    )

    def validate_sale_starts_at(self, field) -> None:
        _check_year(field.data)

    def validate_sale_ends_at(self, field) -> None:
        _check_year(field.data)
        start = self.sale_starts_at.data
        if field.data and start and field.data <= start:
            raise ValidationError(_l("The sale must end after it starts."))

    def to_data(self, timezone: str) -> TicketTypeData:
        tz = ZoneInfo(timezone)
        return TicketTypeData(
            code=self.code.data,
            name_vi=self.name_vi.data,
            name_en=self.name_en.data,
            price_vnd=self.price_vnd.data,
            capacity=self.capacity.data,
            sale_starts_at=_aware(self.sale_starts_at.data, tz),
            sale_ends_at=_aware(self.sale_ends_at.data, tz),
            is_public=bool(self.is_public.data),
        )

    def fill_from(self, ticket, timezone: str) -> None:
        tz = ZoneInfo(timezone)
        for name in ("code", "name_vi", "name_en", "price_vnd", "capacity", "is_public"):
            getattr(self, name).data = getattr(ticket, name)
        for name in ("sale_starts_at", "sale_ends_at"):
            value = getattr(ticket, name)
            getattr(self, name).data = value.astimezone(tz).replace(tzinfo=None) if value else None


def _check_year(value: datetime | None) -> None:
    if value is not None and not 2000 <= value.year <= 2100:
        raise ValidationError(_l("Choose a date between 2000 and 2100."))


def _aware(value: datetime | None, tz: ZoneInfo) -> datetime | None:
    return value.replace(tzinfo=tz) if value else None


class ImportForm(TranslatedForm):
    file = FileField(
        _l("CSV file"),
        validators=[
            FileRequired(message=_l("Choose a CSV file.")),
            FileSize(max_size=5 * 1024 * 1024, message=_l("The file is larger than 5 MB.")),
        ],
        description=_l(
            "Columns: email, full_name, ticket_code; optional: organisation, job_title, "
            "phone, language (vi/en), consent (yes/no). UTF-8, comma or semicolon."
        ),
    )

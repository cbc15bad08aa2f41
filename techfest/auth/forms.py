from flask_babel import lazy_gettext as _l
from wtforms import EmailField, HiddenField, PasswordField, RadioField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional

from techfest.core.forms import TranslatedForm


class LoginForm(TranslatedForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])
    next = HiddenField()


class SignupForm(TranslatedForm):
    full_name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=120)])
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(), Length(max=254)])
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(), Length(min=8, max=200)],
        description=_l("At least 8 characters."),
    )
    account_type = RadioField(
        _l("I am"),
        choices=[
            SelectChoice("delegate", _l("a delegate")),
            SelectChoice("startup", _l("a startup")),
            SelectChoice("investor", _l("an investor")),
        ],
        default="delegate",
        validators=[DataRequired()],
    )
    organisation_name = StringField(
        _l("Organisation"),
        validators=[Optional(), Length(max=160)],
        description=_l("Required for startups and investors."),
    )

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if (
            self.account_type.data in ("startup", "investor")
            and not (self.organisation_name.data or "").strip()
        ):
            self.organisation_name.errors.append(_l("Please name your organisation."))
            ok = False
        return ok


class ResetRequestForm(TranslatedForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(), Length(max=254)])


class ResetForm(TranslatedForm):
    password = PasswordField(
        _l("New password"), validators=[DataRequired(), Length(min=8, max=200)]
    )
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))],
    )

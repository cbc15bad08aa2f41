"""Forms of messages: a message, and a report's reason."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length

from techfest.core.forms import TranslatedForm
from techfest.messages.models import BODY_MAX, REASON_MAX

TOO_LONG = _l("At most %(max)d characters.")


class MessageForm(TranslatedForm):
    body = TextAreaField(
        _l("Your message"),
        validators=[
            DataRequired(message=_l("Write a message first.")),
            Length(max=BODY_MAX, message=TOO_LONG),
        ],
        description=_l("Plain text, at most %(n)s characters.", n=BODY_MAX),
    )


class ReportForm(TranslatedForm):
    reason = TextAreaField(
        _l("What is wrong?"),
        validators=[
            DataRequired(message=_l("Say what is wrong, for the organisers.")),
            Length(max=REASON_MAX, message=TOO_LONG),
        ],
    )

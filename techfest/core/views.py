"""Home, language switch, health check, and each edition's front page."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask import session as flask_session
from flask_babel import gettext as _
from flask_login import current_user

from techfest.core import mail, services
from techfest.core.domains import edition_overview_reader
from techfest.core.editions import (
    current_edition,
    organiser_required,
    scope_to_edition,
    user_roles,
)
from techfest.core.forms import ActionForm, EditionForm
from techfest.core.navigation import safe_next
from techfest.db import db

bp = Blueprint("core", __name__)

edition_bp = scope_to_edition(Blueprint("edition", __name__, url_prefix="/<id:year>"))


@bp.get("/")
def index():
    edition = current_edition(db())
    if edition is None:
        return render_template("core/empty.html")
    return redirect(url_for("edition.home", year=edition.year))


@bp.get("/lang/<code>")
def set_language(code: str):
    if code not in current_app.config["LANGUAGES"]:
        abort(404)
    flask_session["lang"] = code
    if current_user.is_authenticated:
        services.set_user_locale(db(), current_user, code)
        db().commit()
    return redirect(safe_next(request.args.get("next")) or url_for("core.index"))


@bp.route("/mail/confirm/<token>", methods=["GET", "POST"])
def confirm_mail(token: str):
    """The link of a confirmation request: a button confirms the address (a GET alone
    does not, so a mail scanner that opens links confirms nothing)."""
    form = ActionForm()
    valid = mail.token_email(token) is not None
    done = None
    if valid and form.validate_on_submit():
        done = mail.confirm_from_token(db(), token)
        db().commit()
    return render_template("core/confirm_mail.html", form=form, valid=valid, done=done)


@bp.get("/healthz")
def healthz():
    report = services.health(db(), current_app.config.get("REDIS_URL"))
    return report, (200 if report["ok"] else 503)


@edition_bp.get("/")
def home():
    overview = edition_overview_reader(current_app)(db(), g.edition)
    return render_template("core/home.html", overview=overview, roles=user_roles())


@edition_bp.route("/settings", methods=["GET", "POST"])
@organiser_required
def settings():
    form = EditionForm(obj=g.edition)
    if form.validate_on_submit():
        try:
            edition = services.save_edition(db(), g.edition, form.data, current_user.id)
        except services.EditionError:
            form.year.errors.append(_("Another edition already uses this year."))
        else:
            db().commit()
            flash(_("The edition is saved."), "success")
            return redirect(url_for("edition.settings", year=edition.year))
    return render_template("core/edition_form.html", form=form, creating=False)


@edition_bp.route("/settings/new-edition", methods=["GET", "POST"])
@organiser_required
def new_edition():
    form = EditionForm()
    if form.validate_on_submit():
        try:
            edition = services.save_edition(db(), None, form.data, current_user.id)
        except services.EditionError:
            form.year.errors.append(_("Another edition already uses this year."))
        else:
            db().commit()
            flash(_("The new edition is created; you organise it."), "success")
            return redirect(url_for("edition.home", year=edition.year))
    return render_template("core/edition_form.html", form=form, creating=True)

from datetime import UTC, datetime, timedelta

from flask import Blueprint, flash, make_response, redirect, render_template, request, url_for
from flask_babel import format_time, format_timedelta
from flask_babel import gettext as _
from flask_login import login_required, login_user, logout_user

from techfest.auth import ratelimit, services
from techfest.auth.forms import LoginForm, ResetForm, ResetRequestForm, SignupForm
from techfest.core.editions import current_edition
from techfest.core.navigation import safe_next
from techfest.db import db
from techfest.i18n import lang

bp = Blueprint("auth", __name__, url_prefix="/auth")


def _attempt(door: str) -> ratelimit.Refusal | None:
    """Count a POST at one of the account doors (kept even when the rest fails)."""
    if request.method != "POST":
        return None
    refusal = ratelimit.check(db(), door, request.remote_addr or "", request.form.get("email"))
    db().commit()
    return refusal


def _refused(template: str, form, refusal: ratelimit.Refusal):
    """The form again, answered 429, saying how long to wait and until when."""
    wait = format_timedelta(timedelta(seconds=refusal.retry_after), threshold=1.2)
    at = datetime.fromtimestamp(ratelimit.clock() + refusal.retry_after, UTC)
    flash(
        _(
            "Too many attempts. Please try again in %(wait)s (at %(time)s).",
            wait=wait,
            time=format_time(at, "HH:mm:ss"),
        ),
        "danger",
    )
    response = make_response(render_template(template, form=form), 429)
    response.headers["Retry-After"] = str(refusal.retry_after)
    return response


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm(next=request.args.get("next", ""))
    refusal = _attempt("login")
    if refusal is not None:
        return _refused("auth/login.html", form, refusal)
    if form.validate_on_submit():
        result = services.authenticate(db(), form.email.data, form.password.data)
        if result is not None:
            ratelimit.login_succeeded(db(), form.email.data)
            db().commit()
            user = result.user
            login_user(user)
            if result.first_time:
                flash(_("Welcome, %(name)s.", name=user.full_name), "success")
            else:
                flash(_("Welcome back, %(name)s.", name=user.full_name), "success")
            return redirect(safe_next(form.next.data) or url_for("core.index"))
        ratelimit.login_failed(db(), form.email.data)
        db().commit()
        flash(_("The email or password is not right."), "danger")
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
@login_required
def logout():
    logout_user()
    flash(_("You are logged out."), "info")
    # the page after logging out deletes the agenda's offline copy on this device
    return redirect(url_for("auth.logged_out"))


@bp.get("/logged-out")
def logged_out():
    return render_template("auth/logged_out.html")


@bp.route("/signup", methods=["GET", "POST"])
def signup():
    form = SignupForm()
    refusal = _attempt("signup")
    if refusal is not None:
        return _refused("auth/signup.html", form, refusal)
    if form.validate_on_submit():
        edition = current_edition(db())
        services.sign_up(
            db(),
            email=form.email.data,
            password=form.password.data,
            full_name=form.full_name.data,
            account_type=form.account_type.data,
            organisation_name=form.organisation_name.data or "",
            locale=lang(),
            edition_id=edition.id if edition else None,
            login_url=url_for("auth.login", _external=True),
            reset_url=url_for("auth.reset_request", _external=True),
        )
        db().commit()
        return render_template("auth/signup_done.html", email=form.email.data)
    return render_template("auth/signup.html", form=form)


@bp.route("/reset", methods=["GET", "POST"])
def reset_request():
    form = ResetRequestForm()
    refusal = _attempt("reset")
    if refusal is not None:
        return _refused("auth/reset_request.html", form, refusal)
    if form.validate_on_submit():
        services.request_password_reset(
            db(),
            form.email.data,
            lambda token: url_for("auth.reset", token=token, _external=True),
        )
        db().commit()
        flash(
            _("If an account uses this email, a link to reset the password is on its way."),
            "info",
        )
        return redirect(url_for("auth.login"))
    return render_template("auth/reset_request.html", form=form)


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset(token: str):
    user = services.user_for_reset_token(db(), token)
    if user is None:
        flash(_("This link has expired or was already used. Ask for a new one."), "warning")
        return redirect(url_for("auth.reset_request"))
    form = ResetForm()
    if form.validate_on_submit():
        services.set_password(db(), user, form.password.data)
        db().commit()
        flash(_("Your password is changed. Please log in."), "success")
        return redirect(url_for("auth.login"))
    return render_template("auth/reset.html", form=form)

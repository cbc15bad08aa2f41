"""Accounts: creation, authentication, password reset tokens, roles per edition."""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import LoginManager
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlmodel import Session, select
from werkzeug.security import check_password_hash, generate_password_hash

from techfest.auth.models import User
from techfest.core.mail import confirmation_link, queue_email
from techfest.core.models import ROLES, EditionRole, Organisation
from techfest.db import now_utc

#: checked against when the email is unknown, so both paths take the same time
_DUMMY_HASH = generate_password_hash("not-a-real-password")


class AccountError(Exception):
    pass


def normalise_email(email: str) -> str:
    return email.strip().lower()


def slugify(text: str) -> str:
    import unicodedata

    text = text.replace("đ", "d").replace("Đ", "D")
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "org"


def find_user(session: Session, email: str) -> User | None:
    return session.exec(select(User).where(User.email == normalise_email(email))).first()


def create_user(
    session: Session,
    email: str,
    password: str,
    full_name: str,
    locale: str = "vi",
    password_hash: str | None = None,
    **fields,
) -> User:
    user = User(
        email=normalise_email(email),
        password_hash=password_hash or generate_password_hash(password),
        full_name=full_name.strip(),
        locale=locale,
        **fields,
    )
    session.add(user)
    session.flush()
    return user


def unique_slug(session: Session, name: str) -> str:
    base = slugify(name)
    slug, n = base, 1
    while session.exec(select(Organisation.id).where(Organisation.slug == slug)).first():
        n += 1
        slug = f"{base}-{n}"
    return slug


def create_organisation(session: Session, kind: str, name: str, **fields) -> Organisation:
    org = Organisation(kind=kind, name=name.strip(), slug=unique_slug(session, name), **fields)
    session.add(org)
    session.flush()
    return org


def grant_role(session: Session, user: User, edition_id: int, role: str) -> EditionRole:
    if role not in ROLES:
        raise ValueError(role)
    existing = session.exec(
        select(EditionRole).where(
            EditionRole.user_id == user.id,
            EditionRole.edition_id == edition_id,
            EditionRole.role == role,
        )
    ).first()
    if existing:
        return existing
    grant = EditionRole(user_id=user.id, edition_id=edition_id, role=role)
    session.add(grant)
    session.flush()
    return grant


@dataclass(frozen=True)
class SignupResult:
    user: User | None
    created: bool


def sign_up(
    session: Session,
    *,
    email: str,
    password: str,
    full_name: str,
    account_type: str,
    organisation_name: str,
    locale: str,
    edition_id: int | None,
    login_url: str,
    reset_url: str,
) -> SignupResult:
    """Create an account (and its organisation); an existing address gets an email instead.

    The caller shows the same answer either way, so sign-up does not reveal who has an account.
    """
    existing = find_user(session, email)
    if existing is not None:
        with force_locale(existing.locale):
            queue_email(
                session,
                existing.email,
                _("Someone tried to create a Techfest account with your email"),
                _(
                    "An account with this email already exists. Log in at %(login)s, "
                    "or reset your password at %(reset)s.",
                    login=login_url,
                    reset=reset_url,
                ),
            )
        return SignupResult(None, False)
    org_id = None
    if account_type in ("startup", "investor"):
        org_id = create_organisation(session, account_type, organisation_name or full_name).id
    user = create_user(session, email, password, full_name, locale=locale, organisation_id=org_id)
    if edition_id is not None:
        grant_role(session, user, edition_id, account_type)
    # the welcome message is the address's confirmation request: nothing else is sent to
    # it before its owner follows the link
    queue_email(
        session,
        user.email,
        _("Welcome to Techfest"),
        _(
            "Your account is ready. Confirm your email address here: %(link)s\n\n"
            "Then log in at %(login)s.",
            link=confirmation_link(user.email),
            login=login_url,
        ),
        confirms_address=True,
    )
    return SignupResult(user, True)


@dataclass(frozen=True)
class LoginResult:
    user: User
    #: no earlier login: the person is greeted, not welcomed back
    first_time: bool


def authenticate(session: Session, email: str, password: str) -> LoginResult | None:
    user = find_user(session, email)
    if user is None or not user.is_active:
        check_password_hash(_DUMMY_HASH, password)
        return None
    if not check_password_hash(user.password_hash, password):
        return None
    first_time = user.last_login_at is None
    user.last_login_at = now_utc()
    session.add(user)
    session.flush()
    return LoginResult(user, first_time)


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="password-reset")


def make_reset_token(user: User) -> str:
    # the hash fragment makes the token single-use: it dies when the password changes
    return _serializer().dumps({"uid": user.id, "h": user.password_hash[-12:]})


def request_password_reset(session: Session, email: str, make_url) -> None:
    """Email a reset link if the address has an account; say nothing either way."""
    user = find_user(session, email)
    if user is None or not user.is_active:
        return
    link = make_url(make_reset_token(user))
    with force_locale(user.locale):
        queue_email(
            session,
            user.email,
            _("Reset your Techfest password"),
            _("Open this link within an hour to choose a new password: %(link)s", link=link),
        )


def user_for_reset_token(session: Session, token: str) -> User | None:
    try:
        data = _serializer().loads(token, max_age=current_app.config["PASSWORD_RESET_MAX_AGE"])
    except (BadSignature, SignatureExpired):
        return None
    user = session.get(User, data.get("uid"))
    if user is None or user.password_hash[-12:] != data.get("h") or not user.is_active:
        return None
    return user


def set_password(session: Session, user: User, password: str) -> None:
    user.password_hash = generate_password_hash(password)
    session.add(user)
    session.flush()


def init_login(manager: LoginManager) -> None:
    from flask_babel import lazy_gettext as _l

    from techfest.db import db

    manager.login_view = "auth.login"
    manager.login_message = _l("Please log in to open this page.")
    manager.login_message_category = "info"
    manager.session_protection = "basic"

    @manager.user_loader
    def _load(user_id: str):
        user = db().get(User, int(user_id))
        return user if user is not None and user.is_active else None

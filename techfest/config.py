"""Settings read from the environment (TECHFEST_*, DATABASE_URL, REDIS_URL)."""

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INSTANCE = Path(os.environ.get("TECHFEST_INSTANCE", ROOT / "instance"))


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


class Config:
    SECRET_KEY = os.environ.get("TECHFEST_SECRET_KEY", "dev-only-change-me")
    DATABASE_URL = os.environ.get("DATABASE_URL", f"sqlite:///{INSTANCE / 'techfest.db'}")
    REDIS_URL = os.environ.get("REDIS_URL", "")
    #: address people use to reach the platform, printed in QR codes and emails
    PUBLIC_URL = os.environ.get("TECHFEST_PUBLIC_URL", "http://127.0.0.1:8000")
    #: where documents and backups may be written; generated PDFs themselves live in the DB
    INSTANCE_PATH = str(INSTANCE)

    LANGUAGES = ("vi", "en")
    BABEL_DEFAULT_LOCALE = "vi"
    BABEL_DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"

    # Mail: every message goes to the outbox table first; a sender delivers it.
    MAIL_SENDER = os.environ.get("TECHFEST_MAIL_SENDER", "Techfest <no-reply@techfest.local>")
    SMTP_HOST = os.environ.get("TECHFEST_SMTP_HOST", "")
    SMTP_PORT = int(os.environ.get("TECHFEST_SMTP_PORT", "587"))
    SMTP_USER = os.environ.get("TECHFEST_SMTP_USER", "")
    SMTP_PASSWORD = os.environ.get("TECHFEST_SMTP_PASSWORD", "")
    #: print outgoing mail to the console instead of sending it (development)
    MAIL_TO_CONSOLE = _bool("TECHFEST_MAIL_TO_CONSOLE", not os.environ.get("TECHFEST_SMTP_HOST"))
    #: each web process delivers the outbox itself (core/mail.py); off: only `send-mail`
    MAIL_SENDER_THREAD = _bool("TECHFEST_MAIL_DELIVERY", True)

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _bool("TECHFEST_SECURE_COOKIES", False)
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    REMEMBER_COOKIE_HTTPONLY = True
    WTF_CSRF_ENABLED = True
    WTF_CSRF_TIME_LIMIT = int(os.environ.get("TECHFEST_CSRF_TIME_LIMIT", "7200"))
    MAX_CONTENT_LENGTH = 5 * 1024 * 1024

    #: limits on log in, sign up and password reset (auth/ratelimit.py), counted in Redis
    #: (this URL, else REDIS_URL) or, without Redis, in the database: shared by all workers
    RATELIMIT_ENABLED = _bool("TECHFEST_RATELIMIT", True)
    RATELIMIT_REDIS_URL = os.environ.get("TECHFEST_RATELIMIT_REDIS_URL", "")
    RATELIMIT_KEY_PREFIX = os.environ.get("TECHFEST_RATELIMIT_PREFIX", "techfest:rl:")
    #: minutes before each meeting and starred session: reminder email and agenda banner
    REMINDER_MINUTES = int(os.environ.get("TECHFEST_REMINDER_MINUTES", "15"))

    PASSWORD_RESET_MAX_AGE = 3600
    #: how long visitors who are not logged in may get a copy of a busy public page (0: off)
    SHARED_PAGE_SECONDS = float(os.environ.get("TECHFEST_SHARED_PAGE_SECONDS", "3"))
    TESTING = False


class TestConfig(Config):
    TESTING = True
    SECRET_KEY = "test-secret"  # noqa: S105 - fixed key for the test suite only
    WTF_CSRF_ENABLED = False
    RATELIMIT_ENABLED = False
    RATELIMIT_REDIS_URL = ""
    SHARED_PAGE_SECONDS = 0
    MAIL_TO_CONSOLE = False
    #: tests deliver the outbox themselves (deliver_pending), never from a thread
    MAIL_SENDER_THREAD = False
    DATABASE_URL = os.environ.get("TECHFEST_TEST_DATABASE_URL", "sqlite://")
    REDIS_URL = ""

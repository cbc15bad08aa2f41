"""Accounts: sign up, log in, log out, password reset."""

from flask import Blueprint

bp = Blueprint("auth", __name__, url_prefix="/auth")

"""Extension objects, bound to the app in create_app()."""

from flask_babel import Babel
from flask_login import LoginManager
from flask_wtf import CSRFProtect

login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()

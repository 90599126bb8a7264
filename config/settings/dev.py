"""Local development: DEBUG on, console e-mail, SQLite and the filesystem broker by default."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DEBUG", default=True)
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

DEMO_DATA = "allowed"  # seed_demo, totp_code (accounts/management/demo_guard.py)

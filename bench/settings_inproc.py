"""Settings for benchmarks that run Django in their own process (test Client, services).

Base settings with what the benchmarks need: DEBUG off (no query log), staff without TOTP (the
admin is driven with force_login), Celery *not* eager with an in-memory broker (a publish never
blocks and no task runs in the measured process; with BENCH_BROKER_URL set, the process's
CELERY_BROKER_URL from the environment instead), evidence and log files under var/bench/."""

import os

from config.settings.base import *  # noqa: F403
from config.settings.base import DATABASES, LOGGING, STORAGES, VAR_DIR

DEBUG = False
ALLOWED_HOSTS = ["*"]
ROOT_URLCONF = "bench.urls"
STAFF_OTP_REQUIRED = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

CELERY_TASK_ALWAYS_EAGER = False
if not os.environ.get("BENCH_BROKER_URL"):  # the webhook-lag benchmark publishes to its worker's broker
    CELERY_BROKER_URL = "memory://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {}

CELERY_TASK_DEFAULT_QUEUE = os.environ.get("BENCH_CELERY_QUEUE", "celery")  # a run's own queue on a shared broker

BENCH_DIR = VAR_DIR / "bench"
STATIC_ROOT = BENCH_DIR / "staticfiles"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
PRIVATE_MEDIA_ROOT = os.environ.get("BENCH_MEDIA_ROOT", str(BENCH_DIR / "private"))
STORAGES["private"]["OPTIONS"]["location"] = PRIVATE_MEDIA_ROOT

# Log as production does (same formatting, every line written), but to a file, not the console.
_log_dir = BENCH_DIR / "logs"
_log_dir.mkdir(parents=True, exist_ok=True)
LOGGING["handlers"]["console"] = {
    "class": "logging.FileHandler",
    "filename": str(_log_dir / f"{os.environ.get('BENCH_NAME', 'bench')}.log"),
    "mode": "w",  # one run's lines, not every run's
    "filters": ["context"],
    "formatter": os.environ.get("LOG_FORMAT", "json"),
}

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Concurrent writers (the race benchmark) wait for the lock instead of failing at once.
    DATABASES["default"].setdefault("OPTIONS", {}).update({"timeout": 30, "transaction_mode": "IMMEDIATE"})

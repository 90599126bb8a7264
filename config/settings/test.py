"""Test runs: fast hashing, in-memory e-mail, tasks enqueued on commit like production.
Everything a run writes lives under its own var/test-run-<pid>/, removed at the end, so
two runs on one machine never share a database file, a queue or evidence files."""

import os

from .base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
DEBUG = False

TEST_RUN_DIR = VAR_DIR / f"test-run-{os.getpid()}"  # noqa: F405
PRIVATE_MEDIA_ROOT = TEST_RUN_DIR / "private"
STORAGES["private"]["OPTIONS"]["location"] = PRIVATE_MEDIA_ROOT  # noqa: F405

# Unit tests run tasks in-process when their transaction commits (django_capture_on_commit_callbacks);
# the worker integration tests start a real Celery worker on the broker instead.
# Most admin tests log staff in with force_login; the two-factor tests turn this on themselves.
STAFF_OTP_REQUIRED = False

# Tests build many appeals for one customer; the abuse-limit tests set the real limits themselves.
APPEALS_PER_CUSTOMER_PER_DAY = 1000
UPLOADS_PER_CUSTOMER_PER_DAY = 10000

# OCR takes seconds per screenshot: the tests that exercise it turn it on themselves.
EVIDENCE_OCR = False

CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
if CELERY_BROKER_URL == "filesystem://":  # noqa: F405
    _queue = TEST_RUN_DIR / "celery"
    (_queue / "queue").mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {  # noqa: F405
        **CELERY_BROKER_TRANSPORT_OPTIONS,  # noqa: F405
        "data_folder_in": str(_queue / "queue"),
        "data_folder_out": str(_queue / "queue"),
        "control_folder": str(_queue / "control"),
    }

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, not shared-cache memory: live-server and worker threads then get SQLite's
    # ordinary file locking (with a busy timeout) instead of "database table is locked".
    DATABASES["default"]["TEST"] = {"NAME": str(TEST_RUN_DIR / "test.sqlite3")}  # noqa: F405
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20  # noqa: F405

DEMO_DATA = "allowed"  # seed_demo, totp_code (accounts/management/demo_guard.py)

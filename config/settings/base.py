"""Settings shared by every profile; values come from the environment (django-environ)."""

from pathlib import Path

import environ
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

SECRET_KEY = env("SECRET_KEY", default="dev-only-insecure-key-change-me")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])

INSTALLED_APPS = [
    "config.apps.DeskAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.forms",  # its widget templates, for FORM_RENDERER below
    "django_fsm",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "csp",
    "ninja",
    "events",
    "accounts",
    "appeals",
    "integrations",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "config.locale.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "config.observability.RequestContextMiddleware",
    "integrations.idempotency.IdempotencyMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "config.second_factor.StaffSecondFactorMiddleware",  # staff without the TOTP code reach no data
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses locked-out logins before checking passwords
    "django.contrib.auth.backends.ModelBackend",
]

# Login lockout (django-axes): 5 failures for one username from one address lock it for 15 minutes.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True

# Staff sign in with a TOTP code as well (django-otp); customers do not.
STAFF_OTP_REQUIRED = env.bool("STAFF_OTP_REQUIRED", default=True)
OTP_TOTP_ISSUER = "Appeal Desk"
# Demo data (seed_demo, seed_demo_client, totp_code): "allowed" in dev and test, "never" in production;
# other settings need --i-know-this-is-not-production (accounts/management/demo_guard.py).
DEMO_DATA = "ask"

# Content-Security-Policy (django-csp): no inline or third-party scripts anywhere.
from csp.constants import NONE, SELF  # noqa: E402

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, "'unsafe-inline'"],  # the admin sets style attributes; no scripts inline
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    },
}

ROOT_URLCONF = "config.urls"
# Widget templates come from TEMPLATES, so templates/widgets/ can restyle one (the file picker).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "appeals.customer.context.unread_notifications",
                "appeals.customer.context.contacts",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # The working set is in memory (or on SSD): a random page costs about what a sequential one
    # does, not PostgreSQL's default 4 (spinning disks). With 4 the dashboard joined today's few
    # thousand events to every appeal by hash instead of looking each up by index (bench/dashboard.py).
    options = DATABASES["default"].setdefault("OPTIONS", {})
    options["options"] = f"{options.get('options', '')} -c random_page_cost=1.1".strip()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"

# Evidence lives in private storage that no URL pattern serves; appeals.views checks who asks.
PRIVATE_MEDIA_ROOT = env.path("PRIVATE_MEDIA_ROOT", default=str(VAR_DIR / "private"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": PRIVATE_MEDIA_ROOT, "base_url": "/no-public-url/"},
    },
}
MEDIA_ROOT = VAR_DIR / "media"

# Appeals (issue-level defaults; see DOMAIN.md).
APPEAL_SUPERVISOR_AMOUNT = env("APPEAL_SUPERVISOR_AMOUNT", default="5000.00")  # yuan; at or above: four eyes
# The customer's review (复核, complaint rules Art. 20): asked within, and decided within, calendar days.
REVIEW_REQUEST_DAYS = 30
REVIEW_DECISION_DAYS = 30
# Business days an appeal may wait for a decision, by the freeze's reason.
APPEAL_SLA_BUSINESS_DAYS = {
    "normal_refund": 3,
    "routine_risk": 3,
    "partial_refund": 15,
    "abnormal": 15,
    "malicious": 30,
}
# The complaint rules' deadline (NFRA 2020 No. 3, Art. 18): calendar days from submission, and the
# days each extension adds (the first by a supervisor, the further one with a second supervisor).
COMPLAINT_ANSWER_DAYS = 15
COMPLAINT_EXTENSION_DAYS = (15, 30)
# Where a customer can turn next (statement of reasons): our support channel and the regulator's hotline.
SUPPORT_CHANNEL = env("SUPPORT_CHANNEL", default="400-000-0000")
REGULATOR_HOTLINE = env("REGULATOR_HOTLINE", default="12378")
# Risk rules (DOMAIN.md): thresholds are "more than N".
RISK_MAX_REFUNDS_PER_DAY = 3
RISK_MAX_RETURNS_PER_WEEK = 3
RISK_PURCHASE_AFTER_RETURN_MINUTES = env.int("RISK_PURCHASE_AFTER_RETURN_MINUTES", default=60)
RISK_OVERDUE_BILLS_IN_A_ROW = 3
RISK_OVERDUE_LIMIT_CUT = env("RISK_OVERDUE_LIMIT_CUT", default="0.30")  # share of the limit cut
RISK_VIRTUAL_ADDRESS_MARKERS = ["虚拟", "virtual", "代收点", "测试地址"]
RISK_PHASH_MAX_DISTANCE = 8  # bits of 256: "the same image" after re-encoding and resizing
# Abuse limits per customer and calendar day.
APPEALS_PER_CUSTOMER_PER_DAY = env.int("APPEALS_PER_CUSTOMER_PER_DAY", default=5)
# A second filing of the same freeze this soon after the first is a double tap: shown the first.
APPEAL_REPEAT_WINDOW_SECONDS = 30
# Files chosen on a form that came back with an error are kept this long for the next try.
STAGED_UPLOAD_KEEP_HOURS = 24
UPLOADS_PER_CUSTOMER_PER_DAY = env.int("UPLOADS_PER_CUSTOMER_PER_DAY", default=30)
EVIDENCE_RETENTION_DAYS = env.int("EVIDENCE_RETENTION_DAYS", default=180)  # after the appeal is closed
# The evidence access log is kept this long, never under 183 days (6 months; the database refuses earlier deletes).
ACCESS_LOG_RETENTION_DAYS = max(183, env.int("ACCESS_LOG_RETENTION_DAYS", default=183))
AUDIT_SAMPLE_RATE = env.float("AUDIT_SAMPLE_RATE", default=0.10)  # share of each agent's daily decisions
# Evidence OCR and straight-through approval (switchable; the production profile turns it off).
EVIDENCE_OCR = env.bool("EVIDENCE_OCR", default=True)
EVIDENCE_OCR_THREADS = env.int("EVIDENCE_OCR_THREADS", default=1)
# OpenVINO runs RapidOCR's models 2–3× faster than onnxruntime on one core (bf16 where the CPU has
# it); "onnxruntime" is the fallback. The text detector sees the screenshot shrunk to this long side
# (the recogniser still reads the lines at full resolution); 0: the detector's own default (full size).
EVIDENCE_OCR_ENGINE = env("EVIDENCE_OCR_ENGINE", default="openvino")
EVIDENCE_OCR_DETECTOR_SIDE = env.int("EVIDENCE_OCR_DETECTOR_SIDE", default=1024)
STRAIGHT_THROUGH_ENABLED = env.bool("STRAIGHT_THROUGH_ENABLED", default=True)
STRAIGHT_THROUGH_MAX_AMOUNT = env("STRAIGHT_THROUGH_MAX_AMOUNT", default="1000.00")
STRAIGHT_THROUGH_CLEAN_DAYS = 90  # no rejected or overturned appeal in this many days
STRAIGHT_THROUGH_AUDIT_ALL_UNTIL = env.int("STRAIGHT_THROUGH_AUDIT_ALL_UNTIL", default=50)  # confirmed, then sample
EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
EVIDENCE_MAX_FILES = 8
EVIDENCE_MAX_PIXELS = 40_000_000  # well under Pillow's bomb warning (89 M); enforced as an error
EVIDENCE_MAX_PIXELS_WITH_ALPHA = 20_000_000  # transparent images cost more memory to flatten
EVIDENCE_MAX_SIDE_PX = 16_384  # per side (JPEG stops at 65,535; the OCR detector fails long before)
EVIDENCE_MAX_ASPECT_RATIO = 20  # long side ÷ short side: a long scrolling screenshot is under 10
EVIDENCE_MAX_ATTEMPTS = 3  # a file that has not been read after this many tries is rejected as unreadable
# PDF receipts: rendered page by page at a fixed resolution, in a child process held to a memory,
# CPU and wall-time budget (a PDF can inflate a few MB into gigabytes), nothing embedded ever run.
EVIDENCE_PDF_MAX_PAGES = 3
EVIDENCE_PDF_DPI = 150  # an A4 page becomes 1240×1754, a phone screenshot's width
EVIDENCE_PDF_MAX_SIDE_PX = 4000  # per page at that resolution (about 68 cm): larger pages are refused
EVIDENCE_PDF_MEMORY_MB = 512  # address space the renderer may add to its own
EVIDENCE_PDF_SECONDS = 20
DATA_UPLOAD_MAX_NUMBER_FILES = EVIDENCE_MAX_FILES
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_HTTPONLY = True

# Celery: Redis when CELERY_BROKER_URL is set; otherwise kombu's filesystem
# transport in var/celery, created on start, so the local run needs nothing installed.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="filesystem://")
if CELERY_BROKER_URL == "filesystem://":
    _celery_dir = Path(env("CELERY_FILESYSTEM_DIR", default=str(VAR_DIR / "celery")))  # the bench uses its own
    _queue_dir = _celery_dir / "queue"
    _queue_dir.mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir),
        "data_folder_out": str(_queue_dir),
        "processed_folder": str(_celery_dir / "processed"),
        "control_folder": str(_celery_dir / "control"),
        "store_processed": False,
    }
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A pool child is replaced after the task during which it grew past this resident size (KiB; the OCR
# engine alone is ~400 MB, one image's work under 200 MB) or after this many tasks: a leak or one huge
# file never keeps a bloated process. The task in hand always finishes first (and is acked once).
CELERY_WORKER_MAX_MEMORY_PER_CHILD = env.int("WORKER_MAX_MEMORY_KIB", default=900_000)
CELERY_WORKER_MAX_TASKS_PER_CHILD = env.int("WORKER_MAX_TASKS_PER_CHILD", default=500)
CELERY_WORKER_HIJACK_ROOT_LOGGER = False  # worker lines go through LOGGING (JSON in production) too
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celery" / "beat-schedule")
CELERY_BEAT_SCHEDULE = {
    "release-due-freezes": {"task": "appeals.tasks.release_due_freezes", "schedule": 300.0},
    "requeue-stale-evidence": {"task": "appeals.tasks.requeue_stale_evidence", "schedule": 300.0},
    "email-unsent-notifications": {"task": "appeals.tasks.email_unsent_notifications", "schedule": 600.0},
    "escalate-overdue-appeals": {"task": "appeals.tasks.escalate_overdue_appeals", "schedule": 600.0},
    "escalate-regulatory-breaches": {"task": "appeals.tasks.escalate_regulatory_breaches", "schedule": 600.0},
    "purge-old-evidence": {"task": "appeals.tasks.purge_old_evidence", "schedule": crontab(hour=3, minute=15)},
    "purge-staged-uploads": {"task": "appeals.tasks.purge_staged_uploads", "schedule": crontab(minute=25)},
    "purge-old-access-log": {"task": "appeals.tasks.purge_old_access_log", "schedule": crontab(hour=3, minute=45)},
    "audit-sample-yesterday": {"task": "appeals.tasks.sample_yesterdays_decisions",
                               "schedule": crontab(hour=1, minute=5)},
    # After appeals.desk.daily.SETTLE past midnight: yesterday is over and its transactions committed.
    "fill-dashboard-days": {"task": "appeals.tasks.fill_dashboard_days", "schedule": crontab(hour=0, minute=20)},
    # Retries and anything a lost broker message left behind; new events start a run on commit.
    "deliver-webhooks": {"task": "integrations.tasks.deliver_webhooks", "schedule": 5.0, "options": {"expires": 30}},
    "mark-overdue-bills": {"task": "integrations.tasks.mark_overdue_bills", "schedule": crontab(hour=0, minute=10)},
    "purge-idempotency-records": {"task": "integrations.tasks.purge_idempotency_records",
                                  "schedule": crontab(minute=40)},
}

# The platform API (integrations) and its webhooks.
IDEMPOTENCY_KEEP_HOURS = env.int("IDEMPOTENCY_KEEP_HOURS", default=48)  # at least 24 h (README "API")
WEBHOOK_TIMEOUT_SECONDS = env.float("WEBHOOK_TIMEOUT_SECONDS", default=10.0)
WEBHOOK_RETRY_BASE_SECONDS = env.float("WEBHOOK_RETRY_BASE_SECONDS", default=5.0)
WEBHOOK_RETRY_MAX_SECONDS = env.float("WEBHOOK_RETRY_MAX_SECONDS", default=3600.0)
WEBHOOK_RETRY_FOR_HOURS = env.float("WEBHOOK_RETRY_FOR_HOURS", default=25.0)  # then failed (admin: redeliver)
WEBHOOK_BATCH_SIZE = env.int("WEBHOOK_BATCH_SIZE", default=20)
WEBHOOK_RUNNERS = env.int("WEBHOOK_RUNNERS", default=2)  # delivery runs at once (more runs find the slots taken)

LOG_FORMAT = env("LOG_FORMAT", default="text")  # "json" in production
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"context": {"()": "config.observability.ContextFilter"}},
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [req=%(request_id)s user=%(user_id)s] %(message)s"},
        "json": {"()": "pythonjsonlogger.json.JsonFormatter",
                 "format": "%(asctime)s %(levelname)s %(name)s %(request_id)s %(user_id)s %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["context"], "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
}

"""gunicorn settings for the page-throughput benchmark: production settings, plus the bench URLconf
(config.urls and one bare "ok" view to compare against). Everything else comes from the environment
exactly as in production (SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL, SECURE_SSL_REDIRECT, ...)."""

import os

from config.settings.production import *  # noqa: F403
from config.settings.production import VAR_DIR

ROOT_URLCONF = "bench.urls"
# collectstatic for the manifest storage goes under var/, not the project's staticfiles/.
STATIC_ROOT = VAR_DIR / "bench" / "staticfiles"
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("BENCH_CELERY_QUEUE", "celery")  # a run's own queue on a shared broker

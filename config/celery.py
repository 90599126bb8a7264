"""The Celery app. Broker: Redis when CELERY_BROKER_URL is set, else kombu's
filesystem transport in var/celery (see settings), so a laptop needs nothing else."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

app = Celery("appeal_desk")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

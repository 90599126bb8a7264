"""The Celery app. Broker: Redis when CELERY_BROKER_URL is set, else kombu's filesystem
transport in var/celery (see settings), so a laptop needs nothing else."""

import functools
import logging
import os

from celery import Celery
from celery.contrib.django.task import DjangoTask
from celery.signals import task_postrun, task_prerun
from django.db import transaction
from kombu.exceptions import OperationalError as BrokerUnavailable

from . import observability

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

log = logging.getLogger(__name__)


class Task(DjangoTask):
    """delay_on_commit never fails the request that committed: with the broker down the task is
    logged as not sent, and the beat sweepers pick up what is left (requeue_stale_evidence)."""

    def delay_on_commit(self, *args, **kwargs) -> None:
        transaction.on_commit(functools.partial(self._delay_after_commit, args, kwargs))

    def _delay_after_commit(self, args, kwargs) -> None:
        try:
            self.delay(*args, **kwargs)
        except BrokerUnavailable as exc:
            log.error("broker unavailable: %s%r not sent (%s)", self.name, args, exc)


app = Celery("appeal_desk", task_cls=Task)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
task_prerun.connect(observability.tag_task_lines, weak=False)
task_postrun.connect(observability.untag_task_lines, weak=False)

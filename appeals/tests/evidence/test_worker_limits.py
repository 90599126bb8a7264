"""The worker's pool children are held to CELERY_WORKER_MAX_MEMORY_PER_CHILD (and _MAX_TASKS_PER_CHILD)
from the settings: a real `celery worker` process whose child grows past the limit replaces it after
the task, and every task still ends exactly once. (Needs PostgreSQL and Redis: see test_faults.)"""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.db import transaction

from appeals import tasks
from appeals.evidence import uploads
from appeals.models import Evidence
from appeals.tests.evidence.test_two_workers import appeal_without_screenshots
from appeals.tests.factories import image_bytes, upload
from appeals.tests.test_faults import FAULT_SERVICES, big_png, processed_once, worker_processes
from conftest import wait_until

pytestmark = [
    pytest.mark.faults,
    pytest.mark.postgres,
    pytest.mark.skipif(not FAULT_SERVICES, reason="waits for PostgreSQL and a Redis broker: set "
                       "DATABASE_URL=postgres://… and CELERY_BROKER_URL=redis://… (CI's PostgreSQL leg)"),
    pytest.mark.django_db(transaction=True),
]


SUCCEEDED = re.compile(rf"Task {re.escape(tasks.process_evidence.name)}\[[^\]]+\] succeeded")


def pool_children(worker) -> set[int]:
    """The worker's pool processes (prefork children of its main process, forked by any of its
    threads), from /proc."""
    children = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == worker.process.pid:
                children.add(int(entry.name))
    return children


def peak_rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))


def test_the_limits_come_from_the_settings():
    from config.celery import app

    assert app.conf.worker_max_memory_per_child == settings.CELERY_WORKER_MAX_MEMORY_PER_CHILD > 400_000
    assert app.conf.worker_max_tasks_per_child == settings.CELERY_WORKER_MAX_TASKS_PER_CHILD > 0


def test_a_child_over_the_memory_limit_is_replaced_and_each_task_ends_once(transactional_db, tmp_path, monkeypatch):
    limit_kib = 150_000  # a Django worker child is ~120 MB after a plain task; cleaning a 6000×6000 PNG passes this
    monkeypatch.setenv("WORKER_MAX_MEMORY_KIB", str(limit_kib))  # read by the settings, not by celery's CLI
    with worker_processes(tmp_path) as start:
        worker = start("limits")
        wait_until(lambda: len(pool_children(worker)) == 1, timeout=30)
        (first_child,) = pool_children(worker)
        assert peak_rss_kib(first_child) < limit_kib  # under the limit before any image work
        with transaction.atomic():
            appeal = appeal_without_screenshots()
            uploads.evidence_store(appeal, [(Evidence.Kind.OTHER, upload("huge.png", big_png())),
                                            *[(Evidence.Kind.OTHER, upload(f"s{i}.png", image_bytes(size=(300, 600))))
                                              for i in range(3)]], appeal.customer)
        evidence = appeal.evidence.all()
        wait_until(lambda: not evidence.filter(status=Evidence.Status.PENDING).exists(), timeout=120)
        wait_until(lambda: pool_children(worker) and first_child not in pool_children(worker), timeout=30)
        (second_child,) = pool_children(worker)
        # The replacement child takes the next task: the worker still works.
        with transaction.atomic():
            uploads.evidence_store(appeal, [(Evidence.Kind.OTHER, upload("after.png", image_bytes()))],
                                   appeal.customer)
        wait_until(lambda: not evidence.filter(status=Evidence.Status.PENDING).exists(), timeout=60)
        wait_until(lambda: len(SUCCEEDED.findall(worker.log())) >= 5, timeout=30)  # logged after the row is stored
        log = worker.log()
        assert second_child in pool_children(worker) or first_child not in pool_children(worker)
    ids = list(evidence.values_list("pk", flat=True))
    assert set(evidence.values_list("status", flat=True)) == {Evidence.Status.READY}
    assert set(evidence.values_list("attempts", flat=True)) == {1}  # no task ran twice, none was lost
    assert processed_once(ids, log) == dict.fromkeys(ids, 1)
    assert len(SUCCEEDED.findall(log)) == 5
    assert "WorkerLostError" not in log and "exited prematurely" not in log

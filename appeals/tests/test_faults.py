"""Fault tests on the real services: worker processes killed with SIGKILL in the middle of a task,
the broker down while a customer files an appeal, the database connection lost in the middle of
an approval, and two release jobs running at once.

They need PostgreSQL (row locks; a backend that can be terminated) and a Redis broker (which keeps
a killed worker's unacknowledged message), and start real `celery worker` processes (prefork pool,
one child) on the test database. A worker runs the dev settings, which take everything from the
environment: this run's test database, the broker, this run's private storage; OCR off. (The test
settings would force a per-process storage directory and eager tasks.)

A worker killed while holding evidence: its message stays unacknowledged in Redis until the
visibility timeout (an hour); the beat sweeper requeue_stale_evidence publishes the evidence again
after five minutes, and that is what these tests rely on (called directly, the clock moved on)."""

import io
import logging
import os
import re
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
import redis
import time_machine
from django.conf import settings
from django.contrib.messages import get_messages
from django.core import mail
from django.db import connection, connections, transaction
from django.db.models import Count, Q
from django.forms import FileField
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from accounts import selectors
from accounts.models import CreditAccount, Freeze, LedgerEntry, User
from accounts.selectors import ledger_mismatches
from accounts.services import ledger
from accounts.tests.factories import AgentFactory
from appeals import tasks
from appeals.models import Appeal, AppealEvent, Evidence, State
from appeals.tests.factories import file_appeal, image_bytes, refund_freeze, upload
from appeals.workflow import review
from config.celery import app as celery_app
from conftest import wait_until

FAULT_SERVICES = (settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
                  and settings.CELERY_BROKER_URL.startswith("redis://"))

pytestmark = [
    pytest.mark.faults,
    pytest.mark.postgres,
    pytest.mark.skipif(not FAULT_SERVICES, reason="waits for PostgreSQL and a Redis broker: set "
                       "DATABASE_URL=postgres://… and CELERY_BROKER_URL=redis://… (CI's PostgreSQL leg)"),
    pytest.mark.django_db(transaction=True),
]

UNREACHABLE_BROKER = "redis://127.0.0.1:1/0"  # nothing listens on port 1: connections are refused at once


# --- worker processes ---------------------------------------------------------------------------


def worker_environment() -> dict:
    """What a worker process needs to share this test's database, broker and evidence storage."""
    db = connection.settings_dict  # NAME is the test database's name by now
    auth = quote(db["USER"] or "", safe="") + (f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else "")
    host = quote(db["HOST"] or "127.0.0.1", safe="")  # a socket directory is %-encoded
    port = f":{db['PORT']}" if db["PORT"] else ""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.dev",
        "DATABASE_URL": f"postgres://{auth}@{host}{port}/{quote(db['NAME'], safe='')}",
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "PRIVATE_MEDIA_ROOT": str(settings.PRIVATE_MEDIA_ROOT),
        "EVIDENCE_OCR": "false",
        "DEBUG": "false",
        "LOG_FORMAT": "text",
        "LOG_LEVEL": "INFO",
        "PYTHONUNBUFFERED": "1",
    }


class Worker:
    """One `celery worker` process (prefork pool, one child) in a process group of its own, so that
    a kill takes the main process and its pool child together, as a lost machine or an OOM kill would."""

    def __init__(self, name: str, log_path: Path):
        self.name, self.log_path, self.process = name, log_path, None

    def launch(self) -> "Worker":
        command = [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool", "prefork",
                   "--concurrency", "1", "-Q", "celery", "-n", f"{self.name}@%h", "--loglevel", "INFO",
                   "--without-gossip", "--without-mingle", "--without-heartbeat"]
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(  # noqa: S603 - a fixed command line of our own
                command, cwd=settings.BASE_DIR, env=worker_environment(), stdout=log, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL, start_new_session=True,
            )
        return self

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def is_ready(self) -> bool:
        if self.process.poll() is not None:
            raise AssertionError(f"worker {self.name} exited with {self.process.returncode}:\n{self.log()}")
        return re.search(rf"{re.escape(self.name)}@\S+ ready\.", self.log()) is not None

    def received(self, task) -> int:
        return len(re.findall(rf"Task {re.escape(task.name)}\[[^\]]+\] received", self.log()))

    def results(self, task) -> list[str]:
        """The results of the tasks of this kind that succeeded here, as logged (repr)."""
        return re.findall(rf"Task {re.escape(task.name)}\[[^\]]+\] succeeded in [\d.]+s: (.*)", self.log())

    def kill(self) -> None:
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def terminate(self) -> None:
        """Ask for a warm shutdown (the task in hand is finished first)."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)

    def wait_stopped(self) -> None:
        if self.process is None:
            return
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.kill()


def empty_broker() -> None:
    """Drop the queue and the unacknowledged messages left by killed workers, so that no run sees
    another's messages (the ids of a new test database start again from 1)."""
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    try:
        queues = [key for key in client.keys("celery*") if key == b"celery" or key.startswith(b"celery\x06\x16")]
        client.delete("unacked", "unacked_index", "unacked_mutex", *queues)
    finally:
        client.close()


@contextmanager
def worker_processes(log_dir: Path):
    """Yield `start(name)`, which starts a worker process and waits until it is ready. Tasks this
    process sends meanwhile go through the broker. Every worker is stopped on the way out."""
    empty_broker()
    celery_app.conf.task_always_eager = False
    started = []

    def start(*names: str):
        """Start one worker per name, all at once; return the worker (or the tuple of them) once ready."""
        batch = [Worker(name, log_dir / f"{name}.log") for name in names]
        started.extend(batch)
        for worker in batch:
            worker.launch()
        for worker in batch:
            wait_until(worker.is_ready, timeout=60)
        return batch[0] if len(batch) == 1 else tuple(batch)

    try:
        yield start
    finally:
        for worker in started:
            worker.terminate()
        for worker in started:
            worker.wait_stopped()
        celery_app.conf.task_always_eager = True
        empty_broker()


@pytest.fixture
def workers(transactional_db, tmp_path):
    """Worker processes for this test, stopped before the test database is wiped."""
    with worker_processes(tmp_path) as start:
        yield start


@contextmanager
def broker_at(url: str):
    """Point this process's Celery app (publishing only) at another broker URL. Celery reads
    CELERY_BROKER_URL from the environment before its configuration, so both change."""

    def forget_pools():  # the next publish connects anew (kombu keeps the old pool for the old URL)
        celery_app._pool = None
        celery_app.amqp._producer_pool = None

    saved_conf, saved_env = celery_app.conf.broker_url, os.environ.get("CELERY_BROKER_URL")
    forget_pools()
    celery_app.conf.broker_url = os.environ["CELERY_BROKER_URL"] = url
    try:
        assert celery_app.connection_for_write().port == urlsplit(url).port
        yield
    finally:
        forget_pools()
        celery_app.conf.broker_url = saved_conf
        if saved_env is None:
            del os.environ["CELERY_BROKER_URL"]
        else:
            os.environ["CELERY_BROKER_URL"] = saved_env


def other_backends() -> set[int]:
    """Sessions on the test database besides this one (a killed worker's linger until PostgreSQL notices).
    Compare with a snapshot taken before the worker started: earlier tests' threads may keep idle ones."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                       "AND pid <> pg_backend_pid()")
        return {pid for (pid,) in cursor.fetchall()}


# --- evidence and storage helpers ---------------------------------------------------------------


def storage():
    return Evidence._meta.get_field("image").storage


def stored(folder: str) -> set[str]:
    _dirs, files = storage().listdir(folder) if storage().exists(folder) else ([], [])
    return {f"{folder}/{name}" for name in files}


def snapshot() -> dict[str, set[str]]:
    return {folder: stored(folder) for folder in ("incoming", "evidence", "thumbs")}


def added_since(before: dict[str, set[str]], folder: str) -> set[str]:
    return stored(folder) - before[folder]


def big_png() -> bytes:
    """A valid 6000×6000 PNG of about a megabyte: the worker needs a couple of seconds to clean it."""
    size, nearest = (6000, 6000), Image.Resampling.NEAREST
    gradient = Image.linear_gradient("L").resize(size, nearest)
    blocks = Image.effect_noise((size[0] // 16, size[1] // 16), 60).convert("L").resize(size, nearest)
    image = Image.merge("RGB", (gradient, blocks, gradient.transpose(Image.Transpose.ROTATE_90)))
    out = io.BytesIO()
    image.save(out, "PNG", compress_level=1)
    return out.getvalue()


def processed_once(evidence_ids, *logs) -> dict[int, int]:
    """How often each evidence was really processed (the service logs each processing once)."""
    text = "".join(logs)
    return {pk: len(re.findall(rf"evidence {pk} (?:ready|rejected) \(", text)) for pk in evidence_ids}


def requeue_stale_evidence_after_five_minutes() -> int:
    """The beat sweeper, run in this process as beat would send it to a worker, six minutes later."""
    with time_machine.travel(timezone.now() + timedelta(minutes=6), tick=True):
        return tasks.requeue_stale_evidence()


# --- ledger helpers -----------------------------------------------------------------------------


def due_freezes(accounts: int, per_account: int, prefix: str) -> list[int]:
    """`accounts` credit lines with `per_account` routine-risk freezes each, all through the ledger
    services (one transaction, so it is quick), then dated yesterday so that all are due."""
    freeze_ids = []
    with transaction.atomic():
        customers = User.objects.bulk_create([User(username=f"{prefix}{i}", phone=f"139{i:08d}")
                                              for i in range(accounts)])
        for customer in customers:
            account = ledger.account_open(customer=customer, limit=Decimal("100000.00"))
            for _ in range(per_account):
                freeze = ledger.freeze_create(account=account, amount=Decimal("10.00"),
                                              reason=Freeze.Reason.ROUTINE_RISK, note="fault test")
                freeze_ids.append(freeze.pk)
        Freeze.objects.filter(pk__in=freeze_ids).update(expected_release_on=timezone.localdate() - timedelta(days=1))
    assert selectors.freezes_due(timezone.localdate()).count() == len(freeze_ids)
    return freeze_ids


def releases_per_freeze(freeze_ids) -> dict[int, int]:
    return dict(Freeze.objects.filter(pk__in=freeze_ids).annotate(
        n=Count("ledger_entries", filter=Q(ledger_entries__kind=LedgerEntry.Kind.RELEASE))).values_list("pk", "n"))


# --- 1. a worker killed in the middle of cleaning a screenshot ----------------------------------


def test_worker_killed_while_cleaning_evidence_is_recovered_by_the_sweeper_exactly_once(workers):
    before = snapshot()
    first = workers("fault-a")
    appeal = file_appeal(files=[
        (Evidence.Kind.ORDER, upload("huge.png", big_png())),
        (Evidence.Kind.LOGISTICS, upload("logistics.png", image_bytes(text="SF1234567890123"))),
        (Evidence.Kind.REFUND_RECEIPT, upload("receipt.jpg", image_bytes("JPEG"), "image/jpeg")),
    ])  # commits: the three processing tasks go to the broker, the huge one first
    huge = appeal.evidence.get(kind=Evidence.Kind.ORDER)
    wait_until(lambda: first.received(tasks.process_evidence) >= 1, timeout=30, interval=0.02)
    first.kill()
    huge.refresh_from_db()
    assert huge.status == Evidence.Status.PENDING, "the worker finished before the kill: make the image bigger"

    second = workers("fault-b")
    assert requeue_stale_evidence_after_five_minutes() >= 1  # the huge one at least; the others maybe queued still
    wait_until(lambda: not appeal.evidence.filter(status=Evidence.Status.PENDING).exists(), timeout=60)

    evidence = list(appeal.evidence.all())
    assert {item.status for item in evidence} == {Evidence.Status.READY}
    assert all(item.processed_at and item.image and item.thumbnail for item in evidence)
    assert processed_once([item.pk for item in evidence], first.log(), second.log()) == dict.fromkeys(
        [item.pk for item in evidence], 1)
    # One cleaned image and one thumbnail per evidence in storage, no orphan; the uploads are gone.
    assert added_since(before, "evidence") == {item.image.name for item in evidence}
    assert added_since(before, "thumbs") == {item.thumbnail.name for item in evidence}
    assert added_since(before, "incoming") == set()


# --- 2. a worker killed in the middle of the auto-release job -----------------------------------


def test_worker_killed_during_auto_release_leaves_no_freeze_released_twice(workers):
    freeze_ids = due_freezes(accounts=100, per_account=10, prefix="due")  # ~1 ms a query here: 1000 take ~10 s
    sessions_before = other_backends()
    first = workers("fault-a")
    tasks.release_due_freezes.delay(batch_size=5)  # 50 freezes a batch, 20 batches
    releases = LedgerEntry.objects.filter(kind=LedgerEntry.Kind.RELEASE)
    wait_until(releases.exists, timeout=60, interval=0.01)  # the first batch committed
    first.kill()
    released_before_the_kill = releases.count()
    assert 0 < released_before_the_kill < len(freeze_ids), "the job finished before the kill"
    assert released_before_the_kill % 50 == 0  # whole batches only: the one in flight was rolled back
    wait_until(lambda: not other_backends() - sessions_before, timeout=30)  # the dead worker's sessions are gone

    second = workers("fault-b")
    tasks.release_due_freezes.delay(batch_size=5)  # the next beat run
    wait_until(lambda: second.results(tasks.release_due_freezes), timeout=120)

    assert [int(n) for n in second.results(tasks.release_due_freezes)] == [len(freeze_ids) - released_before_the_kill]
    assert not selectors.freezes_due(timezone.localdate()).exists()
    assert releases_per_freeze(freeze_ids) == dict.fromkeys(freeze_ids, 1)
    assert ledger_mismatches() == []


# --- 3. the broker down while a customer files an appeal ----------------------------------------


def test_appeal_filed_while_the_broker_is_down_is_saved_and_processed_once_it_is_back(workers, client, caplog):
    freeze = refund_freeze(Decimal("599.00"))
    User.objects.filter(pk=freeze.account.customer_id).update(email="buyer@example.com")
    client.force_login(freeze.account.customer)
    url = reverse("appeal-create", args=[freeze.pk])
    form = client.get(url).context["form"]
    data = {name: form[name].value() for name, field in form.fields.items()
            if not isinstance(field, FileField) and form[name].value() is not None}
    data |= {
        "order_screenshot": upload("order.png"),
        "logistics_screenshot": upload("logistics.png", image_bytes(text="SF1234567890123")),
        "refund_receipt": upload("receipt.jpg", image_bytes("JPEG"), "image/jpeg"),
    }

    with broker_at(UNREACHABLE_BROKER), caplog.at_level(logging.ERROR, logger="config.celery"):
        started = time.monotonic()
        response = client.post(url, data)
        took = time.monotonic() - started

    appeal = Appeal.objects.get(freeze=freeze)
    assert response.status_code == 302
    assert response.url == reverse("appeal-detail", args=[appeal.reference])
    assert appeal.state == State.SUBMITTED
    assert sorted(appeal.evidence.values_list("status", flat=True)) == [Evidence.Status.PENDING] * 3
    not_sent = [r.getMessage() for r in caplog.records if r.getMessage().startswith("broker unavailable")]
    assert sum(tasks.process_evidence.name in message for message in not_sent) == 3, not_sent
    assert sum(tasks.send_notification_email.name in message for message in not_sent) == 1, not_sent
    assert took < 10, f"the request took {took:.1f}s with the broker down"

    worker = workers("fault-a")  # the broker is back
    assert worker.received(tasks.process_evidence) == 0  # nothing was published while it was down
    assert requeue_stale_evidence_after_five_minutes() == 3
    wait_until(lambda: not appeal.evidence.filter(status=Evidence.Status.PENDING).exists(), timeout=60)
    evidence_ids = list(appeal.evidence.values_list("pk", flat=True))
    assert sorted(appeal.evidence.values_list("status", flat=True)) == [Evidence.Status.READY] * 3
    assert processed_once(evidence_ids, worker.log()) == dict.fromkeys(evidence_ids, 1)

    # The "we received your appeal" e-mail was not published either: the e-mail sweeper sends it, once.
    with time_machine.travel(timezone.now() + timedelta(minutes=11), tick=True):
        assert tasks.email_unsent_notifications() == 1
        assert tasks.email_unsent_notifications() == 0
    [received] = [m for m in mail.outbox if appeal.reference in m.body]
    assert received.to == ["buyer@example.com"]


# --- 4. the database connection lost in the middle of an approval -------------------------------


def admin_approve(client, appeal):
    """Click "Approve and release" on the appeal's admin page."""
    change = reverse("admin:appeals_appeal_change", args=[appeal.pk])
    assert client.get(change).status_code == 200
    return client.post(change, {"_fsm_transition_to": "approve"})


def test_connection_lost_during_an_approval_changes_nothing_and_the_agent_can_retry(client, monkeypatch):
    appeal = file_appeal()  # evidence is cleaned in this process (tasks run eagerly here)
    agent = AgentFactory()
    review.appeal_claim(appeal_id=appeal.pk, actor=agent)
    client.force_login(agent)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    release = ledger.freeze_release
    terminated = []

    def connection_cut_then_release(**kwargs):
        """The appeal row is updated by now, in the request's open transaction: kill that session."""
        pid = connection.connection.info.backend_pid
        killer = connections.create_connection("default")
        try:
            with killer.cursor() as cursor:
                cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
                terminated.append(cursor.fetchone()[0])

                def gone():
                    cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", [pid])
                    return cursor.fetchone()[0] == 0

                wait_until(gone, timeout=10, interval=0.02)
        finally:
            killer.close()
        return release(**kwargs)

    monkeypatch.setattr(ledger, "freeze_release", connection_cut_then_release)
    response = admin_approve(client, appeal)
    assert terminated == [True]

    assert response.status_code == 302
    assert response["Location"] == reverse("admin:appeals_appeal_change", args=[appeal.pk])
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "The database connection was lost; nothing was changed. Please try again."]
    appeal.refresh_from_db()
    appeal.freeze.refresh_from_db()
    assert (appeal.state, appeal.decided_at) == (State.IN_REVIEW, None)
    assert appeal.freeze.status == Freeze.Status.ACTIVE
    assert not LedgerEntry.objects.filter(freeze=appeal.freeze, kind=LedgerEntry.Kind.RELEASE).exists()
    assert not AppealEvent.objects.filter(appeal=appeal, transition="approve").exists()

    monkeypatch.setattr(ledger, "freeze_release", release)  # the database is back: the agent clicks again
    response = admin_approve(client, appeal)
    assert response.status_code == 302
    appeal.refresh_from_db()
    appeal.freeze.refresh_from_db()
    assert (appeal.state, appeal.decided_by) == (State.APPROVED, agent)
    assert appeal.freeze.status == Freeze.Status.RELEASED
    assert LedgerEntry.objects.filter(freeze=appeal.freeze, kind=LedgerEntry.Kind.RELEASE).count() == 1
    assert ledger_mismatches() == []


# --- 5. two release jobs at once (say, a second beat started by mistake) ------------------------


def test_two_workers_running_the_release_job_at_once_release_each_freeze_once(workers):
    freeze_ids = due_freezes(accounts=100, per_account=4, prefix="twice")
    one, two = workers("fault-a", "fault-b")
    tasks.release_due_freezes.delay(batch_size=4)  # 16 freezes a batch
    tasks.release_due_freezes.delay(batch_size=4)  # the duplicate; prefetch 1: the other worker takes it
    wait_until(lambda: one.results(tasks.release_due_freezes) and two.results(tasks.release_due_freezes),
               timeout=120)

    counts = [int(n) for w in (one, two) for n in w.results(tasks.release_due_freezes)]
    assert sum(counts) == len(freeze_ids)
    assert all(count > 0 for count in counts), f"the two jobs did not overlap: {counts}"
    assert releases_per_freeze(freeze_ids) == dict.fromkeys(freeze_ids, 1)
    assert CreditAccount.objects.filter(frozen__gt=0).count() == 0
    assert ledger_mismatches() == []

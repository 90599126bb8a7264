"""A worker process SIGKILLed in the middle of a webhook request: the delivery stays pending (its
transaction dies with the worker's connection) and the next worker sends it again, with the same
webhook-id, so the receiver can dedupe. Real `celery worker` processes on PostgreSQL and Redis, as
in appeals/tests/test_faults.py."""

from decimal import Decimal

from django.db import connection

from accounts.tests.factories import make_account
from appeals.tests.test_faults import pytestmark, worker_processes  # noqa: F401 - its marks: PostgreSQL, Redis
from conftest import wait_until
from integrations import tasks
from integrations.models import DeliveryAttempt, WebhookDelivery, WebhookEndpoint

from .receiver import Receiver


def other_sessions_in_transaction() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                       "AND pid <> pg_backend_pid() AND state LIKE 'idle in transaction%%'")
        return cursor.fetchone()[0]


def test_a_worker_killed_mid_delivery_and_the_next_one_delivers_it(tmp_path, monkeypatch):
    monkeypatch.setenv("WEBHOOK_RETRY_BASE_SECONDS", "0.5")
    endpoint = WebhookEndpoint.objects.create(name="mall", url="http://127.0.0.1:1/unused")
    receiver = Receiver(endpoint.secret).start()
    endpoint.url = receiver.url
    endpoint.save()
    receiver.hold.clear()  # the first request is read, then left waiting: the worker is mid-delivery
    try:
        with worker_processes(tmp_path) as start:
            first = start("hooks-a")
            account = make_account(Decimal("800.00"))  # its commit starts a delivery run on the worker
            wait_until(receiver.arrived.is_set, timeout=60)
            first.kill()
            wait_until(lambda: other_sessions_in_transaction() == 0, timeout=30)  # its transaction is gone
            delivery = WebhookDelivery.objects.get()
            assert (delivery.status, delivery.attempts) == ("pending", 0) and not DeliveryAttempt.objects.exists()
            receiver.hold.set()
            start("hooks-b")
            tasks.deliver_webhooks.delay()
            wait_until(lambda: WebhookDelivery.objects.get().status == "delivered", timeout=60)
    finally:
        receiver.hold.set()
        receiver.stop()
    delivery.refresh_from_db()
    assert delivery.attempts == 1 and delivery.attempt_log.get().status_code == 200
    event_id = f"evt_{delivery.event_id}"
    assert set(receiver.ids()) == {event_id} and 1 <= len(receiver.ids()) <= 2  # at least once, same id
    assert receiver.bodies()[-1]["account_id"] == account.pk and receiver.rejected == []

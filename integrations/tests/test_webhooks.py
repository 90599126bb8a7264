"""Events out: the outbox row is written with its change (or not at all), published in commit order,
delivered to a real HTTP receiver on 127.0.0.1 that verifies the Standard Webhooks signature, at
least once, in order per account, through a receiver outage."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from accounts.models import CreditAccount
from accounts.services import ledger
from accounts.tests.factories import make_account, make_order, make_refund
from conftest import run_together, wait_until
from events import outbox
from events.models import Event
from integrations import webhooks
from integrations.models import WebhookDelivery, WebhookEndpoint

from .conftest import deliver_until

FAST_RETRIES = {"WEBHOOK_RETRY_BASE_SECONDS": 0.05, "WEBHOOK_RETRY_MAX_SECONDS": 0.2, "WEBHOOK_TIMEOUT_SECONDS": 5}


@pytest.mark.django_db
def test_no_event_when_the_change_rolls_back():
    account = make_account(Decimal("1000.00"))
    before = Event.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        ledger.freeze_create(account=account, amount=Decimal("10.00"), reason="routine_risk")
        assert Event.objects.count() == before + 1  # written inside the transaction …
        raise RuntimeError("the caller fails after the change")
    assert Event.objects.count() == before  # … and gone with it
    account.refresh_from_db()
    assert account.frozen == 0


@pytest.mark.django_db(transaction=True)
def test_an_event_cannot_be_recorded_outside_a_transaction():
    with pytest.raises(RuntimeError, match="outside a transaction"):
        outbox.record("freeze.created", account_id=None, data={})


@pytest.mark.django_db
def test_events_are_signed_and_verified_by_the_receiver(receiver):
    account = make_account(Decimal("2000.00"))
    refund = make_refund(make_order(account, Decimal("599.00")), platform_refund_id="RF-77")
    deliver_until(lambda: len(receiver.ids()) == 2)
    assert receiver.rejected == []
    opened, frozen = receiver.bodies()
    assert (opened["type"], frozen["type"]) == ("limit.changed", "freeze.created")
    assert frozen["data"]["amount"] == "599.00" and frozen["data"]["refund_id"] == refund.platform_refund_id
    assert frozen["account_id"] == account.pk and frozen["id"] == receiver.ids()[1]
    delivery = WebhookDelivery.objects.get(event_id=int(frozen["id"].removeprefix("evt_")))
    assert delivery.status == "delivered" and delivery.attempts == 1
    attempt = delivery.attempt_log.get()
    assert attempt.status_code == 200 and attempt.response_excerpt == "ok" and attempt.latency_ms >= 0


@pytest.mark.django_db
def test_a_forged_signature_is_refused_by_the_receiver(receiver):
    endpoint = receiver.endpoint
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(secret="whsec_" + "QUJD" * 8)  # not the receiver's
    make_account(Decimal("100.00"))
    webhooks.deliver_due()
    assert receiver.ids() == [] and receiver.rejected
    assert WebhookDelivery.objects.get().status == "pending"  # 400: retried later


@pytest.mark.django_db
def test_only_wanted_types_are_delivered(receiver):
    WebhookEndpoint.objects.filter(pk=receiver.endpoint.pk).update(event_types=["freeze.created"])
    account = make_account(Decimal("1000.00"))
    make_refund(make_order(account, Decimal("10.00")))
    deliver_until(lambda: len(receiver.ids()) == 1)
    assert [body["type"] for body in receiver.bodies()] == ["freeze.created"]


@pytest.mark.django_db
@override_settings(**FAST_RETRIES)
def test_receiver_down_then_up_every_event_arrives_in_order_per_account(receiver):
    receiver.stop()  # down: connections refused
    accounts = [make_account(Decimal("5000.00")) for _ in range(3)]
    for round_ in range(4):
        for account in accounts:
            ledger.freeze_create(account=account, amount=Decimal(f"{round_ + 1}.00"), reason="routine_risk")
    webhooks.deliver_due()
    pending = WebhookDelivery.objects.filter(status="pending")
    assert pending.count() == 15 and pending.filter(attempts__gte=1).count() == 3  # only each account's head tried
    receiver.start()  # up again, same port
    deliver_until(lambda: len(set(receiver.ids())) == 15)
    expected = list(Event.objects.order_by("position").values_list("account_id", "id"))
    for account in accounts:
        got = [int(body["id"].removeprefix("evt_")) for body in receiver.bodies() if body["account_id"] == account.pk]
        want = [pk for account_id, pk in expected if account_id == account.pk]
        assert list(dict.fromkeys(got)) == want  # in order, none lost (repeats allowed: at least once)
    assert not WebhookDelivery.objects.exclude(status="delivered").exists()


@pytest.mark.django_db
@override_settings(WEBHOOK_RETRY_FOR_HOURS=1)
def test_after_the_retry_window_a_delivery_fails_and_the_admin_redelivers_it(receiver, admin_client):
    receiver.answer = 503
    make_account(Decimal("100.00"))
    webhooks.deliver_due()
    delivery = WebhookDelivery.objects.get()
    WebhookDelivery.objects.filter(pk=delivery.pk).update(first_attempt_at=timezone.now() - timedelta(hours=2),
                                                          next_attempt_at=timezone.now())
    webhooks.deliver_due()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("failed", 2, 503)
    receiver.answer = 200
    response = admin_client.post("/admin/integrations/webhookdelivery/",
                                 {"action": "redeliver", "_selected_action": [delivery.pk]})
    assert response.status_code == 302
    webhooks.deliver_due()
    delivery.refresh_from_db()
    assert delivery.status == "delivered" and delivery.attempt_log.count() == 3
    assert receiver.ids().count(f"evt_{delivery.event_id}") == 3  # the same webhook-id every time


def test_backoff_doubles_and_is_capped():
    with override_settings(WEBHOOK_RETRY_BASE_SECONDS=5, WEBHOOK_RETRY_MAX_SECONDS=3600):
        assert [webhooks.retry_delay(n).total_seconds() for n in (1, 2, 3, 10, 30)] == [5, 10, 20, 2560, 3600]
        total, attempts = 0, 0
        while total < 24 * 3600:
            attempts += 1
            total += webhooks.retry_delay(attempts).total_seconds()
        assert attempts < 40  # a day of retries is a few dozen attempts, not thousands


@pytest.mark.django_db(transaction=True)
def test_a_commit_starts_delivery_through_the_worker(receiver, celery_worker):
    account = make_account(Decimal("300.00"))
    wait_until(lambda: len(receiver.ids()) == 1, timeout=30)
    assert receiver.bodies()[0]["account_id"] == account.pk


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_transaction_that_commits_late_is_published_after_the_ones_before():
    """Ids are handed out before commit; positions after it. A reader walking positions never skips
    the slow transaction's event, though its id is lower than events already published."""
    account, other = make_account(Decimal("100.00")), make_account(Decimal("100.00"))
    outbox.publish()
    import threading

    written, release = threading.Event(), threading.Event()

    def slow():
        with transaction.atomic():
            ledger.freeze_create(account=account, amount=Decimal("1.00"), reason="routine_risk")
            written.set()
            release.wait(20)
        return Event.objects.filter(account_id=account.pk).latest("id").pk

    def fast():
        written.wait(20)
        ledger.freeze_create(account=other, amount=Decimal("2.00"), reason="routine_risk")
        outbox.publish()  # (the commit's delivery run may have published it already)
        published = set(Event.objects.filter(position__isnull=False).values_list("pk", flat=True))
        release.set()
        return published

    slow_id, published_first = run_together([slow, fast])
    fast_id = Event.objects.filter(account_id=other.pk).latest("id").pk
    assert fast_id in published_first and slow_id not in published_first and slow_id < fast_id
    outbox.publish()
    positions = dict(Event.objects.values_list("pk", "position"))
    assert positions[slow_id] > positions[fast_id]  # published after, so a reader past fast_id still sees it
    assert CreditAccount.objects.get(pk=account.pk).frozen == Decimal("1.00")

"""DOMAIN.md's takeaway case end to end through the API: a food-delivery refund the external
platform has not synced is held past its date; the platform's sync puts it back on its timer; the
timer releases it; the release goes out as a signed webhook. The open appeal on it shows the sync."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Freeze
from accounts.selectors import ledger_mismatches
from appeals.models import Appeal, State
from appeals.tests.factories import file_appeal
from appeals.workflow.timers import auto_release_due

from .conftest import deliver_until

pytestmark = pytest.mark.django_db


def test_unsynced_refund_held_then_synced_then_released_by_the_timer_and_told(api, receiver,
                                                                              django_capture_on_commit_callbacks):
    now = timezone.now()
    assert api.post("/customers", {"external_id": "U-TK", "name": "外卖用户", "phone": "13700137000",
                                   "opening_limit": "3000.00"}).status_code == 201
    assert api.post("/orders", {
        "order_number": "EL202611100001", "customer": "U-TK", "amount": "86.50", "item_name": "外卖 麻辣香锅套餐",
        "item_sku": "SKU-FOOD-01", "delivery_address": "上海市浦东新区世纪大道100号", "platform": "food_delivery",
        "occurred_at": (now - timedelta(days=16)).isoformat()}).status_code == 201
    refunded = api.post("/refunds", {
        "refund_id": "ELM-RF-5521", "order_number": "EL202611100001", "amount": "86.50",
        "returned_item_name": "外卖 麻辣香锅套餐", "returned_item_sku": "SKU-FOOD-01",
        "return_address": "上海市浦东新区世纪大道100号", "platform_synced": False,
        "occurred_at": (now - timedelta(days=15)).isoformat()})
    assert refunded.status_code == 201
    freeze = Freeze.objects.get(refund__platform_refund_id="ELM-RF-5521")
    assert freeze.is_delayed
    with django_capture_on_commit_callbacks(execute=True):
        appeal = file_appeal(freeze)

    auto_release_due()  # held: the platform never confirmed the return
    assert api.get("/customers/U-TK/credit").json()["freezes"][0]["delayed"] is True

    synced = api.post("/refunds/ELM-RF-5521/synced")
    assert synced.status_code == 200 and synced.json()["changed"] is True
    assert synced.json()["freeze"]["expected_release_on"] == timezone.localdate().isoformat()  # honest: today
    timeline = api.get(f"/appeals/{appeal.reference}").json()["timeline"]
    assert [line["transition"] for line in timeline] == ["submit", "platform_synced"]
    assert timezone.localdate().isoformat() in timeline[-1]["line"]
    assert api.post("/refunds/ELM-RF-5521/synced").json()["changed"] is False  # a second report changes nothing

    assert auto_release_due() == 1
    freeze.refresh_from_db()
    assert freeze.status == Freeze.Status.RELEASED and freeze.release_source == Freeze.ReleaseSource.TIMER
    assert Appeal.objects.get(pk=appeal.pk).state == State.RESOLVED
    credit = api.get("/customers/U-TK/credit").json()
    assert (credit["frozen"], credit["available"]) == ("0.00", "3000.00")

    def told(event_type):
        return [body for body in receiver.bodies() if body["type"] == event_type]

    deliver_until(lambda: told("freeze.released"))
    assert told("freeze.released")[0]["data"]["freeze_id"] == freeze.pk
    assert told("freeze.released")[0]["customer"] == "U-TK"
    assert told("refund.synced")[0]["data"]["refund_id"] == "ELM-RF-5521"
    assert [body["type"] for body in receiver.bodies()] == [
        "limit.changed", "freeze.created", "appeal.submitted", "refund.synced", "freeze.released"]
    assert receiver.rejected == [] and ledger_mismatches() == []

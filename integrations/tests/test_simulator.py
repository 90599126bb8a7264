"""`manage.py simulate_platform` against a live server through real HTTP, with the demo client's key."""

from decimal import Decimal

import pytest
from django.core.management import call_command

from accounts.models import Bill, CreditAccount, Freeze, ReturnShipmentEvent
from accounts.selectors import ledger_mismatches
from accounts.tests.factories import CustomerFactory, make_account
from appeals.workflow.timers import auto_release_due
from events.models import Event

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_simulated_platform_makes_freezes_that_the_timer_releases(live_server, capsys):
    call_command("seed_demo_client")
    make_account(Decimal("10000.00"), customer=CustomerFactory(external_id="U13800138000"))
    call_command("simulate_platform", url=live_server.url, delay=0, seed=7)
    out = capsys.readouterr().out
    assert " 500 " not in out and "(replayed)" in out and "insufficient_available" in out
    active = Freeze.objects.filter(status=Freeze.Status.ACTIVE)
    assert active.filter(reason="partial_refund").exists() and active.filter(refund__platform_synced=True).count() >= 4
    assert ReturnShipmentEvent.objects.filter(status="delivered").count() == 2
    released = auto_release_due()
    assert released >= 3  # the six-day-old refunds and the synced food-delivery one
    assert Freeze.objects.filter(refund__order__platform="food_delivery", status="released").exists()
    overdue = CreditAccount.objects.get(customer__first_name="逾期用户")
    assert overdue.limit < Decimal("5000.00") and Bill.objects.filter(account=overdue, limit_cut=True).exists()
    assert Event.objects.filter(type="limit.changed", account_id=overdue.pk).count() == 2  # opened, then cut
    assert ledger_mismatches() == []

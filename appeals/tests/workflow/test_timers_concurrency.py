"""Two pollers at once on real PostgreSQL row locks (SKIP LOCKED): the auto-release and the
escalation batches split the work and never do a row twice. (Skipped on SQLite by conftest.)"""

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.db.models import Count, Q
from django.utils import timezone

from accounts import roles, selectors
from accounts.models import CreditAccount, Freeze, LedgerEntry
from accounts.selectors import ledger_mismatches
from accounts.services import ledger
from accounts.tests.factories import make_account, make_order, make_refund
from appeals.models import Appeal, AppealEvent, Notification, State
from appeals.tests.factories import submit_appeal
from appeals.workflow.timers import auto_release_batch, auto_release_due, escalate_overdue
from conftest import run_together

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ACCOUNTS = 30
FREEZES_PER_ACCOUNT = 2
APPEALS = 20


@pytest.fixture(autouse=True)
def role_groups():
    for name in (roles.CUSTOMER, roles.AGENT, roles.SUPERVISOR):
        Group.objects.get_or_create(name=name)


def pollers(batch, threads=2):
    """Run `batch()` in `threads` threads, released together, each looping until a batch returns 0;
    return each thread's list of batch results (or the exception it raised)."""

    def drain():
        counts = []
        while count := batch():
            counts.append(count)
        return counts

    results = run_together([drain] * threads, timeout=120)
    assert not any(isinstance(result, Exception) for result in results), results
    return results


def test_two_release_pollers_release_every_due_freeze_exactly_once():
    freeze_ids = []
    for _ in range(ACCOUNTS):
        account = make_account(Decimal("5000.00"))
        for _ in range(FREEZES_PER_ACCOUNT):
            freeze_ids.append(make_refund(make_order(account, Decimal("100.00"))).freezes.get().pk)
    not_due = make_refund(make_order(make_account(), Decimal("100.00"))).freezes.get()  # expected in the future
    Freeze.objects.filter(pk__in=freeze_ids).update(expected_release_on=timezone.localdate() - timedelta(days=1))
    assert selectors.freezes_due(timezone.localdate()).count() == ACCOUNTS * FREEZES_PER_ACCOUNT
    available_before = {a.pk: a.available for a in CreditAccount.objects.all()}

    results = pollers(lambda: auto_release_due(batch_size=7))

    assert sum(sum(counts) for counts in results) == ACCOUNTS * FREEZES_PER_ACCOUNT == 60
    per_freeze = dict(Freeze.objects.filter(pk__in=freeze_ids).annotate(
        n=Count("ledger_entries", filter=Q(ledger_entries__kind=LedgerEntry.Kind.RELEASE))).values_list("pk", "n"))
    assert per_freeze == dict.fromkeys(freeze_ids, 1)
    assert Freeze.objects.filter(pk__in=freeze_ids, status=Freeze.Status.RELEASED).count() == 60
    assert Freeze.objects.get(pk=not_due.pk).status == Freeze.Status.ACTIVE
    assert LedgerEntry.objects.filter(kind=LedgerEntry.Kind.RELEASE).count() == 60
    for account in CreditAccount.objects.exclude(pk=not_due.account_id):
        assert account.available - available_before[account.pk] == Decimal("200.00")
        assert account.frozen == Decimal("0.00")
    assert Notification.objects.count() == 60  # one per released freeze
    assert ledger_mismatches() == []


def test_two_escalation_pollers_escalate_each_overdue_appeal_once():
    appeal_ids = []
    for _ in range(APPEALS):
        account = make_account()
        freeze = ledger.freeze_create(account=account, amount=Decimal("300.00"), reason=Freeze.Reason.ROUTINE_RISK)
        appeal_ids.append(submit_appeal(customer=account.customer, freeze_id=freeze.pk, order_number="",
                                                 tracking_number="", description="请协助解冻", files=[]).pk)
    Appeal.objects.filter(pk__in=appeal_ids).update(due_at=timezone.now() - timedelta(hours=1))

    results = pollers(lambda: escalate_overdue(batch_size=3))

    assert sum(sum(counts) for counts in results) == APPEALS
    per_appeal = dict(Appeal.objects.filter(pk__in=appeal_ids).annotate(
        n=Count("events", filter=Q(events__transition="escalate_overdue"))).values_list("pk", "n"))
    assert per_appeal == dict.fromkeys(appeal_ids, 1)
    assert set(Appeal.objects.filter(pk__in=appeal_ids).values_list("state", "sla_breached")) == {
        (State.ESCALATED, True)}
    assert AppealEvent.objects.filter(transition="escalate_overdue").count() == APPEALS
    assert Notification.objects.count() == 2 * APPEALS  # "received" + "taking longer", once each


def test_a_poller_releases_free_accounts_while_another_holds_the_first_batch():
    freeze_ids = [make_refund(make_order(make_account(), Decimal("100.00"))).freezes.get().pk for _ in range(10)]
    Freeze.objects.filter(pk__in=freeze_ids).update(expected_release_on=timezone.localdate() - timedelta(days=1))
    first_batch = sorted(Freeze.objects.filter(pk__in=freeze_ids).values_list("account_id", flat=True))[:7]
    locked, done = threading.Event(), threading.Event()

    def hold_first_batch():  # another poller in the middle of its batch
        from django.db import transaction

        try:
            with transaction.atomic():
                list(CreditAccount.objects.select_for_update().filter(pk__in=first_batch))
                locked.set()
                done.wait(timeout=30)
        finally:
            connection.close()

    holder = threading.Thread(target=hold_first_batch)
    holder.start()
    try:
        assert locked.wait(timeout=30)
        released, after = auto_release_batch(batch_size=7)
    finally:
        done.set()
        holder.join(timeout=30)
    assert released == 3  # the three due accounts nobody holds
    assert after == max(freeze.account_id for freeze in Freeze.objects.filter(pk__in=freeze_ids))

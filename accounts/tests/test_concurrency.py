"""Races on real PostgreSQL row locks: many threads, each on its own connection, hit the
same account at the same moment. (Skipped on SQLite by conftest.)"""

import functools
from decimal import Decimal

import pytest
from django.core.management import call_command

from accounts.errors import InsufficientAvailable
from accounts.models import CreditAccount, Freeze, LedgerEntry, Order
from accounts.selectors import ledger_mismatches
from accounts.services import ledger
from accounts.tests.factories import UserFactory, make_account
from conftest import run_together

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 16


def race(work):
    """Run `work(i)` in THREADS threads released together; return each thread's result or exception."""
    return run_together([functools.partial(work, i) for i in range(THREADS)])


def test_concurrent_releases_of_one_freeze_release_it_once():
    # A plain user as customer: the role groups are flushed by transactional tests.
    account = make_account(Decimal("1000.00"), customer=UserFactory())
    freeze = ledger.freeze_create(account=account, amount=Decimal("250.00"), reason=Freeze.Reason.ABNORMAL)

    results = race(lambda i: ledger.freeze_release(
        freeze=Freeze.objects.get(pk=freeze.pk), source=Freeze.ReleaseSource.STAFF, note=f"thread {i}"))

    errors = [r for r in results if isinstance(r, Exception)]
    assert errors == []
    assert sum(r.released for r in results) == 1
    assert LedgerEntry.objects.filter(freeze=freeze, kind=LedgerEntry.Kind.RELEASE).count() == 1
    account.refresh_from_db()
    assert (account.limit, account.used, account.frozen, account.available) == (
        Decimal("1000.00"), Decimal("0.00"), Decimal("0.00"), Decimal("1000.00"))
    freeze.refresh_from_db()
    winner = next(r for r in results if r.released)
    assert freeze.status == Freeze.Status.RELEASED
    assert freeze.release_note == winner.freeze.release_note
    assert ledger_mismatches() == []


def test_concurrent_purchases_never_overdraw():
    account = make_account(Decimal("1000.00"), customer=UserFactory())

    results = race(lambda i: ledger.order_purchase(
        account=CreditAccount.objects.get(pk=account.pk), number=f"RACE{i:04d}", amount=Decimal("100.00"),
        item_name="item", item_sku="SKU", delivery_address="addr"))

    orders = [r for r in results if isinstance(r, Order)]
    refused = [r for r in results if isinstance(r, InsufficientAvailable)]
    assert len(orders) == 10
    assert len(refused) == 6
    assert len(orders) + len(refused) == THREADS  # nothing else (no deadlock, no DB error)
    account.refresh_from_db()
    assert (account.used, account.frozen, account.available) == (Decimal("1000.00"), Decimal("0.00"), Decimal("0.00"))
    assert Order.objects.filter(account=account).count() == 10
    assert LedgerEntry.objects.filter(account=account, kind=LedgerEntry.Kind.PURCHASE).count() == 10
    call_command("verify_ledger")

"""The database itself (trigger from migration 0002) refuses UPDATE and DELETE of ledger rows,
on SQLite and PostgreSQL alike, however the statement reaches it."""

from decimal import Decimal

import pytest
from django.db import DatabaseError, connection, transaction
from django.forms.models import model_to_dict

from accounts.models import LedgerEntry
from accounts.tests.factories import make_account, make_order

pytestmark = pytest.mark.django_db

IMMUTABLE = "ledger entries are immutable"


@pytest.fixture
def entry():
    account = make_account(Decimal("1000.00"))
    make_order(account, Decimal("100.00"))
    return LedgerEntry.objects.get(kind=LedgerEntry.Kind.PURCHASE)


def stored(entry):
    return model_to_dict(LedgerEntry.objects.get(pk=entry.pk))


def assert_refused(entry, statement):
    before = stored(entry)
    count = LedgerEntry.objects.count()
    with pytest.raises(DatabaseError, match=IMMUTABLE), transaction.atomic():
        statement()
    # The test's own transaction is still usable and the row is as it was.
    assert stored(entry) == before
    assert LedgerEntry.objects.count() == count


def test_queryset_update_is_refused(entry):
    assert_refused(entry, lambda: LedgerEntry.objects.filter(pk=entry.pk).update(note="x"))
    assert_refused(entry, lambda: LedgerEntry.objects.filter(pk=entry.pk).update(amount=Decimal("1.00")))


def test_update_of_every_row_is_refused(entry):
    assert LedgerEntry.objects.count() == 2  # the opening limit and the purchase
    assert_refused(entry, lambda: LedgerEntry.objects.update(note="x"))
    assert not LedgerEntry.objects.filter(note="x").exists()


def test_instance_save_is_refused(entry):
    def save():
        entry.note = "edited"
        entry.save()

    assert_refused(entry, save)


def test_bulk_update_is_refused(entry):
    def bulk():
        entry.note = "edited"
        LedgerEntry.objects.bulk_update([entry], ["note"])

    assert_refused(entry, bulk)


def test_queryset_delete_is_refused(entry):
    assert_refused(entry, lambda: LedgerEntry.objects.filter(pk=entry.pk).delete())
    assert_refused(entry, lambda: LedgerEntry.objects.all().delete())


def test_instance_delete_is_refused(entry):
    assert_refused(entry, lambda: LedgerEntry.objects.get(pk=entry.pk).delete())


def test_raw_sql_update_is_refused(entry):
    table = connection.ops.quote_name(LedgerEntry._meta.db_table)

    def raw_update():
        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE {table} SET note = %s WHERE id = %s", ["x", entry.pk])  # noqa: S608

    assert_refused(entry, raw_update)


def test_raw_sql_delete_is_refused(entry):
    table = connection.ops.quote_name(LedgerEntry._meta.db_table)

    def raw_delete():
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {table} WHERE id = %s", [entry.pk])  # noqa: S608

    assert_refused(entry, raw_delete)


def test_new_entries_can_still_be_written(entry):
    # The trigger guards only UPDATE and DELETE: the services keep appending.
    make_order(entry.account, Decimal("50.00"))
    assert LedgerEntry.objects.filter(kind=LedgerEntry.Kind.PURCHASE).count() == 2

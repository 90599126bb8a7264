from decimal import Decimal

import pytest
from django.core.management import call_command

from accounts.tests.factories import make_account, make_order, make_refund


@pytest.mark.django_db
def test_purchase_refund_release_cycle():
    from accounts.models import Freeze
    from accounts.services import ledger

    account = make_account(Decimal("1000.00"))
    order = make_order(account, Decimal("300.00"))
    make_refund(order)
    account.refresh_from_db()
    assert (account.used, account.frozen, account.available) == (Decimal("0.00"), Decimal("300.00"), Decimal("700.00"))
    freeze = Freeze.objects.get()
    assert ledger.freeze_release(freeze=freeze, source=Freeze.ReleaseSource.STAFF).released
    assert not ledger.freeze_release(freeze=freeze, source=Freeze.ReleaseSource.STAFF).released
    account.refresh_from_db()
    assert account.available == Decimal("1000.00")
    call_command("verify_ledger")

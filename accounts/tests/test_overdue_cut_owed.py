"""Three overdue bills in a row cut 30 % of the limit. What is used or frozen cannot be cut at once:
that part is owed, shown to supervisors, and cut first through the ledger as limit comes back (a
freeze released, a repayment); the bill is marked cut only when the whole cut is made."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from accounts.models import Bill, CreditAccount, Freeze, LedgerEntry
from accounts.selectors import ledger_mismatches
from accounts.services import ledger, policy
from accounts.tests.factories import AgentFactory, SupervisorFactory, make_account, make_order, make_refund

pytestmark = pytest.mark.django_db

SH = ZoneInfo("Asia/Shanghai")


@pytest.fixture(autouse=True)
def october():
    with time_machine.travel(datetime(2026, 10, 20, 12, 0, tzinfo=SH), tick=False):
        yield


def three_overdue(account) -> Bill:
    for month in (7, 8, 9):
        bill = policy.bill_record(account=account, due_on=date(2026, month, 10), amount="300.00")
    return Bill.objects.get(pk=bill.pk)


def cuts(account) -> list[Decimal]:
    return list(LedgerEntry.objects.filter(account=account, kind=LedgerEntry.Kind.LIMIT_CHANGE, target="outside")
                .order_by("pk").values_list("amount", flat=True))


def balances(account) -> tuple:
    account = CreditAccount.objects.get(pk=account.pk)
    return account.limit, account.used, account.frozen, account.available


def test_a_cut_larger_than_available_is_owed_and_completed_when_the_freeze_comes_back():
    account = make_account(Decimal("10000.00"))
    order = make_order(account, Decimal("9000.00"), occurred_at=datetime(2026, 9, 1, 12, tzinfo=SH))
    freeze = make_refund(order, Decimal("6000.00")).freezes.get()
    assert balances(account)[1:] == (Decimal("3000.00"), Decimal("6000.00"), Decimal("1000.00"))

    bill = three_overdue(account)
    assert cuts(account) == [Decimal("1000.00")]  # all that was available
    assert (bill.limit_cut, bill.limit_cut_owed) == (False, Decimal("2000.00"))  # not done: 2000 owed

    ledger.freeze_release(freeze=freeze, source=Freeze.ReleaseSource.TIMER)
    assert cuts(account) == [Decimal("1000.00"), Decimal("2000.00")]  # the owed part first
    assert balances(account) == (Decimal("7000.00"), Decimal("3000.00"), Decimal("0.00"), Decimal("4000.00"))
    bill.refresh_from_db()
    assert (bill.limit_cut, bill.limit_cut_owed) == (True, Decimal("0.00"))
    policy.bill_record(account=account, due_on=date(2026, 10, 10), amount="300.00")  # a 4th: no second cut
    assert len(cuts(account)) == 2
    assert ledger_mismatches() == []


def test_with_nothing_available_nothing_is_marked_cut_and_repayments_pay_the_cut_first():
    account = make_account(Decimal("10000.00"))
    make_order(account, Decimal("10000.00"), occurred_at=datetime(2026, 9, 1, 12, tzinfo=SH))
    bill = three_overdue(account)
    assert cuts(account) == []
    assert (bill.limit_cut, bill.limit_cut_owed) == (False, Decimal("3000.00"))

    ledger.account_repay(account=account, amount="1200.00")
    bill.refresh_from_db()
    assert cuts(account) == [Decimal("1200.00")] and bill.limit_cut_owed == Decimal("1800.00")
    assert balances(account)[3] == Decimal("0.00")
    ledger.account_repay(account=account, amount="5000.00")
    bill.refresh_from_db()
    assert cuts(account) == [Decimal("1200.00"), Decimal("1800.00")] and bill.limit_cut
    assert balances(account) == (Decimal("7000.00"), Decimal("3800.00"), Decimal("0.00"), Decimal("3200.00"))
    assert ledger_mismatches() == []


def test_supervisors_see_the_owed_cut_on_the_credit_line(client):
    account = make_account(Decimal("8000.00"))
    make_order(account, Decimal("8000.00"), occurred_at=datetime(2026, 9, 1, 12, tzinfo=SH))
    three_overdue(account)
    url = reverse("admin:accounts_creditaccount_change", args=[account.pk])
    client.force_login(SupervisorFactory())
    page = client.get(url).content.decode()
    assert "2400.00" in page  # 30 % of 8000, all of it owed
    client.force_login(AgentFactory())
    assert "2400.00" not in client.get(url).content.decode()

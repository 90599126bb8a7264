"""Monthly bills as the credit core reports them: issued, paid, overdue; and the due-date job that
finds unpaid bills overdue. Each runs the overdue-streak rule (policy.bill_record)."""

from datetime import date

from django.db import transaction
from django.utils import timezone

from ..errors import BillAlreadyPaid, UnknownBill
from ..models import Bill, CreditAccount
from . import ledger, policy


def _bill(account: CreditAccount, due_on: date) -> Bill:
    bill = Bill.objects.filter(account=account, due_on=due_on).first()
    if bill is None:
        raise UnknownBill()
    return bill


@transaction.atomic
def bill_issue(*, account: CreditAccount, due_on: date, amount) -> Bill:
    """A bill issued (or its amount corrected); a bill already paid stays paid."""
    ledger.account_lock(account.pk)
    existing = Bill.objects.filter(account=account, due_on=due_on).first()
    return policy.bill_record(account=account, due_on=due_on, amount=amount,
                              paid_on=existing.paid_on if existing else None)


@transaction.atomic
def bill_pay(*, account: CreditAccount, due_on: date, paid_on: date) -> Bill:
    ledger.account_lock(account.pk)
    bill = _bill(account, due_on)
    return policy.bill_record(account=account, due_on=due_on, amount=bill.amount, paid_on=paid_on)


@transaction.atomic
def bill_mark_overdue(*, account: CreditAccount, due_on: date, on: date | None = None) -> Bill:
    """The bill was not paid by its day: recorded as overdue, and the streak rule runs."""
    ledger.account_lock(account.pk)
    bill = _bill(account, due_on)
    if bill.paid_on is not None:
        raise BillAlreadyPaid()
    if bill.declared_overdue_on is None:
        Bill.objects.filter(pk=bill.pk).update(declared_overdue_on=on or timezone.localdate())
    return policy.bill_record(account=account, due_on=due_on, amount=bill.amount, paid_on=None)


@transaction.atomic
def _overdue_batch(*, today: date, batch_size: int, after: int) -> tuple[int, int | None]:
    """Mark the due bills of the next accounts above `after`, claimed with SKIP LOCKED (the lock the
    bill services take first), so pollers running at once split the accounts."""
    due = Bill.objects.filter(paid_on__isnull=True, declared_overdue_on__isnull=True, due_on__lt=today)
    accounts = list(CreditAccount.objects.select_for_update(skip_locked=True)
                    .filter(pk__gt=after, pk__in=due.values("account_id")).order_by("pk")[:batch_size])
    marked = 0
    for account in accounts:
        for due_on in due.filter(account=account).order_by("due_on").values_list("due_on", flat=True):
            bill_mark_overdue(account=account, due_on=due_on, on=today)
            marked += 1
    return marked, accounts[-1].pk if accounts else None


def bills_mark_overdue_due(*, today: date | None = None, batch_size: int = 200, max_batches: int = 100) -> int:
    """Beat job: every unpaid bill past its day and not yet marked overdue, batch by batch."""
    today = today or timezone.localdate()
    marked, after = 0, 0
    for _round in range(max_batches):
        count, after = _overdue_batch(today=today, batch_size=batch_size, after=after)
        marked += count
        if after is None:
            break
    return marked

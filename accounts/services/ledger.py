"""The only code that moves money. Every function runs in one transaction, locks the account
row (then any freeze row) before reading balances, re-checks state under the lock, and writes
immutable LedgerEntry rows beside the cached balances."""

import logging
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import announce
from ..errors import (
    AccountNotActive,
    ExceedsFrozen,
    ExceedsUsed,
    InsufficientAvailable,
    InvalidAmount,
    LimitBelowCommitted,
)
from ..freeze_dates import expected_release_on
from ..models import AccountStatusChange, Bill, Bucket, CreditAccount, Freeze, LedgerEntry, Order, Refund
from ..money import ZERO, to_money
from ..selectors import dated_freezes, freezes_due, held_refunds

log = logging.getLogger(__name__)

# The error raised when a move would take more out of a bucket than it holds.
_SHORTFALL_ERRORS = {Bucket.AVAILABLE: InsufficientAvailable, Bucket.USED: ExceedsUsed, Bucket.FROZEN: ExceedsFrozen}


@dataclass(frozen=True)
class ReleaseResult:
    freeze: Freeze
    released: bool
    message: str


def positive_amount(amount) -> Decimal:
    try:
        value = to_money(amount)
    except (TypeError, ValueError) as exc:
        raise InvalidAmount() from exc
    if value <= ZERO:
        raise InvalidAmount()
    return value


def account_lock(account_id: int) -> CreditAccount:
    """Lock a credit account's row for the caller's transaction: every change of a credit line, and
    every appeal service that may move money, takes this lock first (then freezes, then appeals)."""
    return CreditAccount.objects.select_for_update().get(pk=account_id)


def account_lock_of(customer) -> CreditAccount | None:
    """account_lock by customer (one account each), for a service that has not read the account yet."""
    return CreditAccount.objects.select_for_update().filter(customer=customer).first()


def _shift(account: CreditAccount, *, kind, amount: Decimal, source, target, **links) -> LedgerEntry:
    """Move `amount` between two buckets of a locked account in memory; return the unsaved entry."""
    held = {Bucket.AVAILABLE: account.available, Bucket.USED: account.used, Bucket.FROZEN: account.frozen}
    if source in held and held[source] < amount:
        raise _SHORTFALL_ERRORS[source]()
    for bucket, sign in ((source, -1), (target, 1)):
        if bucket == Bucket.OUTSIDE:
            account.limit -= sign * amount
        elif bucket == Bucket.USED:
            account.used += sign * amount
        elif bucket == Bucket.FROZEN:
            account.frozen += sign * amount
    log.info("ledger %s %s %s→%s account=%s", kind, amount, source, target, account.pk)
    return LedgerEntry(account=account, kind=kind, amount=amount, source=source, target=target, **links)


def _move(account: CreditAccount, **move) -> LedgerEntry:
    """Move between two buckets of a locked account, save it and record the ledger entry."""
    entry = _shift(account, **move)
    account.save(update_fields=["limit", "used", "frozen"])
    entry.save()
    return entry


@transaction.atomic
def account_open(*, customer, limit, actor=None) -> CreditAccount:
    """Open a customer's credit line with its first limit."""
    amount = positive_amount(limit)
    account = CreditAccount.objects.create(customer=customer)
    _move(account, kind=LedgerEntry.Kind.LIMIT_CHANGE, amount=amount, source=Bucket.OUTSIDE,
          target=Bucket.AVAILABLE, actor=actor, note="credit line opened")
    announce.limit_changed(account, old_limit=ZERO, note="credit line opened")
    return account


@transaction.atomic
def limit_change(*, account: CreditAccount, new_limit, actor=None, note: str = "") -> LedgerEntry | None:
    """Set a new limit; a cut never goes below what is used and frozen. Returns None if unchanged."""
    try:
        target = to_money(new_limit)
    except (TypeError, ValueError) as exc:
        raise InvalidAmount() from exc
    if target < ZERO:
        raise InvalidAmount()
    account = account_lock(account.pk)
    delta = target - account.limit
    if delta == ZERO:
        return None
    old_limit = account.limit
    if delta > ZERO:
        if account.status == CreditAccount.Status.BANNED:
            raise AccountNotActive()
        entry = _move(account, kind=LedgerEntry.Kind.LIMIT_CHANGE, amount=delta, source=Bucket.OUTSIDE,
                      target=Bucket.AVAILABLE, actor=actor, note=note)
    else:
        if target < account.used + account.frozen:
            raise LimitBelowCommitted()
        entry = _move(account, kind=LedgerEntry.Kind.LIMIT_CHANGE, amount=-delta, source=Bucket.AVAILABLE,
                      target=Bucket.OUTSIDE, actor=actor, note=note)
    announce.limit_changed(account, old_limit=old_limit, note=note)
    return entry


@transaction.atomic
def order_purchase(
    *, account: CreditAccount, number: str, amount, item_name: str, item_sku: str, delivery_address: str,
    platform: str = Order.Platform.MALL, occurred_at: datetime | None = None, actor=None,
) -> Order:
    """Record a purchase on monthly pay: available → used."""
    value = positive_amount(amount)
    account = account_lock(account.pk)
    if account.status != CreditAccount.Status.ACTIVE:
        raise AccountNotActive()
    order = Order.objects.create(
        account=account, number=number, amount=value, item_name=item_name, item_sku=item_sku,
        delivery_address=delivery_address, platform=platform, created_at=occurred_at or timezone.now(),
    )
    _move(account, kind=LedgerEntry.Kind.PURCHASE, amount=value, source=Bucket.AVAILABLE,
          target=Bucket.USED, order=order, actor=actor)
    return order


@transaction.atomic
def account_repay(*, account: CreditAccount, amount, actor=None, note: str = "") -> LedgerEntry:
    """Record a repayment: used → available."""
    value = positive_amount(amount)
    account = account_lock(account.pk)
    entry = _move(account, kind=LedgerEntry.Kind.REPAYMENT, amount=value, source=Bucket.USED,
                  target=Bucket.AVAILABLE, actor=actor, note=note)
    settle_owed_cuts({account.pk: account})
    return entry


def settle_owed_cuts(accounts: dict[int, CreditAccount]) -> None:
    """Complete the limit cuts owed by overdue streaks (policy._cut_for_streak could take only what was
    available) out of what is available now: available → outside, first thing when limit comes back.
    The caller holds the accounts locked; the bill is marked cut once nothing is owed."""
    for bill in Bill.objects.select_for_update().filter(account_id__in=sorted(accounts), limit_cut_owed__gt=ZERO):
        account = accounts[bill.account_id]
        cut = min(bill.limit_cut_owed, account.available)
        if cut <= ZERO:
            continue
        old_limit, note = account.limit, f"overdue limit cut owed since the bill of {bill.due_on}"
        _move(account, kind=LedgerEntry.Kind.LIMIT_CHANGE, amount=cut, source=Bucket.AVAILABLE,
              target=Bucket.OUTSIDE, note=note)
        announce.limit_changed(account, old_limit=old_limit, note=note)
        bill.limit_cut_owed -= cut
        bill.limit_cut = bill.limit_cut_owed == ZERO
        bill.save(update_fields=["limit_cut_owed", "limit_cut"])


# No savepoint of its own: its caller, policy.refund_record, has one (or is the transaction).
@transaction.atomic(savepoint=False)
def refund_hold(*, refund: Refund, reason: str, account: CreditAccount, actor=None) -> Freeze:
    """Hold a recorded refund's amount back from the limit until review: used → frozen, with a freeze
    of `reason` promised back on its date. `account`: the refund's account, locked by the caller."""
    freeze = Freeze.objects.create(
        account=account, amount=refund.amount, reason=reason, refund=refund, created_at=refund.created_at,
        expected_release_on=expected_release_on(reason=reason, frozen_on=timezone.localdate(refund.created_at)),
    )
    _move(account, kind=LedgerEntry.Kind.REFUND, amount=refund.amount, source=Bucket.USED, target=Bucket.FROZEN,
          order=refund.order, refund=refund, freeze=freeze, actor=actor)
    announce.freeze_created(freeze)
    return freeze


@transaction.atomic
def freeze_create(
    *, account: CreditAccount, amount, reason: str, actor=None, note: str = "", occurred_at: datetime | None = None,
) -> Freeze:
    """Hold back part of the available limit (risk control): available → frozen."""
    value = positive_amount(amount)
    account = account_lock(account.pk)
    created_at = occurred_at or timezone.now()
    freeze = Freeze.objects.create(
        account=account, amount=value, reason=reason, created_at=created_at,
        expected_release_on=expected_release_on(reason=reason, frozen_on=timezone.localdate(created_at)),
    )
    _move(account, kind=LedgerEntry.Kind.FREEZE, amount=value, source=Bucket.AVAILABLE,
          target=Bucket.FROZEN, freeze=freeze, actor=actor, note=note)
    announce.freeze_created(freeze)
    return freeze


@transaction.atomic
def freeze_release(*, freeze: Freeze, source: str, actor=None, note: str = "") -> ReleaseResult:
    """Give a freeze's amount back to the available limit (frozen → available), once.

    A second call for the same freeze changes nothing and says so."""
    account = account_lock(freeze.account_id)
    freeze = Freeze.objects.select_for_update().get(pk=freeze.pk)
    if not freeze.is_active:
        return ReleaseResult(freeze, False, _("This freeze was already released; nothing more was released."))
    _release_locked({account.pk: account}, [freeze], source=source, actor=actor, note=note)
    return ReleaseResult(freeze, True, _("¥%(amount)s is available again.") % {"amount": freeze.amount})


def _release_locked(accounts: dict[int, CreditAccount], freezes: list[Freeze], *, source: str, actor=None,
                    note: str = "") -> None:
    """Release active freezes whose accounts (and the freezes) the caller holds locked; bulk writes."""
    now = timezone.now()
    entries = []
    for freeze in freezes:
        freeze.account = accounts[freeze.account_id]
        entries.append(_shift(freeze.account, kind=LedgerEntry.Kind.RELEASE, amount=freeze.amount,
                              source=Bucket.FROZEN, target=Bucket.AVAILABLE, freeze=freeze, actor=actor, note=note))
        freeze.status, freeze.released_at, freeze.released_by = Freeze.Status.RELEASED, now, actor
        freeze.release_source, freeze.release_note = source, note
    touched = {freeze.account_id for freeze in freezes}
    CreditAccount.objects.bulk_update([accounts[pk] for pk in sorted(touched)], ["frozen"], batch_size=500)
    LedgerEntry.objects.bulk_create(entries, batch_size=500)
    # The same values for every freeze of the batch: one UPDATE (bulk_update builds a CASE per row and field).
    Freeze.objects.filter(pk__in=[freeze.pk for freeze in freezes]).update(
        status=Freeze.Status.RELEASED, released_at=now, released_by=actor, release_source=source, release_note=note)
    announce.freezes_released(freezes)
    settle_owed_cuts({pk: accounts[pk] for pk in touched})


@transaction.atomic
def freeze_release_due_batch(*, today: date | None = None, batch_size: int = 500,
                             after: int = 0) -> tuple[list[Freeze], int | None]:
    """Release the due freezes of the next batch of accounts with an id above `after`. Accounts are
    claimed with SKIP LOCKED, so pollers running at once split the work and none releases a freeze
    twice. Returns the released freezes and the last account claimed (None: nothing left), which
    the caller passes back as `after`, so a run walks the accounts once instead of rescanning."""
    today = today or timezone.localdate()
    # Skip locked accounts before the limit, so a second poller takes the next ones instead of none.
    accounts = {account.pk: account for account in CreditAccount.objects.select_for_update(skip_locked=True)
                .filter(pk__gt=after, pk__in=freezes_due(today).values("account_id")).order_by("pk")[:batch_size]}
    if not accounts:
        return [], None
    # The same rules as freezes_due, without its joins: for a few hundred accounts PostgreSQL joins
    # the whole refund and account tables by hash, a cost that grows with the tables, not the batch.
    # The accounts are locked (their status is current); held refunds are looked up by id.
    dated = list(Freeze.objects.select_for_update().filter(dated_freezes(today), account_id__in=accounts)
                 .order_by("pk"))
    held = set(Refund.objects.filter(held_refunds(), pk__in=[f.refund_id for f in dated if f.refund_id])
               .values_list("pk", flat=True))
    freezes = [f for f in dated if f.refund_id not in held
               and accounts[f.account_id].status == CreditAccount.Status.ACTIVE]
    _release_locked(accounts, freezes, source=Freeze.ReleaseSource.TIMER, note="released on the expected date")
    return freezes, max(accounts)


@transaction.atomic
def account_set_status(*, account: CreditAccount, status: str, actor=None, note: str = "") -> bool:
    """Ban, restrict or reinstate an account; returns False if it already had that status."""
    account = account_lock(account.pk)
    if account.status == status:
        return False
    old_status = account.status
    AccountStatusChange.objects.create(account=account, old_status=old_status, new_status=status, actor=actor,
                                       note=note)
    account.status = status
    account.save(update_fields=["status"])
    announce.status_changed(account, old_status=old_status, note=note)
    log.info("account %s status → %s", account.pk, status)
    return True

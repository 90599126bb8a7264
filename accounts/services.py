"""The only code that changes a credit line. Every function runs in one transaction,
locks the account row (then any freeze row) before reading balances, re-checks
state under the lock, and writes immutable LedgerEntry rows beside the cached balances."""

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from . import risk
from .business_days import add_business_days
from .errors import (
    AccountNotActive,
    ExceedsFrozen,
    ExceedsUsed,
    InsufficientAvailable,
    InvalidAmount,
    LimitBelowCommitted,
    RefundExceedsOrder,
)
from .models import AccountStatusChange, Bill, Bucket, CreditAccount, Freeze, LedgerEntry, Order, Refund, RiskLevel
from .money import CENT, ZERO, to_money

log = logging.getLogger(__name__)

# Business days until a freeze of each reason is expected to lift (DOMAIN.md).
RELEASE_BUSINESS_DAYS = {
    Freeze.Reason.NORMAL_REFUND: 3,
    Freeze.Reason.PARTIAL_REFUND: 15,
    Freeze.Reason.ABNORMAL: 15,
}
ROUTINE_RISK_CALENDAR_DAYS = 7

# The error raised when a move would take more out of a bucket than it holds.
_SHORTFALL_ERRORS = {Bucket.AVAILABLE: InsufficientAvailable, Bucket.USED: ExceedsUsed, Bucket.FROZEN: ExceedsFrozen}


@dataclass(frozen=True)
class ReleaseResult:
    freeze: Freeze
    released: bool
    message: str


def expected_release_on(*, reason: str, frozen_on: date) -> date | None:
    """The restore date promised for a freeze made on `frozen_on`; None when only an appeal lifts it."""
    if reason == Freeze.Reason.ROUTINE_RISK:
        return frozen_on + timedelta(days=ROUTINE_RISK_CALENDAR_DAYS)
    days = RELEASE_BUSINESS_DAYS.get(reason)
    return add_business_days(frozen_on, days) if days else None


def _positive(amount) -> Decimal:
    try:
        value = to_money(amount)
    except (TypeError, ValueError) as exc:
        raise InvalidAmount() from exc
    if value <= ZERO:
        raise InvalidAmount()
    return value


def _lock_account(account_id: int) -> CreditAccount:
    return CreditAccount.objects.select_for_update().get(pk=account_id)


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
    amount = _positive(limit)
    account = CreditAccount.objects.create(customer=customer)
    _move(account, kind=LedgerEntry.Kind.LIMIT_CHANGE, amount=amount, source=Bucket.OUTSIDE,
          target=Bucket.AVAILABLE, actor=actor, note="credit line opened")
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
    account = _lock_account(account.pk)
    delta = target - account.limit
    if delta == ZERO:
        return None
    if delta > ZERO:
        if account.status == CreditAccount.Status.BANNED:
            raise AccountNotActive()
        return _move(account, kind=LedgerEntry.Kind.LIMIT_CHANGE, amount=delta, source=Bucket.OUTSIDE,
                     target=Bucket.AVAILABLE, actor=actor, note=note)
    if target < account.used + account.frozen:
        raise LimitBelowCommitted()
    return _move(account, kind=LedgerEntry.Kind.LIMIT_CHANGE, amount=-delta, source=Bucket.AVAILABLE,
                 target=Bucket.OUTSIDE, actor=actor, note=note)


@transaction.atomic
def order_purchase(
    *, account: CreditAccount, number: str, amount, item_name: str, item_sku: str, delivery_address: str,
    platform: str = Order.Platform.MALL, occurred_at: datetime | None = None, actor=None,
) -> Order:
    """Record a purchase on monthly pay: available → used."""
    value = _positive(amount)
    account = _lock_account(account.pk)
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
    value = _positive(amount)
    account = _lock_account(account.pk)
    return _move(account, kind=LedgerEntry.Kind.REPAYMENT, amount=value, source=Bucket.USED,
                 target=Bucket.AVAILABLE, actor=actor, note=note)


def order_refundable(order: Order) -> Decimal:
    refunded = order.refunds.aggregate(total=Sum("amount"))["total"] or ZERO
    return order.amount - refunded


@transaction.atomic
def refund_record(
    *, order: Order, amount, returned_item_name: str, returned_item_sku: str, return_address: str,
    tracking_number: str = "", platform_synced: bool = True, occurred_at: datetime | None = None, actor=None,
) -> Refund:
    """Record a refund: the amount leaves `used` and is held frozen until review (used → frozen).

    The risk rules run on it: a normal refund waits 3 business days, a partial one up to 15;
    a refund the rules find malicious (high risk) freezes the whole available limit too and
    bans the account, so that only an appeal can lift it."""
    value = _positive(amount)
    account = _lock_account(order.account_id)
    if value > order_refundable(order):
        raise RefundExceedsOrder()
    kind = Refund.Kind.FULL if value == order.amount else Refund.Kind.PARTIAL
    refund = Refund.objects.create(
        order=order, amount=value, kind=kind, returned_item_name=returned_item_name,
        returned_item_sku=returned_item_sku, return_address=return_address, tracking_number=tracking_number,
        platform_synced=platform_synced, created_at=occurred_at or timezone.now(),
    )
    findings = risk.assess_refund(refund)
    refund.risk_level = risk.overall_level(findings)
    refund.risk_rules = [finding.as_dict() for finding in findings]
    refund.save(update_fields=["risk_level", "risk_rules"])
    malicious = refund.risk_level == RiskLevel.HIGH
    if malicious:
        reason = Freeze.Reason.MALICIOUS
    else:
        reason = Freeze.Reason.NORMAL_REFUND if kind == Refund.Kind.FULL else Freeze.Reason.PARTIAL_REFUND
    freeze = Freeze.objects.create(
        account=account, amount=value, reason=reason, refund=refund, created_at=refund.created_at,
        expected_release_on=expected_release_on(reason=reason, frozen_on=timezone.localdate(refund.created_at)),
    )
    _move(account, kind=LedgerEntry.Kind.REFUND, amount=value, source=Bucket.USED, target=Bucket.FROZEN,
          order=order, refund=refund, freeze=freeze, actor=actor)
    if malicious:
        rules = ", ".join(finding.code for finding in findings)
        if account.available > ZERO:
            freeze_create(account=account, amount=account.available, reason=Freeze.Reason.MALICIOUS, actor=actor,
                          note=f"malicious refund {refund.pk}: {rules}", occurred_at=refund.created_at)
        account_set_status(account=account, status=CreditAccount.Status.BANNED, actor=actor,
                           note=f"malicious refund {refund.pk}: {rules}")
    return refund


@transaction.atomic
def bill_record(*, account: CreditAccount, due_on: date, amount, paid_on: date | None = None) -> Bill:
    """Record or update a repayment bill. The bill that makes RISK_OVERDUE_BILLS_IN_A_ROW overdue
    in a row cuts the limit by RISK_OVERDUE_LIMIT_CUT, once per streak, never below what is committed."""
    value = _positive(amount)
    account = _lock_account(account.pk)
    bill, _created = Bill.objects.update_or_create(account=account, due_on=due_on,
                                                   defaults={"amount": value, "paid_on": paid_on})
    streak = []  # the overdue bills in a row, latest first
    for past in Bill.objects.filter(account=account, due_on__lt=timezone.localdate()).order_by("-due_on"):
        if not past.is_overdue:
            break
        streak.append(past)
    if len(streak) >= settings.RISK_OVERDUE_BILLS_IN_A_ROW and not any(b.limit_cut for b in streak):
        cut = min((account.limit * Decimal(settings.RISK_OVERDUE_LIMIT_CUT)).quantize(CENT), account.available)
        if cut > ZERO:
            limit_change(account=account, new_limit=account.limit - cut,
                         note=f"{settings.RISK_OVERDUE_BILLS_IN_A_ROW} overdue repayments in a row")
        Bill.objects.filter(pk=streak[0].pk).update(limit_cut=True)
    return bill


@transaction.atomic
def freeze_create(
    *, account: CreditAccount, amount, reason: str, actor=None, note: str = "", occurred_at: datetime | None = None,
) -> Freeze:
    """Hold back part of the available limit (risk control): available → frozen."""
    value = _positive(amount)
    account = _lock_account(account.pk)
    created_at = occurred_at or timezone.now()
    freeze = Freeze.objects.create(
        account=account, amount=value, reason=reason, created_at=created_at,
        expected_release_on=expected_release_on(reason=reason, frozen_on=timezone.localdate(created_at)),
    )
    _move(account, kind=LedgerEntry.Kind.FREEZE, amount=value, source=Bucket.AVAILABLE,
          target=Bucket.FROZEN, freeze=freeze, actor=actor, note=note)
    return freeze


@transaction.atomic
def freeze_release(*, freeze: Freeze, source: str, actor=None, note: str = "") -> ReleaseResult:
    """Give a freeze's amount back to the available limit (frozen → available), once.

    A second call for the same freeze changes nothing and says so."""
    account = _lock_account(freeze.account_id)
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


# Freezes the timer lifts by itself; abnormal and malicious ones wait for a person (DOMAIN.md).
AUTO_RELEASE_REASONS = [Freeze.Reason.NORMAL_REFUND, Freeze.Reason.PARTIAL_REFUND, Freeze.Reason.ROUTINE_RISK]


def _dated(today: date) -> Q:
    """A freeze the timer may lift whose date has come."""
    return Q(status=Freeze.Status.ACTIVE, reason__in=AUTO_RELEASE_REASONS, expected_release_on__lte=today)


def _held_refund(prefix: str = "") -> Q:
    """A refund that holds its freeze for a person: not confirmed by its platform, or high risk."""
    return Q(**{f"{prefix}platform_synced": False}) | Q(**{f"{prefix}risk_level": RiskLevel.HIGH})


def freezes_due(today: date):
    """Active freezes whose date has come and that no rule holds back."""
    return (Freeze.objects.filter(_dated(today), account__status=CreditAccount.Status.ACTIVE)
            .exclude(_held_refund("refund__")))


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
    dated = list(Freeze.objects.select_for_update().filter(_dated(today), account_id__in=accounts).order_by("pk"))
    held = set(Refund.objects.filter(_held_refund(), pk__in=[f.refund_id for f in dated if f.refund_id])
               .values_list("pk", flat=True))
    freezes = [f for f in dated if f.refund_id not in held
               and accounts[f.account_id].status == CreditAccount.Status.ACTIVE]
    _release_locked(accounts, freezes, source=Freeze.ReleaseSource.TIMER, note="released on the expected date")
    return freezes, max(accounts)


@transaction.atomic
def account_set_status(*, account: CreditAccount, status: str, actor=None, note: str = "") -> bool:
    """Ban, restrict or reinstate an account; returns False if it already had that status."""
    account = _lock_account(account.pk)
    if account.status == status:
        return False
    AccountStatusChange.objects.create(
        account=account, old_status=account.status, new_status=status, actor=actor, note=note
    )
    account.status = status
    account.save(update_fields=["status"])
    log.info("account %s status → %s", account.pk, status)
    return True

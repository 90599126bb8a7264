"""Risk policy on what the platform reports: a refund is held back under the risk rules (and a
malicious one bans the account and freezes the rest of its limit), and overdue bills in a row cut
the limit. Every money effect goes through the ledger."""

from datetime import date, datetime
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .. import risk
from ..errors import RefundExceedsOrder
from ..models import Bill, CreditAccount, Freeze, Refund, RiskLevel
from ..money import CENT, ZERO
from ..selectors import order_refundable
from . import ledger


@transaction.atomic
def refund_record(
    *, order, amount, returned_item_name: str, returned_item_sku: str, return_address: str,
    tracking_number: str = "", platform_synced: bool = True, occurred_at: datetime | None = None, actor=None,
    platform_refund_id: str | None = None,
) -> Refund:
    """Record a refund: the amount leaves `used` and is held frozen until review (used → frozen).

    The risk rules run on it: a normal refund waits 3 business days, a partial one up to 15;
    a refund the rules find malicious (high risk) freezes the whole available limit too and
    bans the account, so that only an appeal can lift it."""
    value = ledger.positive_amount(amount)
    account = ledger.account_lock(order.account_id)
    if value > order_refundable(order):
        raise RefundExceedsOrder()
    kind = Refund.Kind.FULL if value == order.amount else Refund.Kind.PARTIAL
    refund = Refund(
        order=order, amount=value, kind=kind, returned_item_name=returned_item_name,
        returned_item_sku=returned_item_sku, return_address=return_address, tracking_number=tracking_number,
        platform_synced=platform_synced, created_at=occurred_at or timezone.now(),
        platform_refund_id=platform_refund_id,
    )
    findings = risk.assess_refund(refund)  # before the row is written: it is written with its findings
    refund.risk_level = risk.overall_level(findings)
    refund.risk_rules = [finding.as_dict() for finding in findings]
    refund.save(force_insert=True)
    malicious = refund.risk_level == RiskLevel.HIGH
    reason = (Freeze.Reason.MALICIOUS if malicious else
              Freeze.Reason.NORMAL_REFUND if kind == Refund.Kind.FULL else Freeze.Reason.PARTIAL_REFUND)
    ledger.refund_hold(refund=refund, reason=reason, account=account, actor=actor)
    if malicious:
        _ban_for_malicious_refund(account, refund, findings, actor)
    return refund


def _ban_for_malicious_refund(account: CreditAccount, refund: Refund, findings, actor) -> None:
    """Cash-out suspected: the rest of the limit is frozen too and the account banned."""
    note = f"malicious refund {refund.pk}: " + ", ".join(finding.code for finding in findings)
    account.refresh_from_db()
    if account.available > ZERO:
        ledger.freeze_create(account=account, amount=account.available, reason=Freeze.Reason.MALICIOUS, actor=actor,
                             note=note, occurred_at=refund.created_at)
    ledger.account_set_status(account=account, status=CreditAccount.Status.BANNED, actor=actor, note=note)


@transaction.atomic
def bill_record(*, account: CreditAccount, due_on: date, amount, paid_on: date | None = None) -> Bill:
    """Record or update a repayment bill. The bill that makes RISK_OVERDUE_BILLS_IN_A_ROW overdue
    in a row cuts the limit by RISK_OVERDUE_LIMIT_CUT, once per streak, never below what is committed."""
    value = ledger.positive_amount(amount)
    account = ledger.account_lock(account.pk)
    bill, _created = Bill.objects.update_or_create(account=account, due_on=due_on,
                                                   defaults={"amount": value, "paid_on": paid_on})
    streak = []  # the overdue bills in a row, latest first
    for past in Bill.objects.filter(account=account, due_on__lt=timezone.localdate()).order_by("-due_on"):
        if not past.is_overdue:
            break
        streak.append(past)
    if len(streak) >= settings.RISK_OVERDUE_BILLS_IN_A_ROW and not any(b.limit_cut or b.limit_cut_owed for b in streak):
        _cut_for_streak(account, streak[0])
    return bill


def _cut_for_streak(account: CreditAccount, bill: Bill) -> None:
    """Cut RISK_OVERDUE_LIMIT_CUT of the limit. What is used or frozen cannot be cut now: that part is
    recorded as owed on the bill (shown in the admin) and the ledger cuts it first as limit comes
    back (ledger.settle_owed_cuts). The bill is marked cut only when the whole cut is made."""
    target = (account.limit * Decimal(settings.RISK_OVERDUE_LIMIT_CUT)).quantize(CENT)
    cut = min(target, account.available)
    if cut > ZERO:
        ledger.limit_change(account=account, new_limit=account.limit - cut,
                            note=f"{settings.RISK_OVERDUE_BILLS_IN_A_ROW} overdue repayments in a row")
    owed = target - cut
    Bill.objects.filter(pk=bill.pk).update(limit_cut=owed == ZERO, limit_cut_owed=owed)

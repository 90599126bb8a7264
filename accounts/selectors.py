"""Reads used by views, admin, commands and tasks, each a fixed number of queries."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Q, Sum
from django.utils.translation import gettext_lazy as _

from . import risk
from .freeze_dates import AUTO_RELEASE_REASONS
from .models import Bucket, CreditAccount, Freeze, LedgerEntry, Order, Refund, ReturnShipmentEvent, RiskLevel
from .money import ZERO


@dataclass(frozen=True)
class Mismatch:
    account_id: int
    field: str
    cached: Decimal
    from_ledger: Decimal

    def __str__(self):
        return f"account {self.account_id}: {self.field} is {self.cached} but the ledger says {self.from_ledger}"


def _net(bucket: str) -> dict:
    """Aggregates for the net amount that flowed into `bucket`."""
    return {
        f"{bucket}_in": Sum("amount", filter=Q(target=bucket), default=ZERO),
        f"{bucket}_out": Sum("amount", filter=Q(source=bucket), default=ZERO),
    }


def ledger_mismatches() -> list[Mismatch]:
    """Recompute every account's buckets from its ledger entries, and check that the
    frozen bucket equals the sum of its active freezes; three queries."""
    sums = {
        row["account_id"]: row
        for row in LedgerEntry.objects.order_by().values("account_id").annotate(
            **_net(Bucket.OUTSIDE), **_net(Bucket.USED), **_net(Bucket.FROZEN)
        )
    }
    active_frozen = dict(
        Freeze.objects.filter(status=Freeze.Status.ACTIVE).order_by().values("account_id")
        .annotate(total=Sum("amount")).values_list("account_id", "total")
    )
    mismatches = []
    for account in CreditAccount.objects.order_by("pk").only("pk", "limit", "used", "frozen"):
        row = sums.get(account.pk)
        expected = {
            "limit": row["outside_out"] - row["outside_in"] if row else ZERO,
            "used": row["used_in"] - row["used_out"] if row else ZERO,
            "frozen": row["frozen_in"] - row["frozen_out"] if row else ZERO,
        }
        mismatches += [
            Mismatch(account.pk, field, getattr(account, field), value)
            for field, value in expected.items()
            if getattr(account, field) != value
        ]
        active = active_frozen.get(account.pk, ZERO)
        if account.frozen != active:
            mismatches.append(Mismatch(account.pk, "frozen vs active freezes", account.frozen, active))
    return mismatches


# What the limit page reads of each freeze (its title, amount, dates and what it waits for: the
# Freeze properties and freeze_dates.waits_for), of its refund and order, and the whole account.
LIMIT_PAGE_FIELDS = ["amount", "reason", "created_at", "expected_release_on", "status", "released_at",
                     "release_source", "account__customer_id", "account__limit", "account__used", "account__frozen",
                     "account__status", "account__created_at", "refund__platform_synced", "refund__risk_level",
                     "refund__order__number"]


def credit_overview(customer, **annotations):
    """The customer's account with active and released freezes (and their orders) for the limit page:
    one query when there are freezes (the account comes with them), a second for the account if not.
    `annotations`: more to read about each freeze in the same query (the apps above this one)."""
    freezes = list(Freeze.objects.filter(account__customer=customer).select_related("account", "refund__order")
                   .only(*LIMIT_PAGE_FIELDS).annotate(**annotations).order_by("-created_at"))
    account = freezes[0].account if freezes else CreditAccount.objects.filter(customer=customer).first()
    if account is None:
        return None, [], []
    active = [f for f in freezes if f.is_active]
    released = [f for f in freezes if not f.is_active]
    return account, active, released


def freeze_hold_reasons(freeze: Freeze) -> list[str]:
    """Why a freeze is still held, in customer-safe words (for a freeze past its date)."""
    reasons = []
    if freeze.account.status != CreditAccount.Status.ACTIVE:
        reasons.append(str(_("Your account is under a risk-control restriction; an appeal is reviewed by a person.")))
    if freeze.refund:
        reasons += [risk.describe(finding)["customer"] for finding in freeze.refund.risk_rules]
    return reasons


def automatic_signals(freeze: Freeze) -> list[str] | None:
    """For a freeze the risk rules made with no person involved (a suspected malicious refund and
    the ban that comes with it): the kinds of signal that fired, in customer-safe words (no
    thresholds); None when a person decided it or it is an ordinary freeze (PIPL Art. 24)."""
    if freeze.reason != Freeze.Reason.MALICIOUS:
        return None
    first = freeze.ledger_entries.order_by("pk").only("actor_id").first()
    if first is None or first.actor_id is not None:
        return None
    refunds = [freeze.refund] if freeze.refund else Refund.objects.filter(
        order__account_id=freeze.account_id, risk_level=RiskLevel.HIGH, created_at=freeze.created_at)
    texts = [risk.describe(finding)["customer"] for refund in refunds for finding in refund.risk_rules]
    return list(dict.fromkeys(texts))


def order_refundable(order: Order) -> Decimal:
    """What is left of an order to refund."""
    refunded = order.refunds.aggregate(total=Sum("amount"))["total"] or ZERO
    return order.amount - refunded


def dated_freezes(today: date) -> Q:
    """A freeze the timer may lift whose date has come."""
    return Q(status=Freeze.Status.ACTIVE, reason__in=AUTO_RELEASE_REASONS, expected_release_on__lte=today)


def held_refunds(prefix: str = "") -> Q:
    """A refund that holds its freeze for a person: not confirmed by its platform, or high risk."""
    return Q(**{f"{prefix}platform_synced": False}) | Q(**{f"{prefix}risk_level": RiskLevel.HIGH})


def freezes_due(today: date):
    """Active freezes whose date has come and that no rule holds back."""
    return (Freeze.objects.filter(dated_freezes(today), account__status=CreditAccount.Status.ACTIVE)
            .exclude(held_refunds("refund__")))


def logistics_on_file(refund) -> list:
    """The carrier's record of this return's parcel (its tracking number), oldest step first: when
    there is one, the platform holds the logistics record and the customer need not send it."""
    if refund is None or refund.pk is None or not refund.tracking_number:  # unsaved: the OCR benchmark's rows
        return []
    number = "".join(refund.tracking_number.split()).upper()
    return list(ReturnShipmentEvent.objects.filter(refund=refund, tracking_number=number))

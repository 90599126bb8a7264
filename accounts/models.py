"""Users, credit lines, orders, refunds, freezes, the ledger and the business-day calendar.

Only accounts.services changes a credit line's buckets; every movement is one
immutable LedgerEntry row (the database refuses UPDATE and DELETE on it)."""

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Round
from django.db.models.lookups import GreaterThanOrEqual
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from . import roles

MONEY = {"max_digits": 12, "decimal_places": 2}


class User(AbstractUser):
    phone = models.CharField(_("phone number"), max_length=20, blank=True)
    # The platform's own id for the customer (the API addresses customers by it); staff have none.
    external_id = models.CharField(_("platform customer id"), max_length=64, unique=True, null=True, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    @property
    def masked_phone(self) -> str:
        """138****1234: what lists show; the full number only on an appeal's own page."""
        digits = self.phone
        return f"{digits[:3]}****{digits[-4:]}" if len(digits) >= 8 else "****"

    # The role helpers (accounts.roles), readable in templates.
    is_customer = property(roles.is_customer)
    is_agent = property(roles.is_agent)
    is_supervisor = property(roles.is_supervisor)
    is_reviewer = property(roles.is_reviewer)
    may_oversee = property(roles.may_oversee)


class CreditAccount(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        RESTRICTED = "restricted", _("Restricted")
        BANNED = "banned", _("Banned")

    customer = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="credit_account",
        verbose_name=_("customer"),
    )
    limit = models.DecimalField(_("credit limit"), default=Decimal("0.00"), **MONEY)
    used = models.DecimalField(_("used"), default=Decimal("0.00"), **MONEY)
    frozen = models.DecimalField(_("frozen"), default=Decimal("0.00"), **MONEY)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.ACTIVE)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("credit account")
        verbose_name_plural = _("credit accounts")
        constraints = [
            models.CheckConstraint(condition=Q(limit__gte=0), name="credit_limit_not_negative"),
            models.CheckConstraint(condition=Q(used__gte=0), name="credit_used_not_negative"),
            models.CheckConstraint(condition=Q(frozen__gte=0), name="credit_frozen_not_negative"),
            # Compared in whole fen: SQLite keeps decimals as floats, where 0.07 + 0.05 > 0.12.
            models.CheckConstraint(
                condition=GreaterThanOrEqual(
                    Round(F("limit") * 100), Round(F("used") * 100) + Round(F("frozen") * 100)
                ),
                name="credit_used_frozen_within_limit",
            ),
        ]

    def __str__(self):
        return str(self.customer)

    @property
    def available(self) -> Decimal:
        return self.limit - self.used - self.frozen


class Order(models.Model):
    class Platform(models.TextChoices):
        MALL = "mall", _("In-app mall")
        FOOD_DELIVERY = "food_delivery", _("External food delivery")
        EXTERNAL = "external", _("Other external platform")

    number = models.CharField(_("order number"), max_length=32, unique=True)
    account = models.ForeignKey(
        CreditAccount, on_delete=models.PROTECT, related_name="orders", verbose_name=_("credit account")
    )
    amount = models.DecimalField(_("amount"), **MONEY)
    item_name = models.CharField(_("item"), max_length=200)
    item_sku = models.CharField(_("SKU"), max_length=64)
    delivery_address = models.CharField(_("delivery address"), max_length=300)
    platform = models.CharField(_("platform"), max_length=20, choices=Platform.choices, default=Platform.MALL)
    created_at = models.DateTimeField(_("ordered at"), default=timezone.now)

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-created_at"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="order_amount_positive")]

    def __str__(self):
        return self.number


class RiskLevel(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


class Refund(models.Model):
    class Kind(models.TextChoices):
        FULL = "full", _("Full refund")
        PARTIAL = "partial", _("Partial refund")

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="refunds", verbose_name=_("order"))
    # The platform's refund id (unique: a retried report cannot book the refund twice).
    platform_refund_id = models.CharField(_("platform refund id"), max_length=64, unique=True, null=True,
                                          blank=True)
    amount = models.DecimalField(_("amount"), **MONEY)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    returned_item_name = models.CharField(_("returned item"), max_length=200)
    returned_item_sku = models.CharField(_("returned SKU"), max_length=64)
    return_address = models.CharField(_("return address"), max_length=300)
    tracking_number = models.CharField(_("return tracking number"), max_length=40, blank=True)
    platform_synced = models.BooleanField(
        _("synced by the platform"), default=True,
        help_text=_("False while an external platform has not confirmed the return."),
    )
    created_at = models.DateTimeField(_("refunded at"), default=timezone.now)
    risk_level = models.CharField(_("risk level"), max_length=10, choices=RiskLevel.choices, default=RiskLevel.LOW)
    risk_rules = models.JSONField(_("risk rules fired"), default=list, blank=True)

    class Meta:
        verbose_name = _("refund")
        verbose_name_plural = _("refunds")
        ordering = ["-created_at"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="refund_amount_positive")]

    def __str__(self):
        return f"{self.order.number} −{self.amount}"


class Bill(models.Model):
    """A monthly repayment bill from the main app; overdue bills in a row cut the limit."""

    account = models.ForeignKey(
        CreditAccount, on_delete=models.PROTECT, related_name="bills", verbose_name=_("credit account")
    )
    due_on = models.DateField(_("repayment day"))
    amount = models.DecimalField(_("amount"), **MONEY)
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    limit_cut = models.BooleanField(_("limit cut for this overdue streak"), default=False,
                                    help_text=_("Set only once the whole cut is made."))
    limit_cut_owed = models.DecimalField(
        _("limit cut still owed"), default=0, **MONEY,
        help_text=_("What the streak's cut could not take yet (the limit was used or frozen): cut first "
                    "as frozen amounts come back or repayments arrive."),
    )
    declared_overdue_on = models.DateField(
        _("declared overdue on"), null=True, blank=True,
        help_text=_("When the credit core reported it overdue, or the due-date job found it unpaid."),
    )

    class Meta:
        verbose_name = _("bill")
        verbose_name_plural = _("bills")
        ordering = ["-due_on"]
        constraints = [
            models.UniqueConstraint(fields=["account", "due_on"], name="one_bill_per_due_day"),
            models.CheckConstraint(condition=models.Q(limit_cut_owed__gte=0), name="bill_cut_owed_not_negative"),
        ]

    def __str__(self):
        return f"{self.account} {self.due_on}"

    @property
    def is_overdue(self) -> bool:
        return (self.paid_on or timezone.localdate()) > self.due_on


class ReturnShipmentEvent(models.Model):
    """One step of a return parcel's journey as the carrier or the platform reported it. When the
    record shows the parcel picked up, the customer need not send a logistics screenshot (Art. 13)."""

    class Status(models.TextChoices):
        PICKED_UP = "picked_up", _("Picked up")
        IN_TRANSIT = "in_transit", _("In transit")
        DELIVERED = "delivered", _("Delivered to the merchant")

    refund = models.ForeignKey(Refund, on_delete=models.PROTECT, related_name="shipment_events",
                               verbose_name=_("refund"))
    carrier = models.CharField(_("carrier"), max_length=40)
    tracking_number = models.CharField(_("tracking number"), max_length=40)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices)
    occurred_at = models.DateTimeField(_("at"))
    received_at = models.DateTimeField(_("reported at"), default=timezone.now)

    class Meta:
        verbose_name = _("return shipment event")
        verbose_name_plural = _("return shipment events")
        ordering = ["occurred_at", "id"]
        constraints = [models.UniqueConstraint(fields=["refund", "tracking_number", "status", "occurred_at"],
                                               name="one_shipment_event_per_step")]

    def __str__(self):
        return f"{self.tracking_number} {self.get_status_display()}"


class Freeze(models.Model):
    class Reason(models.TextChoices):
        NORMAL_REFUND = "normal_refund", _("Refund under routine review")
        PARTIAL_REFUND = "partial_refund", _("Partial refund awaiting settlement")
        ROUTINE_RISK = "routine_risk", _("Routine risk-control check")
        ABNORMAL = "abnormal", _("Abnormal activity under manual review")
        MALICIOUS = "malicious", _("Suspected malicious refund")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Frozen")
        RELEASED = "released", _("Released")

    class ReleaseSource(models.TextChoices):
        TIMER = "timer", _("Automatic release on the expected date")
        APPEAL = "appeal", _("Approved appeal")
        STAFF = "staff", _("Released by staff")
        REVIEW = "review", _("Decision overturned on the customer's review")

    account = models.ForeignKey(
        CreditAccount, on_delete=models.PROTECT, related_name="freezes", verbose_name=_("credit account")
    )
    amount = models.DecimalField(_("amount"), **MONEY)
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    refund = models.ForeignKey(
        Refund, on_delete=models.PROTECT, null=True, blank=True, related_name="freezes", verbose_name=_("refund")
    )
    created_at = models.DateTimeField(_("frozen at"), default=timezone.now)
    expected_release_on = models.DateField(_("expected restore date"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    released_at = models.DateTimeField(_("released at"), null=True, blank=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("released by"),
    )
    release_source = models.CharField(_("released through"), max_length=10, choices=ReleaseSource.choices, blank=True)
    release_note = models.CharField(_("release note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("freeze")
        verbose_name_plural = _("freezes")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "expected_release_on"], name="freeze_due_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="freeze_amount_positive"),
            models.CheckConstraint(
                condition=(Q(status="active", released_at__isnull=True, release_source="")
                           | Q(status="released", released_at__isnull=False) & ~Q(release_source="")),
                name="freeze_release_fields_match_status",
            ),
        ]

    def __str__(self):
        return f"{self.get_reason_display()} {self.amount}"

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE

    @property
    def customer_explanation(self) -> str:
        return FREEZE_EXPLANATIONS[self.reason]

    @cached_property
    def waits_for(self) -> str | None:
        """For an active freeze no timer lifts: what it waits for, instead of a date (freeze_dates)."""
        from .freeze_dates import waits_for  # freeze_dates builds on this module

        return waits_for(self) if self.is_active else None

    @property
    def timer_date(self) -> date | None:
        """The date the timer releases this freeze on; None when it waits for something else."""
        return self.expected_release_on if self.is_active and self.waits_for is None else None

    @property
    def title(self) -> str:
        """What the customer reads as the freeze's name: a released one is no longer "under review"."""
        return self.get_reason_display() if self.is_active else RELEASED_TITLES[self.reason]

    @property
    def is_delayed(self) -> bool:
        """Still held after the date we promised the customer."""
        return (
            self.is_active
            and self.expected_release_on is not None
            and self.expected_release_on < timezone.localdate()
        )


# What each freeze means, in the customer's words (shown on the limit page).
FREEZE_EXPLANATIONS = {
    Freeze.Reason.NORMAL_REFUND: _(
        "After a refund the amount is checked automatically before it can be spent again. "
        "This usually takes 3 business days."
    ),
    Freeze.Reason.PARTIAL_REFUND: _(
        "Part of this order was refunded. The amount comes back once the rest of the order is settled, "
        "at most 15 business days."
    ),
    Freeze.Reason.ROUTINE_RISK: _("A routine security check. It lifts by itself, usually within 7 days."),
    Freeze.Reason.ABNORMAL: _(
        "Unusual activity is being reviewed by a person, usually within 15 business days. "
        "An appeal with your order and return proof helps."
    ),
    Freeze.Reason.MALICIOUS: _(
        "This refund was flagged by risk control. Only an appeal reviewed by our staff can release it."
    ),
}

RELEASED_TITLES = {
    Freeze.Reason.NORMAL_REFUND: _("Refund check finished"),
    Freeze.Reason.PARTIAL_REFUND: _("Partial refund settled"),
    Freeze.Reason.ROUTINE_RISK: _("Security check finished"),
    Freeze.Reason.ABNORMAL: _("Manual review finished"),
    Freeze.Reason.MALICIOUS: _("Risk-control review finished"),
}


class Bucket(models.TextChoices):
    OUTSIDE = "outside", _("Outside the limit")
    AVAILABLE = "available", _("Available")
    USED = "used", _("Used")
    FROZEN = "frozen", _("Frozen")


class LedgerKind(models.TextChoices):
    PURCHASE = "purchase", _("Purchase")
    REPAYMENT = "repayment", _("Repayment")
    REFUND = "refund", _("Refund")
    FREEZE = "freeze", _("Freeze")
    RELEASE = "release", _("Release")
    LIMIT_CHANGE = "limit_change", _("Limit change")


# The only bucket moves each kind of ledger entry may make.
LEDGER_MOVES = {
    LedgerKind.PURCHASE: [(Bucket.AVAILABLE, Bucket.USED)],
    LedgerKind.REPAYMENT: [(Bucket.USED, Bucket.AVAILABLE)],
    LedgerKind.REFUND: [(Bucket.USED, Bucket.FROZEN)],
    LedgerKind.FREEZE: [(Bucket.AVAILABLE, Bucket.FROZEN)],
    LedgerKind.RELEASE: [(Bucket.FROZEN, Bucket.AVAILABLE)],
    LedgerKind.LIMIT_CHANGE: [(Bucket.OUTSIDE, Bucket.AVAILABLE), (Bucket.AVAILABLE, Bucket.OUTSIDE)],
}


class LedgerEntry(models.Model):
    """One immutable movement of an amount between two buckets of a credit account."""

    Kind = LedgerKind

    account = models.ForeignKey(
        CreditAccount, on_delete=models.PROTECT, related_name="ledger_entries", verbose_name=_("credit account")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    amount = models.DecimalField(_("amount"), **MONEY)
    source = models.CharField(_("from"), max_length=10, choices=Bucket.choices)
    target = models.CharField(_("to"), max_length=10, choices=Bucket.choices)
    order = models.ForeignKey(Order, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                              verbose_name=_("order"))
    refund = models.ForeignKey(Refund, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                               verbose_name=_("refund"))
    freeze = models.ForeignKey(Freeze, on_delete=models.PROTECT, null=True, blank=True,
                               related_name="ledger_entries", verbose_name=_("freeze"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="+", verbose_name=_("actor"))
    note = models.CharField(_("note"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="ledger_amount_positive"),
            models.CheckConstraint(
                condition=Q(
                    *[
                        Q(kind=kind, source=src, target=dst)
                        for kind, moves in LEDGER_MOVES.items()
                        for src, dst in moves
                    ],
                    _connector=Q.OR,
                ),
                name="ledger_kind_move_valid",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.amount} {self.source}→{self.target}"


class CalendarException(models.Model):
    """An official day that overrides the holiday package: an extra day off or a make-up workday (调休)."""

    class Kind(models.TextChoices):
        DAY_OFF = "day_off", _("Day off")
        WORKDAY = "workday", _("Make-up workday")

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("calendar exception")
        verbose_name_plural = _("calendar exceptions")
        ordering = ["date"]

    def __str__(self):
        return f"{self.date} {self.get_kind_display()}"


class AccountStatusChange(models.Model):
    """Append-only record of every change of a credit account's status (ban, restriction, lift)."""

    account = models.ForeignKey(
        CreditAccount, on_delete=models.PROTECT, related_name="status_changes", verbose_name=_("credit account")
    )
    old_status = models.CharField(_("from"), max_length=16, choices=CreditAccount.Status.choices)
    new_status = models.CharField(_("to"), max_length=16, choices=CreditAccount.Status.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="+", verbose_name=_("actor"))
    note = models.CharField(_("note"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("changed at"), default=timezone.now)

    class Meta:
        verbose_name = _("account status change")
        verbose_name_plural = _("account status changes")
        ordering = ["-id"]

    def __str__(self):
        return f"{self.account}: {self.old_status}→{self.new_status}"

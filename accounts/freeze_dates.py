"""When a freeze comes back: the restore date promised for each reason (DOMAIN.md), which freezes
the timer lifts by itself, and, for one no timer lifts, what it waits for instead of a date."""

from datetime import date, timedelta

from django.utils.translation import gettext_lazy as _

from .business_days import add_business_days
from .models import CreditAccount, Freeze, RiskLevel

# Business days until a freeze of each reason is expected to lift by the timer. An abnormal freeze
# waits for a person (usually within 15 business days, FREEZE_EXPLANATIONS): no date is promised.
RELEASE_BUSINESS_DAYS = {
    Freeze.Reason.NORMAL_REFUND: 3,
    Freeze.Reason.PARTIAL_REFUND: 15,
}
ROUTINE_RISK_CALENDAR_DAYS = 7

# Freezes the timer lifts by itself; abnormal and malicious ones wait for a person.
AUTO_RELEASE_REASONS = [Freeze.Reason.NORMAL_REFUND, Freeze.Reason.PARTIAL_REFUND, Freeze.Reason.ROUTINE_RISK]


def expected_release_on(*, reason: str, frozen_on: date) -> date | None:
    """The restore date promised for a freeze made on `frozen_on`; None when only an appeal lifts it."""
    if reason == Freeze.Reason.ROUTINE_RISK:
        return frozen_on + timedelta(days=ROUTINE_RISK_CALENDAR_DAYS)
    days = RELEASE_BUSINESS_DAYS.get(reason)
    return add_business_days(frozen_on, days) if days else None


# What a freeze no timer lifts waits for, in the customer's words.
WAITS_FOR_PERSON = {
    Freeze.Reason.ABNORMAL: _("a person's review (an appeal with your order and return proof helps)"),
    Freeze.Reason.MALICIOUS: _("an appeal reviewed by our staff"),
}
WAITS_FOR_ACCOUNT = _("a person's review of your account's restriction (an appeal)")
WAITS_FOR_PLATFORM = _("the platform where you bought to confirm the refund")
WAITS_FOR_REFUND_REVIEW = _("a person's review of the refund")


def waits_for(freeze: Freeze) -> str | None:
    """What an active freeze waits for when no timer keeps its date; None when the timer lifts it on
    its date (the rules of accounts.selectors.freezes_due, for one freeze)."""
    if freeze.account.status != CreditAccount.Status.ACTIVE:
        return WAITS_FOR_ACCOUNT
    if freeze.reason not in AUTO_RELEASE_REASONS or freeze.expected_release_on is None:
        return WAITS_FOR_PERSON.get(freeze.reason, WAITS_FOR_PERSON[Freeze.Reason.ABNORMAL])
    if freeze.refund is not None and not freeze.refund.platform_synced:
        return WAITS_FOR_PLATFORM
    if freeze.refund is not None and freeze.refund.risk_level == RiskLevel.HIGH:
        return WAITS_FOR_REFUND_REVIEW
    return None

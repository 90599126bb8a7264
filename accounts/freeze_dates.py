"""When a freeze comes back: the restore date promised for each reason (DOMAIN.md), and which
freezes the timer lifts by itself."""

from datetime import date, timedelta

from .business_days import add_business_days
from .models import Freeze

# Business days until a freeze of each reason is expected to lift.
RELEASE_BUSINESS_DAYS = {
    Freeze.Reason.NORMAL_REFUND: 3,
    Freeze.Reason.PARTIAL_REFUND: 15,
    Freeze.Reason.ABNORMAL: 15,
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

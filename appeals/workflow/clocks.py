"""An appeal's two clocks: the service level (due_at, N business days by the freeze's reason) and
the complaint rules' deadline (regulatory_due_at, 15 calendar days from submission, extended by a
supervisor to 30 and, with a second supervisor, by a further 30; Art. 18).

Both stand still while the appeal waits on someone else: the customer (more information requested)
or, announced to the customer, the external platform's confirmation of a refund. On resuming,
the complaint deadline moves by the calendar time of the wait; the service level by the business
days the wait covered (the day it began not counted, the day it ended counted), or, for a wait
within one day, by its length. So a reply after the original due time is no breach."""

from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from accounts.business_days import add_business_days, count_business_days

from ..models import Appeal, PauseReason


def appeal_due_at(*, reason: str, submitted_at: datetime, paused_days: int = 0, paused_seconds: int = 0) -> datetime:
    """The decision deadline: the same time of day, N business days after submission, plus pauses."""
    local = timezone.localtime(submitted_at)
    due_date = add_business_days(local.date(), settings.APPEAL_SLA_BUSINESS_DAYS[reason] + paused_days)
    return timezone.make_aware(datetime.combine(due_date, local.time())) + timedelta(seconds=paused_seconds)


def sla_due_at(appeal: Appeal) -> datetime:
    """The appeal's service-level due time as the calendar stands now (see recompute on calendar change)."""
    return appeal_due_at(reason=appeal.freeze.reason, submitted_at=appeal.created_at,
                         paused_days=appeal.sla_paused_days, paused_seconds=appeal.sla_paused_seconds)


def regulatory_due_at(*, submitted_at: datetime) -> datetime:
    return submitted_at + timedelta(days=settings.COMPLAINT_ANSWER_DAYS)


def pause(appeal: Appeal, reason: PauseReason, *, now: datetime | None = None) -> bool:
    """Stop both clocks (on the instance; the caller saves). An appeal already paused stays paused
    from when it began, now for `reason` (a request to the customer while the platform is asked:
    the customer's reply resumes it). Returns whether it was running."""
    if appeal.clock_paused_at is not None:
        appeal.clock_pause_reason = reason
        return False
    appeal.clock_paused_at, appeal.clock_pause_reason = now or timezone.now(), reason
    return True


def resume(appeal: Appeal, *, now: datetime | None = None) -> bool:
    """Start both clocks again, each moved by the wait (on the instance; the caller saves)."""
    if appeal.clock_paused_at is None:
        return False
    now = now or timezone.now()
    began, ended = timezone.localdate(appeal.clock_paused_at), timezone.localdate(now)
    if began == ended:
        appeal.sla_paused_seconds += int((now - appeal.clock_paused_at).total_seconds())
    else:
        appeal.sla_paused_days += count_business_days(began, ended)
    appeal.due_at = sla_due_at(appeal)
    if appeal.regulatory_due_at is not None:
        appeal.regulatory_due_at += now - appeal.clock_paused_at
    appeal.clock_paused_at, appeal.clock_pause_reason = None, ""
    return True


CLOCK_FIELDS = ["due_at", "sla_paused_days", "sla_paused_seconds", "regulatory_due_at", "clock_paused_at",
                "clock_pause_reason"]

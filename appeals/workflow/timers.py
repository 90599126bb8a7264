"""What the clock does: release due freezes (closing their open appeals) and escalate appeals past
their due time. Each job runs in batches that claim rows with SKIP LOCKED, so several workers or an
accidental second beat split the work and never do a row twice."""

import logging
from datetime import date, datetime

from django.db import transaction
from django.utils import timezone

from accounts.services import ledger

from ..models import OPEN_STATES, Appeal, State
from ..notifications import message, notify_customer, notify_many
from ..transitions import Transition
from .steps import apply_transition, drain

log = logging.getLogger("appeals.workflow")


def auto_release_due(*, today: date | None = None, batch_size: int = 500, max_batches: int = 1000) -> int:
    """Release every due freeze, batch after batch of accounts in id order. Accounts another poller
    holds are skipped: that poller releases them (or the next run does)."""
    return drain(auto_release_batch, max_batches=max_batches, today=today or timezone.localdate(),
                 batch_size=batch_size)


@transaction.atomic
def auto_release_batch(*, today: date | None = None, batch_size: int = 500,
                       after: int = 0) -> tuple[int, int | None]:
    """Release one batch of due freezes (accounts above `after`), close their open appeals, notify
    the customers. Returns how many were released and the cursor for the next batch (None: done)."""
    freezes, last_account = ledger.freeze_release_due_batch(today=today, batch_size=batch_size, after=after)
    if not freezes:
        return 0, last_account
    # No joins here either (see freeze_release_due_batch): the freezes are in hand.
    by_id = {freeze.pk: freeze for freeze in freezes}
    appeals = Appeal.objects.select_for_update().filter(freeze__in=freezes, state__in=OPEN_STATES).order_by("pk")
    with_appeal = set()
    for appeal in appeals:
        appeal.freeze = by_id[appeal.freeze_id]
        apply_transition(appeal, Transition.RESOLVE, None, note="freeze released automatically on its expected date")
        notify_customer(appeal, "resolved", amount=str(appeal.freeze.amount))
        with_appeal.add(appeal.freeze_id)
    notify_many([message(freeze.account.customer_id, "released", amount=str(freeze.amount))
                 for freeze in freezes if freeze.pk not in with_appeal])
    log.info("auto-release: %d freezes released, %d appeals closed", len(freezes), len(with_appeal))
    return len(freezes), last_account


def escalate_overdue(*, now: datetime | None = None, batch_size: int = 200, max_batches: int = 100) -> int:
    """Escalate every open appeal past its due time to supervisors and flag it as breached."""
    return drain(escalate_overdue_batch, max_batches=max_batches, now=now or timezone.now(), batch_size=batch_size)


@transaction.atomic
def escalate_overdue_batch(*, now: datetime | None = None, batch_size: int = 200,
                           after: int = 0) -> tuple[int, int | None]:
    """Escalate one batch of overdue appeals (ids above `after`); returns the count and the cursor."""
    now = now or timezone.now()
    appeals = list(
        Appeal.objects.select_for_update(skip_locked=True, of=("self",)).select_related("customer", "freeze")
        .filter(state__in=[State.SUBMITTED, State.IN_REVIEW], due_at__lt=now, clock_paused_at__isnull=True,
                pk__gt=after).order_by("pk")[:batch_size]
    )
    for appeal in appeals:
        apply_transition(appeal, Transition.ESCALATE_OVERDUE, None, note="past its due time: escalated by the system")
        notify_customer(appeal, "overdue")
    return len(appeals), appeals[-1].pk if appeals else None


def escalate_regulatory(*, now: datetime | None = None, batch_size: int = 200, max_batches: int = 100) -> int:
    """Escalate every open appeal past the complaint rules' deadline, once each."""
    return drain(escalate_regulatory_batch, max_batches=max_batches, now=now or timezone.now(),
                 batch_size=batch_size)


@transaction.atomic
def escalate_regulatory_batch(*, now: datetime | None = None, batch_size: int = 200,
                              after: int = 0) -> tuple[int, int | None]:
    """One batch of appeals whose answer deadline passed with the clocks running: flag the breach
    (its own figure; the goal is none), put it in the supervisors' queue and tell the customer."""
    now = now or timezone.now()
    appeals = list(
        Appeal.objects.select_for_update(skip_locked=True, of=("self",)).select_related("customer", "freeze")
        .filter(state__in=[State.SUBMITTED, State.IN_REVIEW, State.ESCALATED], regulatory_breached=False,
                regulatory_due_at__lt=now, clock_paused_at__isnull=True, pk__gt=after).order_by("pk")[:batch_size]
    )
    for appeal in appeals:
        apply_transition(appeal, Transition.ESCALATE_REGULATORY, None,
                         note="past the complaint rules' answer deadline: escalated by the system")
        notify_customer(appeal, "regulatory_breach",
                        date=timezone.localtime(appeal.regulatory_due_at).strftime("%Y-%m-%d %H:%M"))
    return len(appeals), appeals[-1].pk if appeals else None

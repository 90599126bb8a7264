"""The complaint rules' deadline (Art. 18) moved by people: a supervisor extends it with a reason the
customer reads; a further extension for an especially complex case is proposed by one supervisor
and takes effect only when a second, different one approves it; an agent may pause the clocks to
wait for an external platform's confirmation, and the customer is told. Locking as elsewhere:
the appeal row, then what hangs on it."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import roles

from ..errors import InvalidAppeal, NotAllowed, WrongState
from ..models import Appeal, DeadlineExtension, PauseReason, State
from ..notifications import notify_customer
from ..transitions import Transition
from . import clocks
from .steps import lock_appeal, log_event, refusal

Step = DeadlineExtension.Step


def _check_may_extend(appeal: Appeal, actor) -> None:
    if not roles.is_supervisor(actor) or actor.pk == appeal.customer_id:
        raise NotAllowed(_("Only a supervisor extends the answer deadline."))
    if not appeal.is_open:
        raise refusal(appeal, actor)
    if appeal.regulatory_breached or appeal.is_past_regulatory_deadline:
        raise WrongState(_("The deadline has passed: an extension must be made before it."))


def _apply(appeal: Appeal, extension: DeadlineExtension, actor) -> None:
    appeal.regulatory_due_at += timedelta(days=extension.days)
    Appeal.objects.filter(pk=appeal.pk).update(regulatory_due_at=appeal.regulatory_due_at)
    log_event(appeal, Transition.EXTEND_DEADLINE, actor, from_state=appeal.state, customer_message=extension.reason,
              note=f"+{extension.days} days ({extension.get_step_display()}), requested by "
                   f"{extension.requested_by.get_username()}")
    notify_customer(appeal, "deadline_extended", msg=extension.reason,
                    date=timezone.localtime(appeal.regulatory_due_at).strftime("%Y-%m-%d %H:%M"))


@transaction.atomic
def appeal_deadline_extend(*, appeal_id: int, actor, reason: str) -> DeadlineExtension:
    """Extend the answer deadline: the first time at once (15 → 30 days); the further 30 days are
    only proposed here and wait for a second supervisor (appeal_deadline_approve)."""
    reason = reason.strip()
    if not reason:
        raise InvalidAppeal(_("Write the reason the customer will read."))
    appeal = lock_appeal(appeal_id)
    _check_may_extend(appeal, actor)
    steps = set(appeal.extensions.values_list("step", flat=True))
    if Step.ESPECIALLY_COMPLEX in steps:
        raise WrongState(_("The deadline was already extended as far as the rules allow."))
    now = timezone.now()
    if Step.COMPLEX not in steps:
        extension = DeadlineExtension.objects.create(
            appeal=appeal, step=Step.COMPLEX, days=settings.COMPLAINT_EXTENSION_DAYS[0], reason=reason,
            requested_by=actor, requested_at=now, approved_by=actor, approved_at=now)
        _apply(appeal, extension, actor)
        return extension
    extension = DeadlineExtension.objects.create(
        appeal=appeal, step=Step.ESPECIALLY_COMPLEX, days=settings.COMPLAINT_EXTENSION_DAYS[1], reason=reason,
        requested_by=actor, requested_at=now)
    log_event(appeal, Transition.PROPOSE_EXTENSION, actor, from_state=appeal.state, customer_message=reason,
              note=f"+{extension.days} days proposed; a second supervisor must approve")
    return extension


@transaction.atomic
def appeal_deadline_approve(*, appeal_id: int, actor) -> DeadlineExtension:
    """A second supervisor approves the further extension another one proposed."""
    appeal = lock_appeal(appeal_id)
    _check_may_extend(appeal, actor)
    extension = (DeadlineExtension.objects.select_for_update().select_related("requested_by")
                 .filter(appeal=appeal, step=Step.ESPECIALLY_COMPLEX, approved_at__isnull=True).first())
    if extension is None:
        raise WrongState(_("No further extension is waiting for approval."))
    if extension.requested_by_id == actor.pk:
        raise NotAllowed(_("A second supervisor must approve the extension you proposed."))
    extension.approved_by, extension.approved_at = actor, timezone.now()
    extension.save(update_fields=["approved_by", "approved_at"])
    _apply(appeal, extension, actor)
    return extension


@transaction.atomic
def appeal_wait_for_platform(*, appeal_id: int, actor, message: str) -> Appeal:
    """Pause both clocks while the external platform confirms the refund, telling the customer
    (the rules exclude that time only with a notice). The confirmation resumes them (sync)."""
    message = message.strip()
    if not message:
        raise InvalidAppeal(_("Write what the customer should know about the wait."))
    appeal = lock_appeal(appeal_id)
    if not roles.is_reviewer(actor) or actor.pk == appeal.customer_id:
        raise NotAllowed()
    if appeal.state not in (State.IN_REVIEW, State.ESCALATED):
        raise refusal(appeal, actor)
    refund = appeal.freeze.refund
    if refund is None or refund.platform_synced:
        raise WrongState(_("Only a refund the external platform has not confirmed yet can be waited for."))
    if not clocks.pause(appeal, PauseReason.PLATFORM):
        raise WrongState(_("The clocks are already paused."))
    Appeal.objects.filter(pk=appeal.pk).update(clock_paused_at=appeal.clock_paused_at,
                                               clock_pause_reason=appeal.clock_pause_reason)
    log_event(appeal, Transition.WAIT_FOR_PLATFORM, actor, from_state=appeal.state, customer_message=message)
    notify_customer(appeal, "platform_wait", msg=message)
    return appeal

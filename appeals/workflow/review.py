"""An agent's work on an appeal before the decision: take it, ask the customer for more, pass
it to a supervisor. Locking as in appeals.workflow.submit."""

from django.db import transaction
from django.utils.translation import gettext as _

from ..errors import InvalidAppeal
from ..models import Appeal, PauseReason, State
from ..notifications import notify_customer
from ..selectors import with_customer_reply
from ..transitions import Transition
from . import clocks
from .steps import apply_transition, lock_appeal


def _claim(appeal: Appeal, actor) -> Appeal:
    apply_transition(appeal, Transition.CLAIM, actor)
    notify_customer(appeal, "claimed")
    return appeal


@transaction.atomic
def appeal_claim(*, appeal_id: int, actor) -> Appeal:
    return _claim(lock_appeal(appeal_id), actor)


@transaction.atomic
def appeal_take_next(*, actor) -> Appeal | None:
    """Claim the most urgent unassigned appeal whose risk is known (the others could not be decided
    yet); concurrent callers skip rows another has locked."""
    appeal = (
        Appeal.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("freeze__account", "customer")
        .filter(state=State.SUBMITTED, assignee__isnull=True, risk_assessed_at__isnull=False)
        .exclude(customer=actor)
        .order_by("due_at", "pk")
        .first()
    )
    return appeal and _claim(appeal, actor)


def appeal_next_for(*, actor, resume: bool = True) -> Appeal | None:
    """The appeal an agent should open next: their own in review with a customer's reply first, then
    (`resume`, after a decision) the rest of their own by due time; else the most urgent unassigned
    one, claimed for them."""
    mine = with_customer_reply(Appeal.objects.filter(assignee=actor, state=State.IN_REVIEW))
    if not resume:
        mine = mine.filter(customer_replied=True)
    return mine.order_by("-customer_replied", "due_at", "pk").first() or appeal_take_next(actor=actor)


@transaction.atomic
def appeal_request_info(*, appeal_id: int, actor, message: str) -> Appeal:
    if not message.strip():
        raise InvalidAppeal(_("Write what the customer should add."))
    appeal = lock_appeal(appeal_id)
    if appeal.state == State.IN_REVIEW:
        clocks.pause(appeal, PauseReason.CUSTOMER)  # saved with the transition
    apply_transition(appeal, Transition.REQUEST_INFO, actor, customer_message=message.strip())
    notify_customer(appeal, "info_requested", msg=message.strip())
    return appeal


@transaction.atomic
def appeal_escalate(*, appeal_id: int, actor, note: str) -> Appeal:
    if not note.strip():
        raise InvalidAppeal(_("Write why this goes to a supervisor."))
    appeal = lock_appeal(appeal_id)
    apply_transition(appeal, Transition.ESCALATE, actor, note=note.strip())
    notify_customer(appeal, "escalated")
    return appeal



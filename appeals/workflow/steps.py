"""Shared steps of every appeal service: lock, check, transition, log, assess risk."""

import logging

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_fsm import ConcurrentTransition, can_proceed, has_transition_perm

from accounts.services import ledger
from events import outbox

from .. import risk as appeal_risk
from ..errors import AlreadyDecided, NotAllowed, RiskPending, WrongState
from ..models import DECIDED_STATES, OPEN_STATES, Appeal, AppealEvent, State
from ..notifications import notify_customer
from ..transitions import DECISIONS, EVENTS_OUT, Transition
from . import clocks

log = logging.getLogger("appeals.workflow")


def lock_appeal(appeal_id: int, *, with_account: bool = False) -> Appeal:
    """Lock an appeal's row; with_account locks its credit account first, as services that may move
    money must (the ledger's lock order: account, then freezes, then appeals)."""
    if with_account:
        ledger.account_lock(Appeal.objects.filter(pk=appeal_id).values_list("freeze__account_id", flat=True).get())
    # Wait for the row lock first, then read: after a lock wait PostgreSQL re-checks only the locked
    # row, and rows joined into the same statement (the decider, the assignee, the freeze) would be
    # as they were before the wait (a refusal then said "by the system" for an agent's decision).
    Appeal.objects.select_for_update().filter(pk=appeal_id).values_list("pk", flat=True).get()
    return Appeal.objects.select_related("freeze__account", "customer", "assignee", "decided_by",
                                         "proposed_by").get(pk=appeal_id)


def refusal(appeal: Appeal, actor) -> Exception:
    if appeal.state in DECIDED_STATES:
        who = appeal.decided_by.get_username() if appeal.decided_by else _("the system")
        return AlreadyDecided(
            _("This appeal was already %(outcome)s by %(who)s at %(when)s.")
            % {"outcome": appeal.get_state_display(), "who": who,
               "when": timezone.localtime(appeal.decided_at).strftime("%Y-%m-%d %H:%M")}
        )
    if appeal.state == State.WITHDRAWN:
        return WrongState(_("The customer withdrew this appeal."))
    if appeal.state == State.RESOLVED:
        return WrongState(_("This appeal is closed: the amount was released automatically."))
    return WrongState(
        _("This action is not possible while the appeal is “%(state)s”.") % {"state": appeal.get_state_display()}
    )


def _not_allowed(appeal: Appeal, name: Transition, actor) -> NotAllowed:
    """The refusal, saying why where the reason is four eyes."""
    if name == Transition.APPROVE and appeal.requires_supervisor:
        return NotAllowed(_("This approval needs two people: propose it, and a different supervisor confirms it."))
    if name in (Transition.CONFIRM_APPROVAL, Transition.RETURN_PROPOSAL) and appeal.proposed_by_id == actor.pk:
        return NotAllowed(_("You proposed this approval; a different supervisor must confirm it."))
    return NotAllowed()


def apply_transition(
    appeal: Appeal, name: Transition, actor, *, note: str = "", customer_message: str = "", **kwargs
) -> AppealEvent:
    """Check state and permission, run the transition, save, and log it (caller holds the lock)."""
    method = getattr(appeal, name)
    if not can_proceed(method):
        raise refusal(appeal, actor)
    if appeal.is_risk_pending and (name in DECISIONS or name == Transition.PROPOSE_APPROVAL):
        raise RiskPending()  # four eyes and the decision would act on a guess
    if not has_transition_perm(method, actor):
        raise _not_allowed(appeal, name, actor)
    from_state = appeal.state
    method(by=actor, **kwargs)
    if appeal.state not in OPEN_STATES:
        clocks.resume(appeal)  # closed while waiting: the wait still counts out of its clocks
    try:
        appeal.save()
    except ConcurrentTransition as exc:  # only without row locks (SQLite): someone else moved first
        appeal.refresh_from_db()
        raise refusal(appeal, actor) from exc
    log.info("appeal %s %s by %s: %s → %s", appeal.reference, name, actor.pk if actor else "system", from_state,
             appeal.state)
    return log_event(appeal, name, actor, from_state=from_state, note=note, customer_message=customer_message)


def log_event(appeal: Appeal, name: Transition, actor, *, from_state: str = "", note: str = "",
              customer_message: str = "", at=None) -> AppealEvent:
    """Write the AppealEvent (append-only: its time is set here, once), and the outbox event other
    systems hear (appeals.transitions.EVENTS_OUT)."""
    event = AppealEvent.objects.create(appeal=appeal, actor=actor, transition=name, from_state=from_state,
                                       to_state=appeal.state, note=note, customer_message=customer_message,
                                       reject_reason=appeal.reject_reason if appeal.state == State.REJECTED else "",
                                       created_at=at or timezone.now())
    if name in EVENTS_OUT:
        outbox.record(EVENTS_OUT[name], account_id=appeal.freeze.account_id, data={
            "reference": appeal.reference, "freeze_id": appeal.freeze_id, "transition": str(name),
            "state": appeal.state, "reject_reason": appeal.reject_reason,
            "by": "system" if actor is None else "staff" if actor.pk != appeal.customer_id else "customer",
        })
    return event


# Why a release closed an appeal, for its timeline (the message: appeals.messages closed_released_*).
CLOSED_BECAUSE = {"approved": gettext_lazy("appeal %(other)s on it was approved"),
                  "overturned": gettext_lazy("a supervisor approved your earlier appeal %(other)s on it")}


def close_open_appeals_of_released(freeze, *, keep: Appeal, because: str) -> int:
    """Every release of a freeze closes the open appeals left on it (a second appeal filed after the
    first was rejected, say), each customer told why in the timeline and a message. `keep`: the
    appeal whose decision released it; `because`: a key of CLOSED_BECAUSE. Returns how many were closed."""
    appeals = (Appeal.objects.select_for_update().filter(freeze=freeze, state__in=OPEN_STATES)
               .exclude(pk=keep.pk).order_by("pk"))
    with translation.override(settings.LANGUAGE_CODE):
        why = str(CLOSED_BECAUSE[because]) % {"other": keep.reference}
    closed = 0
    for appeal in appeals:
        appeal.freeze = freeze
        apply_transition(appeal, Transition.RESOLVE_RELEASED, None, customer_message=why,
                         note=f"freeze released by another path: {why}")
        notify_customer(appeal, f"closed_released_{because}", amount=str(freeze.amount), other=keep.reference)
        closed += 1
    return closed


def set_risk(appeal: Appeal, evidence=None) -> None:
    """Run the risk rules and set the level and findings on the instance (not saved)."""
    findings = appeal_risk.assess_appeal(appeal, evidence)
    appeal.risk_level = appeal_risk.level_for(appeal, findings)
    appeal.risk_rules = [finding.as_dict() for finding in findings]
    appeal.risk_assessed_at = timezone.now()


def appeal_assess_risk(appeal: Appeal) -> str:
    """Run the risk rules and store the level and findings (risk fields only, not the state)."""
    set_risk(appeal)
    Appeal.objects.filter(pk=appeal.pk).update(risk_level=appeal.risk_level, risk_rules=appeal.risk_rules,
                                               risk_assessed_at=appeal.risk_assessed_at)
    return appeal.risk_level


def drain(batch, *, max_batches: int, **kwargs) -> int:
    """Run a batch service again and again until it reports nothing left (or max_batches). `batch`
    takes `after`, where the previous batch stopped (0 at first), and returns how many rows it did
    and where it stopped (None: nothing left). Each batch is its own transaction, so a crash loses
    at most the batch in flight and the next run picks it up."""
    done, after = 0, 0
    for _round in range(max_batches):
        count, after = batch(after=after, **kwargs)
        done += count
        if after is None:
            break
    return done

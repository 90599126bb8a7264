"""Shared steps of every appeal service: lock, check, transition, log, notify."""

import logging

from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import ConcurrentTransition, can_proceed, has_transition_perm

from accounts.models import CreditAccount

from .. import risk as appeal_risk
from .. import tasks
from ..errors import AlreadyDecided, NotAllowed, WrongState
from ..models import DECIDED_STATES, Appeal, AppealEvent, Notification, State

log = logging.getLogger("appeals.services")


def notify_customer(appeal: Appeal, message: str) -> Notification:
    notification = Notification.objects.create(user_id=appeal.customer_id, appeal=appeal, message=message)
    tasks.send_notification_email.delay_on_commit(notification.pk)
    return notification


def lock_appeal(appeal_id: int, *, with_account: bool = False) -> Appeal:
    if with_account:
        account_id = Appeal.objects.filter(pk=appeal_id).values_list("freeze__account_id", flat=True).get()
        CreditAccount.objects.select_for_update().get(pk=account_id)
    return (
        Appeal.objects.select_for_update(of=("self",))
        .select_related("freeze__account", "customer", "assignee", "decided_by")
        .get(pk=appeal_id)
    )


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


def apply_transition(
    appeal: Appeal, name: str, actor, *, note: str = "", customer_message: str = "", **kwargs
) -> AppealEvent:
    """Check state and permission, run the transition, save, and log it (caller holds the lock)."""
    method = getattr(appeal, name)
    if not can_proceed(method):
        raise refusal(appeal, actor)
    if not has_transition_perm(method, actor):
        if name == "approve" and appeal.requires_supervisor and appeal.assignee_id == actor.pk:
            raise NotAllowed(_("This appeal needs a supervisor's approval; escalate it instead."))
        raise NotAllowed()
    from_state = appeal.state
    method(by=actor, **kwargs)
    try:
        appeal.save()
    except ConcurrentTransition as exc:  # only without row locks (SQLite): someone else moved first
        appeal.refresh_from_db()
        raise refusal(appeal, actor) from exc
    log.info("appeal %s %s by %s: %s → %s", appeal.reference, name, actor.pk if actor else "system", from_state,
             appeal.state)
    return AppealEvent.objects.create(
        appeal=appeal, actor=actor, transition=name, from_state=from_state, to_state=appeal.state,
        note=note, customer_message=customer_message,
    )


def set_risk(appeal: Appeal, evidence=None) -> None:
    """Run the risk rules and set the level and findings on the instance (not saved)."""
    findings = appeal_risk.assess_appeal(appeal, evidence)
    appeal.risk_level = appeal_risk.level_for(appeal, findings)
    appeal.risk_rules = [finding.as_dict() for finding in findings]


def appeal_assess_risk(appeal: Appeal) -> str:
    """Run the risk rules and store the level and findings (risk fields only, not the state)."""
    set_risk(appeal)
    Appeal.objects.filter(pk=appeal.pk).update(risk_level=appeal.risk_level, risk_rules=appeal.risk_rules)
    return appeal.risk_level

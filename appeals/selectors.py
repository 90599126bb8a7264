"""Reads for the appeal pages, scoped to who is asking."""

from django.http import Http404
from django.utils.translation import gettext as _

from accounts import roles

from .models import Appeal, AppealEvent, Evidence, RejectReason


def appeal_for_viewer(user, reference: str) -> Appeal:
    """The appeal if this user may see it: its customer, an agent or a supervisor. Otherwise 404."""
    queryset = Appeal.objects.select_related("freeze__refund__order", "freeze__account", "customer")
    if not roles.user_roles(user) & roles.STAFF_ROLES:
        queryset = queryset.filter(customer=user)
    try:
        return queryset.get(reference=reference)
    except Appeal.DoesNotExist as exc:
        raise Http404 from exc


def evidence_for_viewer(user, reference: str, pk: int) -> Evidence:
    appeal = appeal_for_viewer(user, reference)
    try:
        return appeal.evidence.get(pk=pk)
    except Evidence.DoesNotExist as exc:
        raise Http404 from exc


def customer_appeals(user):
    return Appeal.objects.filter(customer=user).select_related("freeze").order_by("-created_at")


def _customer_line(event: AppealEvent, appeal: Appeal) -> str:
    """What the customer is told about one event: no agent names, no internal notes."""
    lines = {
        "submit": _("You filed the appeal."),
        "claim": _("An agent started reviewing your evidence."),
        "request_info": _("The agent needs more information: %(msg)s"),
        "resubmit": _("You added information: %(msg)s"),
        "escalate": _("Your appeal is being reviewed further."),
        "approve": _("Approved: the frozen amount was released."),
        "approve_by_system": _("Approved automatically: your screenshots matched our records."),
        "resolve": _("Closed: the frozen amount was released automatically on its date."),
        "escalate_overdue": _("Taking longer than promised: a supervisor is now handling your appeal."),
        "reject": _("Not approved (%(reason)s): %(msg)s"),
        "reject_escalated": _("Not approved (%(reason)s): %(msg)s"),
        "withdraw": _("You withdrew the appeal."),
        "evidence": _("You added a screenshot."),
        "overturn_rejection": _("A supervisor re-checked the decision and approved the appeal."),
        "overturn_approval": _("A supervisor re-checked the decision: the amount is frozen again for manual review."),
    }
    reason = RejectReason(appeal.reject_reason).label if appeal.reject_reason else ""
    return lines.get(event.transition, event.get_to_state_display()) % {
        "msg": event.customer_message or "—", "reason": reason,
    }


def customer_timeline(appeal: Appeal) -> list[tuple]:
    return [(event.created_at, _customer_line(event, appeal)) for event in appeal.events.all()]

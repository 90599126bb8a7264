"""Reads for the appeal pages, scoped to who is asking."""

from django.http import Http404

from accounts import roles

from .models import Appeal, AppealEvent, Evidence, RejectReason
from .transitions import CUSTOMER_LINES


def appeal_for_viewer(user, reference: str) -> Appeal:
    """The appeal if this user may see it: its customer, an agent or a supervisor. Otherwise 404."""
    queryset = Appeal.objects.select_related("freeze__refund__order", "freeze__account", "customer")
    if not roles.is_reviewer(user):
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
    """What the customer is told about one event (appeals.transitions.CUSTOMER_LINES)."""
    reason = RejectReason(appeal.reject_reason).label if appeal.reject_reason else ""
    return CUSTOMER_LINES[event.transition] % {"msg": event.customer_message or "—", "reason": reason}


def customer_timeline(appeal: Appeal) -> list[tuple]:
    return [(event.created_at, _customer_line(event, appeal)) for event in appeal.events.all()]

"""Reads for the appeal pages, scoped to who is asking."""

from django.db.models import BooleanField, ExpressionWrapper, OuterRef, Q, Subquery
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from accounts import roles
from accounts.selectors import logistics_on_file

from . import risk as appeal_risk
from .evidence import crosscheck
from .models import (
    DECIDED_STATES,
    OPEN_STATES,
    REQUIRED_REFUND_EVIDENCE,
    Appeal,
    AppealEvent,
    Evidence,
    RejectReason,
    State,
)
from .transitions import CUSTOMER_LINES, DECISIONS, Transition


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


def with_customer_reply(appeals):
    """Annotate `customer_replied`: the appeal is in review and its last event is the customer's
    reply, so its agent owes it a look (the queue marks it; an agent's next appeal is such a one first)."""
    last = AppealEvent.objects.filter(appeal=OuterRef("pk")).order_by("-created_at", "-pk").values("transition")[:1]
    return appeals.annotate(last_transition=Subquery(last)).annotate(customer_replied=ExpressionWrapper(
        Q(state=State.IN_REVIEW, last_transition=Transition.RESUBMIT), output_field=BooleanField()))


def open_appeal_reference():
    """Per freeze (an OuterRef): the reference of its open appeal (at most one), for an annotation."""
    return Subquery(Appeal.objects.filter(freeze=OuterRef("pk"), state__in=OPEN_STATES).values("reference")[:1])


def customer_appeals(user):
    return Appeal.objects.filter(customer=user).select_related("freeze").order_by("-created_at")


def _customer_line(event: AppealEvent, appeal: Appeal) -> str:
    """What the customer is told about one event (appeals.transitions.CUSTOMER_LINES). The reason is
    the event's own, so a rejection later overturned still reads as it was decided; a decision
    says whether a person or the system made it (never the person's name)."""
    reason = RejectReason(event.reject_reason).label if event.reject_reason else "—"
    line = CUSTOMER_LINES[event.transition] % {"msg": event.customer_message or "—", "reason": reason}
    if event.transition in DECISIONS and event.actor_id:
        line = f"{line} {_('(decided by our staff)')}"
    return line


def customer_timeline(appeal: Appeal) -> list[tuple]:
    return [(event.created_at, line) for event, line in customer_timeline_events(appeal)]


def customer_timeline_events(appeal: Appeal) -> list[tuple[AppealEvent, str]]:
    """Each event of the appeal with the line the customer reads for it."""
    return [(event, _customer_line(event, appeal)) for event in appeal.events.all()]


def required_evidence(refund) -> list[str]:
    """The screenshots an appeal on a refund's freeze needs. The logistics one only while we do not
    hold the return's logistics record: the complaint rules (Art. 13) forbid asking for it then."""
    if logistics_on_file(refund):
        return [kind for kind in REQUIRED_REFUND_EVIDENCE if kind != Evidence.Kind.LOGISTICS]
    return list(REQUIRED_REFUND_EVIDENCE)


CHECK_OUTCOMES = {crosscheck.MATCH: _("matches our records"), crosscheck.CONTRADICTS: _("does not match our records"),
                  crosscheck.NOT_FOUND: _("could not be confirmed")}
REJECTIONS = (Transition.REJECT, Transition.REJECT_ESCALATED)


def _checked(appeal: Appeal) -> list[str]:
    """What was checked, in the customer's words: the records, each screenshot check, each risk rule."""
    checked = []
    if appeal.freeze.refund_id:
        checked.append(str(_("Your order and its refund in our records")))
        if logistics_on_file(appeal.freeze.refund):
            checked.append(str(_("The carrier's record of your return parcel")))
    checked += [f"{crosscheck.CHECK_LABELS.get(check['code'], check['code'])}: {CHECK_OUTCOMES[check['status']]}"
                for check in appeal.evidence_checks or []]
    if not appeal.evidence_checks:
        checked.append(str(_("The screenshots you sent, looked at by a person")))
    checked += [appeal_risk.describe(rule)["customer"] for rule in appeal.risk_rules or []]
    return checked


def statement_of_reasons(appeal: Appeal) -> dict | None:
    """What the customer of a decided appeal reads about the decision (complaint rules Art. 19):
    what was checked, the basis, and (rendered by the template) where they can turn next."""
    if appeal.state not in DECIDED_STATES:
        return None
    if appeal.reject_reason:
        rejection = appeal.events.filter(transition__in=REJECTIONS).order_by("-pk").first()
        basis = RejectReason(appeal.reject_reason).label
        message = rejection.customer_message if rejection else ""
    elif appeal.decided_by_id is None:
        basis, message = _("Your screenshots matched our records and no risk rule stood against the appeal."), ""
    else:
        basis, message = _("A reviewer found that your evidence supports the appeal."), ""
    return {"checked": _checked(appeal), "basis": basis, "message": message, "rejected": bool(appeal.reject_reason),
            "automatic": appeal.decided_by_id is None}

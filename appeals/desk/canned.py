"""Canned replies on the desk's transition forms: the active replies for an action, their texts
filled in for the appeal at hand in both languages, and the reject reason its checks suggest."""

from django.utils import translation

from ..evidence.crosscheck import CHECK_LABELS, CONTRADICTS, MATCH, NOT_FOUND
from ..models import Appeal, CannedReply, RejectReason
from ..transitions import Transition

USES = {Transition.REQUEST_INFO: CannedReply.Use.REQUEST_INFO, Transition.REJECT: CannedReply.Use.REJECT,
        Transition.REJECT_ESCALATED: CannedReply.Use.REJECT}
LANGUAGES = {"zh": "zh-hans", "en": "en"}


def suggested_reason(appeal: Appeal) -> str:
    """A screenshot that contradicts the record: mismatch; a check the screenshots do not show:
    missing; no checks (not read yet, or OCR off): no suggestion."""
    statuses = {check["status"] for check in appeal.evidence_checks}
    if CONTRADICTS in statuses:
        return RejectReason.EVIDENCE_MISMATCH
    if NOT_FOUND in statuses:
        return RejectReason.EVIDENCE_MISSING
    return ""


def _failing_check(appeal: Appeal) -> str:
    failing = next((check for check in appeal.evidence_checks if check["status"] != MATCH), None)
    return str(CHECK_LABELS.get(failing["code"], "")) if failing else ""


def replies_for(appeal: Appeal, transition: str) -> list[dict]:
    """Each active reply for this action with its text in each language, placeholders filled."""
    use = USES.get(transition)
    if use is None:
        return []
    order = appeal.freeze.refund.order.number if appeal.freeze.refund_id else appeal.claimed_order_number
    values = {}
    for short, language in LANGUAGES.items():
        with translation.override(language):
            values[short] = {"order_number": order, "amount": appeal.freeze.amount,
                             "failing_check": _failing_check(appeal) or "—"}
    return [{"reply": reply, "texts": {short: reply.text(short, values[short]) for short in LANGUAGES}}
            for reply in CannedReply.objects.filter(use=use, active=True)]

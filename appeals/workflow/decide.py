"""Decisions on an appeal: an agent's or supervisor's approval (which releases the freeze in the
same transaction, exactly once however often it races) or rejection; and the system's own
straight-through approval when the screenshots match the record and nothing is risky."""

import logging
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import CreditAccount, Freeze, RiskLevel
from accounts.services import ledger, restore

from ..errors import InvalidAppeal
from ..evidence import crosscheck
from ..models import Appeal, AuditSample, AuditVerdict, Evidence, RejectReason, State
from ..notifications import notify_customer
from ..selectors import required_evidence
from ..transitions import APPROVALS, Transition
from .steps import appeal_assess_risk, apply_transition, close_open_appeals_of_released, lock_appeal

log = logging.getLogger("appeals.workflow")


@dataclass(frozen=True)
class ApprovalResult:
    appeal: Appeal
    released: bool
    message: str


@transaction.atomic
def appeal_approve(*, appeal_id: int, actor, note: str = "") -> ApprovalResult:
    """Approve and release the freeze in the same transaction; exactly one release however often it races."""
    appeal = lock_appeal(appeal_id, with_account=True)
    apply_transition(appeal, Transition.APPROVE, actor, note=note)
    return release_approved(appeal, actor)


def release_approved(appeal: Appeal, actor, *, proposer=None) -> ApprovalResult:
    """What an approval does, in the caller's transaction (the account locked): release the freeze;
    on a banned account (always four eyes) restore it, a decision of its own; tell the customer."""
    release = ledger.freeze_release(
        freeze=appeal.freeze, source=Freeze.ReleaseSource.APPEAL, actor=actor, note=appeal.reference
    )
    if release.released:
        close_open_appeals_of_released(appeal.freeze, keep=appeal, because="approved")
        code, params = "approved", {"amount": str(appeal.freeze.amount)}
    else:
        code, params = "approved_already_released", {}
    if appeal.freeze.account.status == CreditAccount.Status.BANNED:
        params["then"] = restore_account(appeal.freeze.account, actor, proposer or appeal.proposed_by,
                                         appeal.reference)
    notify_customer(appeal, code, **params)
    return ApprovalResult(appeal, release.released, release.message)


def restore_account(account, actor, proposer, subject: str, source=Freeze.ReleaseSource.APPEAL) -> list:
    """Lift the ban a four-eyes decision on `subject` (an appeal or review reference) answers;
    returns what the customer is told about their account, as message parts (appeals.messages)."""
    result = restore.account_restore(
        account_id=account.pk, actor=actor, source=source,
        note=f"{subject} approved: proposed by {getattr(proposer, 'username', '-')}, confirmed by {actor.username}")
    account.refresh_from_db()
    parts = [("account_restored", {})]
    if result.released:
        parts.append(("restored_released", {"amount": str(sum(freeze.amount for freeze in result.released))}))
    if result.on_timer:
        parts.append(("restored_on_timer", {"dates": "、".join(
            f"¥{f.amount} {f.expected_release_on:%Y-%m-%d}" for f in result.on_timer)}))
    if result.held:
        parts.append(("restored_held", {"n": len(result.held)}))
    return parts


def ban_upheld(*, reviewed: bool = False) -> tuple:
    """What a customer whose ban stands is told: what it means, and what remains possible."""
    return ("ban_upheld_reviewed" if reviewed else "ban_upheld", {})


def review_offer(appeal: Appeal) -> tuple:
    """The remedy a rejection names: a review, its link and its deadline (complaint rules Art. 19, 20)."""
    deadline = timezone.localtime(appeal.decided_at) + timedelta(days=settings.REVIEW_REQUEST_DAYS)
    return ("review_offer", {"date": f"{deadline:%Y-%m-%d}",
                             "link": reverse("appeal-detail", args=[appeal.reference]) + "#review"})


@transaction.atomic
def appeal_reject(*, appeal_id: int, actor, reason: str, message: str) -> Appeal:
    if reason not in RejectReason.values:
        raise InvalidAppeal(_("Choose a reason from the list."))
    if not message.strip():
        raise InvalidAppeal(_("Write a message to the customer."))
    appeal = lock_appeal(appeal_id)
    name = Transition.REJECT_ESCALATED if appeal.state == State.ESCALATED else Transition.REJECT
    apply_transition(appeal, name, actor, customer_message=message.strip(), reason=reason)
    then = [ban_upheld()] if appeal.freeze.account.status == CreditAccount.Status.BANNED else []
    notify_customer(appeal, "rejected", reject_reason=reason, msg=message.strip(), then=[*then, review_offer(appeal)])
    return appeal


def straight_through_blockers(appeal: Appeal, evidence: list[Evidence]) -> list[str]:
    """Why the system may not approve this appeal by itself; empty when it may."""
    blockers = []
    if not (settings.STRAIGHT_THROUGH_ENABLED and settings.EVIDENCE_OCR):
        blockers.append("switched off")
    if appeal.state != State.SUBMITTED:
        blockers.append(f"state is {appeal.state}")
    ready = {item.kind for item in evidence if item.status == Evidence.Status.READY}
    if appeal.freeze.refund is None or not set(required_evidence(appeal.freeze.refund)) <= ready:
        blockers.append("required screenshots missing")
    if not crosscheck.all_match(appeal.evidence_checks):
        blockers.append("not every check matches")
    if appeal.risk_level != RiskLevel.LOW:
        blockers.append(f"risk {appeal.risk_level}")
    if appeal.requires_supervisor:
        blockers.append("needs a supervisor (four eyes)")
    if appeal.freeze.amount > Decimal(settings.STRAIGHT_THROUGH_MAX_AMOUNT):
        blockers.append("amount above the straight-through limit")
    since = timezone.now() - timedelta(days=settings.STRAIGHT_THROUGH_CLEAN_DAYS)
    customer_appeals = Appeal.objects.filter(customer_id=appeal.customer_id)
    if customer_appeals.filter(state=State.REJECTED, decided_at__gte=since).exists():
        blockers.append("a rejected appeal in the last 90 days")
    if AuditVerdict.objects.filter(sample__appeal__customer_id=appeal.customer_id, created_at__gte=since,
                                   verdict=AuditVerdict.Verdict.OVERTURNED,
                                   sample__event__transition__in=APPROVALS).exists():
        blockers.append("an overturned appeal in the last 90 days")
    return blockers


def _sample_system_approval(appeal: Appeal, event) -> None:
    """Every system approval is audited until enough of them have been confirmed."""
    confirmed = AuditVerdict.objects.filter(sample__reason=AuditSample.Reason.SYSTEM,
                                            verdict=AuditVerdict.Verdict.CONFIRMED).count()
    if confirmed < settings.STRAIGHT_THROUGH_AUDIT_ALL_UNTIL:
        AuditSample.objects.create(event=event, appeal=appeal, decided_by=None,
                                   decided_on=timezone.localdate(event.created_at), reason=AuditSample.Reason.SYSTEM)


@transaction.atomic
def appeal_review_evidence(*, appeal_id: int) -> Appeal:
    appeal = lock_appeal(appeal_id, with_account=True)
    evidence = list(appeal.evidence.all())
    if any(item.status == Evidence.Status.PENDING for item in evidence):
        return appeal
    if settings.EVIDENCE_OCR:
        appeal.evidence_checks = [check.as_dict() for check in crosscheck.cross_check(appeal, evidence)]
        Appeal.objects.filter(pk=appeal.pk).update(evidence_checks=appeal.evidence_checks)
    appeal_assess_risk(appeal)
    blockers = straight_through_blockers(appeal, evidence)
    if blockers:
        log.info("appeal %s not approved straight through: %s", appeal.reference, "; ".join(blockers))
        return appeal
    event = apply_transition(appeal, Transition.APPROVE_BY_SYSTEM, None, note="evidence matched the record")
    if ledger.freeze_release(freeze=appeal.freeze, source=Freeze.ReleaseSource.APPEAL, note=appeal.reference).released:
        close_open_appeals_of_released(appeal.freeze, keep=appeal, because="approved")
    _sample_system_approval(appeal, event)
    notify_customer(appeal, "approved_by_system", amount=str(appeal.freeze.amount))
    return appeal

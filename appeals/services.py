"""Every change to an appeal. Each function runs in one transaction: it locks the credit
account first when money may move (the same order accounts.services uses), then the appeal
row; re-checks state under the lock; calls the django-fsm transition; saves; moves money
through accounts.services; writes the AppealEvent; notifies the customer on commit."""

import logging
import uuid
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import ConcurrentTransition, can_proceed, has_transition_perm

from accounts import services as ledger
from accounts.models import CreditAccount, Freeze

from . import images, tasks
from .errors import AlreadyDecided, InvalidAppeal, NotAllowed, WrongState
from .models import (
    DECIDED_STATES,
    OPEN_STATES,
    REQUIRED_REFUND_EVIDENCE,
    Appeal,
    AppealEvent,
    Evidence,
    Notification,
    RejectReason,
    RiskLevel,
    State,
)

log = logging.getLogger(__name__)

# Until the risk rules (timers-and-risk issue) score appeals, the freeze's own severity sets the level.
_RISK_BY_FREEZE_REASON = {
    Freeze.Reason.MALICIOUS: RiskLevel.HIGH,
    Freeze.Reason.ABNORMAL: RiskLevel.MEDIUM,
    Freeze.Reason.PARTIAL_REFUND: RiskLevel.MEDIUM,
}


@dataclass(frozen=True)
class ApprovalResult:
    appeal: Appeal
    released: bool
    message: str


def _notify(appeal: Appeal, message: str) -> Notification:
    notification = Notification.objects.create(user=appeal.customer, appeal=appeal, message=message)
    tasks.send_notification_email.delay_on_commit(notification.pk)
    return notification


def _lock(appeal_id: int, *, with_account: bool = False) -> Appeal:
    if with_account:
        account_id = Appeal.objects.filter(pk=appeal_id).values_list("freeze__account_id", flat=True).get()
        CreditAccount.objects.select_for_update().get(pk=account_id)
    return (
        Appeal.objects.select_for_update(of=("self",))
        .select_related("freeze__account", "customer", "assignee", "decided_by")
        .get(pk=appeal_id)
    )


def _refusal(appeal: Appeal, actor) -> Exception:
    if appeal.state in DECIDED_STATES:
        who = appeal.decided_by.get_username() if appeal.decided_by else _("the system")
        return AlreadyDecided(
            _("This appeal was already %(outcome)s by %(who)s at %(when)s.")
            % {"outcome": appeal.get_state_display(), "who": who,
               "when": timezone.localtime(appeal.decided_at).strftime("%Y-%m-%d %H:%M")}
        )
    if appeal.state == State.WITHDRAWN:
        return WrongState(_("The customer withdrew this appeal."))
    return WrongState(
        _("This action is not possible while the appeal is “%(state)s”.") % {"state": appeal.get_state_display()}
    )


def _apply(appeal: Appeal, name: str, actor, *, note: str = "", customer_message: str = "", **kwargs) -> AppealEvent:
    """Check state and permission, run the transition, save, and log it."""
    method = getattr(appeal, name)
    if not can_proceed(method):
        raise _refusal(appeal, actor)
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
        raise _refusal(appeal, actor) from exc
    log.info("appeal %s %s by %s: %s → %s", appeal.reference, name, actor.pk, from_state, appeal.state)
    return AppealEvent.objects.create(
        appeal=appeal, actor=actor, transition=name, from_state=from_state, to_state=appeal.state,
        note=note, customer_message=customer_message,
    )


def _store_evidence(appeal: Appeal, files, actor) -> list[Evidence]:
    """Save uploads as received (random names, private storage); the worker cleans them."""
    stored = []
    for kind, upload in files:
        evidence = Evidence(appeal=appeal, kind=kind, uploaded_by=actor, original_name=_safe_name(upload.name))
        evidence.upload.save(f"{uuid.uuid4().hex}.upload", upload, save=False)
        evidence.save()
        tasks.process_evidence.delay_on_commit(evidence.pk)
        stored.append(evidence)
    return stored


def _safe_name(name: str) -> str:
    """A display-only copy of the client's file name: no path, no control characters, short."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    return "".join(ch for ch in base if ch.isprintable())[:120]


@transaction.atomic
def appeal_submit(*, customer, freeze_id: int, order_number: str, tracking_number: str, description: str,
                  files: list) -> Appeal:
    """File an appeal on one of the customer's own active freezes, with its screenshots."""
    account = CreditAccount.objects.select_for_update().filter(customer=customer).first()
    freeze = Freeze.objects.select_related("refund__order", "account").filter(
        pk=freeze_id, account__customer=customer
    ).first()
    if account is None or freeze is None:
        raise InvalidAppeal(_("That frozen amount is not on your account."))
    if not freeze.is_active:
        raise InvalidAppeal(_("This amount is no longer frozen; there is nothing to appeal."))
    if freeze.appeals.filter(state__in=OPEN_STATES).exists():
        raise InvalidAppeal(_("You already have an open appeal for this frozen amount."))
    if freeze.refund:
        if order_number.strip() != freeze.refund.order.number:
            raise InvalidAppeal(_("The order number does not match the order behind this frozen amount."))
        missing = set(REQUIRED_REFUND_EVIDENCE) - {kind for kind, _upload in files}
        if missing:
            labels = "、".join(str(Evidence.Kind(kind).label) for kind in REQUIRED_REFUND_EVIDENCE if kind in missing)
            raise InvalidAppeal(_("Please add: %(kinds)s.") % {"kinds": labels})
    appeal = Appeal.objects.create(
        customer=customer, freeze=freeze, claimed_order_number=order_number.strip(),
        claimed_tracking_number=tracking_number.strip(), description=description,
        risk_level=_RISK_BY_FREEZE_REASON.get(freeze.reason, RiskLevel.LOW),
    )
    AppealEvent.objects.create(appeal=appeal, actor=customer, transition="submit", to_state=appeal.state)
    _store_evidence(appeal, files, customer)
    _notify(appeal, _("We received your appeal %(ref)s. An agent will review it.") % {"ref": appeal.reference})
    return appeal


@transaction.atomic
def appeal_claim(*, appeal_id: int, actor) -> Appeal:
    appeal = _lock(appeal_id)
    _apply(appeal, "claim", actor)
    _notify(appeal, _("An agent is reviewing your appeal %(ref)s.") % {"ref": appeal.reference})
    return appeal


@transaction.atomic
def appeal_request_info(*, appeal_id: int, actor, message: str) -> Appeal:
    if not message.strip():
        raise InvalidAppeal(_("Write what the customer should add."))
    appeal = _lock(appeal_id)
    _apply(appeal, "request_info", actor, customer_message=message.strip())
    _notify(appeal, _("Your appeal %(ref)s needs more information: %(msg)s") % {"ref": appeal.reference,
                                                                                 "msg": message.strip()})
    return appeal


@transaction.atomic
def appeal_resubmit(*, appeal_id: int, actor, message: str, files: list) -> Appeal:
    if not message.strip() and not files:
        raise InvalidAppeal(_("Add a message or at least one screenshot."))
    appeal = _lock(appeal_id)
    _apply(appeal, "resubmit", actor, customer_message=message.strip())
    _store_evidence(appeal, files, actor)
    return appeal


@transaction.atomic
def appeal_escalate(*, appeal_id: int, actor, note: str) -> Appeal:
    if not note.strip():
        raise InvalidAppeal(_("Write why this goes to a supervisor."))
    appeal = _lock(appeal_id)
    _apply(appeal, "escalate", actor, note=note.strip())
    _notify(appeal, _("Your appeal %(ref)s is being reviewed further.") % {"ref": appeal.reference})
    return appeal


@transaction.atomic
def appeal_approve(*, appeal_id: int, actor, note: str = "") -> ApprovalResult:
    """Approve and release the freeze in the same transaction; exactly one release however often it races."""
    appeal = _lock(appeal_id, with_account=True)
    _apply(appeal, "approve", actor, note=note)
    release = ledger.freeze_release(
        freeze=appeal.freeze, source=Freeze.ReleaseSource.APPEAL, actor=actor, note=appeal.reference
    )
    if release.released:
        _notify(appeal, _("Your appeal %(ref)s was approved: ¥%(amount)s is available again.")
                % {"ref": appeal.reference, "amount": appeal.freeze.amount})
    else:
        _notify(appeal, _("Your appeal %(ref)s was approved. The amount had already been released.")
                % {"ref": appeal.reference})
    return ApprovalResult(appeal, release.released, release.message)


@transaction.atomic
def appeal_reject(*, appeal_id: int, actor, reason: str, message: str) -> Appeal:
    if reason not in RejectReason.values:
        raise InvalidAppeal(_("Choose a reason from the list."))
    if not message.strip():
        raise InvalidAppeal(_("Write a message to the customer."))
    appeal = _lock(appeal_id)
    name = "reject_escalated" if appeal.state == State.ESCALATED else "reject"
    _apply(appeal, name, actor, customer_message=message.strip(), reason=reason)
    _notify(appeal, _("Your appeal %(ref)s was not approved: %(reason)s. %(msg)s")
            % {"ref": appeal.reference, "reason": RejectReason(reason).label, "msg": message.strip()})
    return appeal


@transaction.atomic
def appeal_withdraw(*, appeal_id: int, actor) -> Appeal:
    appeal = _lock(appeal_id)
    _apply(appeal, "withdraw", actor)
    return appeal


def evidence_process(*, evidence_id: int) -> str | None:
    """Clean one uploaded screenshot; safe to run twice or in two workers at once.

    The image work runs outside any transaction; the result is stored under a row lock
    only if the evidence is still pending. Returns the final status, or None if unknown."""
    evidence = Evidence.objects.filter(pk=evidence_id).first()
    if evidence is None or evidence.status != Evidence.Status.PENDING:
        return evidence and evidence.status
    try:
        with evidence.upload.open("rb") as raw:
            result, reason = images.clean(raw), ""
    except images.EvidenceRejected as exc:
        result, reason = None, exc.message
    except FileNotFoundError:
        result, reason = None, _("The uploaded file was lost; please upload it again.")
    with transaction.atomic():
        evidence = Evidence.objects.select_for_update().get(pk=evidence_id)
        if evidence.status != Evidence.Status.PENDING:
            return evidence.status
        upload_name = evidence.upload.name
        if result is None:
            evidence.status, evidence.rejection_reason = Evidence.Status.REJECTED, reason
        else:
            name = uuid.uuid4().hex
            evidence.image.save(f"{name}.jpg", ContentFile(result.jpeg), save=False)
            evidence.thumbnail.save(f"{name}.jpg", ContentFile(result.thumbnail), save=False)
            evidence.width, evidence.height, evidence.phash = result.width, result.height, result.phash
            evidence.status = Evidence.Status.READY
        evidence.upload = ""
        evidence.processed_at = timezone.now()
        evidence.save()
        if upload_name:
            storage = evidence.upload.storage
            transaction.on_commit(lambda: storage.delete(upload_name))
    log.info("evidence %s %s", evidence_id, evidence.status)
    return evidence.status

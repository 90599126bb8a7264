"""Every change to an appeal. Each function runs in one transaction: it locks the credit
account first when money may move (the same order accounts.services uses), then the appeal
row; re-checks state under the lock; calls the django-fsm transition; saves; moves money
through accounts.services; writes the AppealEvent; notifies the customer on commit."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import services as ledger
from accounts.business_days import add_business_days
from accounts.models import CreditAccount, Freeze

from ..errors import InvalidAppeal
from ..models import (
    OPEN_STATES,
    REQUIRED_REFUND_EVIDENCE,
    Appeal,
    AppealEvent,
    Evidence,
    RejectReason,
    State,
    new_reference,
)
from .base import appeal_assess_risk, apply_transition, lock_appeal, notify_customer, set_risk
from .evidence import evidence_store


@dataclass(frozen=True)
class ApprovalResult:
    appeal: Appeal
    released: bool
    message: str


def appeal_due_at(*, reason: str, submitted_at: datetime) -> datetime:
    """The decision deadline: the same time of day, N business days after submission."""
    local = timezone.localtime(submitted_at)
    due_date = add_business_days(local.date(), settings.APPEAL_SLA_BUSINESS_DAYS[reason])
    return timezone.make_aware(datetime.combine(due_date, local.time()))


def _check_daily_limits(customer, *, new_appeal: bool, new_files: int) -> None:
    """Per customer and calendar day: at most so many appeals and so many uploaded files."""
    today = timezone.localdate()
    if new_appeal and (Appeal.objects.filter(customer=customer, created_at__date=today).count()
                       >= settings.APPEALS_PER_CUSTOMER_PER_DAY):
        raise InvalidAppeal(_("You can file at most %(n)d appeals a day. Please try again tomorrow.")
                            % {"n": settings.APPEALS_PER_CUSTOMER_PER_DAY})
    uploaded = Evidence.objects.filter(uploaded_by=customer, created_at__date=today).count()
    if uploaded + new_files > settings.UPLOADS_PER_CUSTOMER_PER_DAY:
        raise InvalidAppeal(_("You can upload at most %(n)d screenshots a day. Please try again tomorrow.")
                            % {"n": settings.UPLOADS_PER_CUSTOMER_PER_DAY})


def _insert(appeal: Appeal, attempts: int = 5) -> None:
    """Insert a new appeal. Its reference is random within the day (AP20261126-7F3K, about a
    million a day), so one may already be taken: draw another (the savepoint keeps the caller's
    transaction usable). Any other integrity error is not ours to handle."""
    for attempt in range(attempts):
        try:
            with transaction.atomic():
                appeal.save(force_insert=True)
            return
        except IntegrityError:
            if attempt == attempts - 1 or not Appeal.objects.filter(reference=appeal.reference).exists():
                raise
            appeal.reference = new_reference()


@transaction.atomic
def appeal_submit(*, customer, freeze_id: int, order_number: str, tracking_number: str, description: str,
                  files: list, amount: Decimal | None = None) -> Appeal:
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
    _check_daily_limits(customer, new_appeal=True, new_files=len(files))
    if freeze.refund:
        if order_number.strip() != freeze.refund.order.number:
            raise InvalidAppeal(_("The order number does not match the order behind this frozen amount."))
        missing = set(REQUIRED_REFUND_EVIDENCE) - {kind for kind, _upload in files}
        if missing:
            labels = "、".join(str(Evidence.Kind(kind).label) for kind in REQUIRED_REFUND_EVIDENCE if kind in missing)
            raise InvalidAppeal(_("Please add: %(kinds)s.") % {"kinds": labels})
    now = timezone.now()
    appeal = Appeal(
        customer=customer, freeze=freeze, created_at=now, due_at=appeal_due_at(reason=freeze.reason, submitted_at=now),
        claimed_order_number=order_number.strip(), claimed_amount=amount,
        claimed_tracking_number=tracking_number.strip(), description=description,
    )
    set_risk(appeal, evidence=[])  # the screenshots are read later; the worker assesses again then
    _insert(appeal)
    AppealEvent.objects.create(appeal=appeal, actor=customer, transition="submit", to_state=appeal.state)
    evidence_store(appeal, files, customer)
    notify_customer(appeal, _("We received your appeal %(ref)s. An agent will review it.") % {"ref": appeal.reference})
    return appeal


def _claim(appeal: Appeal, actor) -> Appeal:
    apply_transition(appeal, "claim", actor)
    notify_customer(appeal, _("An agent is reviewing your appeal %(ref)s.") % {"ref": appeal.reference})
    return appeal


@transaction.atomic
def appeal_claim(*, appeal_id: int, actor) -> Appeal:
    return _claim(lock_appeal(appeal_id), actor)


@transaction.atomic
def appeal_take_next(*, actor) -> Appeal | None:
    """Claim the most urgent unassigned appeal; concurrent callers skip rows another has locked."""
    appeal = (
        Appeal.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("freeze__account", "customer")
        .filter(state=State.SUBMITTED, assignee__isnull=True)
        .exclude(customer=actor)
        .order_by("due_at", "pk")
        .first()
    )
    return appeal and _claim(appeal, actor)


@transaction.atomic
def appeal_request_info(*, appeal_id: int, actor, message: str) -> Appeal:
    if not message.strip():
        raise InvalidAppeal(_("Write what the customer should add."))
    appeal = lock_appeal(appeal_id)
    apply_transition(appeal, "request_info", actor, customer_message=message.strip())
    notify_customer(appeal, _("Your appeal %(ref)s needs more information: %(msg)s") % {"ref": appeal.reference,
                                                                                 "msg": message.strip()})
    return appeal


@transaction.atomic
def appeal_resubmit(*, appeal_id: int, actor, message: str, files: list) -> Appeal:
    if not message.strip() and not files:
        raise InvalidAppeal(_("Add a message or at least one screenshot."))
    appeal = lock_appeal(appeal_id)
    _check_daily_limits(actor, new_appeal=False, new_files=len(files))
    apply_transition(appeal, "resubmit", actor, customer_message=message.strip())
    evidence_store(appeal, files, actor)
    appeal_assess_risk(appeal)
    return appeal


@transaction.atomic
def appeal_escalate(*, appeal_id: int, actor, note: str) -> Appeal:
    if not note.strip():
        raise InvalidAppeal(_("Write why this goes to a supervisor."))
    appeal = lock_appeal(appeal_id)
    apply_transition(appeal, "escalate", actor, note=note.strip())
    notify_customer(appeal, _("Your appeal %(ref)s is being reviewed further.") % {"ref": appeal.reference})
    return appeal


@transaction.atomic
def appeal_approve(*, appeal_id: int, actor, note: str = "") -> ApprovalResult:
    """Approve and release the freeze in the same transaction; exactly one release however often it races."""
    appeal = lock_appeal(appeal_id, with_account=True)
    apply_transition(appeal, "approve", actor, note=note)
    release = ledger.freeze_release(
        freeze=appeal.freeze, source=Freeze.ReleaseSource.APPEAL, actor=actor, note=appeal.reference
    )
    if release.released:
        notify_customer(appeal, _("Your appeal %(ref)s was approved: ¥%(amount)s is available again.")
                % {"ref": appeal.reference, "amount": appeal.freeze.amount})
    else:
        notify_customer(appeal, _("Your appeal %(ref)s was approved. The amount had already been released.")
                % {"ref": appeal.reference})
    return ApprovalResult(appeal, release.released, release.message)


@transaction.atomic
def appeal_reject(*, appeal_id: int, actor, reason: str, message: str) -> Appeal:
    if reason not in RejectReason.values:
        raise InvalidAppeal(_("Choose a reason from the list."))
    if not message.strip():
        raise InvalidAppeal(_("Write a message to the customer."))
    appeal = lock_appeal(appeal_id)
    name = "reject_escalated" if appeal.state == State.ESCALATED else "reject"
    apply_transition(appeal, name, actor, customer_message=message.strip(), reason=reason)
    notify_customer(appeal, _("Your appeal %(ref)s was not approved: %(reason)s. %(msg)s")
            % {"ref": appeal.reference, "reason": RejectReason(reason).label, "msg": message.strip()})
    return appeal


@transaction.atomic
def appeal_withdraw(*, appeal_id: int, actor) -> Appeal:
    appeal = lock_appeal(appeal_id)
    apply_transition(appeal, "withdraw", actor)
    return appeal

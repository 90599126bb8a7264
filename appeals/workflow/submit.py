"""What the customer does to an appeal: file it (with its screenshots), reply to a request for
more information, withdraw it. Each function runs in one transaction: it locks the credit account
first (the order every money-moving service uses), then the appeal row, re-checks state under the
lock, calls the django-fsm transition, writes the AppealEvent and notifies on commit."""

from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.business_days import start_of
from accounts.models import Freeze, User
from accounts.services import ledger

from .. import tasks
from ..errors import InvalidAppeal
from ..evidence.uploads import evidence_store
from ..models import OPEN_STATES, Appeal, Evidence, State, new_reference
from ..notifications import notify_customer
from ..selectors import required_evidence
from ..transitions import Transition
from . import clocks
from .steps import appeal_assess_risk, apply_transition, lock_appeal, log_event


def daily_counts(customer_id: int, *, new_appeal: bool = True) -> dict:
    """Subquery expressions: the appeals the customer filed today (or 0 when `new_appeal` is false:
    not asked) and the files they uploaded today, to annotate onto a query the caller runs anyway."""
    today = timezone.localdate()
    start, end = start_of(today), start_of(today + timedelta(days=1))
    appeals = Appeal.objects.filter(customer_id=customer_id, created_at__gte=start, created_at__lt=end)
    uploads = Evidence.objects.filter(uploaded_by_id=customer_id, created_at__gte=start, created_at__lt=end)
    return {"filed_today": _count(appeals, "customer") if new_appeal else Value(0),
            "uploaded_today": _count(uploads, "uploaded_by")}


def refuse_over_daily_limits(*, filed_today: int, uploaded_today: int, new_appeal: bool, new_files: int) -> None:
    """Per customer and calendar day: at most so many appeals and so many uploaded files."""
    if new_appeal and filed_today >= settings.APPEALS_PER_CUSTOMER_PER_DAY:
        raise InvalidAppeal(_("You can file at most %(n)d appeals a day. Please try again tomorrow.")
                            % {"n": settings.APPEALS_PER_CUSTOMER_PER_DAY})
    if uploaded_today + new_files > settings.UPLOADS_PER_CUSTOMER_PER_DAY:
        raise InvalidAppeal(_("You can upload at most %(n)d screenshots a day. Please try again tomorrow.")
                            % {"n": settings.UPLOADS_PER_CUSTOMER_PER_DAY})


def check_daily_limits(customer, *, new_appeal: bool, new_files: int) -> None:
    """refuse_over_daily_limits on today's counts, read in one query."""
    counts = User.objects.filter(pk=customer.pk).values(**daily_counts(customer.pk, new_appeal=new_appeal)).get()
    refuse_over_daily_limits(**counts, new_appeal=new_appeal, new_files=new_files)


def _count(queryset, by: str):
    """The number of rows of `queryset` (all with the same `by`) as a subquery; 0 when there are none."""
    return Coalesce(Subquery(queryset.order_by().values(by).annotate(n=Count("pk")).values("n")), 0)


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
                  files: list, amount: Decimal | None = None, filed_at: datetime | None = None) -> Appeal:
    """File an appeal on one of the customer's own active freezes, with its screenshots. `filed_at`:
    only for replaying history (the demo); the transition log cannot be back-dated afterwards."""
    account = ledger.account_lock_of(customer)
    # Read under the account's lock (a release that won the race shows here), with what the checks
    # need: whether the freeze has an open appeal and today's counts (the lock serialises them too).
    freeze = account and (Freeze.objects.select_related("refund__order").filter(pk=freeze_id, account=account)
                          .annotate(has_open_appeal=Exists(Appeal.objects.filter(freeze=OuterRef("pk"),
                                                                                 state__in=OPEN_STATES)),
                                    **daily_counts(customer.pk)).first())
    if freeze is None:
        raise InvalidAppeal(_("That frozen amount is not on your account."))
    freeze.account = account
    if not freeze.is_active:
        raise InvalidAppeal(_("This amount is no longer frozen; there is nothing to appeal."))
    if freeze.has_open_appeal:
        raise InvalidAppeal(_("You already have an open appeal for this frozen amount."))
    refuse_over_daily_limits(filed_today=freeze.filed_today, uploaded_today=freeze.uploaded_today, new_appeal=True,
                             new_files=len(files))
    if freeze.refund:
        if order_number.strip() != freeze.refund.order.number:
            raise InvalidAppeal(_("The order number does not match the order behind this frozen amount."))
        required = required_evidence(freeze.refund)
        missing = set(required) - {kind for kind, _upload in files}
        if missing:
            labels = "、".join(str(Evidence.Kind(kind).label) for kind in required if kind in missing)
            raise InvalidAppeal(_("Please add: %(kinds)s.") % {"kinds": labels})
    now = filed_at or timezone.now()
    appeal = Appeal(
        customer=customer, freeze=freeze, created_at=now,
        due_at=clocks.appeal_due_at(reason=freeze.reason, submitted_at=now),
        regulatory_due_at=clocks.regulatory_due_at(submitted_at=now),
        claimed_order_number=order_number.strip(), claimed_amount=amount,
        claimed_tracking_number=tracking_number.strip(), description=description,
    )
    _insert(appeal)  # its risk is assessed by the worker once the screenshots are read (decide.appeal_review_evidence)
    event = log_event(appeal, Transition.SUBMIT, customer, at=now)
    if not evidence_store(appeal, files, customer):
        tasks.review_evidence.delay_on_commit(appeal.pk)
    notify_customer(appeal, "received", event=event)
    return appeal


@transaction.atomic
def appeal_resubmit(*, appeal_id: int, actor, message: str, files: list) -> Appeal:
    """The customer answers a request for more information, with a message and/or screenshots."""
    if not message.strip() and not files:
        raise InvalidAppeal(_("Add a message or at least one screenshot."))
    appeal = lock_appeal(appeal_id)
    check_daily_limits(actor, new_appeal=False, new_files=len(files))
    if appeal.state == State.INFO_REQUESTED:
        clocks.resume(appeal)  # saved with the transition; refused transitions roll it back
    apply_transition(appeal, Transition.RESUBMIT, actor, customer_message=message.strip())
    if evidence_store(appeal, files, actor):  # new screenshots: assessed again once the worker has read them
        Appeal.objects.filter(pk=appeal.pk).update(risk_assessed_at=None)
    else:
        appeal_assess_risk(appeal)
    return appeal


@transaction.atomic
def appeal_withdraw(*, appeal_id: int, actor) -> Appeal:
    """The customer takes an open appeal back; the freeze stays as it is."""
    appeal = lock_appeal(appeal_id)
    apply_transition(appeal, Transition.WITHDRAW, actor)
    return appeal

"""The customer's review (复核) of an adverse decision: asked within REVIEW_REQUEST_DAYS of a
rejection or of a freeze the risk rules made alone, decided within REVIEW_DECISION_DAYS by a
supervisor who took no part in it (checked here and in the model's guard). Upheld, or overturned:
the freeze released through the ledger, a banned account restored (then with four eyes: one
supervisor proposes, another confirms). Each step is a ReviewEvent and an outbox event."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import ConcurrentTransition, can_proceed, has_transition_perm

from accounts.models import CreditAccount, Freeze, LedgerEntry
from accounts.services import ledger
from events import outbox
from events.types import EventType

from ..errors import InvalidAppeal, NotAllowed, WrongState
from ..evidence.uploads import evidence_store
from ..models import OPEN_STATES, Appeal, Review, ReviewEvent, ReviewKind, State
from ..notifications import message, notify_many
from ..transitions import Transition
from .decide import ban_upheld, release_approved, restore_account
from .steps import apply_transition, lock_appeal
from .submit import check_daily_limits

RISK_REASONS = [Freeze.Reason.ROUTINE_RISK, Freeze.Reason.ABNORMAL, Freeze.Reason.MALICIOUS]
Action = ReviewEvent.Action


@dataclass(frozen=True)
class Reviewable:
    kind: str
    decision_at: datetime

    @property
    def deadline(self) -> datetime:
        return self.decision_at + timedelta(days=settings.REVIEW_REQUEST_DAYS)


def reviewable(*, appeal: Appeal | None = None, freeze: Freeze | None = None) -> Reviewable:
    """The decision a review may be asked of, or InvalidAppeal saying why not (no rows locked)."""
    if appeal is not None:
        if appeal.state != State.REJECTED:
            raise InvalidAppeal(_("Only a rejected appeal can be reviewed."))
        found = Reviewable(ReviewKind.REJECTION, appeal.decided_at)
        taken = Review.objects.filter(kind=ReviewKind.REJECTION, appeal=appeal)
    else:
        made_by_rules = not LedgerEntry.objects.filter(freeze=freeze, actor__isnull=False).exists()
        if not (freeze.is_active and freeze.reason in RISK_REASONS and made_by_rules):
            raise InvalidAppeal(_("Only a freeze made automatically by risk control can be reviewed this way."))
        if freeze.appeals.filter(state__in=[*OPEN_STATES, State.REJECTED]).exists():
            raise InvalidAppeal(_("A person is reviewing or has reviewed this amount on your appeal."))
        found = Reviewable(ReviewKind.AUTOMATIC, freeze.created_at)
        taken = Review.objects.filter(kind=ReviewKind.AUTOMATIC, freeze=freeze)
    if taken.exists():
        raise InvalidAppeal(_("A review of this decision was already requested; there is one review per decision."))
    if timezone.now() > found.deadline:
        raise InvalidAppeal(_("A review can be asked within %(n)d days of the decision; that time has passed.")
                            % {"n": settings.REVIEW_REQUEST_DAYS})
    return found


def _tell(review: Review, code: str, **params) -> None:
    notify_many([message(review.customer_id, code, appeal=review.appeal, **params, ref=review.reference)])


def _announce(review: Review, type: str) -> None:
    outbox.record(type, account_id=review.freeze.account_id, data={
        "reference": review.reference, "kind": review.kind, "state": review.state, "freeze_id": review.freeze_id,
        "appeal": review.appeal.reference if review.appeal else None, "due_at": review.due_at.isoformat(),
    })


def _log(review: Review, action: str, actor, from_state: str = "", note: str = "", message: str = "") -> None:
    ReviewEvent.objects.create(review=review, actor=actor, action=action, from_state=from_state,
                               to_state=review.state, note=note, customer_message=message)
    if action in (Action.REQUEST, Action.UPHOLD, Action.OVERTURN, Action.CONFIRM_OVERTURN):
        _announce(review, EventType.REVIEW_REQUESTED if action == Action.REQUEST else EventType.REVIEW_DECIDED)


def _insert(review: Review) -> None:
    for attempt in range(5):  # the reference is random within the day: draw again if taken
        try:
            with transaction.atomic():
                review.save(force_insert=True)
            return
        except IntegrityError:
            if attempt == 4 or not Review.objects.filter(reference=review.reference).exists():
                raise
            review.reference = Review._meta.get_field("reference").default()


@transaction.atomic
def review_request(*, customer, reason: str, files: list, appeal_id: int | None = None,
                   freeze_id: int | None = None) -> Review:
    """Ask for a review of a rejected appeal (screenshots go to the appeal) or of an automatic freeze."""
    if not reason.strip():
        raise InvalidAppeal(_("Write why the decision should be reviewed."))
    freeze = (Freeze.objects.filter(pk=freeze_id, account__customer=customer) if freeze_id else
              Freeze.objects.filter(appeals__pk=appeal_id, appeals__customer=customer)).first()
    if freeze is None:
        raise InvalidAppeal(_("That decision is not on your account."))
    ledger.account_lock(freeze.account_id)
    freeze.refresh_from_db()
    appeal = lock_appeal(appeal_id) if appeal_id else None
    found = reviewable(appeal=appeal, freeze=freeze)
    if files and appeal is None:
        raise InvalidAppeal(_("Screenshots can be added to the review of an appeal; write your reason here."))
    check_daily_limits(customer, new_appeal=False, new_files=len(files))
    now = timezone.now()
    review = Review(customer=customer, kind=found.kind, appeal=appeal, freeze=freeze, reason=reason.strip(),
                    decision_at=found.decision_at, created_at=now,
                    due_at=now + timedelta(days=settings.REVIEW_DECISION_DAYS))
    _insert(review)
    _log(review, Action.REQUEST, customer, message=review.reason)
    if files:
        evidence_store(appeal, files, customer)
    _tell(review, "review_requested", date=f"{timezone.localtime(review.due_at):%Y-%m-%d}")
    return review


def _lock(review_id: int) -> Review:
    account_id = Review.objects.filter(pk=review_id).values_list("freeze__account_id", flat=True).get()
    ledger.account_lock(account_id)
    return (Review.objects.select_for_update(of=("self",))
            .select_related("freeze__account", "appeal", "customer", "proposed_by").get(pk=review_id))


def _step(review: Review, action: str, actor, *, note: str = "", message: str = "") -> None:
    """Check the guard, run the transition, save and log (the caller holds the locks)."""
    if actor.pk in review.original_decider_ids():
        raise NotAllowed(_("You took part in the original decision; another supervisor reviews it."))
    method = getattr(review, action)
    if not can_proceed(method):
        raise WrongState(_("This review is “%(state)s”.") % {"state": review.get_state_display()})
    if not has_transition_perm(method, actor):
        raise NotAllowed(_("You proposed this overturn; a different supervisor must confirm it.")
                         if review.proposed_by_id == actor.pk else None)
    from_state = review.state
    method(by=actor)
    review.customer_message = message or review.customer_message
    try:
        review.save()
    except ConcurrentTransition as exc:
        raise WrongState() from exc
    _log(review, action, actor, from_state, note, message)


@transaction.atomic
def review_decide(*, review_id: int, actor, outcome: str, message: str, note: str = "") -> Review:
    """Uphold or overturn; an overturn on a banned account is only proposed (four eyes)."""
    if outcome not in (Action.UPHOLD, Action.OVERTURN):
        raise InvalidAppeal(_("Choose uphold or overturn."))
    if not message.strip():
        raise InvalidAppeal(_("Write the answer to the customer."))
    review = _lock(review_id)
    if outcome == Action.UPHOLD:
        _step(review, Action.UPHOLD, actor, note=note, message=message.strip())
        _tell(review, "review_upheld", msg=message.strip(),
              then=[ban_upheld(reviewed=True)] if review.needs_four_eyes else [])
    elif review.needs_four_eyes:
        _step(review, Action.PROPOSE_OVERTURN, actor, note=note, message=message.strip())
        _tell(review, "review_overturn_proposed")
    else:
        _step(review, Action.OVERTURN, actor, note=note, message=message.strip())
        _overturn(review, actor)
    return review


@transaction.atomic
def review_confirm_overturn(*, review_id: int, actor, note: str = "") -> Review:
    review = _lock(review_id)
    _step(review, Action.CONFIRM_OVERTURN, actor, note=note)
    _overturn(review, actor, proposer=review.proposed_by)
    return review


@transaction.atomic
def review_return_overturn(*, review_id: int, actor, note: str) -> Review:
    if not note.strip():
        raise InvalidAppeal(_("Write why the proposal goes back."))
    review = _lock(review_id)
    _step(review, Action.RETURN_OVERTURN, actor, note=note.strip())
    return review


def _overturn(review: Review, actor, proposer=None) -> None:
    """The decision was wrong: approve the appeal, or release the automatic freeze; lift a ban."""
    if review.appeal_id:
        appeal = lock_appeal(review.appeal_id)
        apply_transition(appeal, Transition.OVERTURN_ON_REVIEW, actor, note=f"review {review.reference}")
        _tell(review, "review_overturned", msg=review.customer_message)
        release_approved(appeal, actor, proposer=proposer)
        return
    release = ledger.freeze_release(freeze=review.freeze, source=Freeze.ReleaseSource.REVIEW, actor=actor,
                                    note=f"review {review.reference}")
    then = [("amount_available", {"amount": str(review.freeze.amount)})] if release.released else []
    if review.freeze.account.status == CreditAccount.Status.BANNED:
        then += restore_account(review.freeze.account, actor, proposer, review.reference,
                                source=Freeze.ReleaseSource.REVIEW)
    _tell(review, "review_overturned", msg=review.customer_message, then=then)


def review_of(*, appeal: Appeal | None = None, freeze: Freeze | None = None) -> Review | None:
    """The review asked of this decision, if any."""
    if appeal is not None:
        return Review.objects.filter(kind=ReviewKind.REJECTION, appeal=appeal).first()
    return Review.objects.filter(kind=ReviewKind.AUTOMATIC, freeze=freeze).first()


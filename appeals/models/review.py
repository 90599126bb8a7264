"""The customer's review (复核, complaint rules Art. 20) of an adverse decision: a rejected appeal,
or a freeze or ban the risk rules made by themselves (PIPL Art. 24). One review per decision; a
supervisor who took no part in the original decides it within REVIEW_DECISION_DAYS calendar days.
Its own append-only timeline is ReviewEvent; the services are in appeals.workflow.reviews."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from accounts import roles
from accounts.models import CreditAccount, Freeze, LedgerEntry

from .appeal import Appeal, AppealEvent, new_reference

# Who took part in an appeal's decision (decided, proposed or confirmed it): never its reviewer.
DECISION_TRANSITIONS = ["approve", "reject", "reject_escalated", "propose_approval", "confirm_approval",
                        "return_proposal", "overturn_rejection", "overturn_approval"]


class ReviewState(models.TextChoices):
    REQUESTED = "requested", _("Review requested")
    OVERTURN_PROPOSED = "overturn_proposed", _("Overturn proposed, awaiting a second supervisor")
    UPHELD = "upheld", _("Decision upheld")
    OVERTURNED = "overturned", _("Decision overturned")


class ReviewKind(models.TextChoices):
    REJECTION = "rejection", _("Rejected appeal")
    AUTOMATIC = "automatic", _("Automatic risk-control decision")


def new_review_reference() -> str:
    return new_reference("RV")


def _may_review(review, user) -> bool:
    """A supervisor who is not the customer and took no part in the original decision."""
    return (roles.is_supervisor(user) and user.pk != review.customer_id
            and user.pk not in review.original_decider_ids())


def _may_confirm_overturn(review, user) -> bool:
    return _may_review(review, user) and review.proposed_by_id not in (None, user.pk)


class Review(ConcurrentTransitionMixin, models.Model):
    reference = models.CharField(_("reference"), max_length=20, unique=True, default=new_review_reference)
    customer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reviews",
                                 verbose_name=_("customer"))
    kind = models.CharField(_("decision reviewed"), max_length=10, choices=ReviewKind.choices)
    appeal = models.ForeignKey(Appeal, on_delete=models.PROTECT, null=True, blank=True, related_name="reviews",
                               verbose_name=_("rejected appeal"))
    freeze = models.ForeignKey(Freeze, on_delete=models.PROTECT, related_name="reviews", verbose_name=_("freeze"))
    state = FSMField(_("state"), max_length=20, choices=ReviewState.choices, default=ReviewState.REQUESTED,
                     protected=True)
    reason = models.TextField(_("customer's reason"), max_length=2000)
    decision_at = models.DateTimeField(_("original decision at"))
    created_at = models.DateTimeField(_("requested at"), default=timezone.now)
    due_at = models.DateTimeField(_("due"), help_text=_("The review is decided within 30 calendar days."))
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("overturn proposed by"))
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+", verbose_name=_("reviewer"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    customer_message = models.TextField(_("answer to the customer"), blank=True)

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        ordering = ["due_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["appeal"], condition=Q(kind="rejection"), name="one_review_per_rejection"),
            models.UniqueConstraint(fields=["freeze"], condition=Q(kind="automatic"),
                                    name="one_review_per_automatic_decision"),
            models.CheckConstraint(condition=Q(kind="rejection", appeal__isnull=False)
                                   | Q(kind="automatic", appeal__isnull=True), name="review_kind_matches_subject"),
            models.CheckConstraint(condition=~Q(state="overturn_proposed", proposed_by__isnull=True),
                                   name="proposed_overturn_has_proposer"),
        ]
        indexes = [models.Index(fields=["state", "due_at"], name="review_queue_idx")]

    def __str__(self):
        return self.reference

    @property
    def is_open(self) -> bool:
        return self.state in (ReviewState.REQUESTED, ReviewState.OVERTURN_PROPOSED)

    @property
    def is_overdue(self) -> bool:
        return self.is_open and self.due_at < timezone.now()

    @property
    def needs_four_eyes(self) -> bool:
        """Overturning on a banned account restores it: a proposal and a second supervisor."""
        return self.freeze.account.status == CreditAccount.Status.BANNED

    def original_decider_ids(self) -> set[int]:
        """Everyone who decided, proposed or confirmed the decision under review (never the system)."""
        if self.kind == ReviewKind.REJECTION:
            ids = set(AppealEvent.objects.filter(appeal_id=self.appeal_id, transition__in=DECISION_TRANSITIONS)
                      .values_list("actor_id", flat=True))
            ids |= {self.appeal.decided_by_id, self.appeal.proposed_by_id}
        else:
            ids = set(LedgerEntry.objects.filter(freeze_id=self.freeze_id).values_list("actor_id", flat=True))
            ids |= set(self.freeze.account.status_changes.filter(new_status=CreditAccount.Status.BANNED)
                       .values_list("actor_id", flat=True))
        return ids - {None}

    # Transitions: guards and state only; appeals.workflow.reviews locks, moves money and logs.

    @transition(field=state, source=ReviewState.REQUESTED, target=ReviewState.UPHELD, permission=_may_review)
    def uphold(self, *, by):
        self.reviewer, self.decided_at = by, timezone.now()

    @transition(field=state, source=ReviewState.REQUESTED, target=ReviewState.OVERTURNED, permission=_may_review,
                conditions=[lambda review: not review.needs_four_eyes])
    def overturn(self, *, by):
        self.reviewer, self.decided_at = by, timezone.now()

    @transition(field=state, source=ReviewState.REQUESTED, target=ReviewState.OVERTURN_PROPOSED,
                permission=_may_review, conditions=[lambda review: review.needs_four_eyes])
    def propose_overturn(self, *, by):
        self.proposed_by = by

    @transition(field=state, source=ReviewState.OVERTURN_PROPOSED, target=ReviewState.OVERTURNED,
                permission=_may_confirm_overturn)
    def confirm_overturn(self, *, by):
        self.reviewer, self.decided_at = by, timezone.now()

    @transition(field=state, source=ReviewState.OVERTURN_PROPOSED, target=ReviewState.REQUESTED,
                permission=_may_confirm_overturn)
    def return_overturn(self, *, by):
        self.proposed_by = None


class ReviewEvent(models.Model):
    """The review's own append-only timeline: one row per step, never edited."""

    class Action(models.TextChoices):
        REQUEST = "request", _("Review requested by the customer")
        UPHOLD = "uphold", _("Decision upheld")
        OVERTURN = "overturn", _("Decision overturned")
        PROPOSE_OVERTURN = "propose_overturn", _("Overturn proposed (four eyes)")
        CONFIRM_OVERTURN = "confirm_overturn", _("Overturn confirmed")
        RETURN_OVERTURN = "return_overturn", _("Overturn proposal sent back")

    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="events", verbose_name=_("review"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="+", verbose_name=_("actor"))
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    from_state = models.CharField(_("from"), max_length=20, choices=ReviewState.choices, blank=True)
    to_state = models.CharField(_("to"), max_length=20, choices=ReviewState.choices)
    note = models.TextField(_("internal note"), blank=True)
    customer_message = models.TextField(_("message to the customer"), blank=True)
    created_at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("review event")
        verbose_name_plural = _("review events")
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.review} {self.action}"

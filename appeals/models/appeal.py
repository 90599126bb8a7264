"""Unfreeze appeals and their append-only event log.

Transition methods only guard and set state; the services in appeals.workflow lock, call them,
move money through the ledger and write the AppealEvent in the same transaction. Each transition
is named once, in appeals.transitions."""

import secrets
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from accounts import roles
from accounts.models import CreditAccount, Freeze, RiskLevel

from ..transitions import Transition


class State(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    IN_REVIEW = "in_review", _("In evidence review")
    INFO_REQUESTED = "info_requested", _("More information requested")
    ESCALATED = "escalated", _("Escalated to a supervisor")
    APPROVAL_PROPOSED = "approval_proposed", _("Approval proposed, awaiting a second person")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    RESOLVED = "resolved", _("Resolved: released automatically")


OPEN_STATES = [State.SUBMITTED, State.IN_REVIEW, State.INFO_REQUESTED, State.ESCALATED, State.APPROVAL_PROPOSED]
CLOSED_STATES = [State.APPROVED, State.REJECTED, State.WITHDRAWN, State.RESOLVED]
DECIDED_STATES = [State.APPROVED, State.REJECTED]


class PauseReason(models.TextChoices):
    """Why both clocks (the service level and the complaint rules' deadline) stand still."""

    CUSTOMER = "customer", _("Waiting for the customer's reply")
    PLATFORM = "platform", _("Waiting for the external platform's confirmation")


class RejectReason(models.TextChoices):
    EVIDENCE_MISSING = "evidence_missing", _("Evidence missing")
    EVIDENCE_MISMATCH = "evidence_mismatch", _("Evidence does not match the order")
    SUSPECTED_CASH_OUT = "suspected_cash_out", _("Suspected cash-out")
    DUPLICATE = "duplicate", _("Duplicate appeal")


_REFERENCE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read over the phone


def new_reference(prefix: str = "AP") -> str:
    """A customer-facing code such as AP20261126-7F3K (RV… for a review)."""
    suffix = "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(4))
    return f"{prefix}{timezone.localdate():%Y%m%d}-{suffix}"


def _is_reviewer(appeal, user) -> bool:
    return roles.is_reviewer(user) and appeal.customer_id != user.pk


def _is_assignee(appeal, user) -> bool:
    return _is_reviewer(appeal, user) and appeal.assignee_id == user.pk


def _may_approve(appeal, user) -> bool:
    """One person approves alone only where four eyes are not required."""
    if not _is_reviewer(appeal, user) or appeal.requires_supervisor:
        return False
    if appeal.state == State.ESCALATED:
        return roles.is_supervisor(user)
    return appeal.assignee_id == user.pk


def _may_decide_escalated(appeal, user) -> bool:
    return _is_reviewer(appeal, user) and roles.is_supervisor(user)


def _may_propose(appeal, user) -> bool:
    """Four eyes, first pair: the assignee (agent or supervisor), or a supervisor on an escalation."""
    if not _is_reviewer(appeal, user) or not appeal.requires_supervisor:
        return False
    if appeal.state == State.ESCALATED:
        return roles.is_supervisor(user)
    return appeal.assignee_id == user.pk


def _may_confirm(appeal, user) -> bool:
    """Four eyes, second pair: a supervisor who is not the proposer, whatever else they are."""
    return _may_decide_escalated(appeal, user) and appeal.proposed_by_id not in (None, user.pk)


def _may_overturn_alone(appeal, user) -> bool:
    """Audit overturns a rejection: one supervisor, unless the appeal needs four eyes."""
    return _may_decide_escalated(appeal, user) and not appeal.requires_supervisor


def _may_propose_overturn(appeal, user) -> bool:
    return _may_decide_escalated(appeal, user) and appeal.requires_supervisor


def _is_owner(appeal, user) -> bool:
    return appeal.customer_id == user.pk


class Appeal(ConcurrentTransitionMixin, models.Model):
    reference = models.CharField(_("reference"), max_length=20, unique=True, default=new_reference)
    customer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="appeals",
                                 verbose_name=_("customer"))
    freeze = models.ForeignKey(Freeze, on_delete=models.PROTECT, related_name="appeals", verbose_name=_("freeze"))
    state = FSMField(_("state"), max_length=20, choices=State.choices, default=State.SUBMITTED, protected=True)
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="assigned_appeals", verbose_name=_("assignee"))
    claimed_order_number = models.CharField(_("order number"), max_length=32, blank=True)
    claimed_tracking_number = models.CharField(_("return tracking number"), max_length=40, blank=True)
    claimed_amount = models.DecimalField(_("amount claimed"), max_digits=12, decimal_places=2, null=True, blank=True)
    description = models.TextField(_("description"), max_length=2000)
    risk_level = models.CharField(_("risk level"), max_length=10, choices=RiskLevel.choices, default=RiskLevel.LOW)
    # None until the worker has read the screenshots and run the rules: no decision is taken on a guess.
    risk_assessed_at = models.DateTimeField(_("risk assessed at"), null=True, blank=True)
    risk_rules = models.JSONField(_("risk rules fired"), default=list, blank=True,
                                  help_text=_("Codes of the risk rules that fired, with their explanations."))
    evidence_checks = models.JSONField(_("evidence checks"), default=list, blank=True,
                                       help_text=_("What the screenshots say compared with the record."))
    reject_reason = models.CharField(_("reject reason"), max_length=24, choices=RejectReason.choices, blank=True)
    created_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    due_at = models.DateTimeField(_("due"), null=True, blank=True,
                                  help_text=_("When the decision is due under the service level for this freeze."))
    sla_breached = models.BooleanField(_("past its due time"), default=False)
    # Business days and seconds the service level was extended by pauses (appeals.workflow.clocks).
    sla_paused_days = models.PositiveIntegerField(_("business days paused"), default=0)
    sla_paused_seconds = models.PositiveIntegerField(_("seconds paused within a day"), default=0)
    regulatory_due_at = models.DateTimeField(
        _("answer due under the complaint rules"), null=True, blank=True,
        help_text=_("15 calendar days from submission, plus approved extensions and pauses."))
    regulatory_breached = models.BooleanField(_("past the complaint rules' deadline"), default=False)
    clock_paused_at = models.DateTimeField(_("clocks paused since"), null=True, blank=True)
    clock_pause_reason = models.CharField(_("clocks paused for"), max_length=10, choices=PauseReason.choices,
                                          blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("decided by"))
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("approval proposed by"),
                                    help_text=_("Four eyes: who proposed the approval a second person confirms."))

    class Meta:
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["state", "due_at"], name="appeal_queue_idx"),
            # The agents' queue is sorted by (due_at, pk): read in index order, a page stops after its rows.
            models.Index(fields=["due_at", "id"], name="appeal_due_order_idx"),
            # The dashboard (appeals.desk.daily): today's filings, re-assessed appeals, the breaches.
            models.Index(fields=["created_at"], name="appeal_created_idx"),
            models.Index(fields=["risk_assessed_at"], name="appeal_risk_assessed_idx"),
            models.Index(fields=["created_at"], condition=Q(regulatory_breached=True),
                         name="appeal_regulatory_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["freeze"], condition=Q(state__in=OPEN_STATES), name="one_open_appeal_per_freeze"
            ),
            models.CheckConstraint(condition=~Q(state="approval_proposed", proposed_by__isnull=True),
                                   name="proposed_approval_has_proposer"),
            models.CheckConstraint(
                condition=Q(clock_paused_at__isnull=True, clock_pause_reason="")
                | Q(clock_paused_at__isnull=False) & ~Q(clock_pause_reason=""),
                name="appeal_pause_fields_together",
            ),
        ]

    def __str__(self):
        return self.reference

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def is_paused(self) -> bool:
        return self.clock_paused_at is not None

    @property
    def is_waiting_for_customer(self) -> bool:
        return self.state == State.INFO_REQUESTED and self.clock_pause_reason == PauseReason.CUSTOMER

    @property
    def is_overdue(self) -> bool:
        """Past its service level; never while the clocks are paused (the wait is not ours)."""
        return (self.is_open and not self.is_paused and self.due_at is not None
                and self.due_at < timezone.now())

    @property
    def is_past_regulatory_deadline(self) -> bool:
        return (self.is_open and not self.is_paused and self.regulatory_due_at is not None
                and self.regulatory_due_at < timezone.now())

    @property
    def is_risk_pending(self) -> bool:
        return self.risk_assessed_at is None

    @property
    def requires_supervisor(self) -> bool:
        """Four-eyes rule: high risk, a large amount or a banned account: approval takes two people, a
        proposer (agent or supervisor) and a supervisor who is not the proposer."""
        return (
            self.risk_level == RiskLevel.HIGH
            or self.freeze.amount >= Decimal(settings.APPEAL_SUPERVISOR_AMOUNT)
            or self.freeze.account.status == CreditAccount.Status.BANNED
        )

    # Transitions: guards and state only (see appeals.workflow); names as in appeals.transitions.

    @transition(field=state, source=State.SUBMITTED, target=State.IN_REVIEW, permission=_is_reviewer)
    def claim(self, *, by):
        self.assignee = by

    @transition(field=state, source=State.IN_REVIEW, target=State.INFO_REQUESTED, permission=_is_assignee)
    def request_info(self, *, by):
        pass

    @transition(field=state, source=State.INFO_REQUESTED, target=State.IN_REVIEW, permission=_is_owner)
    def resubmit(self, *, by):
        pass

    @transition(field=state, source=State.IN_REVIEW, target=State.ESCALATED, permission=_is_assignee)
    def escalate(self, *, by):
        pass

    @transition(field=state, source=[State.IN_REVIEW, State.ESCALATED], target=State.APPROVED,
                permission=_may_approve)
    def approve(self, *, by):
        self.decided_at, self.decided_by = timezone.now(), by

    @transition(field=state, source=[State.IN_REVIEW, State.ESCALATED], target=State.APPROVAL_PROPOSED,
                permission=_may_propose)
    def propose_approval(self, *, by):
        self.proposed_by = by

    @transition(field=state, source=State.APPROVAL_PROPOSED, target=State.APPROVED, permission=_may_confirm)
    def confirm_approval(self, *, by):
        self.decided_at, self.decided_by = timezone.now(), by

    @transition(field=state, source=State.APPROVAL_PROPOSED, target=State.IN_REVIEW, permission=_may_confirm)
    def return_proposal(self, *, by):
        self.assignee, self.proposed_by = self.proposed_by, None

    @transition(field=state, source=State.IN_REVIEW, target=State.REJECTED, permission=_is_assignee)
    def reject(self, *, by, reason):
        self.decided_at, self.decided_by, self.reject_reason = timezone.now(), by, reason

    @transition(field=state, source=State.ESCALATED, target=State.REJECTED, permission=_may_decide_escalated)
    def reject_escalated(self, *, by, reason):
        self.decided_at, self.decided_by, self.reject_reason = timezone.now(), by, reason

    @transition(field=state, source=OPEN_STATES, target=State.WITHDRAWN, permission=_is_owner)
    def withdraw(self, *, by):
        self.decided_at = timezone.now()  # closed: starts the evidence retention clock

    # System transitions: no user permission; only the timers' services call them.

    @transition(field=state, source=OPEN_STATES, target=State.RESOLVED)
    def resolve(self, *, by):
        self.decided_at = timezone.now()

    @transition(field=state, source=OPEN_STATES, target=State.RESOLVED)
    def resolve_released(self, *, by):
        """The freeze was released by another path (another appeal's approval, an overturn)."""
        self.decided_at = timezone.now()

    @transition(field=state, source=State.SUBMITTED, target=State.APPROVED)
    def approve_by_system(self, *, by):
        self.decided_at = timezone.now()

    @transition(field=state, source=[State.SUBMITTED, State.IN_REVIEW], target=State.ESCALATED)
    def escalate_overdue(self, *, by):
        self.sla_breached = True

    @transition(field=state, source=[State.SUBMITTED, State.IN_REVIEW, State.ESCALATED], target=State.ESCALATED,
                conditions=[lambda appeal: not appeal.regulatory_breached])
    def escalate_regulatory(self, *, by):
        self.regulatory_breached = True

    @transition(field=state, source=State.REJECTED, target=State.APPROVED, permission=_may_overturn_alone)
    def overturn_rejection(self, *, by):
        self.decided_at, self.decided_by, self.reject_reason = timezone.now(), by, ""

    # A four-eyes appeal's rejection overturned on audit: the auditor proposes, another supervisor confirms.
    @transition(field=state, source=State.REJECTED, target=State.APPROVAL_PROPOSED, permission=_may_propose_overturn)
    def propose_overturn(self, *, by):
        self.proposed_by, self.reject_reason = by, ""

    # Called only by appeals.workflow.reviews, after the review's own guard (Review.overturn) passed.
    @transition(field=state, source=State.REJECTED, target=State.APPROVED)
    def overturn_on_review(self, *, by):
        self.decided_at, self.decided_by, self.reject_reason = timezone.now(), by, ""


class AppealEvent(models.Model):
    """Append-only log: one row per transition (appeals.transitions.Transition), never edited."""

    appeal = models.ForeignKey(Appeal, on_delete=models.PROTECT, related_name="events", verbose_name=_("appeal"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="+", verbose_name=_("actor"))
    transition = models.CharField(_("action"), max_length=24)
    from_state = models.CharField(_("from"), max_length=20, choices=State.choices, blank=True)
    to_state = models.CharField(_("to"), max_length=20, choices=State.choices)
    note = models.TextField(_("internal note"), blank=True)
    customer_message = models.TextField(_("message to the customer"), blank=True)
    # The reason a rejection gave, kept with the event: an overturn clears the appeal's, not this.
    reject_reason = models.CharField(_("reject reason"), max_length=24, choices=RejectReason.choices, blank=True)
    created_at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("appeal event")
        verbose_name_plural = _("appeal events")
        ordering = ["created_at", "id"]
        # The dashboard reads one day of events at a time (appeals.desk.daily). An index is no
        # ALTER TABLE: SQLite keeps the append-only triggers (accounts.immutable).
        indexes = [models.Index(fields=["created_at"], name="appealevent_created_idx"),
                   models.Index(fields=["created_at"], condition=Q(transition="overturn_on_review"),
                                name="appealevent_overturn_idx")]

    def __str__(self):
        return f"{self.appeal} {self.get_transition_display()}"

    def get_transition_display(self) -> str:
        return Transition(self.transition).label if self.transition in Transition.values else self.transition

    get_transition_display.short_description = _("action")  # its column title in the admin


class Escalation(Appeal):
    """The supervisors' queue: escalated appeals (a proxy with its own admin and permission)."""

    class Meta:
        proxy = True
        verbose_name = _("escalated appeal")
        verbose_name_plural = _("escalated appeals")

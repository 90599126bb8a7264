"""Supervisors' audit: the daily sample of decisions and the verdicts on them."""

import hashlib
import logging
import math
from collections import defaultdict
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext as _

from accounts import roles
from accounts.business_days import start_of
from accounts.models import Freeze, RiskLevel
from accounts.services import ledger

from .. import messages
from ..errors import InvalidAppeal, NotAllowed, WrongState
from ..models import AppealEvent, AuditSample, AuditVerdict
from ..notifications import notify_customer
from ..transitions import APPROVALS, DECISIONS, Transition
from .steps import apply_transition, close_open_appeals_of_released, lock_appeal, log_event

log = logging.getLogger("appeals.workflow")
STAFF_APPROVALS = (Transition.APPROVE, Transition.CONFIRM_APPROVAL)


def _day_bounds(day: date) -> tuple[datetime, datetime]:
    return start_of(day), start_of(day + timedelta(days=1))


def _draw_order(day: date, event_id: int) -> str:
    """A stable pseudo-random order: the same day always samples the same decisions."""
    return hashlib.sha256(f"{day.isoformat()}:{event_id}".encode()).hexdigest()


def audit_sample_day(*, day: date) -> int:
    """Sample one day's decisions: at least AUDIT_SAMPLE_RATE of each decider's (one at least;
    the system counts as one decider), and every high-risk approval. Idempotent; returns how
    many samples are new. (System approvals are also sampled as they happen: see decide.py.)"""
    events = list(
        AppealEvent.objects.filter(transition__in=DECISIONS, created_at__gte=_day_bounds(day)[0],
                                   created_at__lt=_day_bounds(day)[1])
        .select_related("appeal").order_by("pk")
    )
    picks: dict[int, str] = {}
    by_decider = defaultdict(list)
    for event in events:
        by_decider[event.actor_id].append(event)
        if event.transition in STAFF_APPROVALS and event.appeal.risk_level == RiskLevel.HIGH:
            picks[event.pk] = AuditSample.Reason.HIGH_RISK
    for decided in by_decider.values():
        quota = max(1, math.ceil(len(decided) * settings.AUDIT_SAMPLE_RATE))
        for event in sorted(decided, key=lambda e: _draw_order(day, e.pk))[:quota]:
            picks.setdefault(event.pk, AuditSample.Reason.SAMPLED)
    by_id = {event.pk: event for event in events}
    before = AuditSample.objects.filter(decided_on=day).count()
    AuditSample.objects.bulk_create(
        [AuditSample(event_id=pk, appeal_id=by_id[pk].appeal_id, decided_by_id=by_id[pk].actor_id, decided_on=day,
                     reason=reason) for pk, reason in picks.items()],
        ignore_conflicts=True,
    )
    created = AuditSample.objects.filter(decided_on=day).count() - before
    log.info("audit sample %s: %d decisions, %d new samples", day, len(events), created)
    return created


def own_decisions(supervisor) -> Q:
    """The samples a supervisor may not judge: decided by them, or an approval they proposed (four eyes)."""
    return Q(decided_by_id=supervisor.pk) | Q(appeal__proposed_by_id=supervisor.pk)


def is_own_decision(sample: AuditSample, supervisor) -> bool:
    return supervisor.pk in (sample.decided_by_id, sample.appeal.proposed_by_id)


def next_sample_for(supervisor) -> AuditSample | None:
    """The next sample waiting for this supervisor's verdict, in the list's order."""
    return (AuditSample.objects.filter(verdict__isnull=True).exclude(own_decisions(supervisor))
            .order_by("-decided_on", "id").first())


@transaction.atomic
def audit_record_verdict(*, sample_id: int, supervisor, verdict: str, note: str = "") -> AuditVerdict:
    """Confirm or overturn a sampled decision. Overturning a rejection approves the appeal and
    releases the freeze; overturning an approval freezes again what is still available, up to
    the amount released, for manual review. The customer is told either way."""
    if not roles.is_supervisor(supervisor):
        raise NotAllowed(_("Only supervisors record audit verdicts."))
    if verdict not in AuditVerdict.Verdict.values:
        raise InvalidAppeal(_("Choose confirmed or overturned."))
    if verdict == AuditVerdict.Verdict.OVERTURNED and not note.strip():
        raise InvalidAppeal(_("Write why the decision is overturned."))
    sample = AuditSample.objects.select_related("appeal__freeze", "event").get(pk=sample_id)
    if is_own_decision(sample, supervisor):
        raise NotAllowed(_("You cannot audit your own decision."))
    account = ledger.account_lock(sample.appeal.freeze.account_id)
    sample = AuditSample.objects.select_for_update().select_related("event").get(pk=sample_id)
    existing = AuditVerdict.objects.select_related("supervisor").filter(sample=sample).first()
    if existing:
        raise WrongState(_("%(who)s already recorded a verdict on this decision.")
                         % {"who": existing.supervisor.get_username()})
    refrozen = shortfall = 0
    if verdict == AuditVerdict.Verdict.OVERTURNED:
        appeal = lock_appeal(sample.appeal_id)
        if sample.event.transition in APPROVALS:
            refrozen, shortfall = _overturn_approval(appeal, account, supervisor, note.strip())
        else:
            _overturn_rejection(appeal, supervisor, note.strip())
    # Written once with what happened (append-only): the shortfall is on record for supervisors.
    result = AuditVerdict.objects.create(sample=sample, supervisor=supervisor, verdict=verdict, note=note.strip(),
                                         refrozen=refrozen, shortfall=shortfall)
    log.info("audit verdict %s on %s by %s", verdict, sample.appeal_id, supervisor.pk)
    return result


def _overturn_rejection(appeal, supervisor, note):
    """Approve the rejected appeal and release; on a four-eyes appeal (high risk, large, banned
    account) the auditor only proposes it, and a different supervisor confirms (appeals.workflow.four_eyes)."""
    if appeal.requires_supervisor:
        apply_transition(appeal, Transition.PROPOSE_OVERTURN, supervisor, note=note)
        notify_customer(appeal, "approval_proposed")
        return
    apply_transition(appeal, Transition.OVERTURN_REJECTION, supervisor, note=note)
    release = ledger.freeze_release(freeze=appeal.freeze, source=Freeze.ReleaseSource.APPEAL, actor=supervisor,
                                    note=f"audit overturned rejection of {appeal.reference}")
    amount = appeal.freeze.amount if release.released else 0
    if release.released:
        close_open_appeals_of_released(appeal.freeze, keep=appeal, because="overturned")
    notify_customer(appeal, "overturned_rejection", amount=str(amount))


def _overturn_approval(appeal, account, supervisor, note) -> tuple:
    """Freeze again what is still available of the released amount; returns (frozen again, shortfall)."""
    account.refresh_from_db()
    released = appeal.freeze.amount
    amount = min(account.available, released)
    if amount > 0:
        ledger.freeze_create(account=account, amount=amount, reason=Freeze.Reason.ABNORMAL, actor=supervisor,
                             note=f"audit overturned approval of {appeal.reference}")
    shortfall = released - amount
    values = {"amount": str(amount), "released": str(released), "spent": str(shortfall)}
    part = "refrozen_all" if not shortfall else "refrozen_part" if amount else "refrozen_none"
    with translation.override(settings.LANGUAGE_CODE):
        what = messages.render(part, values)
    log_event(appeal, Transition.OVERTURN_APPROVAL, supervisor, from_state=appeal.state, customer_message=what,
              note=note)
    notify_customer(appeal, "overturned_approval", then=[(part, values)])
    return amount, shortfall

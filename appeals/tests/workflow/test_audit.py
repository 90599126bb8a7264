"""Supervisors' audit: the daily sample of decisions and the verdicts on them, with the money
moves an overturn makes. Decisions are made at chosen times with time_machine; messages are
checked in English (translation.override / the language cookie)."""

import re
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import CreditAccount, Freeze, LedgerEntry, RiskLevel
from accounts.selectors import ledger_mismatches
from accounts.services import ledger
from accounts.tests.factories import (
    AgentFactory,
    SupervisorFactory,
    UserFactory,
    make_account,
    make_order,
    make_refund,
)
from appeals import selectors
from appeals.errors import AppealError, InvalidAppeal, NotAllowed, WrongState
from appeals.models import (
    Appeal,
    AppealEvent,
    AuditSample,
    AuditVerdict,
    Notification,
    RejectReason,
    State,
)
from appeals.tests.factories import file_appeal, refund_freeze, submit_appeal
from appeals.transitions import DECISIONS
from appeals.workflow import audit, decide, four_eyes, review

pytestmark = pytest.mark.django_db

TZ = ZoneInfo(settings.TIME_ZONE)
DAY = date(2025, 3, 12)  # a Wednesday
CONFIRMED, OVERTURNED = AuditVerdict.Verdict.CONFIRMED, AuditVerdict.Verdict.OVERTURNED


def at(day, hour=0, minute=0, second=0):
    return datetime.combine(day, time(hour, minute, second), tzinfo=TZ)


def abnormal_appeal(account, amount=Decimal("100.00")):
    """An appeal on an abnormal-activity freeze (no refund, so no screenshots are required)."""
    freeze = ledger.freeze_create(account=account, amount=amount, reason=Freeze.Reason.ABNORMAL)
    return submit_appeal(customer=account.customer, freeze_id=freeze.pk, order_number="",
                                  tracking_number="", description="请人工核实", files=[])


def decide_at(agent, when, *, account, approve=True) -> AppealEvent:
    """File, claim and decide one appeal at `when` (the clock stands still); return the decision."""
    with time_machine.travel(when, tick=False):
        event = claim_and_decide(abnormal_appeal(account), agent, approve=approve,
                                 reason=RejectReason.EVIDENCE_MISSING, message="缺少证明材料")
    assert event.created_at == when
    return event


def claim_and_decide(appeal, agent, *, approve, reason, message) -> AppealEvent:
    """The agent claims the appeal and approves it (or rejects it for `reason`); return the decision."""
    review.appeal_claim(appeal_id=appeal.pk, actor=agent)
    if approve:
        decide.appeal_approve(appeal_id=appeal.pk, actor=agent)
    else:
        decide.appeal_reject(appeal_id=appeal.pk, actor=agent, reason=reason, message=message)
    return AppealEvent.objects.get(appeal=appeal, transition__in=DECISIONS)


def sampled_ids(day):
    return set(AuditSample.objects.filter(decided_on=day).values_list("event_id", flat=True))


# --- the daily sample ---------------------------------------------------------------------------


@pytest.fixture
def account():
    return make_account(Decimal("100000.00"))


@pytest.fixture
def decisions(account):
    """Agent A decides 25 appeals on DAY, agent B 3; each also decides once on the days around it."""
    a, b = AgentFactory(), AgentFactory()
    on_day = {
        a: [decide_at(a, at(DAY, 9) + timedelta(minutes=15 * i), account=account, approve=i % 3 != 0)
            for i in range(25)],
        b: [decide_at(b, at(DAY, 16) + timedelta(minutes=20 * i), account=account, approve=i != 1) for i in range(3)],
    }
    around = [decide_at(a, at(DAY - timedelta(days=1), 23, 59, 59), account=account),
              decide_at(b, at(DAY + timedelta(days=1), 0, 0, 1), account=account, approve=False)]
    return {"a": a, "b": b, "on_day": on_day, "around": around}


def test_each_decider_gets_ten_percent_rounded_up_and_at_least_one(decisions):
    a, b = decisions["a"], decisions["b"]
    assert settings.AUDIT_SAMPLE_RATE == 0.10
    assert audit.audit_sample_day(day=DAY) == 4

    samples = list(AuditSample.objects.select_related("event").filter(decided_on=DAY))
    by_decider = {user: [s for s in samples if s.decided_by_id == user.pk] for user in (a, b)}
    assert (len(by_decider[a]), len(by_decider[b])) == (3, 1)  # ceil(2.5) and max(1, ceil(0.3))
    assert AuditSample.objects.count() == 4
    for user, own in by_decider.items():
        ids = {e.pk for e in decisions["on_day"][user]}
        for sample in own:
            assert sample.event_id in ids
            assert (sample.appeal_id, sample.reason) == (sample.event.appeal_id, AuditSample.Reason.SAMPLED)


def test_decisions_of_other_days_are_not_sampled(decisions):
    audit.audit_sample_day(day=DAY)
    on_day = {e.pk for events in decisions["on_day"].values() for e in events}
    assert sampled_ids(DAY) <= on_day
    assert not sampled_ids(DAY) & {e.pk for e in decisions["around"]}

    before = DAY - timedelta(days=1)
    assert audit.audit_sample_day(day=before) == 1
    assert sampled_ids(before) == {decisions["around"][0].pk}
    assert AuditSample.objects.get(event=decisions["around"][0]).decided_on == before


def test_a_day_with_no_decisions_samples_nothing(decisions):
    assert audit.audit_sample_day(day=DAY + timedelta(days=5)) == 0
    assert not AuditSample.objects.exists()


def test_sampling_twice_adds_nothing_and_keeps_the_sample(decisions):
    assert audit.audit_sample_day(day=DAY) == 4
    first = set(AuditSample.objects.values_list("pk", "event_id"))
    assert audit.audit_sample_day(day=DAY) == 0
    assert set(AuditSample.objects.values_list("pk", "event_id")) == first


def test_the_sample_is_a_function_of_the_day(decisions):
    audit.audit_sample_day(day=DAY)
    chosen = sampled_ids(DAY)
    assert len(chosen) == 4
    AuditSample.objects.all().delete()

    audit.audit_sample_day(day=DAY + timedelta(days=1))  # sampling another day first changes nothing
    with time_machine.travel(at(DAY + timedelta(days=9), 3), tick=False):  # nor does when it runs
        assert audit.audit_sample_day(day=DAY) == 4
    assert sampled_ids(DAY) == chosen


def test_a_decision_at_midnight_belongs_to_the_new_day(account):
    agent = AgentFactory()
    midnight = decide_at(agent, at(DAY + timedelta(days=1)), account=account)
    assert audit.audit_sample_day(day=DAY) == 0
    assert midnight.pk not in sampled_ids(DAY)
    assert audit.audit_sample_day(day=DAY + timedelta(days=1)) == 1
    assert sampled_ids(DAY + timedelta(days=1)) == {midnight.pk}


def test_a_decision_at_the_first_instant_of_the_day_is_sampled_for_it(account):
    agent = AgentFactory()
    first = decide_at(agent, at(DAY), account=account)
    assert audit.audit_sample_day(day=DAY) == 1
    assert sampled_ids(DAY) == {first.pk}


def malicious_appeal_approved_after_escalation(agent, supervisor, when):
    """A refund from a virtual address: malicious freeze, banned account, high-risk appeal that the
    agent escalates, a first supervisor proposes to approve and `supervisor` confirms (four eyes)."""
    with time_machine.travel(when, tick=False):
        account = make_account(Decimal("3000.00"))
        refund = make_refund(make_order(account, Decimal("800.00")), return_address="虚拟地址 代收点 12 号")
        freeze = refund.freezes.get()
        assert freeze.reason == Freeze.Reason.MALICIOUS
        appeal = file_appeal(freeze)
        assert Appeal.objects.get(pk=appeal.pk).risk_level == RiskLevel.HIGH
        review.appeal_claim(appeal_id=appeal.pk, actor=agent)
        review.appeal_escalate(appeal_id=appeal.pk, actor=agent, note="恶意退款标记")
        four_eyes.appeal_propose_approval(appeal_id=appeal.pk, actor=SupervisorFactory(), note="退货地址已核实")
        four_eyes.appeal_confirm_approval(appeal_id=appeal.pk, actor=supervisor)
    return AppealEvent.objects.get(appeal=appeal, transition="confirm_approval")


def test_every_high_risk_approval_is_sampled(decisions):
    a, b = decisions["a"], decisions["b"]
    supervisor = SupervisorFactory()
    escalated = malicious_appeal_approved_after_escalation(a, supervisor, at(DAY, 18))
    approvals = [e for e in decisions["on_day"][a] if e.transition == "approve"]
    rejections = [e for e in decisions["on_day"][a] if e.transition == "reject"]
    high = approvals[:2] + approvals[-2:]
    Appeal.objects.filter(pk__in=[e.appeal_id for e in high + rejections[:3]]).update(risk_level=RiskLevel.HIGH)

    audit.audit_sample_day(day=DAY)
    samples = {s.event_id: s for s in AuditSample.objects.filter(decided_on=DAY)}
    for event in [*high, escalated]:
        assert samples[event.pk].reason == AuditSample.Reason.HIGH_RISK
    for event in rejections[:3]:  # high-risk rejections are only sampled by the draw
        assert event.pk not in samples or samples[event.pk].reason == AuditSample.Reason.SAMPLED
    assert samples[escalated.pk].decided_by_id == supervisor.pk
    assert [s for s in samples.values() if s.decided_by_id == supervisor.pk] == [samples[escalated.pk]]
    mine = [s for s in samples.values() if s.decided_by_id == a.pk]
    assert 3 <= len(mine) <= 3 + len(high)  # the quota, plus the high-risk ones the draw missed
    assert 1 <= sum(s.reason == AuditSample.Reason.SAMPLED for s in mine) <= 3
    assert len([s for s in samples.values() if s.decided_by_id == b.pk]) == 1


# --- verdicts -----------------------------------------------------------------------------------


def sample_of(event) -> AuditSample:
    audit.audit_sample_day(day=timezone.localdate(event.created_at))
    return AuditSample.objects.get(event=event)


def decided(*, approve, limit=Decimal("10000.00"), amount=Decimal("599.00")):
    """An agent's decision today on an ordinary refund appeal (the only decision of that agent)."""
    agent = AgentFactory()
    appeal = file_appeal(refund_freeze(amount, limit=limit))
    event = claim_and_decide(appeal, agent, approve=approve, reason=RejectReason.EVIDENCE_MISMATCH,
                             message="截图与订单不符")
    return Appeal.objects.select_related("freeze__account").get(pk=appeal.pk), sample_of(event)


def snapshot(appeal):
    fresh = Appeal.objects.select_related("freeze").get(pk=appeal.pk)
    return {"state": fresh.state, "decided_by": fresh.decided_by_id, "freeze": fresh.freeze.status,
            "freezes": Freeze.objects.count(), "ledger": LedgerEntry.objects.count(),
            "events": AppealEvent.objects.count(), "notifications": Notification.objects.count(),
            "verdicts": AuditVerdict.objects.count()}


def refused(error, appeal, **call):
    before = snapshot(appeal)
    with translation.override("en"), pytest.raises(AppealError) as info:
        audit.audit_record_verdict(**call)
    assert type(info.value) is error
    assert snapshot(appeal) == before
    return str(info.value.message)


def test_confirm_records_the_verdict_and_changes_nothing_else():
    appeal, sample = decided(approve=True)
    supervisor = SupervisorFactory()
    before = snapshot(appeal)
    verdict = audit.audit_record_verdict(sample_id=sample.pk, supervisor=supervisor, verdict=CONFIRMED)
    assert (verdict.sample, verdict.supervisor, verdict.verdict, verdict.note) == (sample, supervisor, CONFIRMED, "")
    assert snapshot(appeal) == {**before, "verdicts": before["verdicts"] + 1}


@pytest.mark.parametrize("note", ["", "   "])
def test_overturn_needs_a_note(note):
    appeal, sample = decided(approve=False)
    message = refused(InvalidAppeal, appeal, sample_id=sample.pk, supervisor=SupervisorFactory(),
                      verdict=OVERTURNED, note=note)
    assert message == "Write why the decision is overturned."


def test_a_verdict_must_be_confirmed_or_overturned():
    appeal, sample = decided(approve=False)
    refused(InvalidAppeal, appeal, sample_id=sample.pk, supervisor=SupervisorFactory(), verdict="maybe")


@pytest.mark.parametrize("who", ["agent", "superuser", "customer"])
def test_only_supervisors_record_verdicts(who):
    appeal, sample = decided(approve=False)
    user = {"agent": AgentFactory(), "superuser": UserFactory(is_superuser=True, is_staff=True),
            "customer": appeal.customer}[who]
    message = refused(NotAllowed, appeal, sample_id=sample.pk, supervisor=user, verdict=OVERTURNED, note="wrong")
    assert message == "Only supervisors record audit verdicts."


def test_a_supervisor_does_not_audit_their_own_decision():
    agent, supervisor = AgentFactory(), SupervisorFactory()
    event = malicious_appeal_approved_after_escalation(agent, supervisor, timezone.now())
    sample = sample_of(event)
    assert sample.decided_by == supervisor
    message = refused(NotAllowed, event.appeal, sample_id=sample.pk, supervisor=supervisor, verdict=CONFIRMED)
    assert message == "You cannot audit your own decision."
    verdict = audit.audit_record_verdict(sample_id=sample.pk, supervisor=SupervisorFactory(), verdict=CONFIRMED)
    assert verdict.sample == sample


def test_a_second_verdict_is_refused_naming_who_recorded_the_first():
    appeal, sample = decided(approve=False)
    first = SupervisorFactory(username="sup_first")
    audit.audit_record_verdict(sample_id=sample.pk, supervisor=first, verdict=CONFIRMED)
    for verdict, note in ((OVERTURNED, "wrong after all"), (CONFIRMED, "")):
        message = refused(WrongState, appeal, sample_id=sample.pk, supervisor=SupervisorFactory(), verdict=verdict,
                          note=note)
        assert message == "sup_first already recorded a verdict on this decision."
    assert AuditVerdict.objects.get(sample=sample).supervisor == first
    assert Appeal.objects.get(pk=appeal.pk).state == State.REJECTED


def test_overturning_a_rejection_approves_and_releases_once():
    appeal, sample = decided(approve=False)
    account = appeal.freeze.account
    available = account.available
    supervisor = SupervisorFactory()
    notices = Notification.objects.filter(user=appeal.customer).count()

    audit.audit_record_verdict(sample_id=sample.pk, supervisor=supervisor, verdict=OVERTURNED,
                                  note="物流显示已签收")
    after = Appeal.objects.select_related("freeze").get(pk=appeal.pk)
    assert (after.state, after.decided_by, after.reject_reason) == (State.APPROVED, supervisor, "")
    assert after.freeze.status == Freeze.Status.RELEASED
    releases = LedgerEntry.objects.filter(freeze=after.freeze, kind=LedgerEntry.Kind.RELEASE)
    assert [(e.amount, e.actor) for e in releases] == [(Decimal("599.00"), supervisor)]
    account.refresh_from_db()
    assert account.available == available + Decimal("599.00")
    event = AppealEvent.objects.get(appeal=appeal, transition="overturn_rejection")
    assert (event.from_state, event.to_state, event.note) == (State.REJECTED, State.APPROVED, "物流显示已签收")
    assert Notification.objects.filter(user=appeal.customer).count() == notices + 1
    notice = Notification.objects.filter(user=appeal.customer).first()
    assert appeal.reference in notice.message and "599.00" in notice.message
    assert ledger_mismatches() == []


def test_overturning_a_rejection_after_the_timer_released_it_releases_nothing_more():
    appeal, sample = decided(approve=False)
    ledger.freeze_release(freeze=appeal.freeze, source=Freeze.ReleaseSource.TIMER)
    account = CreditAccount.objects.get(pk=appeal.freeze.account_id)
    audit.audit_record_verdict(sample_id=sample.pk, supervisor=SupervisorFactory(), verdict=OVERTURNED,
                                  note="should have been approved")
    assert Appeal.objects.get(pk=appeal.pk).state == State.APPROVED
    assert LedgerEntry.objects.filter(freeze=appeal.freeze, kind=LedgerEntry.Kind.RELEASE).count() == 1
    assert CreditAccount.objects.get(pk=account.pk).available == account.available
    assert ledger_mismatches() == []


@pytest.mark.parametrize(("spend", "refrozen"), [
    (None, Decimal("599.00")),                 # plenty available: the full released amount
    (Decimal("800.00"), Decimal("200.00")),    # spent most of it: only what is still available
    (Decimal("1000.00"), None),                # nothing available: no freeze, still notified
])
def test_overturning_an_approval_freezes_again_what_is_available(spend, refrozen):
    appeal, sample = decided(approve=True, limit=Decimal("1000.00"))
    account = CreditAccount.objects.get(pk=appeal.freeze.account_id)
    assert account.available == Decimal("1000.00")
    if spend:
        make_order(account, spend)
    supervisor = SupervisorFactory()
    freezes_before = set(Freeze.objects.values_list("pk", flat=True))
    notices = Notification.objects.filter(user=appeal.customer).count()

    audit.audit_record_verdict(sample_id=sample.pk, supervisor=supervisor, verdict=OVERTURNED,
                                  note="退货未入库")
    new = list(Freeze.objects.exclude(pk__in=freezes_before))
    account.refresh_from_db()
    if refrozen is None:
        assert new == []
        assert account.available == Decimal("0.00")
    else:
        assert [(f.amount, f.reason, f.status, f.account_id) for f in new] == [
            (refrozen, Freeze.Reason.ABNORMAL, Freeze.Status.ACTIVE, account.pk)]
        entry = LedgerEntry.objects.get(freeze=new[0])
        assert (entry.kind, entry.amount, entry.actor) == (LedgerEntry.Kind.FREEZE, refrozen, supervisor)
        assert account.available == Decimal("1000.00") - (spend or 0) - refrozen
    assert Appeal.objects.get(pk=appeal.pk).state == State.APPROVED
    event = AppealEvent.objects.get(appeal=appeal, transition="overturn_approval")
    assert (event.actor, event.note) == (supervisor, "退货未入库")
    assert Notification.objects.filter(user=appeal.customer).count() == notices + 1
    notice = Notification.objects.filter(user=appeal.customer).first()
    assert appeal.reference in notice.message
    assert f"¥{refrozen or appeal.freeze.amount}" in notice.message  # nothing refrozen: it names what was spent
    assert "¥0" not in notice.message  # never "¥0.00 is frozen again" (#14)
    assert ledger_mismatches() == []


# --- the verdict form in the admin --------------------------------------------------------------


@pytest.fixture
def login(client):
    def _login(user):
        client.force_login(user)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return client

    return _login


def messages_of(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_verdict_form_records_a_verdict_and_moves_on(login):
    appeal, sample = decided(approve=False)
    _second, next_sample = decided(approve=True)
    supervisor = SupervisorFactory()
    client = login(supervisor)
    url = reverse("admin:appeals_auditsample_change", args=[sample.pk])
    assert 'name="_verdict"' in client.get(url).content.decode()

    # An overturn without a note: the page again, the chosen verdict kept, the error beside the note.
    response = client.post(url, {"verdict": OVERTURNED, "note": "", "_verdict": "Record verdict"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Write why the decision is overturned." in page
    assert re.search(r'<input type="radio" name="verdict" value="overturned"[^>]*checked', page)
    assert not AuditVerdict.objects.exists()
    assert Appeal.objects.get(pk=appeal.pk).state == State.REJECTED

    response = client.post(url, {"verdict": OVERTURNED, "note": "证据充分", "_verdict": "Record verdict"})
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:appeals_auditsample_change", args=[next_sample.pk])
    assert messages_of(response)[-1] == "Verdict recorded."
    verdict = AuditVerdict.objects.get(sample=sample)
    assert (verdict.supervisor, verdict.verdict, verdict.note) == (supervisor, OVERTURNED, "证据充分")
    assert Appeal.objects.get(pk=appeal.pk).state == State.APPROVED
    page = client.get(url).content.decode()
    assert 'name="_verdict"' not in page  # judged: no second form
    assert "证据充分" in page

    # The last one: back to the list of what is waiting, saying so.
    response = client.post(response["Location"], {"verdict": CONFIRMED, "note": ""})
    assert response["Location"] == reverse("admin:appeals_auditsample_changelist") + "?verdict=none"
    assert messages_of(response)[-1] == "No more decisions are waiting for your verdict."

    response = login(SupervisorFactory()).post(url, {"verdict": CONFIRMED, "note": ""})
    assert response.status_code == 200
    assert f"{supervisor.username} already recorded a verdict on this decision." in response.content.decode()
    assert AuditVerdict.objects.get(sample=sample).verdict == OVERTURNED


def test_the_next_sample_skips_ones_own_decisions(login):
    supervisor = SupervisorFactory()
    _appeal, first = decided(approve=False)
    own = sample_of(claim_and_decide(file_appeal(refund_freeze()), supervisor, approve=False,
                                     reason=RejectReason.DUPLICATE, message="重复申诉"))
    _system, system_sample = decided(approve=True)
    AuditSample.objects.filter(pk=system_sample.pk).update(decided_by=None, reason=AuditSample.Reason.SYSTEM)
    url = reverse("admin:appeals_auditsample_change", args=[first.pk])
    response = login(supervisor).post(url, {"verdict": CONFIRMED, "note": ""})
    assert response["Location"] == reverse("admin:appeals_auditsample_change", args=[system_sample.pk])
    assert audit.next_sample_for(supervisor) == system_sample
    assert own.decided_by == supervisor


def test_ones_own_decision_says_why_there_is_no_form_and_waits_for_another_supervisor(login):
    agent, supervisor = AgentFactory(), SupervisorFactory()
    sample = sample_of(malicious_appeal_approved_after_escalation(agent, supervisor, timezone.now()))
    _appeal, theirs = decided(approve=False)
    client = login(supervisor)
    url = reverse("admin:appeals_auditsample_change", args=[sample.pk])
    page = client.get(url).content.decode()
    assert 'name="_verdict"' not in page
    own = "You decided or proposed this decision; another supervisor audits it."
    assert own in page
    assert own not in client.get(reverse("admin:appeals_auditsample_change", args=[theirs.pk])).content.decode()
    response = client.post(url, {"verdict": CONFIRMED, "note": ""})
    assert response.status_code == 200
    assert "You cannot audit your own decision." in response.content.decode()
    assert not AuditVerdict.objects.exists()

    changelist = reverse("admin:appeals_auditsample_changelist")
    waiting = client.get(changelist, {"verdict": "none"})
    assert [s.pk for s in waiting.context["cl"].result_list] == [theirs.pk]
    others = client.get(changelist, {"verdict": "others"})
    assert [s.pk for s in others.context["cl"].result_list] == [sample.pk]
    assert "Waiting for another supervisor (your decision)" in client.get(changelist).content.decode()
    # Another supervisor has it in their waiting list.
    assert sample.pk in [s.pk for s in login(SupervisorFactory()).get(changelist, {"verdict": "none"})
                         .context["cl"].result_list]


def test_a_verdict_page_shows_the_evidence_checks_and_the_record(login):
    appeal, sample = decided(approve=False)
    Appeal.objects.filter(pk=appeal.pk).update(evidence_checks=[
        {"code": "order_number", "status": "match", "read": "DY0001", "expected": "DY0001"}])
    page = login(SupervisorFactory()).get(reverse("admin:appeals_auditsample_change", args=[sample.pk])).content
    page = page.decode()
    assert 'class="evidence-grid"' in page or "figure" in page
    assert '<table class="checks">' in page and "DY0001" in page
    assert '<table class="facts">' in page and appeal.freeze.refund.order.number in page
    assert "截图与订单不符" in page  # the message the decision sent
    assert "Evidence does not match the order" in page  # the reject reason, in words


def test_an_agent_posting_a_verdict_is_forbidden(login):
    appeal, sample = decided(approve=False)
    url = reverse("admin:appeals_auditsample_change", args=[sample.pk])
    response = login(AgentFactory()).post(url, {"verdict": OVERTURNED, "note": "wrong"})
    assert not AuditVerdict.objects.exists()
    assert Appeal.objects.get(pk=appeal.pk).state == State.REJECTED
    assert response.status_code == 403


@pytest.mark.parametrize(("spend", "refrozen", "shortfall"), [
    (Decimal("1000.00"), Decimal("0.00"), Decimal("599.00")),  # spent it all: nothing frozen again
    (Decimal("800.00"), Decimal("200.00"), Decimal("399.00")),  # spent part of it
    (None, Decimal("599.00"), Decimal("0.00")),
])
def test_an_overturned_approval_says_what_happened_and_records_the_shortfall(client, spend, refrozen, shortfall):
    """After the customer spent the released limit the notice said "¥0.00 of your limit is frozen
    again". It says what happened now, and the verdict keeps the shortfall for supervisors."""
    appeal, sample = decided(approve=True, limit=Decimal("1000.00"))
    if spend:
        make_order(CreditAccount.objects.get(pk=appeal.freeze.account_id), spend)
    supervisor = SupervisorFactory()
    with translation.override("en"):
        verdict = audit.audit_record_verdict(sample_id=sample.pk, supervisor=supervisor, verdict=OVERTURNED,
                                             note="退货未入库")
    assert (verdict.refrozen, verdict.shortfall) == (refrozen, shortfall)
    with translation.override("en"):
        notice = Notification.objects.filter(user=appeal.customer).first().text
    assert "¥0.00" not in notice
    if shortfall:
        assert f"already spent ¥{shortfall}" in notice or f"already spent the ¥{appeal.freeze.amount}" in notice
    what = AppealEvent.objects.get(appeal=appeal, transition="overturn_approval").customer_message
    assert "¥0.00" not in what and str(appeal.freeze.amount) in what
    with translation.override("en"):
        timeline = [str(line) for _when, line in selectors.customer_timeline(Appeal.objects.get(pk=appeal.pk))]
    assert any(what in line for line in timeline), timeline
    client.force_login(supervisor)
    page = client.get(reverse("admin:appeals_auditverdict_changelist") + "?shortfall=yes").content.decode()
    assert (f"{shortfall}" in page) == bool(shortfall)


def test_overturning_a_four_eyes_rejection_on_audit_is_a_proposal_another_supervisor_confirms():
    appeal, sample = decided(approve=False, amount=Decimal("6000.00"))  # ≥ the supervisor amount
    assert appeal.requires_supervisor
    auditor, second = SupervisorFactory(), SupervisorFactory()
    audit.audit_record_verdict(sample_id=sample.pk, supervisor=auditor, verdict=OVERTURNED, note="物流显示已签收")
    proposed = Appeal.objects.select_related("freeze").get(pk=appeal.pk)
    assert (proposed.state, proposed.proposed_by, proposed.freeze.status) == (
        State.APPROVAL_PROPOSED, auditor, Freeze.Status.ACTIVE)  # nothing released by one person
    assert not LedgerEntry.objects.filter(freeze=proposed.freeze, kind=LedgerEntry.Kind.RELEASE).exists()
    with pytest.raises(AppealError):
        four_eyes.appeal_confirm_approval(appeal_id=appeal.pk, actor=auditor)
    four_eyes.appeal_confirm_approval(appeal_id=appeal.pk, actor=second)
    after = Appeal.objects.select_related("freeze").get(pk=appeal.pk)
    assert (after.state, after.decided_by, after.freeze.status) == (State.APPROVED, second, Freeze.Status.RELEASED)
    assert list(AppealEvent.objects.filter(appeal=appeal).values_list("transition", flat=True))[-2:] == [
        "propose_overturn", "confirm_approval"]
    assert ledger_mismatches() == []

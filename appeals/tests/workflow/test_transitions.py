"""Every appeal transition, allowed and refused, per role and per state.

Refusals must leave everything as it was: same state, no AppealEvent, no ledger entry,
no notification. Messages are checked in English (translation.override) so the assertions
do not depend on the state of the Chinese catalogue."""

import re
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import translation

from accounts import roles
from accounts.models import CreditAccount, Freeze, LedgerEntry, RiskLevel
from accounts.selectors import ledger_mismatches
from accounts.services import ledger
from accounts.tests.factories import AgentFactory, CustomerFactory, SupervisorFactory, UserFactory, make_account
from appeals.errors import AlreadyDecided, AppealError, InvalidAppeal, NotAllowed, RiskPending, WrongState
from appeals.evidence.pipeline import evidence_process
from appeals.models import Appeal, AppealEvent, Evidence, Notification, RejectReason, State
from appeals.tests.factories import file_appeal, refund_freeze, submit_appeal, three_screenshots, upload
from appeals.workflow import decide, four_eyes, review, submit

pytestmark = pytest.mark.django_db

S = State
OPEN = [S.SUBMITTED, S.IN_REVIEW, S.INFO_REQUESTED, S.ESCALATED]
ALL_STATES = [*OPEN, S.APPROVED, S.REJECTED, S.WITHDRAWN]
ROLES = ["owner", "other_customer", "assignee", "other_agent", "supervisor"]
ACTIONS = ["claim", "request_info", "resubmit", "escalate", "approve", "reject", "withdraw"]

# The specification, written out independently of appeals.models.
SOURCES = {
    "claim": {S.SUBMITTED},
    "request_info": {S.IN_REVIEW},
    "resubmit": {S.INFO_REQUESTED},
    "escalate": {S.IN_REVIEW},
    "approve": {S.IN_REVIEW, S.ESCALATED},
    "reject": {S.IN_REVIEW, S.ESCALATED},
    "withdraw": set(OPEN),
}
TARGETS = {
    "claim": S.IN_REVIEW,
    "request_info": S.INFO_REQUESTED,
    "resubmit": S.IN_REVIEW,
    "escalate": S.ESCALATED,
    "approve": S.APPROVED,
    "reject": S.REJECTED,
    "withdraw": S.WITHDRAWN,
}


def allowed_roles(action, state):
    if action == "claim":
        return {"assignee", "other_agent", "supervisor"}  # any reviewer; "assignee" is the agent who will claim
    if action in ("request_info", "escalate"):
        return {"assignee"}
    if action in ("approve", "reject"):
        return {"supervisor"} if state == S.ESCALATED else {"assignee"}
    return {"owner"}  # resubmit, withdraw


def expected_outcome(action, state, role):
    if state not in SOURCES[action]:
        return AlreadyDecided if state in (S.APPROVED, S.REJECTED) else WrongState
    return "ok" if role in allowed_roles(action, state) else NotAllowed


def act(action, appeal, actor, **overrides):
    """Call the service for `action` with valid arguments (overridable)."""
    calls = {
        "claim": lambda: review.appeal_claim(appeal_id=appeal.pk, actor=actor),
        "request_info": lambda: review.appeal_request_info(
            appeal_id=appeal.pk, actor=actor, **({"message": "请补充退货物流截图"} | overrides)),
        "resubmit": lambda: submit.appeal_resubmit(
            appeal_id=appeal.pk, actor=actor, **({"message": "已补充物流单号", "files": []} | overrides)),
        "escalate": lambda: review.appeal_escalate(
            appeal_id=appeal.pk, actor=actor, **({"note": "amount looks unusual"} | overrides)),
        "approve": lambda: decide.appeal_approve(appeal_id=appeal.pk, actor=actor, **overrides),
        "reject": lambda: decide.appeal_reject(
            appeal_id=appeal.pk, actor=actor,
            **({"reason": RejectReason.EVIDENCE_MISMATCH, "message": "截图与订单不符"} | overrides)),
        "withdraw": lambda: submit.appeal_withdraw(appeal_id=appeal.pk, actor=actor),
        "propose": lambda: four_eyes.appeal_propose_approval(
            appeal_id=appeal.pk, actor=actor, **({"note": "证据齐全"} | overrides)),
        "confirm": lambda: four_eyes.appeal_confirm_approval(appeal_id=appeal.pk, actor=actor, **overrides),
        "return": lambda: four_eyes.appeal_return_proposal(
            appeal_id=appeal.pk, actor=actor, **({"note": "请再核实"} | overrides)),
    }
    return calls[action]()


def reach(state, appeal, people):
    """Move a freshly submitted appeal to `state` through the services, with `assignee` as the agent."""
    agent, owner = people["assignee"], people["owner"]
    if state == S.SUBMITTED:
        return
    review.appeal_claim(appeal_id=appeal.pk, actor=agent)
    if state == S.INFO_REQUESTED:
        act("request_info", appeal, agent)
    elif state == S.ESCALATED:
        act("escalate", appeal, agent)
    elif state == S.APPROVED:
        act("approve", appeal, agent)
    elif state == S.REJECTED:
        act("reject", appeal, agent)
    elif state == S.WITHDRAWN:
        act("withdraw", appeal, owner)
    assert Appeal.objects.get(pk=appeal.pk).state == state


def snapshot(appeal):
    fresh = Appeal.objects.select_related("freeze").get(pk=appeal.pk)
    return {
        "state": fresh.state,
        "assignee": fresh.assignee_id,
        "decided_by": fresh.decided_by_id,
        "reject_reason": fresh.reject_reason,
        "freeze_status": fresh.freeze.status,
        "events": AppealEvent.objects.filter(appeal=appeal).count(),
        "ledger": LedgerEntry.objects.count(),
        "notifications": Notification.objects.count(),
    }


def assert_refused(error, call, appeal):
    """`call` raises exactly `error` (not a subclass/superclass stand-in) and changes nothing."""
    before = snapshot(appeal)
    with pytest.raises(AppealError) as info:
        call()
    assert type(info.value) is error, f"expected {error.__name__}, got {type(info.value).__name__}: {info.value}"
    assert snapshot(appeal) == before
    return info.value


@pytest.fixture
def people():
    owner = CustomerFactory()
    return {
        "owner": owner,
        "other_customer": CustomerFactory(),
        "assignee": AgentFactory(),
        "other_agent": AgentFactory(),
        "supervisor": SupervisorFactory(),
    }


@pytest.fixture
def appeal(people):
    # 599.00 on an ordinary refund: low risk, under the four-eyes amount, so the agent may decide alone.
    make_account(customer=people["other_customer"])  # the other customer has a credit line of their own
    return file_appeal(refund_freeze(Decimal("599.00"), customer=people["owner"]))


# --- the full matrix ------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("state", ALL_STATES)
@pytest.mark.parametrize("action", ACTIONS)
def test_transition_matrix(action, state, role, people, appeal):
    reach(state, appeal, people)
    actor = people[role]
    outcome = expected_outcome(action, state, role)
    if outcome != "ok":
        assert_refused(outcome, lambda: act(action, appeal, actor), appeal)
        return

    before = snapshot(appeal)
    act(action, appeal, actor)
    after = Appeal.objects.select_related("freeze").get(pk=appeal.pk)
    target = TARGETS[action]
    assert after.state == target
    event = AppealEvent.objects.filter(appeal=appeal).last()
    assert AppealEvent.objects.filter(appeal=appeal).count() == before["events"] + 1
    name = "reject_escalated" if action == "reject" and state == S.ESCALATED else action
    assert (event.transition, event.from_state, event.to_state, event.actor) == (name, state, target, actor)

    released = LedgerEntry.objects.filter(freeze=after.freeze, kind=LedgerEntry.Kind.RELEASE).count()
    if action == "approve":
        assert (after.decided_by, released, after.freeze.status) == (actor, 1, Freeze.Status.RELEASED)
        assert after.decided_at is not None
    else:
        assert (released, after.freeze.status) == (0, Freeze.Status.ACTIVE)
        assert LedgerEntry.objects.count() == before["ledger"]
    if action == "reject":
        assert (after.decided_by, after.reject_reason) == (actor, RejectReason.EVIDENCE_MISMATCH)
    if action == "claim":
        assert after.assignee == actor
    elif action != "withdraw" or state != S.SUBMITTED:
        assert after.assignee == people["assignee"]  # no other transition changes the assignee
    assert ledger_mismatches() == []


# --- resubmit keeps the assignee ------------------------------------------------------------------


def test_resubmit_goes_back_to_the_same_assignee_with_new_evidence(people, appeal):
    reach(S.INFO_REQUESTED, appeal, people)
    submit.appeal_resubmit(appeal_id=appeal.pk, actor=people["owner"], message="",
                             files=[(Evidence.Kind.LOGISTICS, upload("more.png"))])
    after = Appeal.objects.get(pk=appeal.pk)
    assert (after.state, after.assignee) == (S.IN_REVIEW, people["assignee"])
    assert after.evidence.count() == 4
    # The new screenshot is not read yet: its risk is not known, so nobody decides until the worker has.
    assert after.is_risk_pending
    assert_refused(RiskPending, lambda: act("approve", appeal, people["assignee"]), appeal)
    for evidence in after.evidence.filter(status=Evidence.Status.PENDING):
        evidence_process(evidence_id=evidence.pk)
    assert not Appeal.objects.get(pk=appeal.pk).is_risk_pending
    # …and that agent, not another, carries on.
    assert_refused(NotAllowed, lambda: act("approve", appeal, people["other_agent"]), appeal)
    act("approve", appeal, people["assignee"])
    assert Appeal.objects.get(pk=appeal.pk).state == S.APPROVED


def test_resubmit_needs_a_message_or_a_screenshot(people, appeal):
    reach(S.INFO_REQUESTED, appeal, people)
    assert_refused(InvalidAppeal, lambda: act("resubmit", appeal, people["owner"], message="  \n", files=[]), appeal)


# --- required messages and reasons ----------------------------------------------------------------


@pytest.mark.parametrize("message", ["", "   ", "\n\t"])
def test_request_info_needs_a_message(message, people, appeal):
    reach(S.IN_REVIEW, appeal, people)
    assert_refused(InvalidAppeal, lambda: act("request_info", appeal, people["assignee"], message=message), appeal)


def test_request_info_message_reaches_the_customer(people, appeal):
    reach(S.IN_REVIEW, appeal, people)
    act("request_info", appeal, people["assignee"], message="  请补充退款凭证  ")
    event = AppealEvent.objects.filter(appeal=appeal).last()
    assert event.customer_message == "请补充退款凭证"
    assert Notification.objects.filter(user=people["owner"], message__contains="请补充退款凭证").exists()


@pytest.mark.parametrize("note", ["", "  "])
def test_escalate_needs_a_note(note, people, appeal):
    reach(S.IN_REVIEW, appeal, people)
    assert_refused(InvalidAppeal, lambda: act("escalate", appeal, people["assignee"], note=note), appeal)


@pytest.mark.parametrize("reason", RejectReason.values)
def test_reject_with_each_listed_reason(reason, people, appeal):
    reach(S.IN_REVIEW, appeal, people)
    act("reject", appeal, people["assignee"], reason=reason)
    after = Appeal.objects.get(pk=appeal.pk)
    assert (after.state, after.reject_reason) == (S.REJECTED, reason)


@pytest.mark.parametrize("reason", ["", "because", "EVIDENCE_MISSING", None])
def test_reject_refuses_a_reason_not_in_the_list(reason, people, appeal):
    reach(S.IN_REVIEW, appeal, people)
    assert_refused(InvalidAppeal, lambda: act("reject", appeal, people["assignee"], reason=reason), appeal)


@pytest.mark.parametrize("message", ["", "   "])
def test_reject_needs_a_message(message, people, appeal):
    reach(S.IN_REVIEW, appeal, people)
    assert_refused(InvalidAppeal, lambda: act("reject", appeal, people["assignee"], message=message), appeal)


def test_supervisor_rejects_an_escalated_appeal_and_nothing_is_released(people, appeal):
    reach(S.ESCALATED, appeal, people)
    act("reject", appeal, people["supervisor"], reason=RejectReason.SUSPECTED_CASH_OUT)
    after = Appeal.objects.select_related("freeze").get(pk=appeal.pk)
    assert (after.state, after.decided_by, after.reject_reason) == (
        S.REJECTED, people["supervisor"], RejectReason.SUSPECTED_CASH_OUT)
    assert after.freeze.status == Freeze.Status.ACTIVE
    assert not LedgerEntry.objects.filter(freeze=after.freeze, kind=LedgerEntry.Kind.RELEASE).exists()
    assert ledger_mismatches() == []


# --- money: approve releases once, reject never ---------------------------------------------------


def test_approve_releases_the_freeze_exactly_once(people, appeal):
    reach(S.IN_REVIEW, appeal, people)
    account = CreditAccount.objects.get(pk=appeal.freeze.account_id)
    result = act("approve", appeal, people["assignee"])
    assert result.released
    account_after = CreditAccount.objects.get(pk=account.pk)
    assert account_after.available - account.available == Decimal("599.00")
    assert account_after.frozen == account.frozen - Decimal("599.00")
    for actor in (people["assignee"], people["supervisor"]):
        assert_refused(AlreadyDecided, lambda actor=actor: act("approve", appeal, actor), appeal)
    entries = LedgerEntry.objects.filter(freeze=appeal.freeze, kind=LedgerEntry.Kind.RELEASE)
    assert [(e.amount, e.actor, e.note) for e in entries] == [(Decimal("599.00"), people["assignee"],
                                                               appeal.reference)]
    freeze = Freeze.objects.get(pk=appeal.freeze_id)
    assert (freeze.status, freeze.release_source) == (Freeze.Status.RELEASED, Freeze.ReleaseSource.APPEAL)
    assert ledger_mismatches() == []


def test_reject_releases_nothing(people, appeal):
    reach(S.IN_REVIEW, appeal, people)
    account = CreditAccount.objects.get(pk=appeal.freeze.account_id)
    ledger_before = LedgerEntry.objects.count()
    act("reject", appeal, people["assignee"])
    assert LedgerEntry.objects.count() == ledger_before
    account_after = CreditAccount.objects.get(pk=account.pk)
    assert (account_after.frozen, account_after.available) == (account.frozen, account.available)
    assert Freeze.objects.get(pk=appeal.freeze_id).status == Freeze.Status.ACTIVE
    assert ledger_mismatches() == []


# --- already decided: the message names who decided -----------------------------------------------


@pytest.mark.parametrize("decision", ["approve", "reject"])
@pytest.mark.parametrize("then", ["approve", "reject", "withdraw", "claim", "escalate", "request_info"])
def test_deciding_again_says_who_decided(decision, then, people, appeal):
    reach(S.IN_REVIEW, appeal, people)
    act(decision, appeal, people["assignee"])
    actor = people["owner"] if then == "withdraw" else people["supervisor"]
    with translation.override("en"):
        error = assert_refused(AlreadyDecided, lambda: act(then, appeal, actor), appeal)
        message = str(error.message)
    assert re.search(rf"already \w+ by {re.escape(people['assignee'].username)}\b", message), message
    assert (people["supervisor"].username not in message) and (people["owner"].username not in message)


def test_already_decided_after_escalation_names_the_supervisor(people, appeal):
    reach(S.ESCALATED, appeal, people)
    act("approve", appeal, people["supervisor"])
    with translation.override("en"):
        error = assert_refused(AlreadyDecided, lambda: act("reject", appeal, people["assignee"]), appeal)
        message = str(error.message)
    assert f"by {people['supervisor'].username}" in message


def test_withdrawn_is_wrong_state_not_already_decided(people, appeal):
    reach(S.WITHDRAWN, appeal, people)
    error = assert_refused(WrongState, lambda: act("approve", appeal, people["assignee"]), appeal)
    assert not isinstance(error, AlreadyDecided)


# --- four eyes ------------------------------------------------------------------------------------


def claimed(freeze, agent):
    appeal = file_appeal(freeze) if freeze.refund_id else submit_appeal(
        customer=freeze.account.customer, freeze_id=freeze.pk, order_number="", tracking_number="",
        description="请人工复核", files=[])
    review.appeal_claim(appeal_id=appeal.pk, actor=agent)
    return appeal


def assert_four_eyes(appeal, proposer, confirmer, other_agent):
    """No one approves alone; the proposer proposes, and only a different supervisor confirms."""
    with translation.override("en"):
        error = assert_refused(NotAllowed, lambda: act("approve", appeal, proposer), appeal)
        assert "two people" in str(error.message), error.message
    for nobody in (other_agent, confirmer):  # not working the appeal: no proposal, and no lone approval
        assert_refused(NotAllowed, lambda nobody=nobody: act("approve", appeal, nobody), appeal)
    assert_refused(NotAllowed, lambda: act("propose", appeal, other_agent), appeal)
    four_eyes.appeal_propose_approval(appeal_id=appeal.pk, actor=proposer, note="退货记录与截图一致")
    proposed = Appeal.objects.select_related("freeze").get(pk=appeal.pk)
    assert (proposed.state, proposed.proposed_by, proposed.freeze.status) == (
        S.APPROVAL_PROPOSED, proposer, Freeze.Status.ACTIVE)
    with translation.override("en"):
        error = assert_refused(NotAllowed, lambda: act("confirm", appeal, proposer), appeal)
        if roles.is_supervisor(proposer):
            assert "a different supervisor" in str(error.message), error.message
    assert_refused(NotAllowed, lambda: act("confirm", appeal, other_agent), appeal)
    result = act("confirm", appeal, confirmer)
    after = Appeal.objects.select_related("freeze").get(pk=appeal.pk)
    assert result.released
    assert (after.state, after.decided_by, after.proposed_by, after.freeze.status) == (
        S.APPROVED, confirmer, proposer, Freeze.Status.RELEASED)
    log = list(AppealEvent.objects.filter(appeal=appeal, transition__in=["propose_approval", "confirm_approval"])
               .values_list("transition", "actor"))
    assert log == [("propose_approval", proposer.pk), ("confirm_approval", confirmer.pk)]
    assert LedgerEntry.objects.filter(freeze=after.freeze, kind=LedgerEntry.Kind.RELEASE).count() == 1
    assert ledger_mismatches() == []


def test_default_four_eyes_amount_is_5000(settings):
    assert Decimal(settings.APPEAL_SUPERVISOR_AMOUNT) == Decimal("5000.00")


def test_at_the_threshold_the_agent_proposes_and_a_supervisor_confirms(people):
    appeal = claimed(refund_freeze(Decimal("5000.00")), people["assignee"])
    assert appeal.requires_supervisor
    assert_four_eyes(appeal, people["assignee"], people["supervisor"], people["other_agent"])


def test_one_fen_below_the_threshold_the_agent_approves_alone(people):
    appeal = claimed(refund_freeze(Decimal("4999.99")), people["assignee"])
    assert_refused(NotAllowed, lambda: act("propose", appeal, people["assignee"]), appeal)
    result = act("approve", appeal, people["assignee"])
    assert result.released
    assert Appeal.objects.get(pk=appeal.pk).decided_by == people["assignee"]


def test_threshold_follows_the_setting(settings, people):
    settings.APPEAL_SUPERVISOR_AMOUNT = "500.00"
    appeal = claimed(refund_freeze(Decimal("599.00")), people["assignee"])
    assert_four_eyes(appeal, people["assignee"], people["supervisor"], people["other_agent"])


def test_high_risk_malicious_freeze_takes_four_eyes(people):
    account = make_account(customer=CustomerFactory())
    freeze = ledger.freeze_create(account=account, amount=Decimal("80.00"), reason=Freeze.Reason.MALICIOUS)
    appeal = claimed(freeze, people["assignee"])
    assert Appeal.objects.get(pk=appeal.pk).risk_level == RiskLevel.HIGH
    assert_four_eyes(appeal, people["assignee"], people["supervisor"], people["other_agent"])


def test_banned_account_takes_four_eyes(people):
    appeal = claimed(refund_freeze(Decimal("120.00")), people["assignee"])
    ledger.account_set_status(account=appeal.freeze.account, status=CreditAccount.Status.BANNED)
    assert_four_eyes(appeal, people["assignee"], people["supervisor"], people["other_agent"])


def test_a_supervisor_working_the_appeal_cannot_confirm_their_own_proposal(people):
    boss = SupervisorFactory()
    appeal = claimed(refund_freeze(Decimal("7300.00")), boss)
    assert_four_eyes(appeal, boss, people["supervisor"], people["other_agent"])


def test_a_superuser_supervisor_cannot_confirm_their_own_proposal(people):
    root = SupervisorFactory(is_superuser=True)
    appeal = claimed(refund_freeze(Decimal("8800.00")), people["assignee"])
    act("escalate", appeal, people["assignee"])
    assert_four_eyes(appeal, root, people["supervisor"], people["other_agent"])


def test_a_superuser_without_a_role_neither_proposes_nor_confirms(people):
    root = UserFactory(is_superuser=True, is_staff=True)
    appeal = claimed(refund_freeze(Decimal("6100.00")), people["assignee"])
    assert_refused(NotAllowed, lambda: act("propose", appeal, root), appeal)
    assert_refused(NotAllowed, lambda: act("approve", appeal, root), appeal)
    four_eyes.appeal_propose_approval(appeal_id=appeal.pk, actor=people["assignee"], note="核实无误")
    assert_refused(NotAllowed, lambda: act("confirm", appeal, root), appeal)


def test_an_escalated_four_eyes_appeal_is_proposed_by_one_supervisor_and_confirmed_by_another(people):
    appeal = claimed(refund_freeze(Decimal("6000.00")), people["assignee"])
    act("escalate", appeal, people["assignee"])
    assert_four_eyes(appeal, SupervisorFactory(), people["supervisor"], people["assignee"])


def test_the_confirming_supervisor_sends_the_proposal_back_to_the_proposer(people):
    appeal = claimed(refund_freeze(Decimal("5200.00")), people["assignee"])
    four_eyes.appeal_propose_approval(appeal_id=appeal.pk, actor=people["assignee"], note="截图一致")
    assert_refused(NotAllowed, lambda: act("return", appeal, people["assignee"]), appeal)
    with pytest.raises(InvalidAppeal):
        four_eyes.appeal_return_proposal(appeal_id=appeal.pk, actor=people["supervisor"], note=" ")
    four_eyes.appeal_return_proposal(appeal_id=appeal.pk, actor=people["supervisor"], note="物流单号对不上")
    back = Appeal.objects.select_related("freeze").get(pk=appeal.pk)
    assert (back.state, back.assignee, back.proposed_by, back.freeze.status) == (
        S.IN_REVIEW, people["assignee"], None, Freeze.Status.ACTIVE)
    assert AppealEvent.objects.filter(appeal=appeal, transition="return_proposal").get().note == "物流单号对不上"
    assert LedgerEntry.objects.filter(freeze=back.freeze, kind=LedgerEntry.Kind.RELEASE).count() == 0


def test_a_proposal_needs_a_note(people):
    appeal = claimed(refund_freeze(Decimal("5000.00")), people["assignee"])
    before = snapshot(appeal)
    with pytest.raises(InvalidAppeal):
        four_eyes.appeal_propose_approval(appeal_id=appeal.pk, actor=people["assignee"], note="")
    assert snapshot(appeal) == before


# --- an agent (or supervisor) never decides their own appeal --------------------------------------


@pytest.fixture
def own_appeal():
    """An agent who also has a monthly-pay credit line, and an appeal on it."""
    agent = AgentFactory()
    freeze = refund_freeze(Decimal("300.00"), customer=agent)  # make_account(customer=agent) inside
    return agent, file_appeal(freeze)


def test_agent_files_an_appeal_on_their_own_credit_line_like_any_customer(own_appeal):
    agent, appeal = own_appeal
    assert (appeal.customer, appeal.state) == (agent, S.SUBMITTED)


def test_agent_cannot_claim_their_own_appeal(own_appeal):
    agent, appeal = own_appeal
    assert_refused(NotAllowed, lambda: act("claim", appeal, agent), appeal)


@pytest.mark.parametrize("action", ["request_info", "escalate", "approve", "reject"])
def test_agent_cannot_decide_their_own_appeal_even_if_assigned_to_it(action, own_appeal):
    agent, appeal = own_appeal
    review.appeal_claim(appeal_id=appeal.pk, actor=AgentFactory())
    # Assigned to themselves anyway (say, through the admin): the guard must still refuse.
    Appeal.objects.filter(pk=appeal.pk).update(assignee=agent)
    assert_refused(NotAllowed, lambda: act(action, appeal, agent), appeal)


def test_agent_owner_may_still_withdraw_and_resubmit_as_a_customer(own_appeal):
    agent, appeal = own_appeal
    colleague = AgentFactory()
    review.appeal_claim(appeal_id=appeal.pk, actor=colleague)
    act("request_info", appeal, colleague)
    act("resubmit", appeal, agent)
    assert Appeal.objects.get(pk=appeal.pk).assignee == colleague
    act("withdraw", appeal, agent)
    assert Appeal.objects.get(pk=appeal.pk).state == S.WITHDRAWN


def test_supervisor_cannot_decide_their_own_escalated_appeal():
    boss = SupervisorFactory()
    appeal = file_appeal(refund_freeze(Decimal("300.00"), customer=boss))
    agent = AgentFactory()
    review.appeal_claim(appeal_id=appeal.pk, actor=agent)
    act("escalate", appeal, agent)
    assert_refused(NotAllowed, lambda: act("approve", appeal, boss), appeal)
    assert_refused(NotAllowed, lambda: act("reject", appeal, boss), appeal)
    act("approve", appeal, SupervisorFactory())
    assert Appeal.objects.get(pk=appeal.pk).state == S.APPROVED


# --- one open appeal per freeze -------------------------------------------------------------------


def test_second_appeal_on_the_same_freeze_is_refused(appeal):
    with pytest.raises(InvalidAppeal):
        file_appeal(appeal.freeze)
    assert Appeal.objects.filter(freeze=appeal.freeze).count() == 1


def test_after_withdrawal_a_new_appeal_can_be_filed(people, appeal):
    act("withdraw", appeal, people["owner"])
    second = file_appeal(appeal.freeze)
    assert second.pk != appeal.pk and second.state == S.SUBMITTED
    assert sorted(Appeal.objects.filter(freeze=appeal.freeze).values_list("state", flat=True)) == sorted(
        [S.SUBMITTED, S.WITHDRAWN])
    with pytest.raises(InvalidAppeal):
        file_appeal(appeal.freeze)


def test_after_rejection_a_new_appeal_can_be_filed(people, appeal):
    reach(S.REJECTED, appeal, people)
    assert file_appeal(appeal.freeze).state == S.SUBMITTED


def test_after_approval_there_is_nothing_left_to_appeal(people, appeal):
    reach(S.APPROVED, appeal, people)
    with pytest.raises(InvalidAppeal):
        file_appeal(appeal.freeze)


def test_database_refuses_a_second_open_appeal_row(appeal):
    with pytest.raises(IntegrityError), transaction.atomic():
        Appeal.objects.create(customer=appeal.customer, freeze=appeal.freeze, description="duplicate")
    # A closed row beside the open one is fine: the constraint is on open appeals only.
    closed = Appeal.objects.create(customer=appeal.customer, freeze=appeal.freeze, description="old",
                                   state=S.WITHDRAWN)
    assert closed.pk


# --- filing: whose freeze, which screenshots, which order -----------------------------------------


def test_cannot_appeal_another_customers_freeze(people):
    freeze = refund_freeze(customer=people["owner"])
    make_account(customer=people["other_customer"])
    with pytest.raises(InvalidAppeal):
        submit_appeal(
            customer=people["other_customer"], freeze_id=freeze.pk, order_number=freeze.refund.order.number,
            tracking_number="", description="不是我的", files=three_screenshots())
    assert not Appeal.objects.exists()
    assert not Evidence.objects.exists()


@pytest.mark.parametrize("missing", [Evidence.Kind.ORDER, Evidence.Kind.LOGISTICS, Evidence.Kind.REFUND_RECEIPT])
def test_each_required_screenshot_is_required_and_named(missing):
    freeze = refund_freeze()
    files = [(kind, f) for kind, f in three_screenshots() if kind != missing]
    files.append((Evidence.Kind.OTHER, upload("extra.png")))  # another kind does not stand in for it
    with translation.override("en"):
        with pytest.raises(InvalidAppeal) as info:
            file_appeal(freeze, files=files)
        message = str(info.value.message)
        labels = {k: str(Evidence.Kind(k).label) for k in (Evidence.Kind.ORDER, Evidence.Kind.LOGISTICS,
                                                             Evidence.Kind.REFUND_RECEIPT)}
    assert labels == {Evidence.Kind.ORDER: "Order screenshot", Evidence.Kind.LOGISTICS: "Return logistics screenshot",
                      Evidence.Kind.REFUND_RECEIPT: "Refund receipt"}
    assert labels[missing] in message
    assert [k for k, label in labels.items() if label in message] == [missing]
    assert not Appeal.objects.exists()


def test_wrong_order_number_is_refused():
    freeze = refund_freeze()
    with pytest.raises(InvalidAppeal):
        submit_appeal(customer=freeze.account.customer, freeze_id=freeze.pk, order_number="DY999999999999",
                               tracking_number="", description="x", files=three_screenshots())
    assert not Appeal.objects.exists()


def test_released_freeze_cannot_be_appealed():
    freeze = refund_freeze()
    ledger.freeze_release(freeze=freeze, source=Freeze.ReleaseSource.TIMER)
    with pytest.raises(InvalidAppeal):
        file_appeal(freeze)


def test_non_refund_freeze_needs_no_screenshots_or_order_number():
    account = make_account(customer=CustomerFactory())
    freeze = ledger.freeze_create(account=account, amount=Decimal("50.00"), reason=Freeze.Reason.MALICIOUS)
    appeal = submit_appeal(customer=account.customer, freeze_id=freeze.pk, order_number="",
                                    tracking_number="", description="请复核", files=[])
    assert (appeal.state, appeal.risk_level, appeal.evidence.count()) == (S.SUBMITTED, RiskLevel.HIGH, 0)


def test_submit_records_the_event_and_notifies_the_customer():
    appeal = file_appeal()
    events = list(AppealEvent.objects.filter(appeal=appeal).values_list("transition", "to_state", "actor"))
    assert events == [("submit", S.SUBMITTED, appeal.customer_id)]
    assert Notification.objects.filter(user=appeal.customer, appeal=appeal).count() == 1
    assert sorted(appeal.evidence.values_list("kind", flat=True)) == sorted(
        [Evidence.Kind.ORDER, Evidence.Kind.LOGISTICS, Evidence.Kind.REFUND_RECEIPT])

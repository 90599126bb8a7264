"""The customer's review (复核) of a rejection or of an automatic risk decision: asked within 30
days, one per decision, decided within 30 days by a supervisor who took no part in the original
(the service refuses them, and so does the model's guard), upheld or overturned through the ledger."""

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.utils import translation
from django_fsm import has_transition_perm

from accounts.models import AccountStatusChange, CreditAccount, Freeze
from accounts.services import ledger
from accounts.tests.factories import (
    AgentFactory,
    CustomerFactory,
    SupervisorFactory,
    make_account,
    make_order,
    make_refund,
)
from appeals.errors import InvalidAppeal, NotAllowed, WrongState
from appeals.models import Appeal, Evidence, Notification, RejectReason, Review, ReviewEvent, ReviewState, State
from appeals.tests.factories import file_appeal, refund_freeze, upload
from appeals.workflow import decide, four_eyes, review, reviews
from events.models import Event

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 12, 1, 9, 30, tzinfo=TZ)


def rejected(agent, amount=Decimal("420.00"), proposer=None):
    """An appeal the agent rejects (after a four-eyes proposal sent back, when `proposer` is given)."""
    appeal = file_appeal(refund_freeze(amount))
    review.appeal_claim(appeal_id=appeal.pk, actor=agent)
    decide.appeal_reject(appeal_id=appeal.pk, actor=agent, reason=RejectReason.EVIDENCE_MISMATCH,
                         message="退款凭证金额与订单不符")
    return Appeal.objects.get(pk=appeal.pk)


def ask(appeal, files=(), reason="退款凭证是平台截图,金额含运费"):
    return reviews.review_request(customer=appeal.customer, appeal_id=appeal.pk, reason=reason, files=list(files))


def clean_ledger():
    call_command("verify_ledger")


def test_a_rejection_is_reviewed_and_overturned_by_a_supervisor_who_was_not_involved():
    agent, boss = AgentFactory(), SupervisorFactory()
    with time_machine.travel(START, tick=False):
        appeal = rejected(agent)
    with time_machine.travel(START + timedelta(days=29), tick=False):
        asked = ask(appeal, files=[(Evidence.Kind.REFUND_RECEIPT, upload("receipt2.png"))])
    assert (asked.state, asked.kind, asked.reviewer) == (ReviewState.REQUESTED, "rejection", None)
    assert asked.due_at == START + timedelta(days=29 + 30)
    assert Evidence.objects.filter(appeal=appeal, kind=Evidence.Kind.REFUND_RECEIPT).count() == 2
    assert Event.objects.filter(type="review.requested", data__reference=asked.reference).count() == 1
    with time_machine.travel(START + timedelta(days=40), tick=False):
        reviews.review_decide(review_id=asked.pk, actor=boss, outcome="overturn", message="运费已核实,金额一致",
                              note="receipt shows shipping fee")
    done = Review.objects.get(pk=asked.pk)
    after = Appeal.objects.select_related("freeze").get(pk=appeal.pk)
    assert (done.state, done.reviewer) == (ReviewState.OVERTURNED, boss)
    assert (after.state, after.decided_by, after.freeze.status) == (State.APPROVED, boss, Freeze.Status.RELEASED)
    assert after.freeze.release_source == Freeze.ReleaseSource.APPEAL
    assert list(ReviewEvent.objects.filter(review=asked).values_list("action", "actor")) == [
        ("request", appeal.customer_id), ("overturn", boss.pk)]
    assert Event.objects.filter(type="review.decided", data__state="overturned").count() == 1
    clean_ledger()


def test_the_original_decider_is_refused_by_the_service_and_by_the_guard():
    agent = SupervisorFactory()  # a supervisor who rejected the appeal himself
    appeal = rejected(agent)
    asked = ask(appeal)
    with pytest.raises(NotAllowed):
        reviews.review_decide(review_id=asked.pk, actor=agent, outcome="overturn", message="我重新看了")
    with pytest.raises(NotAllowed):
        reviews.review_decide(review_id=asked.pk, actor=agent, outcome="uphold", message="维持")
    fresh = Review.objects.get(pk=asked.pk)
    assert not has_transition_perm(fresh.overturn, agent) and not has_transition_perm(fresh.uphold, agent)
    assert has_transition_perm(fresh.uphold, SupervisorFactory())
    assert fresh.state == ReviewState.REQUESTED and ReviewEvent.objects.filter(review=asked).count() == 1


def test_whoever_proposed_or_confirmed_the_original_cannot_review_it():
    agent, proposer = AgentFactory(), SupervisorFactory()
    appeal = file_appeal(refund_freeze(Decimal("6400.00")))
    review.appeal_claim(appeal_id=appeal.pk, actor=proposer)
    four_eyes.appeal_propose_approval(appeal_id=appeal.pk, actor=proposer, note="看起来没问题")
    returner = SupervisorFactory()
    four_eyes.appeal_return_proposal(appeal_id=appeal.pk, actor=returner, note="物流不符")
    decide.appeal_reject(appeal_id=appeal.pk, actor=proposer, reason=RejectReason.EVIDENCE_MISMATCH, message="不符")
    asked = ask(Appeal.objects.get(pk=appeal.pk))
    for person in (proposer, returner):
        with pytest.raises(NotAllowed):
            reviews.review_decide(review_id=asked.pk, actor=person, outcome="uphold", message="维持")
    with pytest.raises(NotAllowed):  # an agent is not a reviewer of reviews
        reviews.review_decide(review_id=asked.pk, actor=agent, outcome="uphold", message="维持")
    reviews.review_decide(review_id=asked.pk, actor=SupervisorFactory(), outcome="uphold", message="维持原决定")
    assert Review.objects.get(pk=asked.pk).state == ReviewState.UPHELD


def test_an_upheld_review_changes_no_money_and_says_so():
    appeal = rejected(AgentFactory())
    asked = ask(appeal)
    with translation.override("en"):
        reviews.review_decide(review_id=asked.pk, actor=SupervisorFactory(), outcome="uphold",
                              message="凭证金额仍不一致")
        told = Notification.objects.filter(user=appeal.customer).order_by("-pk").first().text
    assert "the decision stands" in told and "凭证金额仍不一致" in told
    assert Appeal.objects.get(pk=appeal.pk).state == State.REJECTED
    assert appeal.freeze.__class__.objects.get(pk=appeal.freeze_id).status == Freeze.Status.ACTIVE
    with pytest.raises(WrongState):
        reviews.review_decide(review_id=asked.pk, actor=SupervisorFactory(), outcome="overturn", message="改判")
    clean_ledger()


def test_one_review_per_decision_in_the_service_and_the_database():
    appeal = rejected(AgentFactory())
    first = ask(appeal)
    with pytest.raises(InvalidAppeal):
        ask(appeal, reason="再申请一次")
    with pytest.raises(IntegrityError), transaction.atomic():
        Review.objects.create(customer=appeal.customer, kind="rejection", appeal=appeal, freeze=appeal.freeze,
                              reason="dup", decision_at=first.decision_at, due_at=first.due_at)


def test_a_review_is_asked_within_30_days_only():
    with time_machine.travel(START, tick=False):
        appeal = rejected(AgentFactory())
    with time_machine.travel(START + timedelta(days=30, seconds=1), tick=False), pytest.raises(InvalidAppeal):
        ask(appeal)
    assert not Review.objects.exists()


def test_only_a_rejected_appeal_and_only_its_customer():
    appeal = file_appeal(refund_freeze())
    with pytest.raises(InvalidAppeal):
        ask(appeal)
    done = rejected(AgentFactory())
    with pytest.raises(InvalidAppeal):
        reviews.review_request(customer=CustomerFactory(), appeal_id=done.pk, reason="不是我的", files=[])
    with pytest.raises(InvalidAppeal):
        ask(done, reason="  ")


def banned_by_the_rules():
    account = make_account(Decimal("4000.00"))
    make_refund(make_order(account, Decimal("210.00")))
    refund = make_refund(make_order(account, Decimal("900.00")), return_address="虚拟地址 驿站 3 号")
    account.refresh_from_db()
    assert account.status == CreditAccount.Status.BANNED
    return account, refund.freezes.get()


def test_an_automatic_ban_is_reviewed_and_overturned_with_four_eyes_restoring_the_account():
    account, freeze = banned_by_the_rules()
    asked = reviews.review_request(customer=account.customer, freeze_id=freeze.pk, reason="我是正常退货,请人工复核",
                                   files=[])
    assert asked.kind == "automatic" and asked.original_decider_ids() == set()
    first, second = SupervisorFactory(), SupervisorFactory()
    reviews.review_decide(review_id=asked.pk, actor=first, outcome="overturn", message="已核实为正常退货")
    assert Review.objects.get(pk=asked.pk).state == ReviewState.OVERTURN_PROPOSED
    assert Freeze.objects.get(pk=freeze.pk).status == Freeze.Status.ACTIVE
    with pytest.raises(NotAllowed):
        reviews.review_confirm_overturn(review_id=asked.pk, actor=first)
    reviews.review_confirm_overturn(review_id=asked.pk, actor=second)
    account.refresh_from_db()
    assert account.status == CreditAccount.Status.ACTIVE
    assert Freeze.objects.get(pk=freeze.pk).release_source == Freeze.ReleaseSource.REVIEW
    assert not Freeze.objects.filter(account=account, status="active", reason=Freeze.Reason.MALICIOUS).exists()
    change = AccountStatusChange.objects.filter(account=account).first()
    assert change.actor == second and first.username in change.note and asked.reference in change.note
    assert Event.objects.filter(type="account.restored", account_id=account.pk).count() == 1
    make_order(account, Decimal("66.00"))
    clean_ledger()


def test_a_freeze_a_person_made_is_not_an_automatic_decision():
    account = make_account(Decimal("3000.00"))
    freeze = ledger.freeze_create(account=account, amount=Decimal("300.00"), reason=Freeze.Reason.ABNORMAL,
                                  actor=SupervisorFactory())
    with pytest.raises(InvalidAppeal):
        reviews.review_request(customer=account.customer, freeze_id=freeze.pk, reason="请复核", files=[])
    normal = refund_freeze()
    with pytest.raises(InvalidAppeal):
        reviews.review_request(customer=normal.account.customer, freeze_id=normal.pk, reason="请复核", files=[])


def test_the_rejection_message_offers_a_review_with_link_and_deadline():
    with translation.override("en"), time_machine.travel(START, tick=False):
        appeal = rejected(AgentFactory())
        told = Notification.objects.filter(appeal=appeal).order_by("-pk").first().text
    assert "ask for a review by 2026-12-31" in told and f"/appeals/{appeal.reference}/#review" in told

"""Decisions racing on real PostgreSQL row locks: many threads, each on its own connection,
decide the same appeal at the same moment. (Skipped on SQLite by conftest.)"""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Group

from accounts import roles
from accounts.models import CreditAccount, Freeze, LedgerEntry, User
from accounts.selectors import ledger_mismatches
from accounts.tests.factories import AgentFactory, UserFactory
from appeals.errors import AlreadyDecided
from appeals.models import Appeal, AppealEvent, RejectReason, State
from appeals.tests.factories import file_appeal, refund_freeze
from appeals.workflow import decide, review
from conftest import run_together

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 16


@pytest.fixture
def claimed_appeal():
    """A low-risk 599.00 appeal claimed by an agent, who may approve or reject it alone."""
    # Transactional tests flush the role groups the data migration made; put them back.
    for name in (roles.CUSTOMER, roles.AGENT, roles.SUPERVISOR):
        Group.objects.get_or_create(name=name)
    appeal = file_appeal(refund_freeze(Decimal("599.00"), customer=UserFactory()))
    agent = AgentFactory()
    review.appeal_claim(appeal_id=appeal.pk, actor=agent)
    fresh = Appeal.objects.select_related("freeze").get(pk=appeal.pk)
    assert (fresh.state, fresh.assignee, fresh.requires_supervisor) == (State.IN_REVIEW, agent, False)
    return fresh, agent


def as_agent(agent_id, call):
    """Each thread loads its own copy of the agent, as each request would."""
    return lambda: call(User.objects.get(pk=agent_id))


def decisions(appeal):
    return list(AppealEvent.objects.filter(appeal=appeal, transition__in=["approve", "reject"])
                .values_list("transition", flat=True))


def test_sixteen_concurrent_approvals_release_once(claimed_appeal):
    appeal, agent = claimed_appeal
    account_before = CreditAccount.objects.get(pk=appeal.freeze.account_id)

    results = run_together([
        as_agent(agent.pk, lambda actor, i=i: decide.appeal_approve(appeal_id=appeal.pk, actor=actor,
                                                                      note=f"thread {i}"))
        for i in range(THREADS)
    ])

    approvals = [r for r in results if isinstance(r, decide.ApprovalResult)]
    refused = [r for r in results if isinstance(r, AlreadyDecided)]
    assert (len(approvals), len(refused)) == (1, THREADS - 1), results
    assert approvals[0].released
    assert all(agent.username in str(error) for error in refused)
    fresh = Appeal.objects.select_related("freeze").get(pk=appeal.pk)
    assert (fresh.state, fresh.decided_by_id) == (State.APPROVED, agent.pk)
    assert fresh.freeze.status == Freeze.Status.RELEASED
    assert LedgerEntry.objects.filter(freeze=appeal.freeze, kind=LedgerEntry.Kind.RELEASE).count() == 1
    assert decisions(appeal) == ["approve"]
    account = CreditAccount.objects.get(pk=account_before.pk)
    assert account.available - account_before.available == Decimal("599.00")
    assert ledger_mismatches() == []


def test_approve_racing_reject_ends_in_one_consistent_decision(claimed_appeal):
    appeal, agent = claimed_appeal
    half = THREADS // 2
    approve = [as_agent(agent.pk, lambda actor: decide.appeal_approve(appeal_id=appeal.pk, actor=actor))
               for _ in range(half)]
    reject = [as_agent(agent.pk, lambda actor: decide.appeal_reject(
        appeal_id=appeal.pk, actor=actor, reason=RejectReason.EVIDENCE_MISMATCH, message="截图与订单不符"))
        for _ in range(half)]
    works = [w for pair in zip(approve, reject, strict=True) for w in pair]  # interleaved start order

    results = run_together(works)

    winners = [r for r in results if not isinstance(r, Exception)]
    refused = [r for r in results if isinstance(r, AlreadyDecided)]
    assert (len(winners), len(refused)) == (1, THREADS - 1), results
    fresh = Appeal.objects.select_related("freeze").get(pk=appeal.pk)
    assert fresh.state in (State.APPROVED, State.REJECTED)
    approved = fresh.state == State.APPROVED
    assert isinstance(winners[0], decide.ApprovalResult) == approved
    assert decisions(appeal) == (["approve"] if approved else ["reject"])
    assert (fresh.reject_reason == "") == approved
    releases = LedgerEntry.objects.filter(freeze=appeal.freeze, kind=LedgerEntry.Kind.RELEASE).count()
    assert releases == (1 if approved else 0)
    assert fresh.freeze.status == (Freeze.Status.RELEASED if approved else Freeze.Status.ACTIVE)
    assert ledger_mismatches() == []


def test_two_taps_on_submit_at_once_file_one_appeal_and_both_land_on_it():
    from django.test import Client
    from django.urls import reverse

    from appeals.tests.factories import image_bytes, upload

    def screenshot(name, text="订单"):
        return upload(name, image_bytes(text=text))

    freeze = refund_freeze(Decimal("599.00"), customer=UserFactory())
    order = freeze.refund.order

    def tap():
        client = Client()
        client.force_login(freeze.account.customer)
        return client.post(reverse("appeal-create", args=[freeze.pk]), {
            "order_number": order.number, "tracking_number": freeze.refund.tracking_number, "amount": "599.00",
            "description": "已退货，请解冻", "order_screenshot": screenshot("o.png"),
            "logistics_screenshot": screenshot("l.png", text="SF1"), "refund_receipt": screenshot("r.png"),
        })

    responses = run_together([tap, tap])
    appeal = Appeal.objects.get(freeze=freeze)
    assert [r.status_code for r in responses] == [302, 302], responses
    assert {r.url for r in responses} == {reverse("appeal-detail", args=[appeal.reference])}
    assert appeal.evidence.count() == 3

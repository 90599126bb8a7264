"""Overturns keep history: the original rejection, its reason and its decider stay in the
customer's timeline, the admin's log and the CSV, which has one row per decision, overturn and review."""

import csv
import io
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation

from accounts.tests.factories import AgentFactory, SupervisorFactory
from appeals import selectors
from appeals.models import AppealEvent, AuditSample, RejectReason
from appeals.tests.desk.test_admin import make_appeal
from appeals.workflow import audit, decide, four_eyes, review, reviews

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def login(client, settings):
    def _login(user):
        client.force_login(user)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return client

    return _login


def reject(appeal, agent, reason=RejectReason.EVIDENCE_MISMATCH, message="物流单号与订单不符"):
    review.appeal_claim(appeal_id=appeal.pk, actor=agent)
    decide.appeal_reject(appeal_id=appeal.pk, actor=agent, reason=reason, message=message)


def overturned_on_audit(agent, auditor):
    appeal = make_appeal()
    reject(appeal, agent)
    event = AppealEvent.objects.get(appeal=appeal, transition="reject")
    sample = AuditSample.objects.create(event=event, appeal=appeal, decided_by=agent, decided_on=event.created_at,
                                        reason=AuditSample.Reason.SAMPLED)
    audit.audit_record_verdict(sample_id=sample.pk, supervisor=auditor, verdict="overturned", note="物流其实一致")
    return appeal


def test_the_customer_timeline_keeps_the_overturned_rejection_with_its_reason():
    appeal = overturned_on_audit(AgentFactory(), SupervisorFactory())
    with translation.override("en"):
        lines = [line for _when, line in selectors.customer_timeline(appeal)]
    rejected = [line for line in lines if line.startswith("Not approved")]
    assert rejected == ["Not approved (Evidence does not match the order): 物流单号与订单不符 (decided by our staff)"]
    assert any("re-checked the decision and approved" in line for line in lines)
    assert "()" not in " ".join(lines)


def test_the_admin_log_shows_the_original_decider_and_reason_after_an_overturn(login):
    agent = AgentFactory(username="agent_wang")
    appeal = overturned_on_audit(agent, SupervisorFactory(username="sup_li"))
    page = login(SupervisorFactory()).get(reverse("admin:appeals_appeal_change", args=[appeal.pk])).content.decode()
    assert "agent_wang" in page and "sup_li" in page and "Evidence does not match the order" in page


def test_the_csv_has_a_row_for_each_decision_overturn_and_review(login):
    agent, proposer = AgentFactory(username="a_zhao"), AgentFactory(username="a_sun")
    auditor, confirmer, reviewer = (SupervisorFactory(username=name) for name in ("s_qian", "s_li", "s_zhou"))
    with time_machine.travel(datetime(2026, 12, 1, 10, tzinfo=TZ), tick=False):
        audited = overturned_on_audit(agent, auditor)
    with time_machine.travel(datetime(2026, 12, 1, 11, tzinfo=TZ), tick=False):
        big = make_appeal(amount=Decimal("5800.00"))
        review.appeal_claim(appeal_id=big.pk, actor=proposer)
        four_eyes.appeal_propose_approval(appeal_id=big.pk, actor=proposer, note="齐全")
        four_eyes.appeal_confirm_approval(appeal_id=big.pk, actor=confirmer)
    with time_machine.travel(datetime(2026, 12, 1, 12, tzinfo=TZ), tick=False):
        contested = make_appeal()
        reject(contested, agent, reason=RejectReason.DUPLICATE, message="重复申诉")
        asked = reviews.review_request(customer=contested.customer, appeal_id=contested.pk, reason="不是重复", files=[])
    with time_machine.travel(datetime(2026, 12, 2, 9, tzinfo=TZ), tick=False):
        reviews.review_decide(review_id=asked.pk, actor=reviewer, outcome="overturn", message="确认不是重复申诉")
    response = login(SupervisorFactory()).get(reverse("admin:appeals_decisions_csv"),
                                              {"start": "2026-12-01", "end": "2026-12-02"})
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    got = [(r["Reference"], r["Decided by"], r["Decision"], r["Outcome"], r["Reject reason"],
            r["Approval proposed by"]) for r in rows]
    assert got == [
        (audited.reference, "a_zhao", "Reject", "Rejected", "Evidence does not match the order", ""),
        (audited.reference, "s_qian", "Rejection overturned on audit", "Approved", "", ""),
        (big.reference, "s_li", "Confirm approval and release", "Approved", "", "a_sun"),
        (contested.reference, "a_zhao", "Reject", "Rejected", "Duplicate appeal", ""),
        (contested.reference, "s_zhou", "Rejection overturned on the customer's review", "Approved", "", ""),
        (asked.reference, "s_zhou", "Decision overturned", "Decision overturned", "", ""),
    ]
    assert rows[-1]["Appeal"] == contested.reference and rows[-1]["Past its due time"] == "No"

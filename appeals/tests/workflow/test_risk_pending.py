"""Risk is assessed by the worker, not in the request that files the appeal: until it has read the
screenshots and run the rules, nobody decides (four eyes would act on a guess), take next does not
hand the appeal out, and the desk says the risk is being assessed. The worker's path runs here for
real: on-commit callbacks executed, Celery eager."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Freeze, RiskLevel
from accounts.services import ledger
from accounts.tests.factories import AgentFactory, SupervisorFactory, make_account
from appeals.errors import RiskPending
from appeals.evidence.pipeline import evidence_requeue_stale
from appeals.models import Appeal, State
from appeals.tests.factories import file_appeal, submit_appeal
from appeals.workflow import decide, four_eyes, review

pytestmark = pytest.mark.django_db


def test_a_new_appeal_waits_for_its_risk_and_cannot_be_decided():
    appeal = file_appeal(assessed=False)
    assert appeal.is_risk_pending and appeal.risk_rules == []
    agent = AgentFactory()
    assert review.appeal_take_next(actor=agent) is None  # it could not be decided: not handed out
    review.appeal_claim(appeal_id=appeal.pk, actor=agent)  # looking at it is fine
    for attempt in (lambda: decide.appeal_approve(appeal_id=appeal.pk, actor=agent),
                    lambda: decide.appeal_reject(appeal_id=appeal.pk, actor=agent, reason="evidence_missing",
                                                 message="请补充"),
                    lambda: four_eyes.appeal_propose_approval(appeal_id=appeal.pk, actor=agent, note="ok")):
        with pytest.raises(RiskPending):
            attempt()
    assert Appeal.objects.get(pk=appeal.pk).state == State.IN_REVIEW
    review.appeal_request_info(appeal_id=appeal.pk, actor=agent, message="请补充退货物流截图")  # not a decision
    assert Appeal.objects.get(pk=appeal.pk).state == State.INFO_REQUESTED


def test_the_worker_assesses_the_risk_once_the_screenshots_are_read(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        appeal = file_appeal(assessed=False)
    appeal.refresh_from_db()
    assert not appeal.is_risk_pending
    assert appeal.risk_assessed_at >= appeal.created_at
    assert all(item.status != item.Status.PENDING for item in appeal.evidence.all())


def test_an_appeal_without_screenshots_is_assessed_by_its_own_task(django_capture_on_commit_callbacks):
    account = make_account()
    freeze = ledger.freeze_create(account=account, amount=Decimal("800.00"), reason=Freeze.Reason.MALICIOUS)
    with django_capture_on_commit_callbacks(execute=True):
        appeal = submit_appeal(customer=account.customer, freeze_id=freeze.pk, order_number="", tracking_number="",
                               description="请协助解冻", files=[], assessed=False)
    appeal.refresh_from_db()
    assert (appeal.is_risk_pending, appeal.risk_level) == (False, RiskLevel.HIGH)  # the malicious floor


def test_the_sweeper_reviews_an_appeal_whose_review_task_was_lost():
    account = make_account()
    freeze = ledger.freeze_create(account=account, amount=Decimal("800.00"), reason=Freeze.Reason.ABNORMAL)
    appeal = submit_appeal(customer=account.customer, freeze_id=freeze.pk, order_number="", tracking_number="",
                           description="请协助解冻", files=[], assessed=False)  # no commit here: its task never ran
    assert evidence_requeue_stale(older_than_minutes=5) == 0  # too recent: its task may still come
    Appeal.objects.filter(pk=appeal.pk).update(created_at=timezone.now() - timedelta(minutes=6))
    assert evidence_requeue_stale(older_than_minutes=5) == 1
    appeal.refresh_from_db()
    assert (appeal.is_risk_pending, appeal.risk_level) == (False, RiskLevel.MEDIUM)


def test_the_desk_says_the_risk_is_being_assessed(client, settings):
    appeal = file_appeal(assessed=False)
    client.force_login(SupervisorFactory())
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(reverse("admin:appeals_appeal_change", args=[appeal.pk])).content.decode()
    assert "Risk being assessed" in page and "data-confirm-approve" not in page
    queue = client.get(reverse("admin:appeals_appeal_changelist")).content.decode()
    assert "being assessed" in queue

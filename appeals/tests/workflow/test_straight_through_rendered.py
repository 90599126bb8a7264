"""Straight through with every real part: an appeal whose screenshots were rendered like the real
apps (a HEIC order page, a courier timeline without a year across New Year, a receipt with its
application time before the pickup), filed through appeal_submit, cleaned and read by a real Celery
worker with the real OCR. The genuine one is approved by the system; its tampered twin (another
refund amount on the receipt) is held for an agent with the contradiction named."""

import pytest

from accounts.models import Freeze, RiskLevel
from accounts.selectors import ledger_mismatches
from appeals.evidence import crosscheck
from appeals.models import Appeal, Evidence, State
from appeals.tests.evidence import rendered
from appeals.tests.factories import file_appeal
from conftest import wait_until

pytestmark = [pytest.mark.ocr, pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _file(settings, tampered=None) -> Appeal:
    settings.EVIDENCE_OCR = True
    settings.STRAIGHT_THROUGH_ENABLED = True
    genuine = rendered.appeal()
    freeze = rendered.record_freeze(genuine)
    appeal = file_appeal(freeze, files=rendered.uploads(rendered.appeal(tampered=tampered)))
    wait_until(lambda: not Evidence.objects.filter(appeal=appeal, status=Evidence.Status.PENDING).exists()
               and Appeal.objects.get(pk=appeal.pk).evidence_checks, timeout=240, interval=0.5)
    return Appeal.objects.select_related("freeze").get(pk=appeal.pk)


def test_a_rendered_genuine_appeal_is_approved_straight_through(celery_worker, settings):
    appeal = _file(settings)
    wait_until(lambda: Appeal.objects.get(pk=appeal.pk).state == State.APPROVED, timeout=30, interval=0.2)
    appeal.refresh_from_db()
    assert [(check["code"], check["status"]) for check in appeal.evidence_checks] == [
        (code, crosscheck.MATCH) for code in
        ("order_number", "order_item", "refund_amount", "refund_status", "tracking_number", "date_order")]
    assert {e.kind: e.original_name for e in appeal.evidence.all()}[Evidence.Kind.ORDER].endswith(".heic")
    assert appeal.decided_by is None
    assert Freeze.objects.get(pk=appeal.freeze_id).status == Freeze.Status.RELEASED
    assert ledger_mismatches() == []


def test_its_tampered_twin_is_held_with_the_contradiction(celery_worker, settings):
    appeal = _file(settings, tampered="refund_amount")
    checks = {check["code"]: check for check in appeal.evidence_checks}
    assert checks["refund_amount"]["status"] == crosscheck.CONTRADICTS
    assert checks["refund_amount"]["read"] != checks["refund_amount"]["expected"]
    assert all(check["status"] == crosscheck.MATCH for code, check in checks.items() if code != "refund_amount")
    assert appeal.state == State.SUBMITTED and appeal.risk_level == RiskLevel.MEDIUM
    assert "evidence_contradicts" in [rule["code"] for rule in appeal.risk_rules]
    assert Freeze.objects.get(pk=appeal.freeze_id).status == Freeze.Status.ACTIVE

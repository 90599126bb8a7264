"""The cross-check on screenshots rendered like the real apps (samples.rendered, chromium) and read
by the real OCR: each page type of one genuine appeal confirms what it shows, including a courier
timeline without a year across New Year, and each page's tampered twin contradicts what was changed.
The OCR lines are read once per screenshot (rendered.ocr_lines) and stored as the worker would."""

import pytest

from appeals.evidence import crosscheck
from appeals.models import Appeal, Evidence
from appeals.tests.evidence import rendered
from appeals.tests.factories import file_appeal
from appeals.workflow.decide import appeal_review_evidence

pytestmark = [pytest.mark.django_db, pytest.mark.ocr, pytest.mark.browser]

ORDER, LOGISTICS, RECEIPT = Evidence.Kind.ORDER, Evidence.Kind.LOGISTICS, Evidence.Kind.REFUND_RECEIPT


def reviewed(capture, settings, tampered: str | None = None) -> dict:
    """The rendered appeal's record in our tables, filed with its screenshots (cleaned on commit, OCR
    off), each screenshot's real OCR lines stored, then reviewed: the checks by code."""
    genuine = rendered.appeal()
    freeze = rendered.record_freeze(genuine)
    settings.EVIDENCE_OCR = False
    with capture(execute=True):
        appeal = file_appeal(freeze, files=rendered.uploads(rendered.appeal(tampered=tampered)))
    for evidence in appeal.evidence.all():
        assert evidence.status == Evidence.Status.READY, evidence.rejection_reason
        lines = rendered.ocr_lines(rendered.SEED, evidence.kind, tampered if evidence.kind == _page(tampered) else None)
        Evidence.objects.filter(pk=evidence.pk).update(ocr_lines=list(lines))
    settings.EVIDENCE_OCR, settings.STRAIGHT_THROUGH_ENABLED = True, False
    appeal_review_evidence(appeal_id=appeal.pk)
    appeal = Appeal.objects.get(pk=appeal.pk)
    checks = {check["code"]: check for check in appeal.evidence_checks}
    checks["_evidence"] = {e.kind: e.pk for e in appeal.evidence.all()}
    return checks


def _page(tampered):
    from samples.rendered import TAMPER_FIELDS

    return TAMPER_FIELDS.get(tampered)


@pytest.fixture
def genuine(django_capture_on_commit_callbacks, settings):
    return reviewed(django_capture_on_commit_callbacks, settings)


def test_the_order_page_shows_the_order_number_and_the_item(genuine):
    record = rendered.appeal().record
    for code in ("order_number", "order_item"):
        assert genuine[code]["status"] == crosscheck.MATCH, genuine[code]
        assert genuine[code]["evidence_id"] == genuine["_evidence"][ORDER]
    assert genuine["order_number"]["read"] == record.order_number  # 19 digits, next to other long numbers


def test_the_courier_page_shows_the_tracking_number_and_its_year_less_pickup(genuine):
    record = rendered.appeal().record
    assert genuine["tracking_number"]["status"] == crosscheck.MATCH
    assert genuine["tracking_number"]["evidence_id"] == genuine["_evidence"][LOGISTICS]
    assert record.picked_up.year == 2026 and record.refunded.year == 2027
    assert f"{record.picked_up:%Y-%m-%d}" in genuine["date_order"]["read"]  # the year came from the record


def test_the_receipt_shows_the_amount_the_status_and_the_refund_time_not_the_application(genuine):
    record = rendered.appeal().record
    assert record.requested < record.picked_up  # 申请时间 comes before the pickup on this receipt
    for code in ("refund_amount", "refund_status", "date_order"):
        assert genuine[code]["status"] == crosscheck.MATCH, genuine[code]
    assert genuine["date_order"]["read"] == f"{record.ordered:%Y-%m-%d} / {record.picked_up:%Y-%m-%d} / " \
                                            f"{record.refunded:%Y-%m-%d}"
    assert genuine["date_order"]["evidence_id"] == genuine["_evidence"][RECEIPT]


@pytest.mark.parametrize(("tampered", "code"), [("order_number", "order_number"), ("item_name", "order_item"),
                                                ("tracking_number", "tracking_number"),
                                                ("refund_amount", "refund_amount")])
def test_each_pages_tampered_twin_contradicts_what_was_changed(django_capture_on_commit_callbacks, settings,
                                                               tampered, code):
    checks = reviewed(django_capture_on_commit_callbacks, settings, tampered)
    assert checks[code]["status"] == crosscheck.CONTRADICTS, checks[code]
    assert checks[code]["evidence_id"] == checks["_evidence"][_page(tampered)]
    others = {name: check["status"] for name, check in checks.items() if name not in (code, "_evidence")}
    assert set(others.values()) == {crosscheck.MATCH}, others

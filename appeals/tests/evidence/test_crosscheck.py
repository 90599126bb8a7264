"""The cross-check (appeals.crosscheck): what the screenshots say compared with the record.

Real OCR takes seconds per screenshot, so the tests do what the worker does after reading the
images: the appeal is filed with OCR off (the screenshots are cleaned and become READY), the
lines the OCR would have read are stored on the evidence rows, and appeal_review_evidence runs
with OCR on. The checks are read back from appeal.evidence_checks as stored."""

from decimal import Decimal

import pytest

from accounts.models import Freeze
from accounts.services import ledger
from accounts.tests.factories import make_account, make_order, make_refund
from appeals.evidence import crosscheck
from appeals.models import Appeal, Evidence
from appeals.tests.factories import file_appeal, submit_appeal, upload
from appeals.workflow.decide import appeal_review_evidence

pytestmark = pytest.mark.django_db

ORDER, LOGISTICS, RECEIPT = Evidence.Kind.ORDER, Evidence.Kind.LOGISTICS, Evidence.Kind.REFUND_RECEIPT
MATCH, CONTRADICTS, NOT_FOUND = crosscheck.MATCH, crosscheck.CONTRADICTS, crosscheck.NOT_FOUND
BOX = [[0, 0], [10, 0], [10, 10], [0, 10]]
TRACKING = "SF1234567890123"
DATES = "order ≤ return ≤ refund"


def ocr(*texts) -> list[dict]:
    return [{"text": text, "box": BOX, "score": 0.99} for text in texts]


def filed(capture, settings, freeze, files=None) -> Appeal:
    """File through the service; the on-commit worker cleans the screenshots without OCR."""
    settings.EVIDENCE_OCR = False
    with capture(execute=True):
        appeal = file_appeal(freeze, files=files)
    assert set(appeal.evidence.values_list("status", flat=True)) <= {Evidence.Status.READY}
    return appeal


def refund_with(amount=Decimal("1599.00"), **refund_kwargs) -> Freeze:
    account = make_account(Decimal("10000.00"))
    order = make_order(account, amount)
    return make_refund(order, **refund_kwargs).freezes.get()


def screens(freeze) -> dict:
    """What the three screenshots of a clean appeal read, one fact a line."""
    refund = freeze.refund
    return {
        ORDER: ["订单详情", f"订单编号 {refund.order.number}", "下单时间 2026-11-01 10:15:00",
                f"实付款 ¥{refund.order.amount:,.2f}", f"{refund.order.item_name} 主动降噪 Pro 真无线 x1"],
        LOGISTICS: ["顺丰速运", f"运单号 {refund.tracking_number or TRACKING}", "2026-11-03 14:20 已揽收"],
        RECEIPT: ["退款成功", f"退款金额 ¥{refund.amount:,.2f}", "退款时间 2026-11-05 09:00"],
    }


def evidence_of(appeal, kind) -> Evidence:
    return appeal.evidence.get(kind=kind)


def read(appeal, texts: dict) -> None:
    for evidence in appeal.evidence.all():
        Evidence.objects.filter(pk=evidence.pk).update(ocr_lines=ocr(*texts.get(evidence.kind, [])))


def checked(settings, appeal, texts: dict) -> dict:
    """Store the OCR lines, review with OCR on (straight-through off, so nothing else moves)."""
    read(appeal, texts)
    settings.EVIDENCE_OCR = True
    settings.STRAIGHT_THROUGH_ENABLED = False
    appeal_review_evidence(appeal_id=appeal.pk)
    stored = Appeal.objects.get(pk=appeal.pk).evidence_checks
    by_code = {check["code"]: check for check in stored}
    assert len(by_code) == len(stored), "one check per code"
    return by_code


@pytest.fixture
def case(django_capture_on_commit_callbacks, settings):
    """A ¥1,599.00 refund freeze with its appeal filed and its screenshots ready."""
    freeze = refund_with()
    appeal = filed(django_capture_on_commit_callbacks, settings, freeze)
    return freeze, appeal, screens(freeze)


# --- all of them ---------------------------------------------------------------------------------


def test_clean_screenshots_match_every_check_and_point_at_the_line_read(case, settings):
    freeze, appeal, texts = case
    checks = checked(settings, appeal, texts)
    order, logistics, receipt = (evidence_of(appeal, kind).pk for kind in (ORDER, LOGISTICS, RECEIPT))
    assert list(checks) == ["order_number", "order_item", "refund_amount", "refund_status", "tracking_number",
                            "date_order"]
    assert checks["order_item"] == {"code": "order_item", "status": MATCH, "expected": "蓝牙耳机 (SKU-EAR-01)",
                                    "read": "蓝牙耳机 主动降噪 Pro 真无线 x1", "evidence_id": order, "line": 4,
                                    "reason": ""}
    assert checks["order_number"] == {"code": "order_number", "status": MATCH, "expected": freeze.refund.order.number,
                                      "read": freeze.refund.order.number, "evidence_id": order, "line": 1, "reason": ""}
    assert checks["refund_amount"] == {"code": "refund_amount", "status": MATCH, "expected": "1599.00",
                                       "read": "1599.00", "evidence_id": receipt, "line": 1, "reason": ""}
    assert checks["refund_status"] == {"code": "refund_status", "status": MATCH, "expected": "refunded",
                                       "read": "refunded", "evidence_id": receipt, "line": 0, "reason": ""}
    assert checks["tracking_number"] == {"code": "tracking_number", "status": MATCH, "expected": TRACKING,
                                         "read": TRACKING, "evidence_id": logistics, "line": 1, "reason": ""}
    assert checks["date_order"] == {"code": "date_order", "status": MATCH, "expected": DATES,
                                    "read": "2026-11-01 / 2026-11-03 / 2026-11-05", "evidence_id": receipt,
                                    "line": 2, "reason": ""}
    assert crosscheck.all_match(list(checks.values()))


def test_cross_check_called_directly_gives_the_same_checks(case, settings):
    freeze, appeal, texts = case
    stored = checked(settings, appeal, texts)
    direct = crosscheck.cross_check(Appeal.objects.get(pk=appeal.pk), list(appeal.evidence.all()))
    assert [check.as_dict() for check in direct] == list(stored.values())


def test_all_match_needs_at_least_one_check_and_every_one_matching():
    assert not crosscheck.all_match([])
    assert crosscheck.all_match([{"status": MATCH}, {"status": MATCH}])
    assert not crosscheck.all_match([{"status": MATCH}, {"status": NOT_FOUND}])
    assert not crosscheck.all_match([{"status": CONTRADICTS}, {"status": MATCH}])


# --- order screenshot: order number --------------------------------------------------------------


def test_other_order_number_on_the_order_screenshot_contradicts(case, settings):
    freeze, appeal, texts = case
    texts[ORDER][1] = "订单编号 DY999999999999"
    check = checked(settings, appeal, texts)["order_number"]
    assert check == {"code": "order_number", "status": CONTRADICTS, "expected": freeze.refund.order.number,
                     "read": "DY999999999999", "evidence_id": evidence_of(appeal, ORDER).pk, "line": 1, "reason": ""}


def test_order_screenshot_without_an_order_number_is_not_found(case, settings):
    freeze, appeal, texts = case
    del texts[ORDER][1]
    check = checked(settings, appeal, texts)["order_number"]
    assert check == {"code": "order_number", "status": NOT_FOUND, "expected": freeze.refund.order.number,
                     "read": "", "evidence_id": None, "line": None, "reason": ""}


def test_order_number_only_on_another_screenshot_does_not_count(case, settings):
    freeze, appeal, texts = case
    del texts[ORDER][1]
    texts[RECEIPT].append(f"订单编号 {freeze.refund.order.number}")
    assert checked(settings, appeal, texts)["order_number"]["status"] == NOT_FOUND


def test_the_matching_order_number_wins_over_another_read_first(case, settings):
    freeze, appeal, texts = case
    texts[ORDER].insert(1, "推荐订单 DY888888888888")
    check = checked(settings, appeal, texts)["order_number"]
    assert (check["status"], check["read"], check["line"]) == (MATCH, freeze.refund.order.number, 2)


# --- refund receipt: amount and status -----------------------------------------------------------


def test_amount_with_yen_sign_and_thousands_separator_matches_the_record(case, settings):
    freeze, appeal, texts = case
    assert freeze.refund.amount == Decimal("1599.00")
    assert texts[RECEIPT][1] == "退款金额 ¥1,599.00"
    check = checked(settings, appeal, texts)["refund_amount"]
    assert (check["status"], check["expected"], check["read"]) == (MATCH, "1599.00", "1599.00")


def test_other_amount_on_the_receipt_contradicts(case, settings):
    _freeze, appeal, texts = case
    texts[RECEIPT][1] = "退款金额 ¥1,598.00"
    check = checked(settings, appeal, texts)["refund_amount"]
    assert check == {"code": "refund_amount", "status": CONTRADICTS, "expected": "1599.00", "read": "1598.00",
                     "evidence_id": evidence_of(appeal, RECEIPT).pk, "line": 1, "reason": ""}


def test_receipt_without_an_amount_is_not_found(case, settings):
    _freeze, appeal, texts = case
    del texts[RECEIPT][1]
    check = checked(settings, appeal, texts)["refund_amount"]
    assert check == {"code": "refund_amount", "status": NOT_FOUND, "expected": "1599.00", "read": "",
                     "evidence_id": None, "line": None, "reason": ""}


def test_amount_on_the_order_screenshot_only_does_not_count(case, settings):
    _freeze, appeal, texts = case
    del texts[RECEIPT][1]
    assert texts[ORDER][3] == "实付款 ¥1,599.00"
    assert checked(settings, appeal, texts)["refund_amount"]["status"] == NOT_FOUND


def test_refund_failed_on_the_receipt_contradicts(case, settings):
    _freeze, appeal, texts = case
    texts[RECEIPT][0] = "退款失败"
    check = checked(settings, appeal, texts)["refund_status"]
    assert check == {"code": "refund_status", "status": CONTRADICTS, "expected": "refunded", "read": "refund_failed",
                     "evidence_id": evidence_of(appeal, RECEIPT).pk, "line": 0, "reason": ""}


def test_refund_still_pending_contradicts(case, settings):
    _freeze, appeal, texts = case
    texts[RECEIPT][0] = "退款处理中"
    check = checked(settings, appeal, texts)["refund_status"]
    assert (check["status"], check["read"]) == (CONTRADICTS, "refund_pending")


def test_refund_done_after_a_pending_step_matches(case, settings):
    _freeze, appeal, texts = case
    texts[RECEIPT][:1] = ["退款中 2026-11-04 09:00", "退款成功"]
    check = checked(settings, appeal, texts)["refund_status"]
    assert (check["status"], check["read"], check["line"]) == (MATCH, "refunded", 1)


def test_receipt_without_a_status_is_not_found(case, settings):
    _freeze, appeal, texts = case
    texts[RECEIPT][0] = "退款详情"
    check = checked(settings, appeal, texts)["refund_status"]
    assert check == {"code": "refund_status", "status": NOT_FOUND, "expected": "refunded", "read": "",
                     "evidence_id": None, "line": None, "reason": ""}


# --- logistics screenshot: tracking number -------------------------------------------------------


def test_tracking_number_split_by_ocr_and_in_lower_case_matches(case, settings):
    _freeze, appeal, texts = case
    texts[LOGISTICS][1] = "运单号 sf 1234 5678 90123"
    check = checked(settings, appeal, texts)["tracking_number"]
    assert (check["status"], check["read"], check["line"]) == (MATCH, TRACKING, 1)


def test_other_tracking_number_contradicts(case, settings):
    _freeze, appeal, texts = case
    texts[LOGISTICS][1] = "运单号 SF9876543210987"
    check = checked(settings, appeal, texts)["tracking_number"]
    assert check == {"code": "tracking_number", "status": CONTRADICTS, "expected": TRACKING,
                     "read": "SF9876543210987", "evidence_id": evidence_of(appeal, LOGISTICS).pk, "line": 1,
                     "reason": ""}


def test_logistics_screenshot_without_a_tracking_number_is_not_found(case, settings):
    _freeze, appeal, texts = case
    del texts[LOGISTICS][1]
    check = checked(settings, appeal, texts)["tracking_number"]
    assert check == {"code": "tracking_number", "status": NOT_FOUND, "expected": TRACKING, "read": "",
                     "evidence_id": None, "line": None, "reason": ""}


def test_no_tracking_check_when_the_refund_has_no_tracking_number(django_capture_on_commit_callbacks, settings):
    freeze = refund_with(tracking_number="")
    appeal = filed(django_capture_on_commit_callbacks, settings, freeze)
    texts = screens(freeze)
    texts[LOGISTICS][1] = "运单号 SF9876543210987"  # would contradict if it were checked
    checks = checked(settings, appeal, texts)
    assert list(checks) == ["order_number", "order_item", "refund_amount", "refund_status", "date_order"]
    assert all(check["status"] == MATCH for check in checks.values())


# --- dates across the three screenshots ----------------------------------------------------------


def test_dates_in_order_match_even_on_the_same_day(case, settings):
    _freeze, appeal, texts = case
    texts[ORDER][2] = "下单时间 2026-11-05 08:00:00"
    texts[LOGISTICS][2] = "2026-11-05 08:30 已揽收"
    check = checked(settings, appeal, texts)["date_order"]
    assert (check["status"], check["read"]) == (MATCH, "2026-11-05 / 2026-11-05 / 2026-11-05")


def test_refund_dated_before_the_order_contradicts(case, settings):
    _freeze, appeal, texts = case
    texts[RECEIPT][2] = "退款时间 2026-10-30 09:00"
    check = checked(settings, appeal, texts)["date_order"]
    assert check == {"code": "date_order", "status": CONTRADICTS, "expected": DATES,
                     "read": "2026-11-01 / 2026-11-03 / 2026-10-30",
                     "evidence_id": evidence_of(appeal, RECEIPT).pk, "line": 2,  # the date that is too early
                     "reason": ""}


def test_return_dated_before_the_order_contradicts(case, settings):
    _freeze, appeal, texts = case
    texts[LOGISTICS][2] = "2026年10月28日 已揽收"
    check = checked(settings, appeal, texts)["date_order"]
    assert (check["status"], check["read"]) == (CONTRADICTS, "2026-11-01 / 2026-10-28 / 2026-11-05")
    assert (check["evidence_id"], check["line"]) == (evidence_of(appeal, LOGISTICS).pk, 2)


@pytest.mark.parametrize(("kind", "reason"), [(ORDER, "no_order_date"), (LOGISTICS, "no_pickup_date"),
                                              (RECEIPT, "no_refund_date")])
def test_a_screenshot_without_a_date_leaves_the_date_order_not_found(case, settings, kind, reason):
    _freeze, appeal, texts = case
    texts[kind] = [line for line in texts[kind] if "2026" not in line]
    checks = checked(settings, appeal, texts)
    assert checks["date_order"] == {"code": "date_order", "status": NOT_FOUND, "expected": DATES, "read": "",
                                    "evidence_id": None, "line": None, "reason": reason}
    assert all(check["status"] == MATCH for code, check in checks.items() if code != "date_order")


# --- what is not looked at -----------------------------------------------------------------------


def test_rejected_screenshot_is_ignored(case, settings):
    freeze, appeal, texts = case
    order = evidence_of(appeal, ORDER)
    read(appeal, texts)  # the rejected screenshot carries the right number and date: still not used
    Evidence.objects.filter(pk=order.pk).update(status=Evidence.Status.REJECTED, rejection_reason="unreadable")
    settings.EVIDENCE_OCR = True
    settings.STRAIGHT_THROUGH_ENABLED = False
    appeal_review_evidence(appeal_id=appeal.pk)
    checks = {check["code"]: check for check in Appeal.objects.get(pk=appeal.pk).evidence_checks}
    assert checks["order_number"]["status"] == NOT_FOUND
    assert checks["date_order"]["status"] == NOT_FOUND
    assert all(checks[code]["status"] == MATCH for code in ("refund_amount", "refund_status", "tracking_number"))
    assert order.pk not in {check["evidence_id"] for check in checks.values()}


def test_only_the_ready_one_of_two_order_screenshots_is_read(case, settings):
    freeze, appeal, texts = case
    rejected = evidence_of(appeal, ORDER)
    Evidence.objects.filter(pk=rejected.pk).update(status=Evidence.Status.REJECTED, ocr_lines=ocr(*texts[ORDER]))
    ready = Evidence.objects.create(appeal=appeal, kind=ORDER, status=Evidence.Status.READY,
                                    uploaded_by=appeal.customer, ocr_lines=ocr("订单编号 DY999999999999"))
    checks = crosscheck.cross_check(Appeal.objects.get(pk=appeal.pk), list(appeal.evidence.all()))
    order_number = next(check for check in checks if check.code == "order_number")
    assert (order_number.status, order_number.read, order_number.evidence_id, order_number.line) == (
        CONTRADICTS, "DY999999999999", ready.pk, 0)


def test_freeze_without_a_refund_has_no_checks(django_capture_on_commit_callbacks, settings):
    account = make_account(Decimal("10000.00"))
    freeze = ledger.freeze_create(account=account, amount=Decimal("300.00"), reason=Freeze.Reason.ROUTINE_RISK)
    settings.EVIDENCE_OCR = False
    with django_capture_on_commit_callbacks(execute=True):
        appeal = submit_appeal(customer=account.customer, freeze_id=freeze.pk, order_number="",
                                        tracking_number="", description="例行风控,请协助解冻",
                                        files=[(Evidence.Kind.OTHER, upload("other.png"))])
    evidence = appeal.evidence.get()
    assert evidence.status == Evidence.Status.READY
    Evidence.objects.filter(pk=evidence.pk).update(ocr_lines=ocr("退款成功", "退款金额 ¥300.00"))
    assert crosscheck.cross_check(appeal, [Evidence.objects.get(pk=evidence.pk)]) == []
    settings.EVIDENCE_OCR = True
    appeal_review_evidence(appeal_id=appeal.pk)
    appeal.refresh_from_db()
    assert appeal.evidence_checks == []
    assert not crosscheck.all_match(appeal.evidence_checks)
    assert appeal.state == "submitted"  # no checks is never "everything matched"


@pytest.mark.parametrize(("read", "record", "same"), [
    ("75123456789012", "ZTO75123456789012", True),   # 中通 screenshots show the digits only
    ("ZTO75123456789012", "75123456789012", True),
    ("SF1402938475610", "SF1402938475610", True),
    ("1402938475610", "SF1402938475610", False),      # SF numbers include their letters
    ("75123456789013", "ZTO75123456789012", False),
])
def test_waybills_compare_without_a_carrier_prefix_on_digit_numbers(read, record, same):
    from appeals.evidence.crosscheck import _same_waybill

    assert _same_waybill(read, record) is same

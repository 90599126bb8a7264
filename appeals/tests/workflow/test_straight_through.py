"""Straight-through approval (appeals.services.review): a clean, low-risk refund appeal whose
screenshots match the record is approved by the system when its last screenshot is processed.

Real OCR takes seconds per screenshot, so the tests do what the worker does after reading the
images: the appeal is filed with OCR off (the on-commit worker cleans the screenshots and they
become READY), the lines the OCR would have read are stored on the evidence rows, and
appeal_review_evidence runs with OCR on. Each blocked case changes one thing from the clean one
and checks that nothing moved and that exactly the expected blockers were found."""

import io
import random
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone, translation
from PIL import Image, ImageDraw

from accounts.models import CreditAccount, Freeze, LedgerEntry, RiskLevel
from accounts.selectors import ledger_mismatches
from accounts.services import ledger
from accounts.tests.factories import AgentFactory, SupervisorFactory, make_account, make_order, make_refund
from appeals import risk as appeal_risk
from appeals.evidence import crosscheck
from appeals.models import Appeal, AppealEvent, AuditSample, AuditVerdict, Evidence, Notification, RejectReason, State
from appeals.tests.evidence import hostile_files
from appeals.tests.factories import file_appeal, submit_appeal, upload
from appeals.workflow import audit, decide, review
from appeals.workflow.decide import appeal_review_evidence, straight_through_blockers

pytestmark = pytest.mark.django_db

ORDER, LOGISTICS, RECEIPT = Evidence.Kind.ORDER, Evidence.Kind.LOGISTICS, Evidence.Kind.REFUND_RECEIPT
BOX = [[0, 0], [10, 0], [10, 10], [0, 10]]
TRACKING = "SF1234567890123"
NOTE = "evidence matched the record"


def ocr(*texts) -> list[dict]:
    return [{"text": text, "box": BOX, "score": 0.99} for text in texts]


def screenshot(seed: int) -> bytes:
    """A phone screenshot whose layout is fixed by `seed`: different seeds never pass for the same
    image (so appeals of different customers in one test do not trip the evidence-reuse rule)."""
    rng = random.Random(seed)
    image = Image.new("RGB", (390, 844), (250, 250, 250))
    draw = ImageDraw.Draw(image)
    for row in range(16):
        for col in range(6):
            grey = rng.randrange(0, 256)
            draw.rectangle((col * 65, row * 52 + 10, col * 65 + 64, row * 52 + 61), fill=(grey, grey, grey))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def shots(seed: int, logistics: bytes | None = None):
    return [(ORDER, upload("order.png", screenshot(seed * 3))),
            (LOGISTICS, upload("logistics.png", logistics or screenshot(seed * 3 + 1))),
            (RECEIPT, upload("receipt.png", screenshot(seed * 3 + 2)))]


def refund_freeze(amount=Decimal("599.00"), account=None, **refund_kwargs) -> Freeze:
    account = account or make_account(Decimal("10000.00"))
    return make_refund(make_order(account, amount), **refund_kwargs).freezes.get()


def screens(freeze) -> dict:
    """What the three screenshots of a clean appeal read, one fact a line."""
    refund = freeze.refund
    return {
        ORDER: ["订单详情", f"订单编号 {refund.order.number}", "下单时间 2026-11-01 10:15:00",
                f"实付款 ¥{refund.order.amount:,.2f}", f"{refund.order.item_name} 主动降噪 Pro 真无线 x1"],
        LOGISTICS: ["顺丰速运", f"运单号 {refund.tracking_number}", "2026-11-03 14:20 已揽收"],
        RECEIPT: ["退款成功", f"退款金额 ¥{refund.amount:,.2f}", "退款时间 2026-11-05 09:00"],
    }


def filed(capture, settings, freeze, *, seed=0, texts=None, files=None) -> Appeal:
    """File through the service with OCR off (screenshots cleaned on commit), then store what OCR
    would have read on the READY screenshots."""
    settings.EVIDENCE_OCR = False
    with capture(execute=True):
        appeal = file_appeal(freeze, files=files or shots(seed))
    texts = screens(freeze) if texts is None else texts
    for evidence in appeal.evidence.filter(status=Evidence.Status.READY):
        Evidence.objects.filter(pk=evidence.pk).update(ocr_lines=ocr(*texts.get(evidence.kind, [])))
    appeal = Appeal.objects.get(pk=appeal.pk)
    assert appeal.state == State.SUBMITTED
    assert appeal.evidence_checks == []  # OCR was off: nothing checked, nothing approved yet
    return appeal


def read_and_review(settings, appeal) -> Appeal:
    settings.EVIDENCE_OCR = True
    appeal_review_evidence(appeal_id=appeal.pk)
    return Appeal.objects.select_related("freeze__account").get(pk=appeal.pk)


def available(freeze) -> Decimal:
    return CreditAccount.objects.get(pk=freeze.account_id).available


def blockers(appeal) -> list[str]:
    appeal = Appeal.objects.select_related("freeze__account").get(pk=appeal.pk)
    return straight_through_blockers(appeal, list(appeal.evidence.all()))


def assert_not_approved(appeal, freeze, available_before, *, state=State.SUBMITTED):
    appeal = Appeal.objects.get(pk=appeal.pk)
    assert appeal.state == state
    assert appeal.decided_at is None
    assert not AppealEvent.objects.filter(appeal=appeal, transition="approve_by_system").exists()
    assert Freeze.objects.get(pk=freeze.pk).status == Freeze.Status.ACTIVE
    assert not LedgerEntry.objects.filter(freeze=freeze, kind=LedgerEntry.Kind.RELEASE).exists()
    assert available(freeze) == available_before
    assert not AuditSample.objects.filter(appeal=appeal).exists()
    assert ledger_mismatches() == []


def assert_approved_by_system(appeal, freeze, available_before):
    appeal = Appeal.objects.get(pk=appeal.pk)
    assert appeal.state == State.APPROVED
    assert Freeze.objects.get(pk=freeze.pk).status == Freeze.Status.RELEASED
    assert LedgerEntry.objects.filter(freeze=freeze, kind=LedgerEntry.Kind.RELEASE).count() == 1
    assert available(freeze) == available_before + freeze.amount


@pytest.fixture
def clean(django_capture_on_commit_callbacks, settings):
    freeze = refund_freeze()
    appeal = filed(django_capture_on_commit_callbacks, settings, freeze)
    return freeze, appeal, available(freeze)


# --- the clean case ------------------------------------------------------------------------------


def test_clean_appeal_is_approved_by_the_system(clean, settings):
    freeze, appeal, before = clean
    assert Freeze.objects.get(pk=freeze.pk).status == Freeze.Status.ACTIVE
    notices_before = set(Notification.objects.filter(user=appeal.customer).values_list("pk", flat=True))

    appeal = read_and_review(settings, appeal)

    assert [check["status"] for check in appeal.evidence_checks] == [crosscheck.MATCH] * 6
    assert appeal.risk_level == RiskLevel.LOW
    assert appeal.state == State.APPROVED
    assert appeal.decided_by is None
    assert appeal.decided_at is not None
    event = AppealEvent.objects.get(appeal=appeal, transition="approve_by_system")
    assert (event.actor, event.note, event.from_state, event.to_state) == (None, NOTE, State.SUBMITTED,
                                                                          State.APPROVED)
    released = Freeze.objects.get(pk=freeze.pk)
    assert (released.status, released.release_source, released.released_by) == (
        Freeze.Status.RELEASED, Freeze.ReleaseSource.APPEAL, None)
    release = LedgerEntry.objects.get(freeze=freeze, kind=LedgerEntry.Kind.RELEASE)
    assert (release.amount, release.actor, release.note) == (freeze.amount, None, appeal.reference)
    assert available(freeze) == before + Decimal("599.00")
    sample = AuditSample.objects.get(appeal=appeal)
    assert (sample.reason, sample.event, sample.decided_by, sample.decided_on) == (
        AuditSample.Reason.SYSTEM, event, None, timezone.localdate(event.created_at))
    new = Notification.objects.filter(user=appeal.customer).exclude(pk__in=notices_before)
    assert new.count() == 1
    assert new.get().appeal_id == appeal.pk
    assert appeal.reference in new.get().message and "599.00" in new.get().message
    assert ledger_mismatches() == []


def test_the_worker_approves_when_it_has_read_the_last_screenshot(django_capture_on_commit_callbacks, settings,
                                                                 monkeypatch):
    """The same, through evidence_process: OCR (faked, in upload order) stores the lines, and the
    last screenshot processed triggers the review."""
    from appeals.evidence import ocr as ocr_module

    freeze = refund_freeze()
    texts = screens(freeze)
    reads = [texts[ORDER], texts[LOGISTICS], texts[RECEIPT]]
    monkeypatch.setattr(ocr_module, "read_lines", lambda image: [
        ocr_module.OcrLine(text=text, box=BOX, score=0.99) for text in reads.pop(0)])
    settings.EVIDENCE_OCR = True
    before = available(freeze)
    with django_capture_on_commit_callbacks(execute=True):
        appeal = file_appeal(freeze, files=shots(0))
    assert reads == []
    assert [e.ocr_lines[1]["text"] for e in appeal.evidence.order_by("pk")] == [
        texts[kind][1] for kind in (ORDER, LOGISTICS, RECEIPT)]
    assert_approved_by_system(appeal, freeze, before)
    assert AppealEvent.objects.get(appeal=appeal, transition="approve_by_system").actor is None


def test_reviewing_twice_approves_and_releases_once(clean, settings):
    freeze, appeal, before = clean
    read_and_review(settings, appeal)
    notices = Notification.objects.filter(user=appeal.customer).count()
    again = read_and_review(settings, appeal)
    assert again.state == State.APPROVED
    assert AppealEvent.objects.filter(appeal=appeal, transition="approve_by_system").count() == 1
    assert_approved_by_system(appeal, freeze, before)
    assert AuditSample.objects.filter(appeal=appeal).count() == 1
    assert Notification.objects.filter(user=appeal.customer).count() == notices
    assert blockers(appeal) == ["state is approved"]
    assert ledger_mismatches() == []


def test_nothing_happens_while_a_screenshot_is_still_being_processed(clean, settings):
    freeze, appeal, before = clean
    Evidence.objects.create(appeal=appeal, kind=Evidence.Kind.OTHER, uploaded_by=appeal.customer)
    appeal = read_and_review(settings, appeal)
    assert appeal.evidence_checks == []
    assert_not_approved(appeal, freeze, before)


# --- each condition alone ------------------------------------------------------------------------


def test_switched_off(clean, settings):
    freeze, appeal, before = clean
    settings.STRAIGHT_THROUGH_ENABLED = False
    appeal = read_and_review(settings, appeal)
    assert crosscheck.all_match(appeal.evidence_checks)  # checked all the same, for the agent
    assert_not_approved(appeal, freeze, before)
    assert blockers(appeal) == ["switched off"]


def _wrong(kind, index, text):
    def change(texts):
        texts[kind][index] = text
    return change


def _missing(kind, index):
    def change(texts):
        del texts[kind][index]
    return change


CONTRADICTIONS = {
    "order_number": _wrong(ORDER, 1, "订单编号 DY999999999999"),
    "order_item": _wrong(ORDER, 4, "羽绒服 男款 连帽加厚 黑色 L x1"),
    "refund_amount": _wrong(RECEIPT, 1, "退款金额 ¥598.00"),
    "refund_status": _wrong(RECEIPT, 0, "退款失败"),
    "tracking_number": _wrong(LOGISTICS, 1, "运单号 SF9876543210987"),
    "date_order": _wrong(RECEIPT, 2, "退款时间 2026-10-30 09:00"),
}
NOT_FOUND = {
    "order_number": _missing(ORDER, 1),
    "order_item": _wrong(ORDER, 4, "蓝牙…"),  # a title cut too short to tell
    "refund_amount": _missing(RECEIPT, 1),
    "refund_status": _missing(RECEIPT, 0),
    "tracking_number": _missing(LOGISTICS, 1),
    "date_order": _missing(LOGISTICS, 2),
}


def reviewed_with(capture, settings, change):
    """A refund appeal whose screenshots read as the record except for `change`, reviewed; returns
    the freeze, the reviewed appeal and the available limit before the review."""
    freeze = refund_freeze()
    texts = screens(freeze)
    change(texts)
    appeal = filed(capture, settings, freeze, texts=texts)
    before = available(freeze)
    return freeze, read_and_review(settings, appeal), before


@pytest.mark.parametrize("code", list(CONTRADICTIONS))
def test_one_contradicting_check_blocks_and_raises_the_risk(django_capture_on_commit_callbacks, settings, code):
    freeze, appeal, before = reviewed_with(django_capture_on_commit_callbacks, settings, CONTRADICTIONS[code])
    statuses = {check["code"]: check["status"] for check in appeal.evidence_checks}
    assert statuses == {name: crosscheck.CONTRADICTS if name == code else crosscheck.MATCH for name in CONTRADICTIONS}
    assert appeal.risk_level == RiskLevel.MEDIUM
    raised = [rule for rule in appeal.risk_rules if rule["level"] != RiskLevel.LOW]
    if code == "order_item":  # the item-mismatch signal, read from the order screenshot
        assert [rule["code"] for rule in raised] == ["evidence_item_mismatch"]
        assert raised[0]["params"] == {"read": "羽绒服 男款 连帽加厚 黑色 L x1", "expected": "蓝牙耳机 (SKU-EAR-01)"}
    else:
        assert [rule["code"] for rule in raised] == ["evidence_contradicts"]
        assert raised[0]["params"]["check"] == code  # a code: each reader sees it in their language
        for language in ("en", "zh-hans"):
            with translation.override(language):
                assert str(crosscheck.CHECK_LABELS[code]) in appeal_risk.describe(raised[0])["agent"]
    assert_not_approved(appeal, freeze, before)
    assert blockers(appeal) == ["not every check matches", "risk medium"]


@pytest.mark.parametrize("code", list(NOT_FOUND))
def test_one_check_not_found_blocks(django_capture_on_commit_callbacks, settings, code):
    freeze, appeal, before = reviewed_with(django_capture_on_commit_callbacks, settings, NOT_FOUND[code])
    statuses = {check["code"]: check["status"] for check in appeal.evidence_checks}
    assert statuses == {name: crosscheck.NOT_FOUND if name == code else crosscheck.MATCH for name in NOT_FOUND}
    assert appeal.risk_level == RiskLevel.LOW
    assert_not_approved(appeal, freeze, before)
    assert blockers(appeal) == ["not every check matches"]


def test_risk_above_low_blocks(django_capture_on_commit_callbacks, settings):
    freeze = refund_freeze(return_address="北京市朝阳区建国路1号")  # not where the order was delivered
    appeal = filed(django_capture_on_commit_callbacks, settings, freeze)
    before = available(freeze)
    appeal = read_and_review(settings, appeal)
    assert crosscheck.all_match(appeal.evidence_checks)
    assert appeal.risk_level == RiskLevel.MEDIUM
    assert "address_mismatch" in [rule["code"] for rule in appeal.risk_rules]
    assert_not_approved(appeal, freeze, before)
    assert blockers(appeal) == ["risk medium"]


@pytest.mark.parametrize(("amount", "limit", "approved"), [
    (Decimal("1000.00"), "1000.00", True),
    (Decimal("1000.01"), "1000.00", False),
    (Decimal("599.00"), "500.00", False),
])
def test_amount_limit(django_capture_on_commit_callbacks, settings, amount, limit, approved):
    assert settings.STRAIGHT_THROUGH_MAX_AMOUNT == "1000.00"
    settings.STRAIGHT_THROUGH_MAX_AMOUNT = limit
    freeze = refund_freeze(amount)
    appeal = filed(django_capture_on_commit_callbacks, settings, freeze)
    before = available(freeze)
    appeal = read_and_review(settings, appeal)
    assert crosscheck.all_match(appeal.evidence_checks)
    if approved:
        assert_approved_by_system(appeal, freeze, before)
    else:
        assert_not_approved(appeal, freeze, before)
        assert blockers(appeal) == ["amount above the straight-through limit"]


def _decided_earlier(account, *, approve: bool) -> Appeal:
    """Another appeal of the same customer (an abnormal-activity freeze, no screenshots), decided by an agent."""
    freeze = ledger.freeze_create(account=account, amount=Decimal("100.00"), reason=Freeze.Reason.ABNORMAL)
    appeal = submit_appeal(customer=account.customer, freeze_id=freeze.pk, order_number="",
                                    tracking_number="", description="请人工核实", files=[])
    agent = AgentFactory()
    review.appeal_claim(appeal_id=appeal.pk, actor=agent)
    if approve:
        decide.appeal_approve(appeal_id=appeal.pk, actor=agent)
    else:
        decide.appeal_reject(appeal_id=appeal.pk, actor=agent, reason=RejectReason.EVIDENCE_MISSING,
                               message="缺少证明材料")
    return Appeal.objects.get(pk=appeal.pk)


@pytest.mark.parametrize(("days_ago", "blocks"), [(1, True), (89, True), (91, False)])
def test_recently_rejected_appeal_of_the_customer(django_capture_on_commit_callbacks, settings, days_ago, blocks):
    freeze = refund_freeze()
    with time_machine.travel(timezone.now() - timedelta(days=days_ago), tick=False):
        rejected = _decided_earlier(freeze.account, approve=False)
    assert rejected.state == State.REJECTED
    assert timezone.now() - rejected.decided_at > timedelta(days=days_ago - 1)
    appeal = filed(django_capture_on_commit_callbacks, settings, freeze)
    before = available(freeze)
    appeal = read_and_review(settings, appeal)
    if blocks:
        assert_not_approved(appeal, freeze, before)
        assert blockers(appeal) == ["a rejected appeal in the last 90 days"]
    else:
        assert_approved_by_system(appeal, freeze, before)


def test_rejected_appeal_of_another_customer_does_not_block(django_capture_on_commit_callbacks, settings):
    _decided_earlier(make_account(Decimal("5000.00")), approve=False)
    freeze = refund_freeze()
    appeal = filed(django_capture_on_commit_callbacks, settings, freeze)
    before = available(freeze)
    assert_approved_by_system(read_and_review(settings, appeal), freeze, before)


@pytest.mark.parametrize(("days_ago", "blocks"), [(1, True), (89, True), (91, False)])
def test_recently_overturned_approval_of_the_customer(django_capture_on_commit_callbacks, settings, days_ago, blocks):
    freeze = refund_freeze()
    with time_machine.travel(timezone.now() - timedelta(days=days_ago), tick=False):
        approved = _decided_earlier(freeze.account, approve=True)
        assert audit.audit_sample_day(day=timezone.localdate()) == 1
        sample = AuditSample.objects.get(appeal=approved)
        verdict = audit.audit_record_verdict(sample_id=sample.pk, supervisor=SupervisorFactory(),
                                                verdict=AuditVerdict.Verdict.OVERTURNED, note="客户无法提供凭证")
    assert verdict.verdict == AuditVerdict.Verdict.OVERTURNED
    appeal = filed(django_capture_on_commit_callbacks, settings, freeze)
    before = available(freeze)
    appeal = read_and_review(settings, appeal)
    if blocks:
        assert_not_approved(appeal, freeze, before)
        assert blockers(appeal) == ["an overturned appeal in the last 90 days"]
    else:
        assert_approved_by_system(appeal, freeze, before)


def test_confirmed_approval_does_not_block(django_capture_on_commit_callbacks, settings):
    freeze = refund_freeze()
    approved = _decided_earlier(freeze.account, approve=True)
    audit.audit_sample_day(day=timezone.localdate())
    audit.audit_record_verdict(sample_id=AuditSample.objects.get(appeal=approved).pk,
                                  supervisor=SupervisorFactory(), verdict=AuditVerdict.Verdict.CONFIRMED)
    appeal = filed(django_capture_on_commit_callbacks, settings, freeze)
    before = available(freeze)
    assert_approved_by_system(read_and_review(settings, appeal), freeze, before)


def test_appeal_already_claimed_by_an_agent_is_left_to_the_agent(clean, settings):
    freeze, appeal, before = clean
    agent = AgentFactory()
    review.appeal_claim(appeal_id=appeal.pk, actor=agent)
    appeal = read_and_review(settings, appeal)
    assert crosscheck.all_match(appeal.evidence_checks)
    assert appeal.assignee == agent
    assert_not_approved(appeal, freeze, before, state=State.IN_REVIEW)
    assert blockers(appeal) == ["state is in_review"]


def test_required_screenshot_rejected_by_the_worker_blocks(django_capture_on_commit_callbacks, settings):
    freeze = refund_freeze()
    appeal = filed(django_capture_on_commit_callbacks, settings, freeze,
                   files=shots(0, logistics=hostile_files.truncated_png()))
    assert appeal.evidence.get(kind=LOGISTICS).status == Evidence.Status.REJECTED
    before = available(freeze)
    appeal = read_and_review(settings, appeal)
    assert_not_approved(appeal, freeze, before)
    assert blockers(appeal) == ["required screenshots missing", "not every check matches"]


@pytest.mark.parametrize("kind", [ORDER, LOGISTICS, RECEIPT])
def test_required_screenshot_not_ready_is_a_blocker_by_itself(clean, settings, kind):
    """Every check matched, then one required screenshot is rejected: that alone blocks."""
    _freeze, appeal, _before = clean
    settings.STRAIGHT_THROUGH_ENABLED = False
    appeal = read_and_review(settings, appeal)
    assert crosscheck.all_match(appeal.evidence_checks)
    settings.STRAIGHT_THROUGH_ENABLED = True
    assert blockers(appeal) == []
    appeal.evidence.filter(kind=kind).update(status=Evidence.Status.REJECTED)
    assert blockers(appeal) == ["required screenshots missing"]


# --- auditing the system's approvals -------------------------------------------------------------


def test_system_approvals_are_all_sampled_until_enough_are_confirmed(django_capture_on_commit_callbacks, settings):
    settings.STRAIGHT_THROUGH_AUDIT_ALL_UNTIL = 2
    supervisor = SupervisorFactory()

    def approve_one(seed) -> Appeal:
        freeze = refund_freeze()
        before = available(freeze)
        appeal = read_and_review(settings, filed(django_capture_on_commit_callbacks, settings, freeze, seed=seed))
        assert_approved_by_system(appeal, freeze, before)
        return appeal

    def confirm(appeal):
        sample = AuditSample.objects.get(appeal=appeal, reason=AuditSample.Reason.SYSTEM)
        audit.audit_record_verdict(sample_id=sample.pk, supervisor=supervisor,
                                      verdict=AuditVerdict.Verdict.CONFIRMED)

    first, second = approve_one(1), approve_one(2)
    confirm(first)
    third = approve_one(3)  # one confirmed of two needed: still sampled
    assert AuditSample.objects.filter(appeal=third, reason=AuditSample.Reason.SYSTEM).exists()
    confirm(second)
    fourth = approve_one(4)  # two confirmed: sampling of every system approval stops
    assert not AuditSample.objects.filter(appeal=fourth).exists()
    assert AuditSample.objects.filter(reason=AuditSample.Reason.SYSTEM).count() == 3
    assert ledger_mismatches() == []


def test_overturned_system_samples_do_not_count_towards_stopping(django_capture_on_commit_callbacks, settings):
    """Only confirmed verdicts end the audit-everything phase (overturned ones are made here
    directly)."""
    settings.STRAIGHT_THROUGH_AUDIT_ALL_UNTIL = 1
    freeze = refund_freeze()
    first = read_and_review(settings, filed(django_capture_on_commit_callbacks, settings, freeze, seed=1))
    AuditVerdict.objects.create(sample=AuditSample.objects.get(appeal=first), supervisor=SupervisorFactory(),
                                verdict=AuditVerdict.Verdict.OVERTURNED, note="凭证可疑",
                                created_at=timezone.now() - timedelta(days=100))
    other = refund_freeze()
    second = read_and_review(settings, filed(django_capture_on_commit_callbacks, settings, other, seed=2))
    assert second.state == State.APPROVED
    assert AuditSample.objects.filter(appeal=second, reason=AuditSample.Reason.SYSTEM).exists()


def test_supervisor_can_overturn_a_system_approval(clean, settings):
    freeze, appeal, before = clean
    appeal = read_and_review(settings, appeal)
    sample = AuditSample.objects.get(appeal=appeal, reason=AuditSample.Reason.SYSTEM)
    audit.audit_record_verdict(sample_id=sample.pk, supervisor=SupervisorFactory(),
                                  verdict=AuditVerdict.Verdict.OVERTURNED, note="收据为伪造")
    refrozen = Freeze.objects.get(account=freeze.account, reason=Freeze.Reason.ABNORMAL)
    assert refrozen.amount == freeze.amount
    assert available(freeze) == before
    assert AppealEvent.objects.filter(appeal=appeal, transition="overturn_approval").count() == 1
    assert ledger_mismatches() == []


def test_banned_account_is_not_approved_by_the_system(django_capture_on_commit_callbacks, settings):
    account = make_account(Decimal("10000.00"))
    normal, flagged = make_order(account, Decimal("599.00")), make_order(account, Decimal("300.00"))
    freeze = make_refund(normal).freezes.get()
    make_refund(flagged, return_address="上海市测试地址代收点")  # malicious: bans the account
    account.refresh_from_db()
    assert account.status == CreditAccount.Status.BANNED
    appeal = filed(django_capture_on_commit_callbacks, settings, freeze)
    assert appeal.requires_supervisor
    before = available(freeze)
    appeal = read_and_review(settings, appeal)
    assert_not_approved(appeal, freeze, before)

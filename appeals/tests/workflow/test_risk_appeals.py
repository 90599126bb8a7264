"""Risk of an appeal (appeals.risk): the same screenshot sent by two customers, the level floor set
by the freeze's reason, and re-assessment when the customer resubmits.

Evidence is processed by the worker task on commit; django_capture_on_commit_callbacks(execute=True)
runs it in-process, so the perceptual hashes exist when the assertions run."""

import importlib
import io
import random
from datetime import timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image, ImageDraw

from accounts.models import Freeze, RiskLevel
from accounts.services import ledger
from accounts.tests.factories import AgentFactory, CustomerFactory, make_account, make_order, make_refund
from appeals import risk as appeal_risk
from appeals.evidence import images
from appeals.evidence.pipeline import evidence_index_hash
from appeals.models import Appeal, Evidence, EvidenceHashBand
from appeals.tests.factories import file_appeal, refund_freeze, submit_appeal, upload
from appeals.workflow import review, submit

pytestmark = pytest.mark.django_db

MAX_DISTANCE = 6  # settings.RISK_PHASH_MAX_DISTANCE


def screenshot(seed: int, fmt="PNG", size=(390, 844)) -> bytes:
    """A phone screenshot whose layout (blocks of grey) is fixed by `seed`: two seeds look different."""
    rng = random.Random(seed)
    image = Image.new("RGB", (390, 844), (250, 250, 250))
    draw = ImageDraw.Draw(image)
    for row in range(16):
        for col in range(6):
            grey = rng.randrange(0, 256)
            draw.rectangle((col * 65, row * 52 + 10, col * 65 + 64, row * 52 + 61), fill=(grey, grey, grey))
    if size != image.size:
        image = image.resize(size)
    out = io.BytesIO()
    image.save(out, fmt)
    return out.getvalue()


def phash(data: bytes) -> str:
    return images.clean(io.BytesIO(data)).phash


def distance(a: str, b: str) -> int:
    return (int(a, 16) ^ int(b, 16)).bit_count()


def shots(order: bytes, logistics: bytes, receipt: bytes):
    return [(Evidence.Kind.ORDER, upload("order.png", order)),
            (Evidence.Kind.LOGISTICS, upload("logistics.png", logistics)),
            (Evidence.Kind.REFUND_RECEIPT, upload("receipt.png", receipt))]


def filed(capture, freeze, files) -> Appeal:
    with capture(execute=True):
        appeal = file_appeal(freeze, files=files)
    appeal = Appeal.objects.get(pk=appeal.pk)
    assert set(appeal.evidence.values_list("status", flat=True)) == {Evidence.Status.READY}
    return appeal


def findings(appeal, code):
    return [rule for rule in appeal.risk_rules if rule["code"] == code]


SHARED = 99  # the screenshot passed around


# ------------------------------------------------------------------------------------ evidence_reused


def test_same_screenshot_from_another_customer_makes_the_second_appeal_high(django_capture_on_commit_callbacks):
    first = filed(django_capture_on_commit_callbacks, refund_freeze(),
                  shots(screenshot(1), screenshot(SHARED), screenshot(2)))
    second = filed(django_capture_on_commit_callbacks, refund_freeze(),
                   shots(screenshot(3), screenshot(SHARED), screenshot(4)))

    assert first.customer_id != second.customer_id
    assert first.risk_level == RiskLevel.LOW and findings(first, "evidence_reused") == []
    assert second.risk_level == RiskLevel.HIGH
    [reused] = findings(second, "evidence_reused")
    assert reused["level"] == RiskLevel.HIGH
    assert reused["params"]["other"] == first.reference
    assert int(reused["params"]["distance"]) <= MAX_DISTANCE
    assert second.requires_supervisor  # high risk: four eyes
    described = appeal_risk.describe(reused)
    assert first.reference in described["agent"]
    assert first.reference not in described["customer"]  # the customer is not told whose appeal


def test_reencoded_and_resized_copy_still_counts_as_reused(django_capture_on_commit_callbacks):
    first = filed(django_capture_on_commit_callbacks, refund_freeze(),
                  shots(screenshot(1), screenshot(SHARED), screenshot(2)))
    copy = screenshot(SHARED, fmt="JPEG", size=(300, 650))
    second = filed(django_capture_on_commit_callbacks, refund_freeze(),
                   shots(screenshot(3), screenshot(4), copy))
    [reused] = findings(second, "evidence_reused")
    assert reused["params"]["other"] == first.reference
    assert second.risk_level == RiskLevel.HIGH


def test_customer_reusing_their_own_screenshot_stays_quiet(django_capture_on_commit_callbacks):
    account = make_account()
    one, two = (make_refund(make_order(account, Decimal("599.00"))).freezes.get() for _ in range(2))
    first = filed(django_capture_on_commit_callbacks, one, shots(screenshot(1), screenshot(SHARED), screenshot(2)))
    second = filed(django_capture_on_commit_callbacks, two, shots(screenshot(1), screenshot(SHARED), screenshot(2)))

    # The rule had identical hashes to compare; it must ignore them because they are the customer's own.
    assert set(first.evidence.values_list("phash", flat=True)) == set(second.evidence.values_list("phash", flat=True))
    assert findings(second, "evidence_reused") == []
    assert second.risk_level == RiskLevel.LOW


def test_visibly_different_screenshots_stay_quiet(django_capture_on_commit_callbacks):
    mine, theirs = [screenshot(s) for s in (1, 2, 3)], [screenshot(s) for s in (4, 5, 6)]
    assert min(distance(phash(a), phash(b)) for a in mine for b in theirs) > MAX_DISTANCE  # really different
    filed(django_capture_on_commit_callbacks, refund_freeze(), shots(*mine))
    second = filed(django_capture_on_commit_callbacks, refund_freeze(), shots(*theirs))
    assert findings(second, "evidence_reused") == []
    assert second.risk_level == RiskLevel.LOW


def flipped(phash: str, bits) -> str:
    value = int(phash, 16)
    for bit in bits:
        value ^= 1 << bit
    return f"{value:0{len(phash)}x}"


@given(st.integers(0, (1 << 256) - 1), st.sets(st.integers(0, 255), max_size=8))
def test_a_hash_within_eight_bits_always_shares_a_band(value, bits):
    original = f"{value:064x}"
    near = flipped(original, bits)
    assert "".join(v for _band, v in images.hash_bands(original)) == original
    assert set(images.hash_bands(original)) & set(images.hash_bands(near))


def hashed_evidence(phash: str) -> Evidence:
    """A new customer's appeal with one screenshot the worker has read, with this hash, indexed as
    the worker does."""
    appeal = appeal_on_plain_freeze(Freeze.Reason.ROUTINE_RISK)
    evidence = Evidence.objects.create(appeal=appeal, kind=Evidence.Kind.ORDER, uploaded_by=appeal.customer,
                                       status=Evidence.Status.READY, phash=phash)
    evidence_index_hash(evidence)
    return evidence


def test_a_copy_differing_in_one_bit_per_band_is_found_through_the_one_band_left():
    original = f"{random.Random(7).getrandbits(256):064x}"
    starts = [0, 8, 15, 22, 29, 36, 43, 50]  # hex offsets of bands 0..7: band 8 is left as it was
    near = flipped(original, [(63 - start) * 4 for start in starts])  # one bit in the first digit of each
    assert distance(original, near) == 8
    assert [o == n for (_b, o), (_b2, n) in zip(images.hash_bands(original), images.hash_bands(near),
                                                strict=True)] == [False] * 8 + [True]
    first = hashed_evidence(original)
    unrelated = hashed_evidence(f"{random.Random(8).getrandbits(256):064x}")
    second = hashed_evidence(near)

    [reused] = appeal_risk.evidence_reused(second.appeal)
    assert (reused.params["other"], reused.params["distance"]) == (first.appeal.reference, 8)
    assert appeal_risk.evidence_reused(unrelated.appeal) == []


def test_the_migration_indexes_hashes_stored_before_the_index():
    from django.apps import apps

    backfill = importlib.import_module("appeals.migrations.0013_evidence_hash_bands").index_stored_hashes
    old = hashed_evidence(f"{random.Random(9).getrandbits(256):064x}")
    EvidenceHashBand.objects.filter(evidence=old).delete()
    copy = hashed_evidence(old.phash)
    assert appeal_risk.evidence_reused(copy.appeal) == []  # unindexed: invisible to the rule
    EvidenceHashBand.objects.all().delete()  # the table is new and empty when the migration runs

    backfill(apps, None)

    assert EvidenceHashBand.objects.filter(evidence__in=[old, copy]).count() == 2 * images.HASH_BANDS
    assert [f.params["other"] for f in appeal_risk.evidence_reused(copy.appeal)] == [old.appeal.reference]


# --------------------------------------------------------------------------- level floor by freeze reason


def appeal_on_plain_freeze(reason) -> Appeal:
    """An appeal on a risk-control freeze without a refund behind it: no refund rules can fire."""
    account = make_account()
    freeze = ledger.freeze_create(account=account, amount=Decimal("800.00"), reason=reason)
    return submit_appeal(customer=account.customer, freeze_id=freeze.pk, order_number="",
                                  tracking_number="", description="请协助解冻", files=[])


@pytest.mark.parametrize("reason, floor", [
    (Freeze.Reason.MALICIOUS, RiskLevel.HIGH),
    (Freeze.Reason.ABNORMAL, RiskLevel.MEDIUM),
    (Freeze.Reason.ROUTINE_RISK, RiskLevel.LOW),
])
def test_appeal_risk_is_never_below_the_freeze_reasons_floor(reason, floor):
    appeal = Appeal.objects.get(pk=appeal_on_plain_freeze(reason).pk)
    assert appeal.risk_rules == []  # no rule fired: the level is the floor alone
    assert appeal.risk_level == floor


def test_floor_does_not_lower_a_higher_rule_level():
    appeal = appeal_on_plain_freeze(Freeze.Reason.ABNORMAL)
    high = [appeal_risk.risk.Finding("evidence_reused", RiskLevel.HIGH)]
    assert appeal_risk.level_for(appeal, high) == RiskLevel.HIGH
    assert appeal_risk.level_for(appeal, [appeal_risk.risk.Finding("item_mismatch", RiskLevel.MEDIUM)]) == \
        RiskLevel.MEDIUM


def test_appeal_on_a_malicious_refund_freeze_is_high():
    account = make_account()
    refund = make_refund(make_order(account, Decimal("1500.00")), return_address="虚拟地址 某某路 (代收点)")
    freeze = refund.freezes.get()
    assert freeze.reason == Freeze.Reason.MALICIOUS
    appeal = file_appeal(freeze)
    appeal.refresh_from_db()
    assert appeal.risk_level == RiskLevel.HIGH
    assert "virtual_address" in [rule["code"] for rule in appeal.risk_rules]


# ------------------------------------------------------------------------------ re-assessed on resubmit


def asked_for_more(appeal):
    agent = AgentFactory()
    review.appeal_claim(appeal_id=appeal.pk, actor=agent)
    review.appeal_request_info(appeal_id=appeal.pk, actor=agent, message="请补充物流截图")
    return agent


def test_resubmit_reassesses_risk_with_what_happened_since(django_capture_on_commit_callbacks):
    freeze = refund_freeze()
    appeal = filed(django_capture_on_commit_callbacks, freeze, shots(screenshot(1), screenshot(2), screenshot(3)))
    assert appeal.risk_level == RiskLevel.LOW and appeal.risk_rules == []
    asked_for_more(appeal)
    refund = freeze.refund
    ledger.order_purchase(account=freeze.account, number="DY-RIGHT-AFTER", amount=Decimal("50.00"), item_name="手机壳",
                          item_sku="SKU-CASE", delivery_address=refund.order.delivery_address,
                          occurred_at=refund.created_at + timedelta(minutes=10))
    assert Appeal.objects.get(pk=appeal.pk).risk_level == RiskLevel.LOW  # stored level is not live

    submit.appeal_resubmit(appeal_id=appeal.pk, actor=appeal.customer, message="已补充说明", files=[])

    appeal.refresh_from_db()
    assert [rule["code"] for rule in appeal.risk_rules] == ["purchase_after_return"]
    assert appeal.risk_level == RiskLevel.MEDIUM


def test_resubmitted_screenshot_of_another_customer_makes_the_appeal_high(django_capture_on_commit_callbacks):
    other = filed(django_capture_on_commit_callbacks, refund_freeze(customer=CustomerFactory()),
                  shots(screenshot(1), screenshot(SHARED), screenshot(2)))
    appeal = filed(django_capture_on_commit_callbacks, refund_freeze(),
                   shots(screenshot(3), screenshot(4), screenshot(5)))
    assert appeal.risk_level == RiskLevel.LOW
    asked_for_more(appeal)

    with django_capture_on_commit_callbacks(execute=True):
        submit.appeal_resubmit(appeal_id=appeal.pk, actor=appeal.customer, message="",
                                 files=[(Evidence.Kind.LOGISTICS, upload("more.png", screenshot(SHARED)))])

    appeal.refresh_from_db()
    [reused] = findings(appeal, "evidence_reused")
    assert reused["params"]["other"] == other.reference
    assert appeal.risk_level == RiskLevel.HIGH

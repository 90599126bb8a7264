"""The refund risk rules (accounts.risk) on the cases of DOMAIN.md "Risk-control signals": each rule
fires on its case and stays quiet one step below its threshold; overall_level; describe() in both
languages; the overdue streak's limit cut; and the 5-refunds-in-one-day cash-out case end to end.

Times are Asia/Shanghai; "now" is pinned with time_machine wherever a rule compares with today."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import translation

from accounts import risk, selectors
from accounts.errors import AccountNotActive
from accounts.models import AccountStatusChange, Bill, CreditAccount, Freeze, LedgerEntry, Order, RiskLevel
from accounts.selectors import ledger_mismatches
from accounts.services import ledger, policy
from accounts.tests.factories import make_account, make_order, make_refund

pytestmark = pytest.mark.django_db

SH = ZoneInfo("Asia/Shanghai")
HOME = "上海市浦东新区世纪大道100号"  # the factories' delivery address
ORDERED_ON = datetime(2026, 9, 1, 12, 0, tzinfo=SH)  # every order here is older than its refund


def at(month, day, hour=10, minute=0, year=2026):
    return datetime(year, month, day, hour, minute, tzinfo=SH)


@pytest.fixture(autouse=True)
def now():
    """"Now" is pinned after every refund of this module, so no rule depends on the real date."""
    with time_machine.travel(datetime(2026, 10, 20, 12, 0, tzinfo=SH), tick=False) as traveller:
        yield traveller


def orders(account, n, amount=Decimal("100.00"), **kwargs):
    return [make_order(account, amount, occurred_at=ORDERED_ON, **kwargs) for _ in range(n)]


def refunds_at(times, account=None, **kwargs):
    """One order and one full refund per time, in that order, all on one account."""
    account = account or make_account()
    return [make_refund(order, occurred_at=when, **kwargs) for order, when in zip(orders(account, len(times)), times,
                                                                                    strict=True)]


def codes(refund_or_findings):
    rules = refund_or_findings.risk_rules if hasattr(refund_or_findings, "risk_rules") else [
        finding.as_dict() for finding in refund_or_findings]
    return [rule["code"] for rule in rules]


def rule(refund, code):
    [found] = [r for r in refund.risk_rules if r["code"] == code]
    return found


# ------------------------------------------------------------------------------------ refunds_per_day


def test_four_refunds_in_one_local_day_fire_refunds_per_day_on_the_fourth():
    # 07:00 and 07:30 in Shanghai are still the previous day in UTC: only the local day counts.
    refunds = refunds_at([at(9, 15, 7, 0), at(9, 15, 7, 30), at(9, 15, 9, 0), at(9, 15, 21, 0)])
    assert [("refunds_per_day" in codes(r)) for r in refunds] == [False, False, False, True]
    fourth = refunds[3]
    assert rule(fourth, "refunds_per_day") == {
        "code": "refunds_per_day", "level": RiskLevel.HIGH, "params": {"n": "4", "day": "2026-09-15", "max": "3"}}
    assert fourth.risk_level == RiskLevel.HIGH
    assert fourth.freezes.get().reason == Freeze.Reason.MALICIOUS


def test_three_refunds_in_one_day_stay_quiet():
    refunds = refunds_at([at(9, 15, 0, 5), at(9, 15, 12, 0), at(9, 15, 23, 55)])
    assert all("refunds_per_day" not in codes(r) for r in refunds)
    assert [r.risk_level for r in refunds] == [RiskLevel.LOW] * 3
    assert [r.freezes.get().reason for r in refunds] == [Freeze.Reason.NORMAL_REFUND] * 3
    assert CreditAccount.objects.get().status == CreditAccount.Status.ACTIVE


def test_four_refunds_across_local_midnight_are_two_days():
    # 23:00 – 00:30 Shanghai is one UTC day (15:00 – 16:30 UTC) but two local days.
    refunds = refunds_at([at(9, 15, 23, 0), at(9, 15, 23, 59), at(9, 16, 0, 0), at(9, 16, 0, 30)])
    assert all("refunds_per_day" not in codes(r) for r in refunds)


# ---------------------------------------------------------------------------------- returns_in_7_days


def test_four_returns_within_seven_days_fire_returns_in_7_days():
    refunds = refunds_at([at(9, 10), at(9, 12), at(9, 14), at(9, 16, 9, 59)])
    assert [("returns_in_7_days" in codes(r)) for r in refunds] == [False, False, False, True]
    assert rule(refunds[3], "returns_in_7_days") == {
        "code": "returns_in_7_days", "level": RiskLevel.MEDIUM, "params": {"n": "4", "max": "3"}}
    assert refunds[3].risk_level == RiskLevel.MEDIUM  # one medium rule: reviewed, not malicious
    assert refunds[3].freezes.get().reason == Freeze.Reason.NORMAL_REFUND


def test_three_returns_within_seven_days_stay_quiet():
    refunds = refunds_at([at(9, 10), at(9, 12), at(9, 14)])
    assert all("returns_in_7_days" not in codes(r) for r in refunds)


def test_four_returns_spread_over_eight_days_stay_quiet():
    refunds = refunds_at([at(9, 10), at(9, 12), at(9, 15), at(9, 18)])
    assert all("returns_in_7_days" not in codes(r) for r in refunds)
    assert [r.risk_level for r in refunds] == [RiskLevel.LOW] * 4


# -------------------------------------------------------------------------------------- item_mismatch


def test_returned_sku_differs_from_ordered_fires_item_mismatch():
    [refund] = refunds_at([at(9, 15)], returned_item_name="旧手机壳", returned_item_sku="SKU-JUNK")
    assert codes(refund) == ["item_mismatch"]
    assert rule(refund, "item_mismatch") == {"code": "item_mismatch", "level": RiskLevel.MEDIUM, "params": {
        "ordered": "蓝牙耳机", "osku": "SKU-EAR-01", "returned": "旧手机壳", "rsku": "SKU-JUNK"}}
    assert refund.risk_level == RiskLevel.MEDIUM


@pytest.mark.parametrize("sku", ["sku-ear-01", "  SKU-EAR-01 ", "\tSku-Ear-01\n"])
def test_same_sku_in_other_case_or_with_surrounding_whitespace_stays_quiet(sku):
    [refund] = refunds_at([at(9, 15)], returned_item_sku=sku)
    assert codes(refund) == []
    assert refund.risk_level == RiskLevel.LOW


# ------------------------------------------------------------------------------------- return address


@pytest.mark.parametrize("address", ["虚拟地址 上海市某某路000号", "上海市某某路000号 (代收点)", "VIRTUAL warehouse 12",
                                     "测试 地址 1号"])
def test_virtual_address_marker_fires_virtual_address_high(address):
    [refund] = refunds_at([at(9, 15)], return_address=address)
    assert codes(refund) == ["virtual_address"]  # not also address_mismatch
    assert rule(refund, "virtual_address")["level"] == RiskLevel.HIGH
    assert refund.risk_level == RiskLevel.HIGH
    assert refund.freezes.get().reason == Freeze.Reason.MALICIOUS


def test_different_real_address_fires_address_mismatch():
    [refund] = refunds_at([at(9, 15)], return_address="北京市朝阳区建国路88号")
    assert codes(refund) == ["address_mismatch"]
    assert rule(refund, "address_mismatch") == {"code": "address_mismatch", "level": RiskLevel.MEDIUM, "params": {
        "delivery": HOME, "address": "北京市朝阳区建国路88号"}}
    assert refund.freezes.get().reason == Freeze.Reason.NORMAL_REFUND


@pytest.mark.parametrize("address", ["上海市 浦东新区  世纪大道 100号", " 上海市浦东新区世纪大道100号\n",
                                     "上海市\u3000浦东新区\u3000世纪大道100号"])  # ideographic space too
def test_same_address_with_other_spacing_stays_quiet(address):
    [refund] = refunds_at([at(9, 15)], return_address=address)
    assert codes(refund) == []


# ----------------------------------------------------------------------------- purchase_after_return


@pytest.mark.parametrize("minutes, fires", [(59, True), (61, False)])
def test_purchase_after_return_is_seen_when_the_refund_is_assessed_again(minutes, fires):
    [refund] = refunds_at([at(9, 15, 10, 0)])
    assert codes(refund) == []  # when recorded, no later purchase existed yet
    later = ledger.order_purchase(
        account=refund.order.account, number="DY-AFTER-RETURN", amount=Decimal("50.00"), item_name="手机壳",
        item_sku="SKU-CASE", delivery_address=HOME, occurred_at=refund.created_at + timedelta(minutes=minutes))
    findings = risk.assess_refund(refund)
    if fires:
        [finding] = [f for f in findings if f.code == "purchase_after_return"]
        assert finding.level == RiskLevel.MEDIUM
        assert finding.as_dict()["params"] == {"number": later.number, "minutes": str(minutes),
                                               "returned": refund.order.number}
    else:
        assert "purchase_after_return" not in codes(findings)
    assert codes(findings) == (["purchase_after_return"] if fires else [])


# ------------------------------------------------------------------------------- platform_not_synced


def test_unsynced_external_refund_fires_platform_not_synced_medium():
    account = make_account()
    meal = make_order(account, Decimal("86.50"), platform=Order.Platform.FOOD_DELIVERY, occurred_at=ORDERED_ON)
    refund = make_refund(meal, platform_synced=False, occurred_at=at(9, 15))
    assert codes(refund) == ["platform_not_synced"]
    assert rule(refund, "platform_not_synced")["level"] == RiskLevel.MEDIUM
    assert rule(refund, "platform_not_synced")["params"]["number"] == meal.number
    assert refund.risk_level == RiskLevel.MEDIUM
    assert refund.freezes.get().reason == Freeze.Reason.NORMAL_REFUND


def test_synced_refund_stays_quiet():
    [refund] = refunds_at([at(9, 15)], platform_synced=True)
    assert "platform_not_synced" not in codes(refund)


# ---------------------------------------------------------------------------------- overdue_in_a_row
# "Now" is 2026-10-20: bills due on the 10th of Jul/Aug/Sep are past; Oct 10 is past too.


def limit_cuts(account):
    return LedgerEntry.objects.filter(account=account, kind=LedgerEntry.Kind.LIMIT_CHANGE,
                                      target="outside").count()


def test_three_overdue_bills_in_a_row_cut_the_limit_by_thirty_percent_once():
    account = make_account(Decimal("10000.00"))
    policy.bill_record(account=account, due_on=date(2026, 7, 10), amount="500.00", paid_on=date(2026, 7, 12))
    policy.bill_record(account=account, due_on=date(2026, 8, 10), amount="500.00", paid_on=date(2026, 8, 15))
    assert risk.overdue_in_a_row(account) is None  # two in a row: one step below
    account.refresh_from_db()
    assert account.limit == Decimal("10000.00")

    third = policy.bill_record(account=account, due_on=date(2026, 9, 10), amount="500.00")  # unpaid, past
    finding = risk.overdue_in_a_row(account)
    assert finding is not None and (finding.code, finding.level) == ("overdue_in_a_row", RiskLevel.MEDIUM)
    account.refresh_from_db()
    assert account.limit == Decimal("7000.00")
    assert limit_cuts(account) == 1
    assert Bill.objects.get(pk=third.pk).limit_cut

    policy.bill_record(account=account, due_on=date(2026, 10, 10), amount="500.00")  # a 4th overdue bill
    policy.bill_record(account=account, due_on=date(2026, 9, 10), amount="500.00",  # the 3rd, re-recorded
                         paid_on=date(2026, 9, 20))
    account.refresh_from_db()
    assert account.limit == Decimal("7000.00")
    assert limit_cuts(account) == 1
    assert ledger_mismatches() == []


def test_overdue_streak_shows_on_later_refunds():
    account = make_account()
    for month in (7, 8, 9):
        policy.bill_record(account=account, due_on=date(2026, month, 10), amount="100.00",
                             paid_on=date(2026, month, 11))
    [refund] = refunds_at([at(10, 15)], account=account)
    assert codes(refund) == ["overdue_in_a_row"]
    assert rule(refund, "overdue_in_a_row") == {"code": "overdue_in_a_row", "level": RiskLevel.MEDIUM,
                                                "params": {"n": "3"}}


def test_limit_cut_never_goes_below_used_plus_frozen():
    account = make_account(Decimal("10000.00"))
    coat = make_order(account, Decimal("8000.00"), occurred_at=ORDERED_ON)
    make_refund(coat, Decimal("500.00"), occurred_at=at(9, 15))  # used 7500, frozen 500, available 2000
    for month in (7, 8, 9):
        policy.bill_record(account=account, due_on=date(2026, month, 10), amount="100.00")
    account.refresh_from_db()
    assert (account.used, account.frozen) == (Decimal("7500.00"), Decimal("500.00"))
    assert account.limit == Decimal("8000.00")  # cut 2000 (all available), not 3000
    assert account.available == Decimal("0.00")
    assert limit_cuts(account) == 1
    assert ledger_mismatches() == []


@pytest.mark.parametrize("paid", [
    [date(2026, 7, 12), date(2026, 8, 15), date(2026, 9, 10)],  # 2 overdue, then on time
    [date(2026, 7, 12), date(2026, 8, 9), date(2026, 9, 11)],  # overdue, on time, overdue
])
def test_two_overdue_and_one_on_time_do_not_cut(paid):
    account = make_account(Decimal("10000.00"))
    for month, paid_on in zip((7, 8, 9), paid, strict=True):
        policy.bill_record(account=account, due_on=date(2026, month, 10), amount="500.00", paid_on=paid_on)
    assert risk.overdue_in_a_row(account) is None
    account.refresh_from_db()
    assert account.limit == Decimal("10000.00")
    assert limit_cuts(account) == 0
    assert not Bill.objects.filter(limit_cut=True).exists()


# ------------------------------------------------------------------------------------- overall_level

L, M, H = RiskLevel.LOW, RiskLevel.MEDIUM, RiskLevel.HIGH


@pytest.mark.parametrize("levels, expected", [
    ([], L), ([L], L), ([L, L, L], L), ([M], M), ([M, M], M), ([M, M, L], M),
    ([M, M, M], H), ([H], H), ([L, H], H), ([M, H], H),
])
def test_overall_level_high_if_any_high_or_three_medium(levels, expected):
    findings = [risk.Finding(f"rule{i}", level) for i, level in enumerate(levels)]
    assert risk.overall_level(findings) == expected
    assert risk.overall_level([f.as_dict() for f in findings]) == expected  # stored findings too


# ------------------------------------------------------------------------------------------ describe

STORED = {"code": "refunds_per_day", "level": "high", "params": {"n": "5", "day": "2026-09-15", "max": "3"}}


def test_describe_in_english():
    with translation.override("en"):
        text = risk.describe(STORED)
    assert text["title"] == "Many refunds in one day"
    assert text["agent"] == "5 refunds on 2026-09-15 (more than 3)."
    assert (text["code"], text["level"]) == ("refunds_per_day", "high")


def _has_cjk(text):
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def test_describe_in_chinese():
    with translation.override("zh-hans"):
        text = risk.describe(STORED)
    assert _has_cjk(text["title"]) and text["title"] != "Many refunds in one day"
    assert _has_cjk(text["customer"])
    assert "5" in text["agent"] and "2026-09-15" in text["agent"] and _has_cjk(text["agent"])


# ------------------------------------------------------------- DOMAIN.md case: cash-out, account banned


def test_five_mismatched_refunds_to_a_virtual_address_in_one_day_freeze_everything_and_ban():
    account = make_account(Decimal("10000.00"))
    cards = [make_order(account, Decimal("1500.00"), item_name="iPhone 充值卡 1500元", item_sku=f"SKU-CARD-{i}",
                        occurred_at=at(9, 14, 20, i)) for i in range(5)]  # used 7500, available 2500
    refunds = [make_refund(card, occurred_at=at(9, 15, 9, 10 * i), returned_item_name="旧手机壳",
                           returned_item_sku="SKU-JUNK", return_address="虚拟地址 上海市某某路000号 (代收点)")
               for i, card in enumerate(cards)]

    for i, refund in enumerate(refunds):
        assert refund.risk_level == RiskLevel.HIGH
        assert {"item_mismatch", "virtual_address"} <= set(codes(refund))
        assert ("refunds_per_day" in codes(refund)) == (i >= 3)
    account.refresh_from_db()
    assert account.status == CreditAccount.Status.BANNED
    assert (account.limit, account.used, account.frozen) == (Decimal("10000.00"), Decimal("0.00"),
                                                             Decimal("10000.00"))
    assert account.available == Decimal("0.00")
    freezes = Freeze.objects.filter(account=account)
    assert set(freezes.values_list("reason", flat=True)) == {Freeze.Reason.MALICIOUS}
    assert freezes.filter(refund__isnull=False).count() == 5
    [whole_available] = freezes.filter(refund__isnull=True)
    assert whole_available.amount == Decimal("2500.00")
    assert set(freezes.values_list("expected_release_on", flat=True)) == {None}  # only an appeal lifts them
    [change] = AccountStatusChange.objects.filter(account=account)
    assert (change.old_status, change.new_status) == (CreditAccount.Status.ACTIVE, CreditAccount.Status.BANNED)
    assert "virtual_address" in change.note
    assert not selectors.freezes_due(date(2030, 1, 1)).filter(account=account).exists()
    with pytest.raises(AccountNotActive):
        make_order(account, Decimal("10.00"))
    assert ledger_mismatches() == []

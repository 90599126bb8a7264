"""The OCR fact parsers: every format that must be read, and the near misses that must not be.

Plain functions on strings: no database, no Django settings needed."""

from dataclasses import FrozenInstanceError
from datetime import datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from appeals.evidence.facts import (
    Fact,
    MonthDay,
    amounts,
    datetimes,
    extract,
    order_numbers,
    statuses,
    tracking_numbers,
)

# --- Order numbers -------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    ("DY202611200001", "DY202611200001"),
    ("EL202611100001", "EL202611100001"),
    ("dy202611200001", "DY202611200001"),
    ("订单编号：DY202611200001", "DY202611200001"),
    ("订单编号DY202611200001复制", "DY202611200001"),
    ("订单编号：DY 2026 1120 0001", "DY202611200001"),
    ("订单号：1234567890123456789", "1234567890123456789"),
    ("订单号码 ＃ AB12345678CD", "AB12345678CD"),
    ("订 单 号：4000123456789012", "4000123456789012"),
    ("订单编号：3456 7890 1234 5678", "3456789012345678"),
    ("订单号：１２３４５６７８９０１２", "123456789012"),
    ("Order No.: ab1234567890", "AB1234567890"),
    ("ORDER NUMBER#9876543210", "9876543210"),
    ("订单编号 DY202611200001 实付款 ¥1,599.00", "DY202611200001"),
    ("订单号 123456789012 2件", "123456789012"),
    ("下单时间 2026-11-20 19:18 DY202611200001", "DY202611200001"),
])
def test_order_number_read(text, expected):
    assert order_numbers(text) == [expected]


@pytest.mark.parametrize("text", [
    "SF1234567890123",
    "订单号 SF1234567890123",
    "订单号 SF12345678901234567",
    "13812345678",
    "订单号：13812345678",
    "¥1,599.00",
    "20261120",
    "2026-11-20 19:18",
    "DY20261120001",  # 11 digits
    "DY2026112000012",  # 13 digits
    "订单编号：DY2026112000012",
    "订单编号：DY2026112O0001",  # O read for 0: not guessed back
    "XDY202611200001",
    "EL20261110000",
    "订单号 123456789",  # too short
    "订单号 1234567890123456789012345",  # too long
    "Order No ABCDEFGHIJKL",  # no digit
    "运单号：731234567890123",
    "订单号 2026-11-20",
])
def test_order_number_near_miss(text):
    assert order_numbers(text) == []


def test_order_numbers_of_several_lines():
    assert order_numbers("订单编号 DY202611200001\n外卖订单 EL202611100001") == ["DY202611200001", "EL202611100001"]


# --- Amounts -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    ("¥1,599.00", "1599.00"),
    ("￥1，599.00", "1599.00"),
    ("¥1, 599.00", "1599.00"),
    ("¥86.5", "86.50"),
    ("¥ 86.50", "86.50"),
    ("¥1599", "1599.00"),
    ("¥1,234,567.89", "1234567.89"),
    ("RMB1599", "1599.00"),
    ("RMB 1,599.00", "1599.00"),
    ("1599元", "1599.00"),
    ("86.5 元", "86.50"),
    ("实付款¥1599.00元", "1599.00"),
    ("实付款 1599", "1599.00"),
    ("实付款：86.50", "86.50"),
    ("退款金额：1，599.00", "1599.00"),
    ("退款金额：１，５９９.００", "1599.00"),
    ("金额（元） 86.5", "86.50"),
    ("合计:43", "43.00"),
    ("合 计 43.00", "43.00"),
    ("共2件 合计 ¥86.50", "86.50"),
    ("¥43.25 x2", "43.25"),
    ("¥43.25x2", "43.25"),
    ("退款金额 ¥-599.00", "599.00"),
    ("订单编号 DY202611200001 实付款 ¥1,599.00", "1599.00"),
])
def test_amount_read(text, expected):
    assert amounts(text) == [Decimal(expected)]


def test_amounts_keep_every_occurrence_in_order():
    assert amounts("商品金额 ¥99.00 优惠 -¥13.00 实付款 ¥86.00") == [Decimal("99.00"), Decimal("13.00"),
                                                                 Decimal("86.00")]


@pytest.mark.parametrize("text", [
    "DY202611200001",
    "2026-11-20 19:18",
    "2026.11.20",
    "13812345678",
    "金额 13812345678",
    "5%",
    "金额 5%",
    "x2",
    "共2件",
    "合计2件",
    "合计 19:18",
    "金额 2026-11-20",
    "¥1,5O9.00",  # O read for 0
    "¥15O9",
    "¥86,50",  # decimal comma: ambiguous, not read
    "¥1,59",
    "SF1234567890123",
    "运单号 7712345678901 申通",
])
def test_amount_near_miss(text):
    assert amounts(text) == []


# --- Tracking numbers ----------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "carrier", "number"), [
    ("SF1234567890123", "SF", "SF1234567890123"),
    ("SF140293847561", "SF", "SF140293847561"),
    ("sf 1234 5678 9012", "SF", "SF123456789012"),
    ("运单号：SF1234567890123（顺丰速运）", "SF", "SF1234567890123"),
    ("JDVA12345678901", "JD", "JDVA12345678901"),
    ("JDX000123456789", "JD", "JDX000123456789"),
    ("京东物流 JD0012345678901", "JD", "JD0012345678901"),
    ("YT1234567890123", "YT", "YT1234567890123"),
    ("YT123456789012345", "YT", "YT123456789012345"),
    ("ZTO75123456789012", "ZTO", "ZTO75123456789012"),
    ("中通快递 731234567890123", "ZTO", "731234567890123"),
    ("中通 运单号：531234567890", "ZTO", "531234567890"),
    ("申通快递 7712345678901", "STO", "7712345678901"),
    ("申通 8812345678901", "STO", "8812345678901"),
    ("韵达快递 3112345678901", "YD", "3112345678901"),
    ("韵达 4312345678901", "YD", "4312345678901"),
    ("韵 达 4612345678901", "YD", "4612345678901"),
    ("YD1234567890123", "YD", "YD1234567890123"),
    ("EA123456789CN", "EMS", "EA123456789CN"),
    ("EA 123 456 789 CN", "EMS", "EA123456789CN"),
    ("ea123456789cn", "EMS", "EA123456789CN"),
    ("EMS 1123456789012", "EMS", "1123456789012"),
    ("中国邮政 1123456789012", "EMS", "1123456789012"),
    ("快递单号：731234567890123 中通快递", "ZTO", "731234567890123"),
    ("Tracking No: 7712345678901 STO", "STO", "7712345678901"),
    ("运单号 ７３１２３４５６７８９０１２３ 中通", "ZTO", "731234567890123"),
    ("物流单号 1234567890123", "", "1234567890123"),
    ("顺丰速运 运单号 123456789012", "SF", "123456789012"),
])
def test_tracking_number_read(text, carrier, number):
    assert tracking_numbers(text) == [(carrier, number)]


@pytest.mark.parametrize("text", [
    "DY202611200001",
    "EL202611100001",
    "¥1,599.00",
    "SF12345678901",  # 11 digits
    "SF1234567890123456",  # 16 digits
    "SF123456789O123",  # O read for 0
    "YT123456789012",  # 12 digits
    "731234567890123",  # no label: could be anything
    "中通快递 331234567890123",  # not a ZTO number
    "申通 7712345678",
    "韵达 5512345678901",
    "EMS 2123456789012",
    "EA12345678CN",
    "ITEMS 1123456789012",
    "运单号 13812345678",  # a phone number
    "中通快递 快递员 13812345678",
    "订单号 731234567890123",
    "京东 订单号 123456789012",
])
def test_tracking_number_near_miss(text):
    assert tracking_numbers(text) == []


# --- Dates and times -----------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    ("2026-11-20", datetime(2026, 11, 20)),
    ("2026/11/20", datetime(2026, 11, 20)),
    ("2026.11.20", datetime(2026, 11, 20)),
    ("2026年11月20日", datetime(2026, 11, 20)),
    ("2026 年 11 月 20 日", datetime(2026, 11, 20)),
    ("2026-1-5", datetime(2026, 1, 5)),
    ("2026-11-20 19:18", datetime(2026, 11, 20, 19, 18)),
    ("2026-11-20 19:18:05", datetime(2026, 11, 20, 19, 18, 5)),
    ("2026-11-20 19：18", datetime(2026, 11, 20, 19, 18)),
    ("2026-11-2019:18", datetime(2026, 11, 20, 19, 18)),
    ("2026-11-20T19:18:05", datetime(2026, 11, 20, 19, 18, 5)),
    ("2026年11月20日 19:18", datetime(2026, 11, 20, 19, 18)),
    ("下单时间：2026-11-20 09:05:00", datetime(2026, 11, 20, 9, 5)),
    ("2026-11-20 25:99", datetime(2026, 11, 20)),  # unreadable time: the date stays
])
def test_datetime_read(text, expected):
    assert datetimes(text) == [expected]


@pytest.mark.parametrize("text", [
    "2026-13-40",
    "2026-02-30",
    "20261120",
    "2026-11/20",  # mixed separators
    "2026-11-2O",
    "¥1599.00",
    "V2026.1.5",
    "DY202611200001",
])
def test_datetime_near_miss(text):
    assert datetimes(text) == []


# --- Statuses ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    ("退款成功", "refunded"),
    ("已退款", "refunded"),
    ("退款完成", "refunded"),
    ("退款已到账", "refunded"),
    ("退 款 成 功", "refunded"),
    ("退款中", "refund_pending"),
    ("退款处理中", "refund_pending"),
    ("已签收", "delivered"),
    ("签收成功", "delivered"),
    ("退货", "returned"),
    ("已退货", "returned"),
    ("退货成功", "returned"),
    ("运输中", "in_transit"),
    ("已揽收", "in_transit"),
    ("派送中", "in_transit"),
    ("退款关闭", "refund_failed"),
    ("退款失败", "refund_failed"),
    ("退款状态：退款失败", "refund_failed"),
])
def test_status_read(text, expected):
    assert statuses(text) == [expected]


@pytest.mark.parametrize("text", [
    "退款",
    "签收",
    "7天无理由退货",
    "退货地址：上海市浦东新区",
    "申请退货",
    "退货单号 SF1234567890123",
    "退款中心",
])
def test_status_near_miss(text):
    assert statuses(text) == []


def test_statuses_in_order():
    assert statuses("已签收 退款中") == ["delivered", "refund_pending"]


# --- extract -------------------------------------------------------------------------------------


def test_extract_keeps_lines_and_matched_text():
    lines = [
        "订单编号 DY202611200001 实付款 ￥1，599.00",
        "顺丰速运 运单号：SF 1234 5678 9012 已签收",
        "退款时间 2026-11-20 19：18",
        "退款成功",
    ]
    assert extract(lines) == [
        Fact("order_number", "DY202611200001", 0, "DY202611200001"),
        Fact("amount", Decimal("1599.00"), 0, "￥1，599.00"),
        Fact("tracking_number", "SF123456789012", 1, "SF 1234 5678 9012", "SF"),
        Fact("status", "delivered", 1, "已签收"),
        Fact("datetime", datetime(2026, 11, 20, 19, 18), 2, "2026-11-20 19：18", role="refunded"),
        Fact("status", "refunded", 3, "退款成功"),
    ]


def test_extract_reads_a_label_on_the_line_above():
    """Phone pages put the label on one row and the value on the next: OCR gives two lines."""
    lines = ["订单编号", "1234567890123456", "退款金额：", "599.00", "运单号", "7712345678901", "商品", "2件"]
    assert [(fact.kind, fact.value, fact.line, fact.text) for fact in extract(lines)] == [
        ("order_number", "1234567890123456", 1, "1234567890123456"),
        ("amount", Decimal("599.00"), 3, "599.00"),
        ("tracking_number", "7712345678901", 5, "7712345678901"),
    ]


def test_extract_without_labels_reads_no_bare_numbers():
    assert extract(["1234567890123456", "599.00", "7712345678901"]) == []


def test_extract_of_nothing():
    assert extract([]) == []
    assert extract(["", "   ", "商品详情"]) == []


def test_facts_are_frozen():
    fact = extract(["DY202611200001"])[0]
    with pytest.raises(FrozenInstanceError):
        fact.value = "DY202611200002"


OCR_ALPHABET = "0123456789 O.,:：，￥¥元DYELSFJDZTOCNE年月日-/订单号运单退款成功货中通金额合计件x"


@given(st.lists(st.text(alphabet=OCR_ALPHABET, max_size=40), max_size=4))
def test_extract_never_fails_and_text_is_a_slice_of_its_line(lines):
    for fact in extract(lines):
        assert fact.text and fact.text in lines[fact.line]


@pytest.mark.parametrize(("text", "expected"), [
    ("申通快递 773012345678901", ("STO", "773012345678901")),
    ("韵达 462012345678901", ("YD", "462012345678901")),
    ("中国邮政 9812345678901", ("EMS", "9812345678901")),
])
def test_newer_fifteen_digit_and_china_post_waybills(text, expected):
    assert expected in tracking_numbers(text)


# --- Dates as courier timelines and receipts print them -------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    ("11-27 14:22", MonthDay(11, 27, 14, 22)),
    ("11/27 14:22", MonthDay(11, 27, 14, 22)),
    ("08-3017:43", MonthDay(8, 30, 17, 43)),  # OCR glued the date to its time
    ("01-0208:05:09", MonthDay(1, 2, 8, 5, 9)),
    ("12-31 23:59", MonthDay(12, 31, 23, 59)),
    ("1-5 9:03", MonthDay(1, 5, 9, 3)),
    ("11月27日", MonthDay(11, 27)),
    ("11月27日 14:22", MonthDay(11, 27, 14, 22)),
    ("02-29 10:00", MonthDay(2, 29, 10)),  # a leap day: its year decides later
    ("【杭州市】已揽收 11-27 14:22", MonthDay(11, 27, 14, 22)),
])
def test_year_less_date_read(text, expected):
    assert datetimes(text) == [expected]


@pytest.mark.parametrize("text", [
    "36-40",  # a size range: no time, no date
    "11-27",
    "13-27 14:22",
    "11-32 14:22",
    "11-27 25:10",
    "2026-11-27 14:22",  # the full date only, never its tail again
    "2026年11月27日",
    "138-1234-5678",
    "SF11-27 14:22",
])
def test_year_less_near_miss(text):
    assert not [value for value in datetimes(text) if isinstance(value, MonthDay)]


def test_month_day_takes_a_year():
    assert MonthDay(11, 27, 14, 22).in_year(2026) == datetime(2026, 11, 27, 14, 22)
    assert MonthDay(2, 29).in_year(2027) is None
    assert str(MonthDay(8, 30, 17, 43)) == "08-30 17:43"


def _roles(lines):
    return [(fact.value, fact.role) for fact in extract(lines) if fact.kind == "datetime"]


@pytest.mark.parametrize(("label", "role"), [
    ("下单时间", "ordered"), ("付款时间", "ordered"), ("支付时间", "ordered"), ("创建时间", "ordered"),
    ("成交时间", "ordered"), ("申请时间", "requested"), ("发起时间", "requested"), ("退款时间", "refunded"),
    ("到账时间", "refunded"), ("退款成功时间", "refunded"), ("退款完成时间", "refunded"),
    ("快件已揽收", "pickup"), ("已揽件", "pickup"), ("揽件", "pickup"), ("物流单号", ""),
])
def test_each_date_label_names_what_the_date_is_of(label, role):
    moment = datetime(2026, 11, 5, 9, 30)
    assert _roles([f"{label}：2026-11-05 09:30"]) == [(moment, role)]
    assert _roles([label, "2026-11-05 09:30"]) == [(moment, role)]  # the label on the row above


def test_application_time_and_refund_time_on_one_receipt():
    lines = ["退款成功", "申请时间 2026-11-02 10:00:00", "退款时间 2026-11-05 09:00:00", "退款编号 202611020000123456"]
    assert _roles(lines) == [(datetime(2026, 11, 2, 10), "requested"), (datetime(2026, 11, 5, 9), "refunded")]
    # two columns read as one line, and the order reversed
    assert _roles(["退款时间 11-05 09:00 申请时间 11-02 10:00"]) == [
        (MonthDay(11, 5, 9), "refunded"), (MonthDay(11, 2, 10), "requested")]


def test_a_timeline_event_lends_its_pickup_word_to_the_time_under_it():
    lines = ["已签收", "【深圳市】您的快件已签收", "11-29 10:12", "运输中", "快件已到达 深圳转运中心", "11-28 02:40",
             "已揽件", "【杭州市】杭州营业部 已揽收", "11-27 14:22", "已发货", "您的退货已寄出", "11-27 09:00"]
    assert _roles(lines) == [(MonthDay(11, 29, 10, 12), ""), (MonthDay(11, 28, 2, 40), ""),
                             (MonthDay(11, 27, 14, 22), "pickup"), (MonthDay(11, 27, 9), "")]


def test_waiting_for_pickup_is_not_the_pickup():
    assert _roles(["等待揽收", "11-26 20:00"]) == [(MonthDay(11, 26, 20), "")]
    assert _roles(["商家已同意退货，待揽收 11-26 20:00"]) == [(MonthDay(11, 26, 20), "")]
    assert _roles(["已下单", "商家已同意退货，等待快递员上门揽收", "11-26 20:00"]) == [(MonthDay(11, 26, 20), "")]
    assert _roles(["待揽件，已揽收 11-26 20:00"]) == [(MonthDay(11, 26, 20), "pickup")]

"""The date and item checks of the cross-check on screenshots as real apps print them: courier
timelines without a year (their year taken from the record's order and refund times, also across
New Year), receipts with both 申请时间 and 退款时间, order pages with cut or wrapped titles."""

from datetime import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import Order, Refund
from appeals.evidence import check as evidence_check
from appeals.evidence.datecheck import year_for
from appeals.evidence.facts import MonthDay
from appeals.tests.evidence.test_crosscheck import (
    CONTRADICTS,
    LOGISTICS,
    MATCH,
    NOT_FOUND,
    ORDER,
    RECEIPT,
    checked,
    evidence_of,
    filed,
    refund_with,
)

pytestmark = pytest.mark.django_db


def local(*args) -> datetime:
    return timezone.make_aware(datetime(*args))


def dated(freeze, ordered: datetime, refunded: datetime):
    Order.objects.filter(pk=freeze.refund.order_id).update(created_at=ordered)
    Refund.objects.filter(pk=freeze.refund_id).update(created_at=refunded)


@pytest.fixture
def new_year(django_capture_on_commit_callbacks, settings):
    """An order placed on 28 December, refunded on 6 January."""
    freeze = refund_with(Decimal("329.00"))
    dated(freeze, local(2026, 12, 28, 21, 5), local(2027, 1, 6, 9, 40))
    appeal = filed(django_capture_on_commit_callbacks, settings, freeze)
    refund = freeze.refund
    texts = {
        ORDER: ["订单详情", f"订单编号 {refund.order.number}", "下单时间", "2026-12-28 21:05:33", "实付款 ¥329.00",
                "蓝牙耳机 主动降噪"],
        LOGISTICS: ["顺丰速运 SF1234567890123", "已签收", "【深圳市】快件已签收", "01-0311:20", "运输中",
                    "快件已到达深圳转运中心", "01-02 03:10", "已揽件", "【杭州市】营业部已揽收", "12-3117:43"],
        RECEIPT: ["退款成功", "退款金额 ¥329.00", "申请时间 12-30 08:00", "退款时间 01-0609:40"],
    }
    return freeze, appeal, texts


def test_year_less_dates_take_their_year_across_new_year(new_year, settings):
    _freeze, appeal, texts = new_year
    check = checked(settings, appeal, texts)["date_order"]
    assert (check["status"], check["read"]) == (MATCH, "2026-12-28 / 2026-12-31 / 2027-01-06")
    assert (check["evidence_id"], check["line"]) == (evidence_of(appeal, RECEIPT).pk, 3)


def test_the_pickup_is_the_date_checked_not_the_latest_event(new_year, settings):
    _freeze, appeal, texts = new_year
    texts[RECEIPT][3] = "退款时间 01-02 09:40"  # refunded before the parcel arrived, after its pickup: fine
    check = checked(settings, appeal, texts)["date_order"]
    assert (check["status"], check["read"]) == (MATCH, "2026-12-28 / 2026-12-31 / 2027-01-02")


def test_an_application_before_the_pickup_is_not_a_refund_before_the_return(new_year, settings):
    _freeze, appeal, texts = new_year
    assert texts[RECEIPT][2] == "申请时间 12-30 08:00"  # before the pickup on 12-31
    assert checked(settings, appeal, texts)["date_order"]["status"] == MATCH
    texts[RECEIPT][3] = "退款时间 12-30 09:40"  # the refund itself before the pickup: that contradicts
    check = checked(settings, appeal, texts)["date_order"]
    assert (check["status"], check["read"]) == (CONTRADICTS, "2026-12-28 / 2026-12-31 / 2026-12-30")
    assert (check["evidence_id"], check["line"]) == (evidence_of(appeal, RECEIPT).pk, 3)


def test_without_a_pickup_label_the_earliest_timeline_event_counts(new_year, settings):
    _freeze, appeal, texts = new_year
    texts[LOGISTICS][7:9] = ["运输中", "快件已从杭州转运中心发出"]
    check = checked(settings, appeal, texts)["date_order"]
    assert (check["status"], check["read"]) == (MATCH, "2026-12-28 / 2026-12-31 / 2027-01-06")
    assert check["line"] == 3


def test_a_pickup_dated_before_the_order_contradicts(new_year, settings):
    _freeze, appeal, texts = new_year
    texts[LOGISTICS][9] = "12-2717:43"
    check = checked(settings, appeal, texts)["date_order"]
    assert (check["status"], check["read"]) == (CONTRADICTS, "2026-12-28 / 2026-12-27 / 2027-01-06")
    assert (check["evidence_id"], check["line"]) == (evidence_of(appeal, LOGISTICS).pk, 9)


def test_a_year_less_date_far_from_the_record_is_not_found_with_the_reason(new_year, settings):
    _freeze, appeal, texts = new_year
    texts[LOGISTICS][9] = "07-15 17:43"  # half a year away from both record dates, whichever year
    check = checked(settings, appeal, texts)["date_order"]
    assert check == {"code": "date_order", "status": NOT_FOUND, "expected": "order ≤ return ≤ refund",
                     "read": "07-15 17:43", "evidence_id": evidence_of(appeal, LOGISTICS).pk, "line": 9,
                     "reason": "year_unclear"}
    assert "07-15 17:43" in evidence_check.reason_text(check)


def test_full_dates_need_no_record(new_year, settings):
    _freeze, appeal, texts = new_year
    texts[LOGISTICS][9] = "2026-12-31 17:43 已揽收"
    texts[RECEIPT][3] = "退款时间 2027-01-06 09:40:00"
    assert checked(settings, appeal, texts)["date_order"]["read"] == "2026-12-28 / 2026-12-31 / 2027-01-06"


@pytest.mark.parametrize(("value", "expected"), [
    (MonthDay(12, 31, 17, 43), datetime(2026, 12, 31, 17, 43)),
    (MonthDay(1, 3, 11, 20), datetime(2027, 1, 3, 11, 20)),
    (MonthDay(11, 20), datetime(2026, 11, 20)),  # a while before the order: an order page taken earlier
    (MonthDay(2, 15), datetime(2027, 2, 15)),
    (MonthDay(7, 15), None),  # near neither date in any year
    (MonthDay(2, 29), None),  # 2027 is not a leap year, 2028 too far
])
def test_year_for_a_month_day(value, expected):
    assert year_for(value, datetime(2026, 12, 28, 21, 5), datetime(2027, 1, 6, 9, 40)) == expected


def test_a_month_day_near_the_record_in_two_years_is_ambiguous():
    assert year_for(MonthDay(3, 1), datetime(2026, 1, 20), datetime(2027, 2, 1)) is None
    assert year_for(MonthDay(3, 1), datetime(2026, 1, 20), datetime(2026, 4, 1)) == datetime(2026, 3, 1)


# --- the item on the order screenshot -------------------------------------------------------------


@pytest.fixture
def order_page(django_capture_on_commit_callbacks, settings):
    freeze = refund_with(Decimal("329.00"))
    Order.objects.filter(pk=freeze.refund.order_id).update(item_name="蓝牙耳机 Pro 主动降噪 真无线 运动款",
                                                         item_sku="EAR-PRO-2")
    appeal = filed(django_capture_on_commit_callbacks, settings, freeze)
    refund = freeze.refund
    texts = {
        ORDER: ["订单详情", "交易成功", "小米官方旗舰店 >", "ITEM", "颜色：曜石黑", "¥329.00", "x1",
                f"订单编号 {refund.order.number}", "下单时间 2026-11-01 10:15:00", "实付款 ¥329.00"],
        LOGISTICS: ["顺丰速运", "运单号 SF1234567890123", "2026-11-03 14:20 已揽收"],
        RECEIPT: ["退款成功", "退款金额 ¥329.00", "退款时间 2026-11-05 09:00"],
    }
    return appeal, texts


@pytest.mark.parametrize("title", [
    ["蓝牙耳机 Pro 主动降噪 真无线 运动款"],
    ["蓝牙耳机 Pro 主动降…"],  # cut by the page
    ["【官方正品】蓝牙耳机 Pro", "主动降噪 真无线 运动款"],  # a tag in front, wrapped over two lines
    ["蓝牙耳机 Pr0 主动降噪"],  # one character misread
    ["型号 EAR-PRO-2"],  # the SKU is enough
])
def test_the_item_ordered_is_shown(order_page, settings, title):
    appeal, texts = order_page
    texts[ORDER][3:4] = title
    check = checked(settings, appeal, texts)["order_item"]
    assert check["status"] == MATCH
    assert check["expected"] == "蓝牙耳机 Pro 主动降噪 真无线 运动款 (EAR-PRO-2)"
    assert (check["evidence_id"], check["read"]) == (evidence_of(appeal, ORDER).pk, texts[ORDER][check["line"]])


def test_another_item_on_the_orders_page_contradicts(order_page, settings):
    appeal, texts = order_page
    texts[ORDER][3] = "羽绒服 男款 连帽加厚 冬季外套"
    check = checked(settings, appeal, texts)["order_item"]
    assert (check["status"], check["read"], check["line"]) == (CONTRADICTS, "羽绒服 男款 连帽加厚 冬季外套", 3)


def test_a_title_too_short_to_tell_is_not_found_with_the_reason(order_page, settings):
    appeal, texts = order_page
    texts[ORDER][3] = "蓝牙耳…"
    check = checked(settings, appeal, texts)["order_item"]
    assert (check["status"], check["reason"], check["line"]) == (NOT_FOUND, "item_unclear", 3)


def test_the_item_is_not_judged_on_a_page_without_the_order_number(order_page, settings):
    appeal, texts = order_page
    texts[ORDER][3] = "羽绒服 男款 连帽加厚 冬季外套"
    del texts[ORDER][7]
    check = checked(settings, appeal, texts)["order_item"]
    assert (check["status"], check["reason"], check["evidence_id"]) == (NOT_FOUND, "not_the_order_page", None)


# --- what the customer is told ---------------------------------------------------------------------


def test_the_customer_page_says_what_could_not_be_confirmed_and_that_a_person_will_look(new_year, settings, client):
    _freeze, appeal, texts = new_year
    texts[LOGISTICS][9] = "07-15 17:43"
    texts[ORDER][1] = "订单编号 DY999999999999"  # a ✗: named, but what was read is not shown
    checked(settings, appeal, texts)
    client.cookies["django_language"] = "en"
    client.force_login(appeal.customer)
    page = client.get(f"/appeals/{appeal.reference}/").content.decode()
    section = page[page.index('data-testid="unconfirmed"'):]
    section = section[:section.index("</section>")]
    assert "a person will look at your appeal" in section
    assert "Dates in order: purchase, then return, then refund" in section
    assert "printed without its year (07-15 17:43)" in section
    assert "Order screenshot shows the order number" in section
    assert "DY999999999999" not in page


def test_nothing_to_confirm_says_nothing(new_year, settings, client):
    _freeze, appeal, texts = new_year
    settings.STRAIGHT_THROUGH_ENABLED = False
    checked(settings, appeal, texts)
    client.force_login(appeal.customer)
    assert 'data-testid="unconfirmed"' not in client.get(f"/appeals/{appeal.reference}/").content.decode()


def test_the_agent_s_checklist_gives_the_reason_of_a_question_mark(new_year, settings, client):
    from accounts.tests.factories import AgentFactory

    _freeze, appeal, texts = new_year
    texts[LOGISTICS][9] = "07-15 17:43"
    checked(settings, appeal, texts)
    client.cookies["django_language"] = "en"
    client.force_login(AgentFactory())
    page = client.get(f"/admin/appeals/appeal/{appeal.pk}/change/").content.decode()
    row = next(part for part in page.split("<tr") if "check-not_found" in part)
    assert "Dates in order" in row and "printed without its year (07-15 17:43)" in row

import io
from decimal import Decimal

import pytest
from django.core.management import call_command

from accounts.models import Freeze
from appeals.models import Appeal, Evidence, State
from appeals.tests.conftest import login
from appeals.tests.factories import image_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_customer_files_an_appeal_with_three_screenshots(browser_page, live_server, tmp_path):
    call_command("seed_demo", stdout=io.StringIO())
    freeze = Freeze.objects.get(account__customer__username="demo", reason=Freeze.Reason.NORMAL_REFUND,
                                status=Freeze.Status.ACTIVE)
    shots = {}
    for field, text, fmt in [("order_screenshot", "订单", "PNG"), ("logistics_screenshot", "SF140", "PNG"),
                             ("refund_receipt", "退款成功", "JPEG")]:
        path = tmp_path / f"{field}.{fmt.lower()}"
        path.write_bytes(image_bytes(fmt, text=text))
        shots[field] = path

    page = browser_page
    login(page, live_server, "demo")
    assert page.inner_text("[data-testid=frozen]") == "¥899.00"
    page.click(f"[data-testid=appeal-{freeze.pk}]")
    assert page.input_value("#id_order_number") == freeze.refund.order.number
    assert freeze.refund.order.number in page.input_value("#id_description")
    for field, path in shots.items():
        page.set_input_files(f"#id_{field}", str(path))
    page.click("button.button[type=submit]")
    page.wait_for_url("**/appeals/AP*/")

    appeal = Appeal.objects.get(freeze=freeze)
    assert appeal.state == State.SUBMITTED
    assert page.url.endswith(f"/appeals/{appeal.reference}/")
    assert appeal.evidence.filter(status=Evidence.Status.READY).count() == 3
    page.click("text=我的申诉")
    row = page.locator(".list-row", has_text=appeal.reference)
    assert row.count() == 1
    assert "已提交" in row.inner_text()
    assert freeze.amount == Decimal("599.00")

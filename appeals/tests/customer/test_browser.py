import io
from decimal import Decimal

import pytest
from django.core.management import call_command

from accounts.models import Freeze
from appeals.models import Appeal, CannedReply, Evidence, State
from appeals.tests.conftest import desk_login, login
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


def test_agent_takes_next_opens_a_screenshot_and_approves(browser_page, live_server, settings):
    settings.STAFF_OTP_REQUIRED = True  # the real sign-in: password and the demo's TOTP code
    call_command("seed_demo", stdout=io.StringIO())
    code = io.StringIO()
    call_command("totp_code", "agent", stdout=code)
    page = browser_page
    desk_login(page, live_server, "agent", code=code.getvalue().strip(), width=1280)
    page.goto(f"{live_server.url}/admin/appeals/appeal/")
    page.click("[data-testid=take-next]")
    page.wait_for_url("**/admin/appeals/appeal/*/change/")

    appeal = Appeal.objects.get(assignee__username="agent")
    assert appeal.state == State.IN_REVIEW
    assert appeal.reference in page.content()
    with page.expect_popup() as popup_info:
        page.locator(".shot.current a.full-size").click()
    screenshot = popup_info.value
    screenshot.wait_for_load_state()
    assert screenshot.evaluate("document.contentType") == "image/jpeg"
    screenshot.close()

    account = appeal.freeze.account
    available_before = account.available
    page.on("dialog", lambda dialog: dialog.accept())  # a demo appeal that is not low risk asks first
    page.click("button[name=_fsm_transition_to][value=approve]")
    page.wait_for_url(lambda url: f"/admin/appeals/appeal/{appeal.pk}/" not in url)  # on to the next appeal
    assert "✓" in page.inner_text(".messagelist")
    appeal.refresh_from_db()
    account.refresh_from_db()
    assert appeal.state == State.APPROVED
    assert account.available == available_before + appeal.freeze.amount

    page.context.clear_cookies()
    page.set_viewport_size({"width": 375, "height": 812})
    login(page, live_server, appeal.customer.username)
    assert page.inner_text("[data-testid=available]") == f"¥{account.available}"


@pytest.mark.ocr
def test_clean_appeal_filed_in_the_browser_is_approved_by_the_worker(browser_page, live_server, celery_worker,
                                                                     settings, tmp_path):
    """The whole straight-through path with real parts: browser upload, broker, worker, OCR, ledger."""
    from accounts.selectors import ledger_mismatches
    from appeals import demo_images
    from conftest import wait_until

    settings.EVIDENCE_OCR = True
    settings.STRAIGHT_THROUGH_ENABLED = True
    call_command("seed_demo", stdout=io.StringIO())
    freeze = Freeze.objects.select_related("refund__order").get(
        account__customer__username="demo", reason=Freeze.Reason.NORMAL_REFUND, status=Freeze.Status.ACTIVE)
    refund = freeze.refund
    shots = {"order_screenshot": demo_images.order_screenshot(refund.order),
             "logistics_screenshot": demo_images.logistics_screenshot(refund),
             "refund_receipt": demo_images.refund_receipt(refund)}
    available_before = freeze.account.available

    page = browser_page
    login(page, live_server, "demo")
    page.click(f"[data-testid=appeal-{freeze.pk}]")
    for field, data in shots.items():
        path = tmp_path / f"{field}.png"
        path.write_bytes(data)
        page.set_input_files(f"#id_{field}", str(path))
    page.click("button.button[type=submit]")
    # The worker reads the screenshots in this process while the live server answers: on two busy cores the
    # redirect after filing can take longer than the default 15 s.
    page.wait_for_url("**/appeals/AP*/", timeout=60_000)

    appeal = Appeal.objects.get(freeze=freeze)
    wait_until(lambda: Appeal.objects.get(pk=appeal.pk).state == State.APPROVED, timeout=120, interval=0.5)
    appeal.refresh_from_db()
    assert appeal.decided_by is None and appeal.assignee is None  # no agent touched it
    assert [check["status"] for check in appeal.evidence_checks] == ["match"] * 6
    freeze.refresh_from_db()
    assert freeze.status == Freeze.Status.RELEASED
    assert freeze.account.available == available_before + freeze.amount
    assert ledger_mismatches() == []
    page.reload()
    assert "已通过" in page.inner_text("[data-testid=state]")


@pytest.fixture
def iphone_heic_and_pdf_receipt(tmp_path):
    """A rendered appeal's order page as an iPhone saves it (HEIC), its courier page as sent, and its
    refund receipt as the app's downloadable PDF. Rendered before the test's own browser starts (one
    Playwright per thread)."""
    from PIL import Image

    from appeals.tests.evidence import hostile_files, rendered

    appeal = rendered.appeal()
    order = Image.open(io.BytesIO(appeal.shots["order"].upload)).convert("RGB")
    heic = tmp_path / "IMG_4312.HEIC"
    heic.write_bytes(hostile_files.heic_of(order))
    logistics = tmp_path / f"logistics.{rendered.SUFFIX[appeal.shots['logistics'].format]}"
    logistics.write_bytes(appeal.shots["logistics"].upload)
    pdf = tmp_path / "退款凭证.pdf"
    pdf.write_bytes(rendered.pdf_receipt())
    return appeal, {"order_screenshot": heic, "logistics_screenshot": logistics, "refund_receipt": pdf}


@pytest.mark.ocr
def test_an_iphone_heic_and_a_pdf_receipt_are_filed_cleaned_read_and_approved(
        iphone_heic_and_pdf_receipt, browser_page, live_server, celery_worker, settings):
    from accounts.selectors import ledger_mismatches
    from accounts.tests.factories import CustomerFactory
    from appeals.tests.evidence import rendered
    from conftest import wait_until

    settings.EVIDENCE_OCR = True
    settings.STRAIGHT_THROUGH_ENABLED = True
    appeal_spec, files = iphone_heic_and_pdf_receipt
    freeze = rendered.record_freeze(appeal_spec, customer=CustomerFactory(username="iphone"))

    page = browser_page
    login(page, live_server, "iphone", password="pw-for-tests-123")
    page.goto(f"{live_server.url}/appeals/new/{freeze.pk}/")
    accept = page.get_attribute("#id_order_screenshot", "accept")
    assert "image/heic" in accept and "application/pdf" in accept
    assert "HEIC" in page.inner_text("form") or "HEIC" in page.content()
    for field, path in files.items():
        page.set_input_files(f"#id_{field}", str(path))
    page.click("button.button[type=submit]")
    page.wait_for_url("**/appeals/AP*/", timeout=60_000)  # as above: the worker reads in this process

    appeal = Appeal.objects.get(freeze=freeze)
    wait_until(lambda: Appeal.objects.get(pk=appeal.pk).state == State.APPROVED, timeout=240, interval=0.5)
    stored = {e.kind: e for e in appeal.evidence.all()}
    for evidence in stored.values():
        assert evidence.status == Evidence.Status.READY
        assert evidence.image.open("rb").read(3) == b"\xff\xd8\xff"  # the same clean JPEG as any upload
        assert evidence.ocr_lines
    receipt = stored[Evidence.Kind.REFUND_RECEIPT]
    assert abs(receipt.width - 1240) <= 3 and abs(receipt.height - 1754) <= 4  # one A4 page at 150 dpi
    assert stored[Evidence.Kind.ORDER].original_name == "IMG_4312.HEIC"
    appeal.refresh_from_db()
    assert all(check["status"] == "match" for check in appeal.evidence_checks)
    assert ledger_mismatches() == []
    page.reload()
    assert "已通过" in page.inner_text("[data-testid=state]")


def test_a_double_tap_files_one_appeal_and_withdrawing_asks_first(browser_page, live_server, tmp_path):
    call_command("seed_demo", stdout=io.StringIO())
    freeze = Freeze.objects.get(account__customer__username="demo", reason=Freeze.Reason.NORMAL_REFUND,
                                status=Freeze.Status.ACTIVE)
    page = browser_page
    login(page, live_server, "demo")
    page.click(f"[data-testid=appeal-{freeze.pk}]")
    shots = [("order_screenshot", "订单"), ("logistics_screenshot", "SF140"), ("refund_receipt", "退款成功")]
    for field, text in shots:
        path = tmp_path / f"{field}.png"
        path.write_bytes(image_bytes("PNG", text=text))
        page.set_input_files(f"#id_{field}", str(path))
    button = page.locator("button.button[type=submit]")
    button.scroll_into_view_if_needed()
    box = button.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.dblclick(x, y)
    page.wait_for_url("**/appeals/AP*/")
    page.mouse.click(x, y)  # a third tap where the submit button was, on the appeal's page
    # It may land on a screenshot link (fine: not a withdrawal); let that navigation finish first.
    page.wait_for_load_state("networkidle")
    appeal = Appeal.objects.get(freeze=freeze)
    assert Appeal.objects.filter(freeze=freeze).count() == 1
    assert appeal.state == State.SUBMITTED

    page.goto(f"{live_server.url}/appeals/{appeal.reference}/")
    page.click("[data-testid=withdraw]")
    assert "撤回申诉" in page.inner_text("h1")
    page.click("[data-testid=keep]")
    appeal.refresh_from_db()
    assert appeal.state == State.SUBMITTED
    page.click("[data-testid=withdraw]")
    page.click("[data-testid=confirm-withdraw]")
    page.wait_for_url(f"**/appeals/{appeal.reference}/")
    appeal.refresh_from_db()
    assert appeal.state == State.WITHDRAWN


def test_navigation_fits_one_line_and_file_pickers_speak_chinese_at_375px(browser_page, live_server, tmp_path):
    call_command("seed_demo", stdout=io.StringIO())
    freeze = Freeze.objects.get(account__customer__username="demo", reason=Freeze.Reason.NORMAL_REFUND,
                                status=Freeze.Status.ACTIVE)
    page = browser_page
    login(page, live_server, "demo")
    brand, last = page.locator(".topbar .brand").bounding_box(), page.locator(".topbar nav > *").last.bounding_box()
    assert abs(brand["y"] - last["y"]) < brand["height"], (brand, last)  # one line: the last item beside the brand
    assert page.evaluate("document.documentElement.scrollWidth") <= 375

    page.goto(f"{live_server.url}/appeals/new/{freeze.pk}/")
    picker = page.locator("#id_order_screenshot").locator("xpath=..")
    assert "选择文件" in picker.inner_text() and "未选择文件" in picker.inner_text()
    path = tmp_path / "订单截图.png"
    path.write_bytes(image_bytes("PNG", text="订单"))
    page.set_input_files("#id_order_screenshot", str(path))
    assert "订单截图.png" in picker.locator(".picker-name").inner_text()


def test_files_survive_a_form_error(browser_page, live_server, tmp_path):
    call_command("seed_demo", stdout=io.StringIO())
    freeze = Freeze.objects.get(account__customer__username="demo", reason=Freeze.Reason.NORMAL_REFUND,
                                status=Freeze.Status.ACTIVE)
    page = browser_page
    login(page, live_server, "demo")
    page.goto(f"{live_server.url}/appeals/new/{freeze.pk}/")
    for field, text in [("order_screenshot", "订单"), ("logistics_screenshot", "SF140")]:
        path = tmp_path / f"{field}.png"
        path.write_bytes(image_bytes("PNG", text=text))
        page.set_input_files(f"#id_{field}", str(path))
    page.click("button.button[type=submit]")
    page.wait_for_selector("[data-testid=error-summary]")
    assert "退款凭证" in page.inner_text("[data-testid=error-summary]")
    assert "order_screenshot.png" in page.inner_text("[data-testid=kept-order_screenshot]")
    receipt = tmp_path / "receipt.png"
    receipt.write_bytes(image_bytes("PNG", text="退款成功"))
    page.set_input_files("#id_refund_receipt", str(receipt))
    page.click("button.button[type=submit]")
    page.wait_for_url("**/appeals/AP*/")
    appeal = Appeal.objects.get(freeze=freeze)
    assert appeal.evidence.count() == 3


def test_reject_form_starts_on_the_suggested_reason_and_a_canned_reply_fills_the_message(
        browser_page, live_server, settings):
    from accounts.tests.factories import AgentFactory
    from appeals.tests.factories import file_appeal, refund_freeze
    from appeals.workflow import review

    settings.STAFF_OTP_REQUIRED = False
    agent = AgentFactory(username="agent_canned")
    agent.set_password("demo1234")
    agent.save()
    appeal = file_appeal(refund_freeze())
    review.appeal_claim(appeal_id=appeal.pk, actor=agent)
    Appeal.objects.filter(pk=appeal.pk).update(evidence_checks=[
        {"code": "refund_amount", "status": "contradicts", "expected": "599.00", "read": "59.90"}])
    reply = CannedReply.objects.create(name="金额不符", use="reject", reject_reason="evidence_mismatch",
                                       text_zh="订单 {order_number} 退款凭证金额与 ¥{amount} 不符。", text_en="No.")
    page = browser_page
    desk_login(page, live_server, "agent_canned")
    page.goto(f"{live_server.url}/admin/appeals/appeal/{appeal.pk}/transition/reject/")
    assert page.input_value("#id_reason") == "evidence_mismatch"
    page.select_option("#id_reason", "evidence_missing")  # the agent changes it; the reply sets it back
    page.select_option("#canned-reject", f"{reply.pk}-zh")
    message = page.input_value("#id_message")
    assert appeal.freeze.refund.order.number in message and "599.00" in message
    page.click("input[type=submit][value]")
    page.wait_for_url("**/admin/appeals/appeal/**")
    appeal.refresh_from_db()
    assert (appeal.state, appeal.reject_reason) == (State.REJECTED, "evidence_mismatch")


def test_approving_a_risky_appeal_asks_first_and_each_decision_opens_the_next(browser_page, live_server, settings):
    from accounts.models import RiskLevel
    from accounts.tests.factories import AgentFactory
    from appeals.tests.factories import file_appeal, refund_freeze
    from appeals.workflow import review

    settings.STAFF_OTP_REQUIRED = False
    agent = AgentFactory(username="agent_flow")
    agent.set_password("demo1234")
    agent.save()
    risky, low = file_appeal(refund_freeze()), file_appeal(refund_freeze())
    Appeal.objects.filter(pk=risky.pk).update(risk_level=RiskLevel.MEDIUM, due_at=low.due_at)
    # The two share their screenshots (the reuse rule fires on the second): set the levels under test.
    Appeal.objects.filter(pk=low.pk).update(due_at=low.due_at + (low.due_at - low.created_at),
                                            risk_level=RiskLevel.LOW, risk_rules=[])
    review.appeal_claim(appeal_id=risky.pk, actor=agent)
    page = browser_page
    desk_login(page, live_server, "agent_flow")
    page.goto(f"{live_server.url}/admin/appeals/appeal/{risky.pk}/change/")
    questions = []
    page.once("dialog", lambda dialog: (questions.append(dialog.message), dialog.dismiss()))
    page.click("button[name=_fsm_transition_to][value=approve]")
    assert questions and "¥599.00" in questions[0]
    risky.refresh_from_db()
    assert risky.state == State.IN_REVIEW  # dismissed: nothing happened

    loads = []
    page.on("load", lambda _page: loads.append(page.url))
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("button[name=_fsm_transition_to][value=approve]")
    page.wait_for_url(f"**/admin/appeals/appeal/{low.pk}/change/")
    risky.refresh_from_db()
    low.refresh_from_db()
    assert risky.state == State.APPROVED and (low.state, low.assignee) == (State.IN_REVIEW, agent)
    assert len(loads) == 1  # the decision and the next appeal: one page load
    page.click("button[name=_fsm_transition_to][value=approve]")  # low risk: no question
    page.wait_for_url("**/admin/appeals/appeal/")
    low.refresh_from_db()
    assert low.state == State.APPROVED

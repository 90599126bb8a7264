"""Deciding from the workspace's panels in Debian's chromium at 1440 × 900: R and I open the reject and
request-info forms with the cursor in the message, Esc closes them, and a decision is one page load
that lands on the agent's next appeal; invalid input lands on the form page with what was chosen;
without script the button still opens the form page."""

import pytest

from accounts.tests.factories import AgentFactory
from appeals.models import Appeal, AppealEvent, CannedReply, RejectReason, State
from appeals.tests.conftest import desk_login
from appeals.tests.desk.test_admin import change_url, make_appeal
from appeals.tests.desk.test_workspace import appeal_with_checks
from appeals.tests.desk.test_workspace_browser import WIDTH, on_screen
from appeals.tests.test_accessibility import violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def desk(browser_page, live_server, settings):
    """The agent on an appeal whose checks contradict the record, an unassigned appeal waiting next,
    and the page loads counted from here on."""
    settings.STAFF_OTP_REQUIRED = False
    agent = AgentFactory(username="agent_inline")
    agent.set_password("demo1234")
    agent.save()
    appeal, _items = appeal_with_checks(agent)
    waiting = make_appeal()
    CannedReply.objects.create(name="补充物流", use=CannedReply.Use.REQUEST_INFO,
                               text_zh="请补充订单 {order_number} 的物流截图。",
                               text_en="Please add the logistics screenshot of order {order_number}.")
    page = browser_page
    desk_login(page, live_server, "agent_inline", width=WIDTH)
    page.goto(f"{live_server.url}{change_url(appeal)}")
    loads = []
    page.on("load", lambda loaded: loads.append(loaded.url))
    return page, appeal, waiting, agent, loads, live_server.url


def focused_id(page) -> str:
    return page.evaluate("document.activeElement.id")


def test_r_opens_the_reject_panel_and_one_page_load_rejects_and_opens_the_next_appeal(desk):
    page, appeal, waiting, agent, loads, url = desk
    page.keyboard.press("r")
    panel = page.locator("#panel-reject")
    assert panel.is_visible() and focused_id(page) == "id_reject_message"
    assert appeal.reference in panel.locator("h2").inner_text()
    assert page.input_value("#id_reject_reason") == RejectReason.EVIDENCE_MISMATCH  # what the checks suggest
    on_screen(page, "#panel-reject")  # the whole form within the first screen, the bar still in view
    on_screen(page, ".decision-bar")
    assert page.evaluate("window.scrollY") == 0 and loads == []
    assert violations(page) == []  # axe on the page with the panel open

    page.keyboard.type("运单号与平台记录不符")
    page.click("#panel-reject input[type=submit]")
    page.wait_for_url(f"{url}{change_url(waiting)}")
    assert loads == [f"{url}{change_url(waiting)}"]  # one page load: the decision and the next appeal
    appeal.refresh_from_db()
    assert (appeal.state, appeal.reject_reason) == (State.REJECTED, RejectReason.EVIDENCE_MISMATCH)
    assert AppealEvent.objects.get(appeal=appeal, transition="reject").customer_message == "运单号与平台记录不符"
    assert Appeal.objects.get(pk=waiting.pk).assignee == agent
    assert "✓" in page.inner_text(".messagelist")


def test_i_opens_the_request_info_panel_a_canned_reply_fills_it_and_one_load_goes_on(desk):
    page, appeal, waiting, _agent, loads, url = desk
    page.keyboard.press("i")
    assert page.locator("#panel-request_info").is_visible() and focused_id(page) == "id_request_info_message"
    assert not page.locator("#panel-reject").is_visible()
    page.select_option("#canned-request_info", f"{CannedReply.objects.get(name='补充物流').pk}-zh")
    assert appeal.freeze.refund.order.number in page.input_value("#id_request_info_message")
    page.click("#panel-request_info input[type=submit]")
    page.wait_for_url(f"{url}{change_url(waiting)}")
    assert len(loads) == 1
    assert Appeal.objects.get(pk=appeal.pk).state == State.INFO_REQUESTED


def test_escape_closes_the_panel_and_gives_the_focus_back_to_its_button(desk):
    page, appeal, _waiting, _agent, loads, _url = desk
    page.keyboard.press("r")
    page.keyboard.type("写了一半")
    page.keyboard.press("Escape")
    assert not page.locator("#panel-reject").is_visible()
    button = page.locator("button[name=_fsm_transition_to][value=reject]")
    assert button.evaluate("button => button === document.activeElement")
    assert button.get_attribute("aria-expanded") == "false"
    page.keyboard.press("r")  # open again: what was written is still there
    assert page.input_value("#id_reject_message") == "写了一半"
    page.click("#panel-reject [data-close-panel]")
    assert not page.locator("#panel-reject").is_visible()
    assert loads == [] and Appeal.objects.get(pk=appeal.pk).state == State.IN_REVIEW


def test_an_empty_message_lands_on_the_form_page_with_the_error_and_the_choice_kept(desk):
    page, appeal, _waiting, _agent, loads, url = desk
    page.click("button[name=_fsm_transition_to][value=reject]")
    page.select_option("#id_reject_reason", RejectReason.DUPLICATE)
    page.fill("#id_reject_message", "   ")  # blank to the server, not to the browser's own check
    page.click("#panel-reject input[type=submit]")
    page.wait_for_url(f"{url}/admin/appeals/appeal/{appeal.pk}/transition/reject/")
    assert len(loads) == 1
    assert page.locator(".errorlist").count() == 1
    assert page.input_value("#id_reason") == RejectReason.DUPLICATE  # not replaced by the suggestion
    assert page.input_value("#id_message") == "   "
    page.fill("#id_message", "重复申诉")
    page.click("input[type=submit][value]")
    page.wait_for_url("**/admin/appeals/appeal/**")
    assert Appeal.objects.get(pk=appeal.pk).reject_reason == RejectReason.DUPLICATE


def test_without_script_the_button_still_opens_the_form_page(desk):
    page, appeal, _waiting, _agent, _loads, url = desk
    context = page.context.browser.new_context(java_script_enabled=False)
    plain = context.new_page()
    desk_login(plain, type("Server", (), {"url": url}), "agent_inline", width=WIDTH)
    plain.goto(f"{url}{change_url(appeal)}")
    assert not plain.locator("#panel-reject").is_visible()
    plain.click("button[name=_fsm_transition_to][value=reject]")  # the admin's form posts the button
    plain.wait_for_url(f"{url}/admin/appeals/appeal/{appeal.pk}/transition/reject/")
    assert plain.locator("#id_message").is_visible()
    context.close()

"""The appeal page as a one-screen workspace in Debian's chromium at 1440 × 900: the evidence, the
checklist and the decision bar on the first screen, keys that switch screenshots and decide, a
check that shows its line on the screenshot in place, the bar still in view at the bottom."""

import pytest

from accounts.models import RiskLevel
from accounts.tests.factories import AgentFactory
from appeals.models import Appeal, State
from appeals.tests.conftest import desk_login
from appeals.tests.desk.test_workspace import appeal_with_checks

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTH, HEIGHT = 1440, 900


def on_screen(page, selector) -> dict:
    box = page.locator(selector).bounding_box()
    assert box is not None, f"{selector} is not shown"
    assert box["x"] >= 0 and box["y"] >= 0, (selector, box)
    assert box["x"] + box["width"] <= WIDTH and box["y"] + box["height"] <= HEIGHT, (selector, box)
    return box


def current_shot(page) -> str:
    return page.locator(".shot.current").get_attribute("data-shot")


@pytest.fixture
def workspace(browser_page, live_server, settings):
    settings.STAFF_OTP_REQUIRED = False
    agent = AgentFactory(username="agent_ws")
    agent.set_password("demo1234")
    agent.save()
    appeal, items = appeal_with_checks(agent)
    Appeal.objects.filter(pk=appeal.pk).update(risk_level=RiskLevel.LOW, risk_rules=[])
    page = browser_page
    desk_login(page, live_server, "agent_ws", width=WIDTH)
    page.goto(f"{live_server.url}/admin/appeals/appeal/{appeal.pk}/change/")
    # A function, not a string expression: polling a string evals it, which the page's CSP refuses.
    page.locator(".shot.current img").evaluate(
        "img => img.complete || new Promise((done) => img.addEventListener('load', done, { once: true }))")
    return page, appeal, [str(item.pk) for item in items]


def test_first_screen_holds_the_evidence_the_checklist_and_the_decision_bar(workspace):
    page, _appeal, _shots = workspace
    assert page.viewport_size == {"width": WIDTH, "height": HEIGHT}
    image = on_screen(page, ".shot.current img")
    on_screen(page, "table.checks")
    on_screen(page, ".decision-bar")
    on_screen(page, "button[name=_fsm_transition_to][value=approve]")
    assert image["height"] > HEIGHT / 2  # large, not a thumbnail
    assert page.evaluate("window.scrollY") == 0


def test_keys_switch_screenshots_and_zoom(workspace):
    page, _appeal, (order, logistics, receipt) = workspace
    assert current_shot(page) == order
    page.keyboard.press("j")
    assert current_shot(page) == logistics
    assert page.locator(f".shot-tab[data-shot='{logistics}']").get_attribute("aria-current") == "true"
    page.keyboard.press("ArrowRight")
    assert current_shot(page) == receipt
    page.keyboard.press("j")  # round to the first
    assert current_shot(page) == order
    page.keyboard.press("k")
    assert current_shot(page) == receipt
    page.click(f".shot-tab[data-shot='{logistics}']")  # a tab switches in place, no page load
    assert current_shot(page) == logistics and "/change/" in page.url

    fit = page.locator(".shot.current img").bounding_box()
    page.keyboard.press("+")
    page.keyboard.press("+")
    zoomed = page.locator(".shot.current img").bounding_box()
    assert zoomed["height"] == pytest.approx(2 * fit["height"], rel=0.01)
    stage = page.locator(".shot-stage").bounding_box()  # zoomed about the middle of the frame
    assert abs(zoomed["x"] + zoomed["width"] / 2 - stage["x"] - stage["width"] / 2) < 20
    assert abs(zoomed["y"] + zoomed["height"] / 2 - stage["y"] - stage["height"] / 2) < 20
    assert page.inner_text(".zoom-level") == "200%"
    page.keyboard.press("0")
    assert page.locator(".shot.current img").bounding_box()["height"] == pytest.approx(fit["height"], rel=0.01)


def test_a_check_shows_its_line_highlighted_on_the_screenshot_in_place(workspace):
    page, appeal, (order, logistics, _receipt) = workspace
    assert current_shot(page) == order
    page.click(f"table.checks a[data-shot='{logistics}']")
    assert current_shot(page) == logistics
    assert page.url.endswith(f"/admin/appeals/appeal/{appeal.pk}/change/") and len(page.context.pages) == 1
    line = page.locator(".shot.current polygon[data-line='2']")
    assert "ocr-highlight" in line.get_attribute("class")
    assert page.locator(".ocr-highlight").count() == 1
    box, stage = line.bounding_box(), page.locator(".shot-stage").bounding_box()
    assert stage["y"] <= box["y"] and box["y"] + box["height"] <= stage["y"] + stage["height"]
    assert "check-selected" in page.locator("table.checks tr", has=page.locator(
        f"a[data-shot='{logistics}']")).get_attribute("class")

    page.keyboard.press("+")  # zoomed in, another check brings its line into the frame
    page.keyboard.press("+")
    page.keyboard.press("+")
    page.click(f"table.checks a[data-shot='{order}']")
    line = page.locator(".shot.current polygon[data-line='1']")
    box, stage = line.bounding_box(), page.locator(".shot-stage").bounding_box()
    assert "ocr-highlight" in line.get_attribute("class") and page.locator(".ocr-highlight").count() == 1
    assert stage["y"] <= box["y"] and box["y"] + box["height"] <= stage["y"] + stage["height"]


def test_the_decision_bar_stays_in_view_and_a_key_decides(workspace):
    page, appeal, _shots = workspace
    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    assert page.evaluate("window.scrollY") > 0
    on_screen(page, "button[name=_fsm_transition_to][value=approve]")
    page.locator(".ws-panels").evaluate("panels => panels.scrollTo(0, panels.scrollHeight)")
    on_screen(page, ".decision-bar")

    page.keyboard.press("a")  # low risk: no question, the decision and the next page in one load
    page.wait_for_url("**/admin/appeals/appeal/")
    appeal.refresh_from_db()
    assert appeal.state == State.APPROVED

"""The appeal page as a workspace, as the server renders it: the screenshots large with their OCR
boxes (the lines the checks relied on marked), a switcher by kind, the decision bar with its keys,
the panels beside and the transition log below. The browser side is test_workspace_browser.py."""

import re

import pytest
from django.urls import reverse

from accounts.tests.factories import AgentFactory
from appeals.evidence import pipeline
from appeals.models import Appeal, Evidence
from appeals.tests.desk.test_admin import change_url, make_appeal
from appeals.workflow import review

pytestmark = pytest.mark.django_db


def ocr(*texts) -> list[dict]:
    """OCR lines one under the other, 40 px high, on a 120 × 200 screenshot."""
    return [{"text": text, "box": [[6, 10 + 45 * i], [114, 10 + 45 * i], [114, 50 + 45 * i], [6, 50 + 45 * i]],
             "score": 0.99} for i, text in enumerate(texts)]


def appeal_with_checks(agent):
    """A claimed appeal with three ready screenshots read by OCR, two checks relying on a line each."""
    appeal = make_appeal()
    items = list(appeal.evidence.order_by("pk"))
    for item in items:
        assert pipeline.evidence_process(evidence_id=item.pk) == Evidence.Status.READY
    order, logistics, receipt = items
    order_number = appeal.freeze.refund.order.number
    Evidence.objects.filter(pk=order.pk).update(ocr_lines=ocr("订单详情", f"订单编号 {order_number}", "实付 ¥599.00"))
    Evidence.objects.filter(pk=logistics.pk).update(ocr_lines=ocr("物流详情", "已签收", "运单号 SF999", "顺丰速运"))
    Evidence.objects.filter(pk=receipt.pk).update(ocr_lines=ocr("退款成功"))
    Appeal.objects.filter(pk=appeal.pk).update(evidence_checks=[
        {"code": "order_number", "status": "match", "expected": order_number, "read": order_number,
         "evidence_id": order.pk, "line": 1},
        {"code": "tracking_number", "status": "contradicts", "expected": "SF1234567890123", "read": "SF999",
         "evidence_id": logistics.pk, "line": 2},
        {"code": "refund_amount", "status": "not_found", "expected": "599.00"},
    ])
    review.appeal_claim(appeal_id=appeal.pk, actor=agent)
    return appeal, items


def test_the_page_is_a_workspace_with_boxes_switcher_and_shortcut_hints(login):
    agent = AgentFactory()
    appeal, (order, logistics, receipt) = appeal_with_checks(agent)
    html = login(agent).get(change_url(appeal)).content.decode()

    # The screenshots: one figure each, the first shown, a tab by kind, the full image (not the thumbnail).
    assert re.findall(r'<figure class="shot( current)?" id="shot-(\d+)"', html) == [
        (" current", str(order.pk)), ("", str(logistics.pk)), ("", str(receipt.pk))]
    tabs = re.findall(r'<a class="shot-tab" href="([^"]+)" data-shot="(\d+)"[^>]*>([^<]+)</a>', html)
    assert [(pk, kind) for _url, pk, kind in tabs] == [
        (str(order.pk), "Order screenshot"), (str(logistics.pk), "Return logistics screenshot"),
        (str(receipt.pk), "Refund receipt")]
    assert tabs[0][0] == reverse("admin:appeals_evidence_annotated", args=[order.pk])  # without script
    assert reverse("evidence-image", args=[appeal.reference, order.pk]) in html
    assert reverse("evidence-thumb", args=[appeal.reference, order.pk]) not in html

    # The OCR boxes inline, the lines the checks relied on marked by their outcome.
    assert html.count('<polygon points="') == 3 + 4 + 1
    assert re.search(r'data-line="1" class="ocr-box ocr-relied ocr-match"><title>订单编号', html)
    assert re.search(r'data-line="2" class="ocr-box ocr-relied ocr-contradicts"><title>运单号 SF999', html)
    assert html.count("ocr-relied") == 2
    # Each check with a screenshot links to it for desk.js; the annotated page stays the link's target.
    assert f'?line=2" target="_blank" rel="noopener" data-shot="{logistics.pk}" data-line="2"' in html

    # The decision bar: the buttons with their keys shown, zoom and step keys on the viewer.
    bar = html[html.index('class="decision-bar"'):html.index('class="workspace"')]
    assert appeal.reference in bar and "Back to the queue <kbd>Q</kbd>" in bar
    assert re.findall(r'name="_fsm_transition_to"\s+value="([^"]+)"[^>]*data-key="(\w)"[^>]*>[^<]+<kbd>(\w)</kbd>',
                      bar) == [("request_info", "i", "I"), ("escalate", "e", "E"), ("approve", "a", "A"),
                               ("reject", "r", "R")]
    for hint in ('aria-keyshortcuts="j"', 'aria-keyshortcuts="k"', 'data-zoom="1"', 'data-zoom="-1"',
                 'data-zoom="0"'):
        assert hint in html
    # Beside: the checks first, then the record, risk (its approval question for desk.js) and history;
    # below: the transition log.
    panels = html[html.index('class="ws-panels"'):]
    order_of = [panels.index(text) for text in ("Checks against the record", "Record and claims", "Risk",
                                                "Customer history")]
    assert order_of == sorted(order_of) and "data-confirm-approve" in panels
    assert html.index('class="ws-panels"') < html.index("Transition log")
    assert 'id="nav-sidebar"' not in html


def test_a_screenshot_not_ready_says_why_in_its_place(login):
    agent = AgentFactory()
    appeal = make_appeal()  # still processing: on-commit tasks do not run in a test
    review.appeal_claim(appeal_id=appeal.pk, actor=agent)
    html = login(agent).get(change_url(appeal)).content.decode()
    assert html.count('<p class="shot-missing">Processing</p>') == 3
    assert "<polygon" not in html and "<img src=" not in html.split('class="workspace"')[1].split("ws-panels")[0]


def test_the_annotated_page_still_highlights_the_line_asked_for(login):
    agent = AgentFactory()
    appeal, (_order, logistics, _receipt) = appeal_with_checks(agent)
    url = reverse("admin:appeals_evidence_annotated", args=[logistics.pk])
    html = login(agent).get(f"{url}?line=2").content.decode()
    assert re.findall(r'data-line="(\d)" class="([^"]+)"', html) == [
        ("0", "ocr-box"), ("1", "ocr-box"), ("2", "ocr-box ocr-highlight"), ("3", "ocr-box")]


def test_the_history_lists_the_newest_refunds_and_says_how_many_more():
    """A burst of refunds (a malicious pattern) lists the newest HISTORY_ROWS, not hundreds of rows."""
    from decimal import Decimal

    from django.utils import translation

    from accounts.tests.factories import make_order, make_refund
    from appeals.desk import panels

    appeal = make_appeal()
    account = appeal.freeze.account
    orders = [make_order(account, Decimal("10.00"), number=f"DYBURST{i:04d}") for i in range(panels.HISTORY_ROWS + 4)]
    for order in orders:  # the burst restricts the account: the orders come first
        make_refund(order)
    with translation.override("en"):
        html = panels.history_panel(appeal)
    total = panels.HISTORY_ROWS + 5  # the appeal's own refund too
    assert f"Refunds in the last 30 days ({total})" in html and f"… and {total - panels.HISTORY_ROWS} more" in html
    assert html.count("DYBURST") == panels.HISTORY_ROWS and "DYBURST0023" in html and "DYBURST0003" not in html
    assert html.count("<li>") == html.count("</li>") > 2 * panels.HISTORY_ROWS and "&lt;" not in html
    few = panels.history_panel(make_appeal())  # nothing hidden: the lists are still markup, not text
    assert "&lt;" not in few and "<li>" in few

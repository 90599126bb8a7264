"""Canned replies: kept by supervisors, offered on the request-info and reject forms with the
appeal's own order number, amount and failing check, in both languages; the reject form starts
on the reason the checks suggest."""

from html import unescape

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from accounts.tests.factories import AgentFactory, SupervisorFactory
from appeals.desk import canned
from appeals.evidence.crosscheck import CHECK_LABELS, CONTRADICTS, MATCH, NOT_FOUND
from appeals.models import Appeal, CannedReply, RejectReason
from appeals.tests.desk.test_admin import make_appeal, transition_url
from appeals.workflow import review

pytestmark = pytest.mark.django_db


def reply(**fields):
    values = {"name": "凭证不符", "use": CannedReply.Use.REJECT, "reject_reason": RejectReason.EVIDENCE_MISMATCH,
              "text_zh": "订单 {order_number} 的凭证不符（{failing_check}），¥{amount} 暂不解冻。",
              "text_en": "The proof for order {order_number} does not match ({failing_check}); ¥{amount} stays."}
    return CannedReply.objects.create(**(values | fields))


def with_checks(appeal, *statuses):
    codes = ["order_number", "refund_amount", "tracking_number"]
    Appeal.objects.filter(pk=appeal.pk).update(evidence_checks=[
        {"code": code, "status": status, "expected": "x"} for code, status in zip(codes, statuses, strict=False)])
    return Appeal.objects.select_related("freeze__refund__order").get(pk=appeal.pk)


@pytest.mark.parametrize("text", ["{amount.__class__}", "{0}", "{order}", "¥{amount:>10}"])
def test_a_reply_with_anything_but_the_three_placeholders_is_refused(text):
    with pytest.raises(ValidationError):
        CannedReply(name="x", use=CannedReply.Use.REJECT, text_zh=text, text_en="ok").full_clean()


def test_placeholders_are_filled_for_the_appeal_in_both_languages():
    appeal = with_checks(make_appeal(), MATCH, CONTRADICTS)
    mine = reply(text_zh="订单 {order_number}：{failing_check}，¥{amount}，{其他}")
    [offered] = [item for item in canned.replies_for(appeal, "reject") if item["reply"] == mine]
    number = appeal.freeze.refund.order.number
    with translation.override("zh-hans"):
        zh_label = str(CHECK_LABELS["refund_amount"])
    with translation.override("en"):
        en_label = str(CHECK_LABELS["refund_amount"])
    assert offered["texts"]["zh"] == f"订单 {number}：{zh_label}，¥599.00，{{其他}}"  # unknown braces left alone
    assert offered["texts"]["en"] == f"The proof for order {number} does not match ({en_label}); ¥599.00 stays."
    assert mine not in [item["reply"] for item in canned.replies_for(appeal, "request_info")]


@pytest.mark.parametrize(("statuses", "suggested"), [
    ((MATCH, CONTRADICTS, NOT_FOUND), RejectReason.EVIDENCE_MISMATCH),
    ((MATCH, NOT_FOUND), RejectReason.EVIDENCE_MISSING),
    ((MATCH, MATCH, MATCH), ""),
    ((), ""),  # not read yet: no guess
])
def test_the_reject_form_starts_on_the_reason_the_checks_suggest(client, statuses, suggested):
    appeal, agent = make_appeal(), AgentFactory()
    review.appeal_claim(appeal_id=appeal.pk, actor=agent)
    with_checks(appeal, *statuses)
    reply()
    reply(name="停用的", active=False)
    client.force_login(agent)
    page = client.get(transition_url(appeal, "reject")).content.decode()
    assert f'data-suggested-reason="{suggested}"' in page
    assert appeal.reference in page  # the form says which appeal it is for
    number = Appeal.objects.get(pk=appeal.pk).freeze.refund.order.number
    assert f"订单 {number} 的凭证不符" in unescape(page) and "停用的" not in page


def test_supervisors_keep_the_replies_agents_only_use_them(client):
    client.force_login(AgentFactory())
    assert client.get(reverse("admin:appeals_cannedreply_add")).status_code == 403
    client.force_login(SupervisorFactory())
    response = client.post(reverse("admin:appeals_cannedreply_add"), {
        "name": "补充订单截图", "use": "request_info", "reject_reason": "", "active": "on",
        "text_zh": "请补充订单 {order_number} 的截图。", "text_en": "Please add a screenshot of order {order_number}."})
    assert response.status_code == 302, response.context["adminform"].errors if response.context else response
    assert CannedReply.objects.filter(name="补充订单截图").exists()
    bad = client.post(reverse("admin:appeals_cannedreply_add"), {
        "name": "坏的", "use": "request_info", "text_zh": "{amount.__class__}", "text_en": "x"})
    assert bad.status_code == 200 and not CannedReply.objects.filter(name="坏的").exists()

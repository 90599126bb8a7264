"""The decision bar's actions that need words, decided from the appeal page: each button carries its
form (the same Form class, canned replies and suggested reason as the form page) in a panel that posts
straight to django_fsm's transition view, so the service, the event log, the customer's notification
and the next appeal are the same as through the form page. The browser side is
test_inline_forms_browser.py."""

import re
from html import unescape

import pytest

from accounts.tests.factories import AgentFactory
from appeals.models import AppealEvent, Notification, RejectReason, State
from appeals.tests.desk.test_admin import (  # noqa: F401 (login: the fixture)
    change_url,
    fresh,
    make_appeal,
    messages_of,
    transition_url,
)
from appeals.tests.desk.test_canned_replies import reply, with_checks
from appeals.workflow import decide, review

pytestmark = pytest.mark.django_db

NOT_AVAILABLE = "That action is not available for this appeal in its current state."


def panels(html) -> dict[str, str]:
    """Each panel of the page by its id, with its HTML."""
    return dict(re.findall(r'<dialog class="decision-panel" id="panel-(\w+)".*?>(.*?)</dialog>', html, re.S))


def panel_action(html, name) -> str:
    return unescape(re.search(r'<form method="post" action="([^"]+)"', panels(html)[name]).group(1))


@pytest.fixture
def claimed(login):
    """An appeal in review whose checks contradict the record, the agent's client, a canned reject reply,
    and an unassigned appeal waiting next."""
    agent = AgentFactory()
    appeal = make_appeal()
    review.appeal_claim(appeal_id=appeal.pk, actor=agent)
    appeal = with_checks(appeal, "match", "contradicts")
    reply()
    return appeal, login(agent), make_appeal(), agent


def test_each_action_that_needs_words_brings_its_form_in_a_panel_naming_the_appeal(claimed):
    appeal, client, _next, _agent = claimed
    html = client.get(change_url(appeal)).content.decode()
    assert sorted(panels(html)) == ["escalate", "reject", "request_info"]  # approve: one click, no panel
    for name in ("escalate", "reject", "request_info"):
        assert f'data-panel="panel-{name}"' in html  # on the bar's button, still a submit button without script
        assert panel_action(html, name) == transition_url(appeal, name)
        assert appeal.reference in panels(html)[name]
    reject = panels(html)["reject"]
    assert 'name="reason"' in reject and 'name="message"' in reject and 'id="id_reject_message"' in reject
    assert 'data-suggested-reason="evidence_mismatch"' in reject
    assert "订单" in unescape(reject) and 'class="canned-reply"' in reject  # the canned reply, filled in
    assert 'id="id_request_info_message"' in panels(html)["request_info"]  # ids of its own: two forms share the page
    assert "_fsm_transition_to" not in "".join(panels(html).values())


def test_rejecting_from_the_panel_goes_through_the_service_and_opens_the_next_appeal(claimed):
    appeal, client, waiting, agent = claimed
    action = panel_action(client.get(change_url(appeal)).content.decode(), "reject")
    response = client.post(action, {"reason": RejectReason.EVIDENCE_MISMATCH, "message": "截图与订单不符"})
    assert (response.status_code, response["Location"]) == (302, change_url(waiting))
    after = fresh(appeal)
    assert (after.state, after.reject_reason, after.decided_by) == (
        State.REJECTED, RejectReason.EVIDENCE_MISMATCH, agent)
    event = AppealEvent.objects.get(appeal=appeal, transition="reject")
    assert (event.actor, event.customer_message) == (agent, "截图与订单不符")
    assert Notification.objects.filter(user=appeal.customer, event=event, message__contains="截图与订单不符").exists()
    assert (fresh(waiting).state, fresh(waiting).assignee) == (State.IN_REVIEW, agent)  # claimed for the agent


def test_requesting_information_from_the_panel_tells_the_customer_and_goes_on(claimed):
    appeal, client, waiting, _agent = claimed
    action = panel_action(client.get(change_url(appeal)).content.decode(), "request_info")
    response = client.post(action, {"message": "请补充退货物流截图"})
    assert response["Location"] == change_url(waiting)
    assert fresh(appeal).state == State.INFO_REQUESTED
    assert AppealEvent.objects.filter(appeal=appeal, transition="request_info",
                                      customer_message="请补充退货物流截图").count() == 1
    assert Notification.objects.filter(user=appeal.customer, message__contains="请补充退货物流截图").exists()


def test_invalid_input_stays_on_the_form_page_with_the_error_and_what_was_typed(claimed):
    appeal, client, _waiting, _agent = claimed
    response = client.post(transition_url(appeal, "reject"), {"reason": RejectReason.DUPLICATE, "message": "  "})
    assert response.status_code == 200
    form = response.context["transition_form"]
    assert "message" in form.errors and form["reason"].value() == RejectReason.DUPLICATE
    assert 'data-suggested-reason=""' in response.content.decode()  # the agent's choice is not replaced
    assert fresh(appeal).state == State.IN_REVIEW


def test_a_stale_panel_is_refused_with_the_services_words_and_back_on_the_appeal(claimed):
    appeal, client, _waiting, agent = claimed
    action = panel_action(client.get(change_url(appeal)).content.decode(), "reject")
    decide.appeal_reject(appeal_id=appeal.pk, actor=agent, reason=RejectReason.EVIDENCE_MISSING, message="另一个标签页")
    response = client.post(action, {"reason": RejectReason.EVIDENCE_MISMATCH, "message": "截图与订单不符"})
    assert (response.status_code, response["Location"]) == (302, change_url(appeal))
    assert [m for m in messages_of(response) if "already" in m]  # "This appeal was already Rejected by …"
    assert fresh(appeal).reject_reason == RejectReason.EVIDENCE_MISSING
    assert AppealEvent.objects.filter(appeal=appeal, transition="reject").count() == 1


@pytest.mark.parametrize("name", ["approve", "withdraw", "no_such_transition", "save"])
def test_a_transition_without_a_form_is_refused_in_words(claimed, name):
    appeal, client, _waiting, _agent = claimed
    response = client.post(transition_url(appeal, name), {"message": "x"})
    assert (response.status_code, response["Location"]) == (302, change_url(appeal))
    assert messages_of(response) == [NOT_AVAILABLE]
    assert fresh(appeal).state == State.IN_REVIEW


def test_another_agents_panel_post_changes_nothing(claimed, login):
    appeal, _client, _waiting, _agent = claimed
    response = login(AgentFactory()).post(transition_url(appeal, "reject"),
                                          {"reason": RejectReason.EVIDENCE_MISMATCH, "message": "不是我的"})
    assert (response.status_code, response["Location"]) == (302, change_url(appeal))
    assert messages_of(response) == [NOT_AVAILABLE]
    assert fresh(appeal).state == State.IN_REVIEW

"""Four eyes on the desk: the buttons each person sees and what a click does. Whoever proposed an
approval cannot confirm it from the page either, whatever their role."""

from decimal import Decimal

import pytest

from accounts.models import Freeze
from accounts.selectors import ledger_mismatches
from accounts.tests.factories import AgentFactory, SupervisorFactory
from appeals.models import Appeal, AppealEvent, State
from appeals.tests.desk.test_admin import (
    change_url,
    make_appeal,
    messages_of,
    post_transition,
    transition_buttons,
    transition_url,
)
from appeals.workflow import review

pytestmark = pytest.mark.django_db


@pytest.fixture
def login(client, settings):
    def _login(user):
        client.force_login(user)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return client

    return _login


def buttons(client, appeal):
    return set(transition_buttons(client.get(change_url(appeal)).content.decode()))


@pytest.mark.parametrize("role", ["agent", "supervisor", "superuser"])
def test_the_proposer_cannot_confirm_from_the_page_a_second_supervisor_does(login, role):
    proposer = {"agent": AgentFactory, "supervisor": SupervisorFactory,
                "superuser": lambda: SupervisorFactory(is_superuser=True)}[role]()
    appeal = make_appeal(amount=Decimal("5600.00"))
    review.appeal_claim(appeal_id=appeal.pk, actor=proposer)
    client = login(proposer)
    assert "propose_approval" in buttons(client, appeal) and "approve" not in buttons(client, appeal)
    response = post_transition(client, appeal, "approve")
    assert Appeal.objects.get(pk=appeal.pk).state == State.IN_REVIEW
    response = client.post(transition_url(appeal, "propose_approval"), {"note": "订单、物流与退款一致"})
    assert response.status_code == 302
    assert Appeal.objects.get(pk=appeal.pk).state == State.APPROVAL_PROPOSED
    assert not {"confirm_approval", "return_proposal"} & buttons(client, appeal)
    response = post_transition(client, appeal, "confirm_approval")
    assert any("propose" in text or "not allowed" in text for text in messages_of(response)), messages_of(response)
    after = Appeal.objects.select_related("freeze").get(pk=appeal.pk)
    assert (after.state, after.freeze.status) == (State.APPROVAL_PROPOSED, Freeze.Status.ACTIVE)

    confirmer = SupervisorFactory()
    client = login(confirmer)
    page = client.get(change_url(appeal)).content.decode()
    assert proposer.username in page and "订单、物流与退款一致" in page
    assert {"confirm_approval", "return_proposal"} <= buttons(client, appeal)
    post_transition(client, appeal, "confirm_approval")
    after = Appeal.objects.select_related("freeze").get(pk=appeal.pk)
    assert (after.state, after.decided_by, after.freeze.status) == (State.APPROVED, confirmer, Freeze.Status.RELEASED)
    assert list(AppealEvent.objects.filter(appeal=appeal).values_list("transition", "actor"))[-2:] == [
        ("propose_approval", proposer.pk), ("confirm_approval", confirmer.pk)]
    assert ledger_mismatches() == []


def test_sending_back_from_the_page_asks_why_and_returns_it_to_the_proposer(login):
    agent = AgentFactory()
    appeal = make_appeal(amount=Decimal("9100.00"))
    review.appeal_claim(appeal_id=appeal.pk, actor=agent)
    login(agent).post(transition_url(appeal, "propose_approval"), {"note": "金额核对无误"})
    client = login(SupervisorFactory())
    response = client.post(transition_url(appeal, "return_proposal"), {"note": ""})
    assert response.status_code == 200 and Appeal.objects.get(pk=appeal.pk).state == State.APPROVAL_PROPOSED
    client.post(transition_url(appeal, "return_proposal"), {"note": "退款凭证金额不清楚"})
    back = Appeal.objects.get(pk=appeal.pk)
    assert (back.state, back.assignee) == (State.IN_REVIEW, agent)

"""Decide and go on: a decision opens the agent's next appeal (a customer's reply first, then their
own by due time, then the most urgent unassigned one, claimed), so each decision is one page load."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import AgentFactory
from appeals.models import Appeal, State
from appeals.tests.desk.test_admin import (  # noqa: F401 (login: the fixture)
    QUEUE,
    TAKE_NEXT,
    change_url,
    fresh,
    make_appeal,
    post_transition,
    set_due,
)
from appeals.workflow import review, submit

pytestmark = pytest.mark.django_db


def replied(appeal, agent):
    review.appeal_request_info(appeal_id=appeal.pk, actor=agent, message="请补充物流截图")
    submit.appeal_resubmit(appeal_id=appeal.pk, actor=appeal.customer, message="已补充", files=[])


def test_approving_opens_the_most_urgent_unassigned_appeal_claimed(login):
    agent = AgentFactory()
    current, later, urgent = make_appeal(), make_appeal(), make_appeal()
    review.appeal_claim(appeal_id=current.pk, actor=agent)
    set_due(later, timezone.now() + timedelta(hours=9))
    set_due(urgent, timezone.now() + timedelta(hours=1))
    client = login(agent)
    response = post_transition(client, current, "approve")
    assert (response.status_code, response["Location"]) == (302, change_url(urgent))
    assert (fresh(urgent).state, fresh(urgent).assignee) == (State.IN_REVIEW, agent)
    assert fresh(later).assignee is None
    page = client.get(response["Location"])  # the one page load of the next decision
    assert page.status_code == 200 and urgent.reference in page.content.decode()


def test_a_customers_reply_comes_first_after_a_decision_and_on_take_next(login):
    agent = AgentFactory()
    current, waiting, replying = make_appeal(), make_appeal(), make_appeal()
    for appeal in (current, waiting, replying):
        review.appeal_claim(appeal_id=appeal.pk, actor=agent)
    set_due(waiting, timezone.now() + timedelta(hours=1))  # more urgent, but no reply
    set_due(replying, timezone.now() + timedelta(hours=20))
    replied(replying, agent)
    client = login(agent)

    queue = client.get(reverse(QUEUE)).content.decode()
    row = queue[queue.index(replying.reference):]
    assert "customer replied" in row[:row.index("</tr>")]
    assert "customer replied" not in queue[queue.index(waiting.reference):][:200]

    assert client.post(reverse(TAKE_NEXT))["Location"] == change_url(replying)
    response = post_transition(client, current, "approve")
    assert response["Location"] == change_url(replying)
    post_transition(client, replying, "approve")
    assert Appeal.objects.get(pk=replying.pk).state == State.APPROVED
    assert client.post(reverse(TAKE_NEXT))["Location"] == reverse(QUEUE)  # take next: no reply, nothing new
    response = post_transition(client, make_appeal_claimed(agent), "approve")
    assert response["Location"] == change_url(waiting)  # after a decision: their own, by due time


def make_appeal_claimed(agent):
    appeal = make_appeal()
    review.appeal_claim(appeal_id=appeal.pk, actor=agent)
    return appeal

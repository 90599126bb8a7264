"""The review queue in the admin: supervisors only, by due date; the original decider sees no
form and a forged post is refused; another supervisor decides, and four eyes on a banned account."""


import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from accounts.models import CreditAccount, Freeze
from accounts.selectors import ledger_mismatches
from accounts.tests.factories import AgentFactory, SupervisorFactory
from appeals.models import Appeal, Review, ReviewState, State
from appeals.tests.workflow.test_reviews import ask, banned_by_the_rules, rejected
from appeals.workflow import reviews

pytestmark = pytest.mark.django_db
QUEUE = "admin:appeals_review_changelist"


@pytest.fixture
def login(client, settings):
    def _login(user):
        client.force_login(user)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return client

    return _login


def page_url(review):
    return reverse("admin:appeals_review_change", args=[review.pk])


def test_the_queue_is_for_supervisors_and_shows_the_due_date(login):
    asked = ask(rejected(AgentFactory()))
    assert login(AgentFactory()).get(reverse(QUEUE)).status_code == 403
    html = login(SupervisorFactory()).get(reverse(QUEUE)).content.decode()
    assert asked.reference in html and f"{asked.due_at.astimezone():%Y-%m-%d}" in html


def test_the_original_decider_gets_no_form_and_a_forged_post_is_refused(login):
    boss = SupervisorFactory()
    appeal = rejected(boss)
    asked = ask(appeal)
    client = login(boss)
    page = client.get(page_url(asked)).content.decode()
    assert 'name="_review"' not in page and appeal.reference in page and "退款凭证金额与订单不符" in page
    response = client.post(page_url(asked), {"outcome": "overturn", "message": "我自己改判"})
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "You took part in the original decision; another supervisor reviews it."]
    assert Review.objects.get(pk=asked.pk).state == ReviewState.REQUESTED
    assert Appeal.objects.get(pk=appeal.pk).state == State.REJECTED


def test_another_supervisor_overturns_from_the_page_and_the_money_moves_once(login):
    appeal = rejected(AgentFactory())
    asked = ask(appeal)
    client = login(SupervisorFactory())
    assert 'name="_review"' in client.get(page_url(asked)).content.decode()
    client.post(page_url(asked), {"outcome": "overturn", "message": "运费已核实", "note": ""})
    client.post(page_url(asked), {"outcome": "overturn", "message": "再点一次"})
    after = Appeal.objects.select_related("freeze").get(pk=appeal.pk)
    assert (after.state, after.freeze.status) == (State.APPROVED, Freeze.Status.RELEASED)
    assert after.freeze.ledger_entries.filter(kind="release").count() == 1
    assert ledger_mismatches() == []


def test_on_a_banned_account_one_supervisor_proposes_and_another_confirms_from_the_page(login):
    account, freeze = banned_by_the_rules()
    asked = reviews.review_request(customer=account.customer, freeze_id=freeze.pk, reason="正常退货", files=[])
    first, second = SupervisorFactory(), SupervisorFactory()
    login(first).post(page_url(asked), {"outcome": "overturn", "message": "地址为菜鸟驿站"})
    assert Review.objects.get(pk=asked.pk).state == ReviewState.OVERTURN_PROPOSED
    client = login(first)
    assert 'name="_review"' not in client.get(page_url(asked)).content.decode()
    client.post(page_url(asked), {"action": "confirm"})
    assert Review.objects.get(pk=asked.pk).state == ReviewState.OVERTURN_PROPOSED
    login(second).post(page_url(asked), {"action": "confirm", "note": ""})
    account.refresh_from_db()
    assert Review.objects.get(pk=asked.pk).state == ReviewState.OVERTURNED
    assert account.status == CreditAccount.Status.ACTIVE and ledger_mismatches() == []

"""A statement of reasons with remedies (complaint rules Art. 19, PIPL Art. 24) and messages stored
as a code with parameters, rendered in the reader's language."""

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import translation

from accounts.models import Freeze
from accounts.services import ledger
from accounts.tests.factories import (
    AgentFactory,
    CustomerFactory,
    SupervisorFactory,
    make_account,
    make_order,
    make_refund,
)
from appeals.models import Notification
from appeals.tests.factories import file_appeal, refund_freeze
from appeals.workflow import decide, review

pytestmark = pytest.mark.django_db


def english(client, user):
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def chinese(client, user):
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    return client


@pytest.fixture
def rejected(django_capture_on_commit_callbacks):
    """An agent working in English rejects the appeal of a customer with an e-mail address."""
    appeal = file_appeal(refund_freeze(customer=CustomerFactory(email="wang.fang@example.com")))
    agent = AgentFactory()
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        review.appeal_claim(appeal_id=appeal.pk, actor=agent)
        decide.appeal_reject(appeal_id=appeal.pk, actor=agent, reason="evidence_mismatch",
                             message="退款凭证上的金额与订单不符")
    return appeal


def test_a_message_is_stored_as_a_code_and_read_in_the_readers_language(rejected):
    notice = Notification.objects.filter(appeal=rejected).latest("pk")
    assert (notice.code, notice.params["reject_reason"]) == ("rejected", "evidence_mismatch")
    assert notice.params["hotline"] == "12378" and notice.params["support"] == settings.SUPPORT_CHANNEL
    with translation.override("en"):
        english_text = notice.text
    with translation.override("zh-hans"):
        chinese_text = notice.text
    assert "was not approved: Evidence does not match the order" in english_text and "12378" in english_text
    assert "未通过" in chinese_text and "12378" in chinese_text and "was not approved" not in chinese_text
    assert notice.message == chinese_text  # the record, in the default language, whoever acted
    assert mail.outbox[-1].body == chinese_text  # the e-mail too, though the agent worked in English


def test_the_customer_page_shows_the_message_in_the_customers_language(client, rejected):
    page = chinese(client, rejected.customer).get(reverse("notification-list")).content.decode()
    assert "未通过" in page and "was not approved" not in page
    page = english(client, rejected.customer).get(reverse("notification-list")).content.decode()
    assert "was not approved" in page


def test_a_rejection_states_what_was_checked_the_basis_and_the_remedies(client, rejected):
    html = english(client, rejected.customer).get(reverse("appeal-detail", args=[rejected.reference])).content
    text = html.decode()
    for expected in ["What we checked", "Your order and its refund in our records",
                     "The basis of the decision", "Evidence does not match the order", "退款凭证上的金额与订单不符",
                     "What you can do next", settings.SUPPORT_CHANNEL, "12378", 'data-testid="review-request"']:
        assert expected in text, expected


def test_an_approval_states_its_basis_and_offers_no_review(client):
    appeal = file_appeal()
    agent = AgentFactory()
    review.appeal_claim(appeal_id=appeal.pk, actor=agent)
    decide.appeal_approve(appeal_id=appeal.pk, actor=agent)
    text = english(client, appeal.customer).get(reverse("appeal-detail", args=[appeal.reference])).content.decode()
    assert "A reviewer found that your evidence supports the appeal." in text
    assert "review-request" not in text and "12378" in text


def test_an_open_appeal_has_no_statement_yet(client):
    appeal = file_appeal()
    text = english(client, appeal.customer).get(reverse("appeal-detail", args=[appeal.reference])).content.decode()
    assert 'data-testid="statement"' not in text


def test_an_automatic_ban_says_so_names_the_kind_of_signal_and_offers_a_person(client):
    account = make_account()
    refund = make_refund(make_order(account), return_address="虚拟地址 某某路000号")
    freeze = Freeze.objects.get(refund=refund)
    text = english(client, account.customer).get(reverse("freeze-detail", args=[freeze.pk])).content.decode()
    assert "This was decided automatically" in text
    assert "The return address could not be verified." in text
    assert "ask a person to review this automatic decision" in text and "Art. 24" in text
    assert "虚拟" not in text.split("automatic-decision")[1]  # the finding's detail stays with the agents


def test_a_freeze_a_person_made_is_not_called_automatic(client):
    account = make_account()
    freeze = ledger.freeze_create(account=account, amount="200.00", reason=Freeze.Reason.MALICIOUS,
                                  actor=SupervisorFactory(), note="manual")
    text = english(client, account.customer).get(reverse("freeze-detail", args=[freeze.pk])).content.decode()
    assert "decided automatically" not in text

"""The customer asks for a review from the rejected appeal's page or from the freeze the rules made,
sees its due date, and follows it to the answer on its own page."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from accounts.tests.factories import AgentFactory, CustomerFactory, SupervisorFactory
from appeals.models import Evidence, Review, ReviewState
from appeals.tests.factories import image_bytes
from appeals.tests.workflow.test_reviews import banned_by_the_rules, rejected
from appeals.workflow import reviews

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 12, 1, 15, 0, tzinfo=TZ)


@pytest.fixture
def login(client, settings):
    def _login(user):
        client.force_login(user)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return client

    return _login


def png(name):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, image_bytes(size=(120, 200)), content_type="image/png")


def test_a_rejected_appeal_offers_a_review_until_its_deadline_and_takes_one(login):
    with time_machine.travel(START, tick=False):
        appeal = rejected(AgentFactory())
    client = login(appeal.customer)
    with time_machine.travel(START + timedelta(days=3), tick=False):
        page = client.get(reverse("appeal-detail", args=[appeal.reference])).content.decode()
        assert 'data-testid="review-offer"' in page and "2026-12-31" in page
        response = client.post(reverse("review-from-appeal", args=[appeal.reference]),
                               {"reason": "运费包含在退款里", "other": [png("new-receipt.png")]})
    review = Review.objects.get(appeal=appeal)
    assert response.status_code == 302 and response["Location"] == reverse("review-detail", args=[review.reference])
    assert Evidence.objects.filter(appeal=appeal, original_name="new-receipt.png").exists()
    page = client.get(reverse("appeal-detail", args=[appeal.reference])).content.decode()
    assert 'data-testid="review"' in page and "2027-01-03" in page and 'data-testid="review-offer"' not in page
    detail = client.get(reverse("review-detail", args=[review.reference])).content.decode()
    assert "运费包含在退款里" in detail and "2027-01-03" in detail


def test_past_the_window_there_is_no_offer_and_a_post_is_refused(login):
    with time_machine.travel(START, tick=False):
        appeal = rejected(AgentFactory())
    with time_machine.travel(START + timedelta(days=31), tick=False):
        client = login(appeal.customer)
        assert "review-offer" not in client.get(reverse("appeal-detail", args=[appeal.reference])).content.decode()
        response = client.post(reverse("review-from-appeal", args=[appeal.reference]), {"reason": "请复核"})
    assert response.status_code == 400 and not Review.objects.exists()


def test_another_customer_cannot_ask_or_see(login):
    appeal = rejected(AgentFactory())
    asked = reviews.review_request(customer=appeal.customer, appeal_id=appeal.pk, reason="请复核", files=[])
    client = login(CustomerFactory())
    assert client.post(reverse("review-from-appeal", args=[appeal.reference]), {"reason": "x"}).status_code == 404
    assert client.get(reverse("review-detail", args=[asked.reference])).status_code == 404


def test_an_automatic_ban_is_reviewed_from_the_freeze_page_and_the_answer_is_shown(login):
    account, freeze = banned_by_the_rules()
    client = login(account.customer)
    page = client.get(reverse("freeze-detail", args=[freeze.pk])).content.decode()
    assert 'data-testid="review-offer"' in page and 'type="file"' not in page.split("review-offer")[1]
    client.post(reverse("review-from-freeze", args=[freeze.pk]), {"reason": "这是我本人的正常退货"})
    review = Review.objects.get(freeze=freeze)
    reviews.review_decide(review_id=review.pk, actor=SupervisorFactory(), outcome="uphold",
                          message="退货地址无法核实")
    assert Review.objects.get(pk=review.pk).state == ReviewState.UPHELD
    detail = client.get(reverse("review-detail", args=[review.reference])).content.decode()
    assert "退货地址无法核实" in detail and "Decision upheld" in detail

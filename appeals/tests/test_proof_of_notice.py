"""Proof that the customer was told (complaint rules Art. 21): each notification names the event it
tells of, records when the customer's page showed it and when its e-mail went out (with the
Message-ID), and the decision log shows it for every event."""

import re

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse

from accounts.tests.factories import AgentFactory, CustomerFactory, SupervisorFactory
from appeals.models import AppealEvent, Notification
from appeals.tests.factories import file_appeal, refund_freeze
from appeals.workflow import review

pytestmark = pytest.mark.django_db


def english(client, user):
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def told(django_capture_on_commit_callbacks):
    """An appeal filed and claimed by a customer with an e-mail address; the e-mails went out."""
    customer = CustomerFactory(email="li.na@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        appeal = file_appeal(refund_freeze(customer=customer))
    agent = AgentFactory()
    with django_capture_on_commit_callbacks(execute=True):
        review.appeal_claim(appeal_id=appeal.pk, actor=agent)
    return appeal, agent


def test_each_notification_tells_of_its_event_and_records_the_email(told):
    appeal, _agent = told
    submitted, claimed = AppealEvent.objects.filter(appeal=appeal, transition__in=["submit", "claim"]).order_by("pk")
    notices = list(Notification.objects.filter(appeal=appeal).order_by("pk"))
    assert [notice.event_id for notice in notices] == [submitted.pk, claimed.pk]
    assert len(mail.outbox) == 2
    assert [notice.email_message_id for notice in notices] == [m.extra_headers["Message-ID"] for m in mail.outbox]
    assert all(notice.emailed_at and notice.read_at is None for notice in notices)


def test_the_customers_appeal_page_records_when_it_showed_the_messages_staff_views_do_not(client, told):
    appeal, agent = told
    english(client, agent).get(reverse("appeal-detail", args=[appeal.reference]))
    assert not Notification.objects.filter(appeal=appeal, read_at__isnull=False).exists()

    page = english(client, appeal.customer).get(reverse("appeal-detail", args=[appeal.reference]))
    assert b"Messages we sent you" in page.content
    shown = list(Notification.objects.filter(appeal=appeal).values_list("read_at", flat=True))
    assert len(shown) == 2 and all(shown)
    client.get(reverse("appeal-detail", args=[appeal.reference]))  # shown again: the first time stays
    assert list(Notification.objects.filter(appeal=appeal).values_list("read_at", flat=True)) == shown


def test_the_messages_page_marks_only_what_it_shows(client):
    customer = CustomerFactory()
    older = Notification.objects.bulk_create([Notification(user=customer, message=f"旧消息 {i}") for i in range(3)])
    Notification.objects.bulk_create([Notification(user=customer, message=f"消息 {i}") for i in range(100)])
    english(client, customer).get(reverse("notification-list"))
    assert Notification.objects.filter(user=customer, read_at__isnull=False).count() == 100
    assert not Notification.objects.filter(pk__in=[n.pk for n in older], read_at__isnull=False).exists()


def test_the_decision_log_shows_whether_and_how_the_customer_was_told(client, told):
    appeal, _agent = told
    english(client, appeal.customer).get(reverse("appeal-detail", args=[appeal.reference]))
    claimed = Notification.objects.filter(appeal=appeal).latest("pk")
    supervisor = english(client, SupervisorFactory())
    page = supervisor.get(reverse("admin:appeals_appeal_change", args=[appeal.pk])).content.decode()
    assert page.count("shown in the app") == 2
    assert claimed.email_message_id.strip("<>") in page  # escaped angle brackets around it
    log = supervisor.get(reverse("admin:appeals_appealevent_changelist") + f"?q={appeal.reference}").content.decode()
    assert re.search(r"shown in the app \d{4}-\d\d-\d\d \d\d:\d\d · e-mail sent", log)


def test_an_event_the_customer_was_not_told_of_says_so(client):
    appeal = file_appeal(refund_freeze(customer=CustomerFactory(email="")))
    review.appeal_claim(appeal_id=appeal.pk, actor=AgentFactory())
    AppealEvent.objects.create(appeal=appeal, transition="platform_synced", to_state=appeal.state)
    page = english(client, SupervisorFactory()).get(reverse("admin:appeals_appeal_change", args=[appeal.pk]))
    html = page.content.decode()
    assert "not told" in html and "no e-mail address" in html and "in the app, not yet shown" in html

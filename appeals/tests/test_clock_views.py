"""The clocks through the pages: the customer's appeal page while it waits on them, after a
breach, with its deadline; the desk's clock page (extensions, the platform wait) and dashboard."""

from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse

from accounts.models import Order
from accounts.tests.factories import SupervisorFactory
from appeals.models import Appeal, DeadlineExtension, PauseReason, State
from appeals.workflow import review
from appeals.workflow.timers import escalate_overdue, escalate_regulatory

from .workflow.test_clocks import filed_and_claimed, malicious_appeal, time_at
from .workflow.test_timers import moment, refund_freeze_at

pytestmark = pytest.mark.django_db


def english(client, user):
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def page_text(client, appeal):
    response = client.get(reverse("appeal-detail", args=[appeal.reference]))
    assert response.status_code == 200
    return response.content.decode()


def test_an_overdue_appeal_waiting_for_the_customer_says_so_not_that_a_supervisor_has_it(client):
    appeal, agent = filed_and_claimed(moment(2026, 9, 28, 10))
    with time_at(moment(2026, 9, 29, 15)):
        review.appeal_request_info(appeal_id=appeal.pk, actor=agent, message="请补充物流截图")
    with time_at(moment(2026, 10, 9, 11)):  # a day past the original due time
        escalate_overdue()
        html = page_text(english(client, appeal.customer), appeal)
    assert "Waiting for your reply since 2026-09-29 15:00" in html
    assert "supervisor is now handling" not in html
    assert "Decision expected by" not in html


def test_the_page_shows_the_complaint_deadline_and_later_the_breach(client):
    appeal = malicious_appeal(moment(2026, 9, 28, 10))
    english(client, appeal.customer)
    with time_at(moment(2026, 10, 1)):
        html = page_text(client, appeal)
    assert "we answer by 2026-10-13 10:00 at the latest" in html
    with time_at(moment(2026, 10, 14)):
        escalate_regulatory()
        html = page_text(client, appeal)
    assert "We did not answer by 2026-10-13 10:00" in html
    assert "past the complaint rules" not in html  # staff wording stays on the desk


def clock_url(appeal):
    return reverse("admin:appeals_appeal_clock", args=[appeal.pk])


def test_supervisors_extend_on_the_clock_page_and_a_second_one_approves(client):
    appeal, agent = filed_and_claimed(moment(2026, 9, 28, 10))
    first, second = SupervisorFactory(), SupervisorFactory()
    with time_at(moment(2026, 10, 2)):
        response = english(client, agent).post(clock_url(appeal), {"action": "extend", "text": "复杂"})
        assert response.status_code == 400 and b"Only a supervisor" in response.content
        page = english(client, first).get(reverse("admin:appeals_appeal_change", args=[appeal.pk]))
        assert clock_url(appeal).encode() in page.content and b"2026-10-13 10:00" in page.content
        response = client.post(clock_url(appeal), {"action": "extend", "text": "需要向物流公司核实"})
        assert response.status_code == 302
        client.post(clock_url(appeal), {"action": "extend", "text": "涉及多个平台"})
        response = client.post(clock_url(appeal), {"action": "approve"})
        assert response.status_code == 400 and b"A second supervisor must approve" in response.content
        assert english(client, second).post(clock_url(appeal), {"action": "approve"}).status_code == 302
        page = client.get(reverse("admin:appeals_appeal_change", args=[appeal.pk])).content.decode()
    assert list(DeadlineExtension.objects.filter(appeal=appeal).values_list("step", "approved_by")) == [
        (1, first.pk), (2, second.pk)]
    assert Appeal.objects.get(pk=appeal.pk).regulatory_due_at == moment(2026, 11, 27, 10)
    assert "2026-11-27 10:00" in page and "涉及多个平台" in page


def test_an_agent_pauses_for_the_platform_and_the_customer_reads_why(client):
    freeze = refund_freeze_at(moment(2026, 11, 2, 9), amount=Decimal("86.50"), platform_synced=False,
                              platform_refund_id="MT-VIEW-1", order={"platform": Order.Platform.FOOD_DELIVERY})
    appeal, agent = filed_and_claimed(moment(2026, 11, 2, 10), freeze=freeze)
    with time_at(moment(2026, 11, 3, 10)):
        response = english(client, agent).post(clock_url(appeal), {"action": "platform", "text": "已联系外卖平台"})
        assert response.status_code == 302
        queue = client.get(reverse("admin:appeals_appeal_changelist")).content.decode()
        html = page_text(english(client, appeal.customer), appeal)
    assert Appeal.objects.get(pk=appeal.pk).clock_pause_reason == PauseReason.PLATFORM
    assert "Waiting for the external platform" in queue
    assert "Waiting for the platform where you bought to confirm the refund, since 2026-11-03 10:00" in html
    assert "已联系外卖平台" in html


def test_the_dashboard_counts_regulatory_breaches(client):
    appeal = malicious_appeal(moment(2026, 9, 28, 10))
    other, _agent = filed_and_claimed(moment(2026, 9, 28, 11))
    with time_at(moment(2026, 10, 14)):
        escalate_regulatory()
        html = english(client, SupervisorFactory()).get(reverse("admin:appeals_dashboard")).content.decode()
    assert Appeal.objects.filter(regulatory_breached=True).count() == 2
    assert 'data-testid="regulatory-breaches">2<' in html
    assert 'data-testid="open-regulatory-breaches">2<' in html
    assert {Appeal.objects.get(pk=appeal.pk).state, Appeal.objects.get(pk=other.pk).state} == {State.ESCALATED}


def test_through_the_pages_a_request_pauses_and_a_late_reply_resumes_without_a_breach(client):
    appeal, agent = filed_and_claimed(moment(2026, 9, 28, 10))
    transition = reverse("admin:appeals_appeal_transition", kwargs={"object_id": appeal.pk,
                                                                    "transition_name": "request_info"})
    with time_at(moment(2026, 9, 29, 15)):
        response = english(client, agent).post(transition, {"message": "请补充物流截图"})
    assert response.status_code == 302
    assert Appeal.objects.get(pk=appeal.pk).clock_pause_reason == PauseReason.CUSTOMER
    with time_at(moment(2026, 10, 9, 11)):
        response = english(client, appeal.customer).post(
            reverse("appeal-resubmit", args=[appeal.reference]), {"message": "已补充", "kind": "other"})
        assert response.status_code == 302
        assert escalate_overdue() == 0
        html = page_text(client, appeal)
    replied = Appeal.objects.get(pk=appeal.pk)
    assert (replied.state, replied.sla_breached, replied.due_at) == (State.IN_REVIEW, False, moment(2026, 10, 12, 10))
    assert "Decision expected by 2026-10-12 10:00" in html

"""The review desk in the Django admin, through the test client: the queue, take next, the
transition buttons and forms, who may open which page, the dashboard and the CSV export.

Pages are requested in English (the language cookie) so the assertions do not depend on the
state of the Chinese catalogue. Evidence stays "processing" unless a test cleans it itself
(on-commit tasks do not run inside a test's transaction)."""

import csv
import io
import re
from datetime import datetime, timedelta
from decimal import Decimal
from html import unescape
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import Freeze, LedgerEntry, RiskLevel
from accounts.selectors import ledger_mismatches
from accounts.tests.factories import (
    AgentFactory,
    CustomerFactory,
    SupervisorFactory,
    UserFactory,
    make_account,
    make_order,
    make_refund,
)
from appeals.evidence import pipeline
from appeals.models import (
    Appeal,
    AppealEvent,
    AuditSample,
    AuditVerdict,
    Evidence,
    Notification,
    RejectReason,
    State,
)
from appeals.tests.factories import file_appeal, image_bytes, upload
from appeals.workflow import audit, decide, review, submit

pytestmark = pytest.mark.django_db

TZ = ZoneInfo(settings.TIME_ZONE)
QUEUE = "admin:appeals_appeal_changelist"
TAKE_NEXT = "admin:appeals_appeal_take_next"
EVIDENCE_KINDS = [Evidence.Kind.ORDER, Evidence.Kind.LOGISTICS, Evidence.Kind.REFUND_RECEIPT,
                  Evidence.Kind.ORDER_HISTORY, Evidence.Kind.PLATFORM_PROOF, Evidence.Kind.OTHER]
_PNG = {}


# --- helpers ------------------------------------------------------------------------------------


def shots(n=3):
    """n screenshots, the three required kinds first (the image is drawn once and reused)."""
    if "png" not in _PNG:
        _PNG["png"] = image_bytes(size=(120, 200))
    return [(EVIDENCE_KINDS[i], upload(f"shot{i}.png", _PNG["png"])) for i in range(n)]


def make_appeal(*, customer=None, amount=Decimal("599.00"), tracking=None, files=None):
    """An appeal on an ordinary refund freeze of a fresh credit line (low risk, agent may decide)."""
    account = make_account(customer=customer or CustomerFactory())
    order = make_order(account, amount)
    refund = make_refund(order, **({"tracking_number": tracking} if tracking else {}))
    return file_appeal(refund.freezes.get(), files=shots() if files is None else files)


def set_due(appeal, due_at):
    Appeal.objects.filter(pk=appeal.pk).update(due_at=due_at)


def fresh(appeal):
    return Appeal.objects.select_related("freeze").get(pk=appeal.pk)


def change_url(appeal):
    return reverse("admin:appeals_appeal_change", args=[appeal.pk])


def transition_url(appeal, name):
    return reverse("admin:appeals_appeal_transition", kwargs={"object_id": appeal.pk, "transition_name": name})


def messages_of(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def result_pks(response):
    assert response.status_code == 200
    return [obj.pk for obj in response.context["cl"].result_list]


def hidden_inputs(html):
    """The hidden fields a browser would send with the change form (the inline's management form)."""
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html))


def transition_buttons(html):
    return re.findall(r'name="_fsm_transition_to"\s+value="([^"]+)"', html)


def row_of(html, reference):
    rows = [row for row in html.split("<tr") if reference in row]
    assert len(rows) == 1, f"{reference}: {len(rows)} rows"
    return rows[0]


def post_transition(client, appeal, name):
    """Click a transition button on the appeal page, sending the form the page holds."""
    page = client.get(change_url(appeal))
    assert page.status_code == 200
    return client.post(change_url(appeal), {**hidden_inputs(page.content.decode()), "_fsm_transition_to": name})


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response


# --- queries do not grow with the data ----------------------------------------------------------


def test_queue_query_count_is_the_same_for_5_and_50_appeals(login):
    agent, other = AgentFactory(), AgentFactory()
    appeals = [make_appeal() for _ in range(5)]
    review.appeal_claim(appeal_id=appeals[0].pk, actor=agent)
    review.appeal_claim(appeal_id=appeals[1].pk, actor=other)
    client = login(agent)
    url = reverse(QUEUE)
    client.get(url)  # warm the content-type and permission caches
    five, response = count_queries(client, url)
    assert len(result_pks(response)) == 5

    more = [make_appeal() for _ in range(45)]
    for i, appeal in enumerate(more[:20]):
        review.appeal_claim(appeal_id=appeal.pk, actor=[agent, other, AgentFactory()][i % 3])
    fifty, response = count_queries(client, url)
    assert len(result_pks(response)) == 50
    assert fifty == five, f"{five} queries for 5 appeals, {fifty} for 50"


def customer_with_history(earlier, evidence):
    """A customer with `earlier` older appeals (each on its own refund, days apart so no risk rule
    fires) and a newest appeal with `evidence` screenshots, cleaned and claimed by an agent."""
    customer = CustomerFactory()
    account = make_account(customer=customer)
    now = timezone.now()
    freezes = []
    for i in range(earlier + 1):
        order = make_order(account, Decimal("100.00"), occurred_at=now - timedelta(days=3 * i + 2))
        freezes.append(make_refund(order, occurred_at=now - timedelta(days=3 * i + 1)).freezes.get())
    for freeze in reversed(freezes[1:]):
        file_appeal(freeze, files=shots(3))
    appeal = file_appeal(freezes[0], files=shots(evidence))
    for item in appeal.evidence.all():
        assert pipeline.evidence_process(evidence_id=item.pk) == Evidence.Status.READY
    return appeal


def test_appeal_page_query_count_does_not_grow_with_history_or_evidence(login):
    agent = AgentFactory()
    small = customer_with_history(earlier=1, evidence=3)
    large = customer_with_history(earlier=8, evidence=6)
    for appeal in (small, large):
        review.appeal_claim(appeal_id=appeal.pk, actor=agent)
    client = login(agent)
    client.get(change_url(small))  # warm caches
    few, small_page = count_queries(client, change_url(small))
    many, large_page = count_queries(client, change_url(large))

    html = large_page.content.decode()
    assert html.count('<figure class="shot') == 6
    assert html.count("<polygon ") == 0 and html.count("<img src=") == 6  # OCR off: no boxes
    earlier = Appeal.objects.filter(customer=large.customer).exclude(pk=large.pk)
    assert earlier.count() == 8
    assert all(a.reference in html for a in earlier)
    assert small_page.content.decode().count('<figure class="shot') == 3
    assert many == few, f"{few} queries with 1 earlier appeal and 3 screenshots, {many} with 8 and 6"


def test_appeal_page_reads_the_appeal_once_and_its_log_in_one_query(login):
    """Each row of the log shows str(event), which names the appeal: joined, not read once per row;
    and the appeal with its screenshots is read once, though django_fsm's view asks for it too."""
    agent = AgentFactory()
    appeal = customer_with_history(earlier=0, evidence=3)
    review.appeal_claim(appeal_id=appeal.pk, actor=agent)
    client = login(agent)
    client.get(change_url(appeal))  # warm caches
    short, _page = count_queries(client, change_url(appeal))
    for _ in range(3):
        review.appeal_request_info(appeal_id=appeal.pk, actor=agent, message="请补充完整的物流截图")
        submit.appeal_resubmit(appeal_id=appeal.pk, actor=appeal.customer, message="已补充", files=[])
    assert AppealEvent.objects.filter(appeal=appeal).count() == 8
    with CaptureQueriesContext(connection) as queries:
        response = client.get(change_url(appeal))
    assert response.status_code == 200
    assert response.content.decode().count("field-get_transition_display") == 8
    assert len(queries) == short, f"{short} queries with 2 events, {len(queries)} with 8"
    assert sum('FROM "appeals_evidence"' in q["sql"] for q in queries.captured_queries) == 1


# --- the queue ----------------------------------------------------------------------------------


@pytest.fixture
def queue():
    """Open appeals with known due times, plus decided and withdrawn ones the queue must hide."""
    now = timezone.now()
    agent, other = AgentFactory(), AgentFactory()
    later, soon, overdue = make_appeal(), make_appeal(), make_appeal()
    set_due(later, now + timedelta(days=3))
    set_due(soon, now + timedelta(days=1))
    set_due(overdue, now - timedelta(hours=2))
    review.appeal_claim(appeal_id=soon.pk, actor=agent)
    review.appeal_claim(appeal_id=overdue.pk, actor=other)
    approved, rejected, withdrawn = make_appeal(), make_appeal(), make_appeal()
    review.appeal_claim(appeal_id=approved.pk, actor=agent)
    decide.appeal_approve(appeal_id=approved.pk, actor=agent)
    review.appeal_claim(appeal_id=rejected.pk, actor=agent)
    decide.appeal_reject(appeal_id=rejected.pk, actor=agent, reason=RejectReason.EVIDENCE_MISSING,
                           message="缺少物流截图")
    submit.appeal_withdraw(appeal_id=withdrawn.pk, actor=withdrawn.customer)
    for appeal in (approved, rejected, withdrawn):
        set_due(appeal, now - timedelta(days=1))  # past due, but closed: never "overdue"
    return {"agent": agent, "other": other, "later": later, "soon": soon, "overdue": overdue,
            "approved": approved, "rejected": rejected, "withdrawn": withdrawn}


def test_queue_shows_open_appeals_only_by_due_time(login, queue):
    response = login(queue["agent"]).get(reverse(QUEUE))
    assert result_pks(response) == [queue["overdue"].pk, queue["soon"].pk, queue["later"].pk]
    html = response.content.decode()
    for closed in ("approved", "rejected", "withdrawn"):
        assert queue[closed].reference not in html


def test_queue_marks_overdue_appeals(login, queue):
    html = login(queue["agent"]).get(reverse(QUEUE)).content.decode()
    assert 'class="overdue"' in row_of(html, queue["overdue"].reference)
    assert 'class="overdue"' not in row_of(html, queue["soon"].reference)
    assert 'class="overdue"' not in row_of(html, queue["later"].reference)


def test_phone_is_masked_in_the_queue_but_full_on_the_appeal_page(login, queue):
    customer = queue["later"].customer
    assert len(customer.phone) == 11
    client = login(queue["agent"])
    html = client.get(reverse(QUEUE)).content.decode()
    masked = f"{customer.phone[:3]}****{customer.phone[-4:]}"
    assert masked in row_of(html, queue["later"].reference)
    assert customer.phone not in html
    page = client.get(change_url(queue["later"])).content.decode()
    assert customer.phone in page


@pytest.mark.parametrize("field", ["reference", "order", "tracking", "username", "phone"])
def test_queue_search_finds_the_appeal(login, field):
    target = make_appeal(tracking="SF7000000000001")
    make_appeal(tracking="SF7000000000002")
    make_appeal(tracking="SF7000000000003")
    value = {
        "reference": target.reference,
        "order": target.freeze.refund.order.number,
        "tracking": "SF7000000000001",
        "username": target.customer.username,
        "phone": target.customer.phone,
    }[field]
    response = login(AgentFactory()).get(reverse(QUEUE), {"q": value})
    assert result_pks(response) == [target.pk]


@pytest.mark.parametrize(("params", "expected"), [
    ({"queue": "mine"}, ["soon"]),
    ({"queue": "unassigned"}, ["later"]),
    ({"queue": "overdue"}, ["overdue"]),
    ({"state__exact": State.APPROVED}, ["approved"]),
    ({"state__exact": State.REJECTED}, ["rejected"]),
    ({"queue": "all"}, ["overdue", "soon", "later", "approved", "rejected", "withdrawn"]),
])
def test_queue_filters(login, queue, params, expected):
    response = login(queue["agent"]).get(reverse(QUEUE), params)
    assert sorted(result_pks(response)) == sorted(queue[name].pk for name in expected)


# --- take next ----------------------------------------------------------------------------------


def test_take_next_claims_the_most_urgent_unassigned_appeal_never_the_agents_own(login):
    now = timezone.now()
    agent, other = AgentFactory(), AgentFactory()
    own = make_appeal(customer=agent)  # the agent is a customer too
    taken, urgent, later = make_appeal(), make_appeal(), make_appeal()
    review.appeal_claim(appeal_id=taken.pk, actor=other)
    for appeal, hours in ((own, 1), (taken, 0.5), (urgent, 2), (later, 5)):
        set_due(appeal, now + timedelta(hours=hours))
    client = login(agent)

    response = client.post(reverse(TAKE_NEXT))
    assert (response.status_code, response["Location"]) == (302, change_url(urgent))
    assert (fresh(urgent).state, fresh(urgent).assignee) == (State.IN_REVIEW, agent)

    response = client.post(reverse(TAKE_NEXT))
    assert response["Location"] == change_url(later)
    assert (fresh(later).state, fresh(later).assignee) == (State.IN_REVIEW, agent)

    response = client.post(reverse(TAKE_NEXT))  # only the agent's own appeal is left
    assert (response.status_code, response["Location"]) == (302, reverse(QUEUE))
    assert messages_of(response) == ["No unassigned appeal is waiting."]
    assert (fresh(own).state, fresh(own).assignee) == (State.SUBMITTED, None)
    assert fresh(taken).assignee == other


def test_take_next_with_nothing_waiting_goes_back_to_the_queue(login):
    response = login(AgentFactory()).post(reverse(TAKE_NEXT))
    assert (response.status_code, response["Location"]) == (302, reverse(QUEUE))
    assert messages_of(response) == ["No unassigned appeal is waiting."]


def test_take_next_refuses_get(login):
    appeal = make_appeal()
    response = login(AgentFactory()).get(reverse(TAKE_NEXT))
    assert response.status_code == 405
    assert (fresh(appeal).state, fresh(appeal).assignee) == (State.SUBMITTED, None)


# --- transitions through the admin --------------------------------------------------------------


def test_claim_button_claims(login):
    appeal, agent = make_appeal(), AgentFactory()
    response = post_transition(login(agent), appeal, "claim")
    assert (response.status_code, response["Location"]) == (302, change_url(appeal))
    after = fresh(appeal)
    assert (after.state, after.assignee) == (State.IN_REVIEW, agent)
    assert AppealEvent.objects.filter(appeal=appeal, transition="claim", actor=agent).count() == 1


def test_approve_releases_the_freeze_and_lands_on_the_agents_next_appeal(login):
    agent, other = AgentFactory(), AgentFactory()
    first, second, someone_elses = make_appeal(), make_appeal(), make_appeal()
    set_due(first, timezone.now() + timedelta(hours=1))
    set_due(second, timezone.now() + timedelta(hours=3))
    set_due(someone_elses, timezone.now() + timedelta(hours=2))
    for appeal, actor in ((first, agent), (second, agent), (someone_elses, other)):
        review.appeal_claim(appeal_id=appeal.pk, actor=actor)
    account = first.freeze.account
    available = account.available
    client = login(agent)

    response = post_transition(client, first, "approve")
    assert (response.status_code, response["Location"]) == (302, change_url(second))
    after = fresh(first)
    assert (after.state, after.decided_by, after.freeze.status) == (State.APPROVED, agent, Freeze.Status.RELEASED)
    assert LedgerEntry.objects.filter(freeze=after.freeze, kind=LedgerEntry.Kind.RELEASE).count() == 1
    account.refresh_from_db()
    assert account.available == available + Decimal("599.00")
    assert any(first.reference in m and "✓" in m for m in messages_of(response))

    response = post_transition(client, second, "approve")  # nothing of the agent's left in review
    assert (response.status_code, response["Location"]) == (302, reverse(QUEUE))
    assert fresh(second).state == State.APPROVED
    assert fresh(someone_elses).state == State.IN_REVIEW
    assert ledger_mismatches() == []


def test_reject_goes_through_a_form_that_needs_reason_and_message(login):
    appeal, agent = make_appeal(), AgentFactory()
    review.appeal_claim(appeal_id=appeal.pk, actor=agent)
    client = login(agent)

    response = post_transition(client, appeal, "reject")
    assert (response.status_code, response["Location"]) == (302, transition_url(appeal, "reject"))
    assert fresh(appeal).state == State.IN_REVIEW
    form = client.get(transition_url(appeal, "reject"))
    assert form.status_code == 200
    assert 'name="reason"' in form.content.decode() and 'name="message"' in form.content.decode()

    response = client.post(transition_url(appeal, "reject"), {"reason": RejectReason.EVIDENCE_MISMATCH})
    assert response.status_code == 200
    assert "message" in response.context["transition_form"].errors
    response = client.post(transition_url(appeal, "reject"), {"message": "截图与订单不符"})
    assert "reason" in response.context["transition_form"].errors
    assert fresh(appeal).state == State.IN_REVIEW
    assert not AppealEvent.objects.filter(appeal=appeal, transition="reject").exists()

    response = client.post(transition_url(appeal, "reject"),
                           {"reason": RejectReason.EVIDENCE_MISMATCH, "message": "截图与订单不符"})
    assert (response.status_code, response["Location"]) == (302, reverse(QUEUE))
    after = fresh(appeal)
    assert (after.state, after.reject_reason, after.decided_by) == (
        State.REJECTED, RejectReason.EVIDENCE_MISMATCH, agent)
    assert after.freeze.status == Freeze.Status.ACTIVE
    event = AppealEvent.objects.get(appeal=appeal, transition="reject")
    assert event.customer_message == "截图与订单不符"


@pytest.mark.parametrize(("name", "field", "value", "target"), [
    ("request_info", "message", "请补充退货物流截图", State.INFO_REQUESTED),
    ("escalate", "note", "amount looks unusual", State.ESCALATED),
])
def test_request_info_and_escalate_need_their_text(login, name, field, value, target):
    appeal, agent = make_appeal(), AgentFactory()
    review.appeal_claim(appeal_id=appeal.pk, actor=agent)
    client = login(agent)

    response = post_transition(client, appeal, name)
    assert response["Location"] == transition_url(appeal, name)
    response = client.post(transition_url(appeal, name), {field: ""})
    assert response.status_code == 200
    assert field in response.context["transition_form"].errors
    assert fresh(appeal).state == State.IN_REVIEW

    response = client.post(transition_url(appeal, name), {field: value})
    assert (response.status_code, response["Location"]) == (302, reverse(QUEUE))  # off their hands: go on
    assert fresh(appeal).state == target
    event = AppealEvent.objects.get(appeal=appeal, transition=name)
    assert value in (event.note, event.customer_message)
    if name == "request_info":
        assert Notification.objects.filter(user=appeal.customer, message__contains=value).exists()


@pytest.mark.parametrize(("state", "who", "buttons"), [
    (State.SUBMITTED, "agent", ["claim"]),
    (State.SUBMITTED, "supervisor", ["claim"]),
    (State.IN_REVIEW, "assignee", ["request_info", "escalate", "approve", "reject"]),
    (State.IN_REVIEW, "agent", []),
    (State.ESCALATED, "supervisor", ["approve", "reject_escalated"]),
    (State.ESCALATED, "assignee", []),
    (State.APPROVED, "assignee", []),
    (State.SUBMITTED, "superuser", []),
])
def test_buttons_are_exactly_the_transitions_the_user_may_take(login, state, who, buttons):
    appeal = make_appeal()
    people = {"assignee": AgentFactory(), "agent": AgentFactory(), "supervisor": SupervisorFactory(),
              "superuser": UserFactory(is_superuser=True, is_staff=True)}
    if state != State.SUBMITTED:
        review.appeal_claim(appeal_id=appeal.pk, actor=people["assignee"])
    if state == State.ESCALATED:
        review.appeal_escalate(appeal_id=appeal.pk, actor=people["assignee"], note="unsure")
    if state == State.APPROVED:
        decide.appeal_approve(appeal_id=appeal.pk, actor=people["assignee"])
    response = login(people[who]).get(change_url(appeal))
    assert response.status_code == 200
    assert sorted(transition_buttons(response.content.decode())) == sorted(buttons)


def test_supervisor_decides_an_escalated_appeal_from_its_page(login):
    appeal, agent, supervisor = make_appeal(), AgentFactory(), SupervisorFactory()
    review.appeal_claim(appeal_id=appeal.pk, actor=agent)
    review.appeal_escalate(appeal_id=appeal.pk, actor=agent, note="unsure")
    response = post_transition(login(supervisor), appeal, "approve")
    assert (response.status_code, response["Location"]) == (302, reverse(QUEUE))
    assert (fresh(appeal).state, fresh(appeal).decided_by) == (State.APPROVED, supervisor)


def test_a_button_the_user_may_not_take_changes_nothing(login):
    appeal, assignee, intruder = make_appeal(), AgentFactory(), AgentFactory()
    review.appeal_claim(appeal_id=appeal.pk, actor=assignee)
    response = post_transition(login(intruder), appeal, "approve")
    assert response.status_code == 302
    assert (fresh(appeal).state, fresh(appeal).freeze.status) == (State.IN_REVIEW, Freeze.Status.ACTIVE)
    assert not LedgerEntry.objects.filter(freeze=appeal.freeze, kind=LedgerEntry.Kind.RELEASE).exists()
    assert messages_of(response) == ["You are not allowed to do this on this appeal."]


def test_agents_cannot_edit_or_delete_appeals(login):
    appeal, agent = make_appeal(), AgentFactory()
    review.appeal_claim(appeal_id=appeal.pk, actor=agent)
    before = Appeal.objects.filter(pk=appeal.pk).values().get()
    events = AppealEvent.objects.filter(appeal=appeal).count()
    client = login(agent)
    page = client.get(change_url(appeal)).content.decode()
    response = client.post(change_url(appeal), {
        **hidden_inputs(page), "reference": "AP-HACKED", "state": State.APPROVED, "assignee": "",
        "description": "changed", "risk_level": RiskLevel.HIGH, "due_at": "2000-01-01 00:00", "_save": "Save",
    })
    assert response.status_code in (200, 302)
    assert Appeal.objects.filter(pk=appeal.pk).values().get() == before
    assert AppealEvent.objects.filter(appeal=appeal).count() == events

    delete_url = reverse("admin:appeals_appeal_delete", args=[appeal.pk])
    assert client.get(delete_url).status_code == 403
    assert client.post(delete_url, {"post": "yes"}).status_code == 403
    assert Appeal.objects.filter(pk=appeal.pk).exists()


# --- who may open which page --------------------------------------------------------------------


PAGES = ["queue", "appeal", "take_next", "escalations", "audit_samples", "audit_verdicts", "dashboard", "csv",
         "decision_log"]
EXPECTED = {
    "agent": {"queue": 200, "appeal": 200, "take_next": 302, "escalations": 403, "audit_samples": 403,
              "audit_verdicts": 403, "dashboard": 403, "csv": 403, "decision_log": 200},
    "supervisor": {**dict.fromkeys(PAGES, 200), "take_next": 302},
    "superuser": {**dict.fromkeys(PAGES, 200), "take_next": 302},
}


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("role", ["customer", "agent", "supervisor", "superuser"])
def test_role_matrix(login, role, page):
    appeal = make_appeal()
    user = {"customer": appeal.customer, "agent": AgentFactory(), "supervisor": SupervisorFactory(),
            "superuser": UserFactory(is_superuser=True, is_staff=True)}[role]
    url = {
        "queue": reverse(QUEUE), "appeal": change_url(appeal), "take_next": reverse(TAKE_NEXT),
        "escalations": reverse("admin:appeals_escalation_changelist"),
        "audit_samples": reverse("admin:appeals_auditsample_changelist"),
        "audit_verdicts": reverse("admin:appeals_auditverdict_changelist"),
        "dashboard": reverse("admin:appeals_dashboard"), "csv": reverse("admin:appeals_decisions_csv"),
        "decision_log": reverse("admin:appeals_appealevent_changelist"),
    }[page]
    client = login(user)
    response = client.post(url) if page == "take_next" else client.get(url)

    if role == "customer":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))
        assert (fresh(appeal).state, fresh(appeal).assignee) == (State.SUBMITTED, None)
        return
    assert response.status_code == EXPECTED[role][page]
    if page == "take_next":
        if role == "superuser":  # not a reviewer: nothing taken
            assert response["Location"] == reverse(QUEUE)
            assert messages_of(response) == ["Only agents and supervisors take appeals."]
            assert fresh(appeal).assignee is None
        else:
            assert response["Location"] == change_url(appeal)
            assert (fresh(appeal).state, fresh(appeal).assignee) == (State.IN_REVIEW, user)


@pytest.fixture
def verdict():
    agent, supervisor = AgentFactory(), SupervisorFactory()
    appeal = make_appeal()
    review.appeal_claim(appeal_id=appeal.pk, actor=agent)
    decide.appeal_approve(appeal_id=appeal.pk, actor=agent)
    audit.audit_sample_day(day=timezone.localdate())
    sample = AuditSample.objects.get(appeal=appeal)
    return audit.audit_record_verdict(sample_id=sample.pk, supervisor=supervisor,
                                          verdict=AuditVerdict.Verdict.CONFIRMED)


@pytest.mark.parametrize("action", ["add", "change", "delete"])
@pytest.mark.parametrize("model", ["appealevent", "auditverdict"])
@pytest.mark.parametrize("role", ["agent", "supervisor", "superuser"])
def test_decision_log_and_verdicts_are_read_only_for_everyone(login, verdict, role, model, action):
    user = {"agent": AgentFactory(), "supervisor": SupervisorFactory(),
            "superuser": UserFactory(is_superuser=True, is_staff=True)}[role]
    obj = verdict if model == "auditverdict" else AppealEvent.objects.filter(appeal=verdict.sample.appeal).first()
    before = type(obj).objects.filter(pk=obj.pk).values().get()
    count = type(obj).objects.count()
    args = [] if action == "add" else [obj.pk]
    url = reverse(f"admin:appeals_{model}_{action}", args=args)
    data = {"post": "yes", "note": "edited", "transition": "approve", "verdict": "overturned"}
    response = login(user).post(url, data)
    assert response.status_code == 403
    assert type(obj).objects.filter(pk=obj.pk).values().get() == before
    assert type(obj).objects.count() == count


@pytest.mark.parametrize("role", ["supervisor", "superuser"])
def test_decision_log_change_page_is_view_only(login, verdict, role):
    user = SupervisorFactory() if role == "supervisor" else UserFactory(is_superuser=True, is_staff=True)
    event = AppealEvent.objects.filter(appeal=verdict.sample.appeal).first()
    response = login(user).get(reverse("admin:appeals_appealevent_change", args=[event.pk]))
    assert response.status_code == 200
    assert 'name="_save"' not in response.content.decode()


# --- dashboard and export -----------------------------------------------------------------------


def test_dashboard_counts_by_state_and_per_agent(login):
    busy, quiet, supervisor = AgentFactory(username="busy_agent"), AgentFactory(username="quiet_agent"), \
        SupervisorFactory()
    decided = [make_appeal() for _ in range(4)]
    for appeal in decided[:3]:
        review.appeal_claim(appeal_id=appeal.pk, actor=busy)
    decide.appeal_approve(appeal_id=decided[0].pk, actor=busy)
    decide.appeal_approve(appeal_id=decided[1].pk, actor=busy)
    decide.appeal_reject(appeal_id=decided[2].pk, actor=busy, reason=RejectReason.DUPLICATE, message="重复申诉")
    review.appeal_claim(appeal_id=decided[3].pk, actor=quiet)
    decide.appeal_reject(appeal_id=decided[3].pk, actor=quiet, reason=RejectReason.DUPLICATE, message="重复申诉")
    make_appeal(), make_appeal()  # submitted
    escalated = make_appeal()
    review.appeal_claim(appeal_id=escalated.pk, actor=quiet)
    review.appeal_escalate(appeal_id=escalated.pk, actor=quiet, note="unsure")

    response = login(supervisor).get(reverse("admin:appeals_dashboard"))
    assert response.status_code == 200
    html = unescape(response.content.decode())
    counts = dict(re.findall(r'<tr><th>([^<]+)</th><td data-testid="state-count">(\d+)</td></tr>', html))
    with translation.override("en"):
        expected = {str(label): "0" for _, label in State.choices} | {
            str(State.SUBMITTED.label): "2", str(State.ESCALATED.label): "1", str(State.APPROVED.label): "2",
            str(State.REJECTED.label): "2"}
    assert counts == expected
    rows = re.findall(r'<tr data-testid="agent-row"><td>([^<]+)</td><td>(\d+)</td>\s*<td>([^<]+)</td>', html)
    assert rows == [("busy_agent", "3", "67 %"), ("quiet_agent", "1", "0 %")]


def test_csv_export_has_one_row_per_decision_in_the_range_in_words(login):
    agent = AgentFactory()

    def decide_at(when, approve):
        with time_machine.travel(when, tick=False):
            appeal = make_appeal()
            review.appeal_claim(appeal_id=appeal.pk, actor=agent)
            if approve:
                decide.appeal_approve(appeal_id=appeal.pk, actor=agent)
            else:
                decide.appeal_reject(appeal_id=appeal.pk, actor=agent, reason=RejectReason.DUPLICATE,
                                       message="重复申诉")
        return appeal

    def local(*args):
        return datetime(*args, tzinfo=TZ)

    before = decide_at(local(2025, 3, 4, 23, 59, 59), approve=True)
    inside = [decide_at(local(2025, 3, 5, 0, 0, 0), approve=True),
              decide_at(local(2025, 3, 5, 14, 30), approve=False),
              decide_at(local(2025, 3, 6, 23, 59, 59), approve=True)]
    after = decide_at(local(2025, 3, 7, 0, 0, 0), approve=False)
    undecided = make_appeal()

    response = login(SupervisorFactory()).get(reverse("admin:appeals_decisions_csv"),
                                              {"start": "2025-03-05", "end": "2025-03-06"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    raw = b"".join(response.streaming_content)
    assert raw.startswith("\ufeff".encode())  # the BOM: Excel reads UTF-8
    body = raw.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0][:4] == ["Reference", "Decided at", "Decided by", "Outcome"]
    assert [row[0] for row in rows[1:]] == [a.reference for a in inside]
    assert [row[3] for row in rows[1:]] == ["Approved", "Rejected", "Approved"]
    assert [row[4] for row in rows[1:]] == ["", "Duplicate appeal", ""]
    assert [row[11] for row in rows[1:]] == ["Approve and release", "Reject", "Approve and release"]
    assert {row[6] for row in rows[1:]} == {"Refund under routine review"} and {row[7] for row in rows[1:]} == {"Low"}
    assert rows[1][1] == "2025-03-05T00:00:00+08:00" and {row[10] for row in rows[1:]} == {"No"}
    assert all(row[2] == agent.username for row in rows[1:])
    for outside in (before, after, undecided):
        assert outside.reference not in body



def test_csv_export_in_chinese_has_words_for_every_code(client):
    agent = AgentFactory()
    appeal = make_appeal()
    review.appeal_claim(appeal_id=appeal.pk, actor=agent)
    decide.appeal_reject(appeal_id=appeal.pk, actor=agent, reason=RejectReason.DUPLICATE, message="重复申诉")
    client.force_login(SupervisorFactory())
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    response = client.get(reverse("admin:appeals_decisions_csv"))
    header, row = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert header[:4] == ["编号", "决定时间", "决定人", "结果"]
    with translation.override("zh-hans"):
        words = [str(State.REJECTED.label), str(RejectReason.DUPLICATE.label), "否", "驳回"]
    assert [row[3], row[4], row[10], row[11]] == words
    assert row[0] == appeal.reference and row[6] != Freeze.Reason.NORMAL_REFUND and row[7] == "低"

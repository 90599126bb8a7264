"""The customer pages through the Django test client: who may see and do what, over HTTP."""

import re
from decimal import Decimal
from html import unescape
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.forms import FileField
from django.shortcuts import resolve_url
from django.urls import URLPattern, reverse
from django.utils.datastructures import MultiValueDict
from django.utils.html import escape

from accounts.models import Freeze
from accounts.tests.factories import AgentFactory, CustomerFactory, SupervisorFactory
from appeals.customer import urls
from appeals.models import Appeal, AppealEvent, Evidence, Notification, State
from appeals.tests.factories import file_appeal, image_bytes, refund_freeze
from appeals.workflow import decide, review, submit

pytestmark = pytest.mark.django_db

JPEG_MAGIC = b"\xff\xd8\xff"


def reference_url_names():
    """Every named URL in appeals/customer/urls.py that addresses one appeal by its reference."""
    return [p.name for p in urls.urlpatterns
            if isinstance(p, URLPattern) and "reference" in p.pattern.converters]


def reference_urls(appeal):
    evidence = appeal.evidence.order_by("pk").first()
    result = {}
    for pattern in urls.urlpatterns:
        if not isinstance(pattern, URLPattern) or "reference" not in pattern.pattern.converters:
            continue
        kwargs = {"reference": appeal.reference}
        if "pk" in pattern.pattern.converters:
            kwargs["pk"] = evidence.pk
        result[pattern.name] = reverse(pattern.name, kwargs=kwargs)
    return result


def state_of(appeal):
    return Appeal.objects.get(pk=appeal.pk).state


def screenshot(name, text="订单", fmt="PNG"):
    content_type = "image/jpeg" if fmt == "JPEG" else "image/png"
    return SimpleUploadedFile(name, image_bytes(fmt, text=text), content_type=content_type)


@pytest.fixture
def ready_appeal(django_capture_on_commit_callbacks):
    """Customer A's appeal with its three screenshots cleaned by the (eager) worker."""
    with django_capture_on_commit_callbacks(execute=True):
        appeal = file_appeal(refund_freeze(Decimal("599.00")))
    assert list(appeal.evidence.values_list("status", flat=True)) == [Evidence.Status.READY] * 3
    return appeal


@pytest.fixture
def other_customer():
    return CustomerFactory()


# --- filing an appeal -----------------------------------------------------------------------------


def test_form_is_prefilled_from_the_freeze(client):
    freeze = refund_freeze(Decimal("599.00"))
    client.force_login(freeze.account.customer)
    response = client.get(reverse("appeal-create", args=[freeze.pk]))
    assert response.status_code == 200
    form = response.context["form"]
    number = freeze.refund.order.number
    assert form["order_number"].value() == number
    description = form["description"].value()
    assert number in description and "599.00" in description
    body = response.content.decode()
    assert escape(description) in body  # rendered into the textarea, not just in the context


def test_post_with_three_screenshots_files_the_appeal_and_redirects_to_it(client, django_capture_on_commit_callbacks):
    freeze = refund_freeze(Decimal("599.00"))
    customer = freeze.account.customer
    client.force_login(customer)
    url = reverse("appeal-create", args=[freeze.pk])
    form = client.get(url).context["form"]
    data = {name: form[name].value() for name, field in form.fields.items()
            if not isinstance(field, FileField) and form[name].value() is not None}
    data |= {
        "order_screenshot": screenshot("IMG_0001.PNG"),
        "logistics_screenshot": screenshot("wuliu.png", text="SF1234567890123"),
        "refund_receipt": screenshot("receipt.jpg", text="退款成功", fmt="JPEG"),
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, data)
    appeal = Appeal.objects.get(freeze=freeze)
    assert response.status_code == 302
    assert response.url == reverse("appeal-detail", args=[appeal.reference])
    assert (appeal.customer, appeal.state) == (customer, State.SUBMITTED)
    assert sorted(appeal.evidence.values_list("kind", "status")) == sorted([
        (Evidence.Kind.ORDER, Evidence.Status.READY),
        (Evidence.Kind.LOGISTICS, Evidence.Status.READY),
        (Evidence.Kind.REFUND_RECEIPT, Evidence.Status.READY),
    ])
    detail = client.get(response.url)
    assert detail.status_code == 200 and appeal.reference in detail.content.decode()


def test_filing_takes_a_fixed_number_of_queries(client, django_assert_max_num_queries):
    """Session, user, freeze and its logistics record for the form, then under the account's lock:
    the freeze with its open-appeal and daily-limit checks, the logistics record, the calendar, the
    appeal (in a savepoint), its event, the outbox, the evidence rows, the notification (bench/submission.py)."""
    freeze = refund_freeze(Decimal("599.00"))
    client.force_login(freeze.account.customer)
    url = reverse("appeal-create", args=[freeze.pk])
    data = _form_data(client, freeze) | {"order_screenshot": screenshot("IMG_0001.PNG"),
                                         "logistics_screenshot": screenshot("wuliu.png", text="SF1234567890123"),
                                         "refund_receipt": screenshot("receipt.jpg", text="退款成功", fmt="JPEG")}
    with django_assert_max_num_queries(17):  # savepoints counted; 21 before the checks were folded in
        response = client.post(url, data)
    assert response.status_code == 302 and Appeal.objects.filter(freeze=freeze).count() == 1


def test_post_without_the_refund_receipt_files_nothing(client):
    freeze = refund_freeze()
    client.force_login(freeze.account.customer)
    url = reverse("appeal-create", args=[freeze.pk])
    form = client.get(url).context["form"]
    data = {name: form[name].value() for name, field in form.fields.items()
            if not isinstance(field, FileField) and form[name].value() is not None}
    data |= {"order_screenshot": screenshot("a.png"), "logistics_screenshot": screenshot("b.png")}
    response = client.post(url, data)
    assert response.status_code == 400
    assert "refund_receipt" in response.context["form"].errors
    assert not Appeal.objects.exists()


def test_another_customers_freeze_is_404(client, other_customer):
    freeze = refund_freeze()
    client.force_login(other_customer)
    url = reverse("appeal-create", args=[freeze.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"order_number": freeze.refund.order.number}).status_code == 404
    assert not Appeal.objects.exists()


def test_open_appeal_redirects_to_it_instead_of_a_second_form(client):
    appeal = file_appeal()
    client.force_login(appeal.customer)
    response = client.get(reverse("appeal-create", args=[appeal.freeze_id]))
    assert response.status_code == 302
    assert response.url == reverse("appeal-detail", args=[appeal.reference])
    assert Appeal.objects.filter(freeze=appeal.freeze).count() == 1


def test_withdrawn_appeal_lets_the_customer_file_again(client):
    appeal = file_appeal()
    submit.appeal_withdraw(appeal_id=appeal.pk, actor=appeal.customer)
    client.force_login(appeal.customer)
    response = client.get(reverse("appeal-create", args=[appeal.freeze_id]))
    assert response.status_code == 200
    assert "form" in response.context


# --- customer B sees nothing of customer A's appeal -----------------------------------------------


def test_reference_urls_are_the_expected_ones():
    """The loop below iterates these; a new per-appeal URL joins it automatically."""
    assert {"appeal-detail", "appeal-resubmit", "appeal-withdraw", "evidence-image", "evidence-thumb"} <= set(
        reference_url_names())


def test_other_customer_gets_404_on_every_url_of_the_appeal(client, ready_appeal, other_customer):
    appeal = ready_appeal
    agent = AgentFactory()
    review.appeal_claim(appeal_id=appeal.pk, actor=agent)
    review.appeal_request_info(appeal_id=appeal.pk, actor=agent, message="请补充物流截图")
    events_before = AppealEvent.objects.filter(appeal=appeal).count()
    paths = reference_urls(appeal)
    assert set(paths) == set(reference_url_names())

    client.force_login(appeal.customer)
    owner_get = {name: client.get(path).status_code for name, path in paths.items()}
    assert all(status in (200, 405) for status in owner_get.values()), owner_get  # the URLs are real

    client.force_login(other_customer)
    for name, path in paths.items():
        get = client.get(path).status_code
        assert get == (404 if owner_get[name] == 200 else owner_get[name]), (name, get)
        post = client.post(path, {"message": "hijack", "kind": Evidence.Kind.OTHER}).status_code
        assert post == 404, (name, post)
    assert state_of(appeal) == State.INFO_REQUESTED
    assert AppealEvent.objects.filter(appeal=appeal).count() == events_before


def test_evidence_of_one_appeal_is_not_served_under_another_reference(client, ready_appeal):
    mine = file_appeal()
    client.force_login(mine.customer)
    stolen = ready_appeal.evidence.first()
    for name in ("evidence-image", "evidence-thumb"):
        assert client.get(reverse(name, args=[mine.reference, stolen.pk])).status_code == 404


def test_other_customer_cannot_list_the_appeal(client, ready_appeal, other_customer):
    client.force_login(other_customer)
    response = client.get(reverse("appeal-list"))
    assert response.status_code == 200
    assert ready_appeal.reference not in response.content.decode()
    client.force_login(ready_appeal.customer)
    assert ready_appeal.reference in client.get(reverse("appeal-list")).content.decode()


# --- anonymous visitors go to the login page ------------------------------------------------------


def test_anonymous_is_sent_to_login_on_every_customer_url(client, ready_appeal):
    paths = list(reference_urls(ready_appeal).values()) + [
        reverse("appeal-list"), reverse("appeal-create", args=[ready_appeal.freeze_id]),
        reverse("notification-list"),
    ]
    login = resolve_url(settings.LOGIN_URL)
    for path in paths:
        for method in (client.get, client.post):
            response = method(path)
            assert response.status_code == 302, (method.__name__, path, response.status_code)
            assert response.url == f"{login}?next={quote(path)}", response.url
    assert state_of(ready_appeal) == State.SUBMITTED


# --- staff see the appeal and its screenshots -----------------------------------------------------


@pytest.mark.parametrize("staff_factory", [AgentFactory, SupervisorFactory], ids=["agent", "supervisor"])
def test_staff_see_the_appeal_and_its_screenshots(staff_factory, client, ready_appeal):
    client.force_login(staff_factory())
    page = client.get(reverse("appeal-detail", args=[ready_appeal.reference]))
    assert page.status_code == 200
    assert ready_appeal.reference in page.content.decode()
    for evidence in ready_appeal.evidence.all():
        for variant, name in (("image", "evidence-image"), ("thumb", "evidence-thumb")):
            response = client.get(reverse(name, args=[ready_appeal.reference, evidence.pk]))
            assert response.status_code == 200
            assert response["Content-Type"] == "image/jpeg"
            assert response["X-Content-Type-Options"] == "nosniff"
            disposition = response["Content-Disposition"]
            assert disposition == f'inline; filename="{ready_appeal.reference}-{evidence.pk}-{variant}.jpg"'
            assert evidence.original_name not in disposition
            body = b"".join(response.streaming_content)
            assert body.startswith(JPEG_MAGIC)


def test_owner_sees_cleaned_jpeg_even_for_a_png_upload(client, ready_appeal):
    evidence = ready_appeal.evidence.get(kind=Evidence.Kind.ORDER)
    assert evidence.original_name == "order.png"
    client.force_login(ready_appeal.customer)
    response = client.get(reverse("evidence-image", args=[ready_appeal.reference, evidence.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert b"".join(response.streaming_content).startswith(JPEG_MAGIC)
    assert "order.png" not in response["Content-Disposition"]


def test_pending_evidence_is_not_served(client):
    appeal = file_appeal()  # on-commit processing not run: still pending, only the raw upload exists
    evidence = appeal.evidence.first()
    assert evidence.status == Evidence.Status.PENDING
    client.force_login(appeal.customer)
    assert client.get(reverse("evidence-image", args=[appeal.reference, evidence.pk])).status_code == 404


# --- withdraw -------------------------------------------------------------------------------------


def test_owner_withdraws_after_confirming(client):
    appeal = file_appeal()
    client.force_login(appeal.customer)
    url = reverse("appeal-withdraw", args=[appeal.reference])
    response = client.post(url, {"confirm": "yes"})
    assert response.status_code == 302
    assert response.url == reverse("appeal-detail", args=[appeal.reference])
    assert state_of(appeal) == State.WITHDRAWN
    assert AppealEvent.objects.filter(appeal=appeal).last().transition == "withdraw"
    page = client.get(response.url)
    assert url not in page.content.decode()  # nothing left to withdraw


def test_withdrawing_asks_first_and_a_bare_post_changes_nothing(client):
    appeal = file_appeal()
    client.force_login(appeal.customer)
    url = reverse("appeal-withdraw", args=[appeal.reference])
    detail = client.get(reverse("appeal-detail", args=[appeal.reference])).content.decode()
    assert f'<a href="{url}"' in detail and 'method="post" action="' + url not in detail  # a link, not a button
    for response in (client.get(url), client.post(url), client.post(url, {"confirm": "no"})):
        assert response.status_code == 200
        assert "撤回申诉" in response.content.decode() and 'name="confirm" value="yes"' in response.content.decode()
    assert state_of(appeal) == State.SUBMITTED


def test_withdraw_after_approval_is_refused_with_a_message(client):
    appeal = file_appeal()
    agent = AgentFactory()
    review.appeal_claim(appeal_id=appeal.pk, actor=agent)
    decide.appeal_approve(appeal_id=appeal.pk, actor=agent)
    client.force_login(appeal.customer)
    response = client.post(reverse("appeal-withdraw", args=[appeal.reference]), {"confirm": "yes"}, follow=True)
    assert response.status_code == 200
    assert state_of(appeal) == State.APPROVED
    assert [m.level_tag for m in response.context["messages"]] == ["error"]


def test_agent_cannot_withdraw_through_the_page(client):
    appeal = file_appeal()
    client.force_login(AgentFactory())
    client.post(reverse("appeal-withdraw", args=[appeal.reference]), {"confirm": "yes"})
    assert state_of(appeal) == State.SUBMITTED


# --- reply when information is requested ----------------------------------------------------------


@pytest.fixture
def info_requested():
    appeal = file_appeal()
    agent = AgentFactory()
    review.appeal_claim(appeal_id=appeal.pk, actor=agent)
    review.appeal_request_info(appeal_id=appeal.pk, actor=agent, message="请补充退货物流截图")
    return appeal, agent


def test_reply_form_is_shown_only_when_information_is_requested(client, info_requested):
    appeal, agent = info_requested
    reply = reverse("appeal-resubmit", args=[appeal.reference])
    client.force_login(appeal.customer)
    page = client.get(reverse("appeal-detail", args=[appeal.reference]))
    assert page.context["resubmit_form"] is not None
    assert f'action="{reply}"' in page.content.decode()
    assert "请补充退货物流截图" in page.content.decode()  # the agent's question is in the timeline

    submit.appeal_resubmit(appeal_id=appeal.pk, actor=appeal.customer, message="已补充", files=[])
    page = client.get(reverse("appeal-detail", args=[appeal.reference]))
    assert page.context["resubmit_form"] is None
    assert f'action="{reply}"' not in page.content.decode()


def test_reply_with_message_and_screenshot_returns_the_appeal_to_its_agent(client, info_requested):
    appeal, agent = info_requested
    client.force_login(appeal.customer)
    response = client.post(reverse("appeal-resubmit", args=[appeal.reference]), {
        "message": "物流单号 SF1234567890123", "kind": Evidence.Kind.LOGISTICS,
        "other": screenshot("wuliu2.png", text="SF1234567890123"),
    })
    assert response.status_code == 302
    assert response.url == reverse("appeal-detail", args=[appeal.reference])
    fresh = Appeal.objects.get(pk=appeal.pk)
    assert (fresh.state, fresh.assignee) == (State.IN_REVIEW, agent)
    event = AppealEvent.objects.filter(appeal=appeal).last()
    assert (event.transition, event.customer_message) == ("resubmit", "物流单号 SF1234567890123")
    assert fresh.evidence.count() == 4
    assert fresh.evidence.order_by("pk").last().kind == Evidence.Kind.LOGISTICS


def test_empty_reply_is_400_and_keeps_waiting(client, info_requested):
    appeal, _agent = info_requested
    client.force_login(appeal.customer)
    response = client.post(reverse("appeal-resubmit", args=[appeal.reference]),
                           {"message": "  ", "kind": Evidence.Kind.OTHER})
    assert response.status_code == 400
    assert response.context["resubmit_form"].non_field_errors()
    assert state_of(appeal) == State.INFO_REQUESTED


def test_reply_form_shows_the_question_and_asks_what_the_screenshots_show(client, info_requested):
    appeal, _agent = info_requested
    client.force_login(appeal.customer)
    page = client.get(reverse("appeal-detail", args=[appeal.reference]))
    body = page.content.decode()
    assert 'data-testid="question"' in body
    assert body.index("请补充退货物流截图") < body.index('name="message"')  # the question above the reply box
    response = client.post(reverse("appeal-resubmit", args=[appeal.reference]),
                           {"message": "", "other": screenshot("x.png")})
    assert response.status_code == 400
    assert "kind" in response.context["resubmit_form"].errors
    assert 'data-testid="error-summary"' in response.content.decode()
    assert 'data-testid="kept-other"' in response.content.decode()  # the screenshot waits for the next try
    assert state_of(appeal) == State.INFO_REQUESTED and appeal.evidence.count() == 3


def test_a_missing_screenshot_says_what_to_add_at_the_top(client):
    freeze = refund_freeze()
    client.force_login(freeze.account.customer)
    url = reverse("appeal-create", args=[freeze.pk])
    form = client.get(url).context["form"]
    data = {name: form[name].value() for name, field in form.fields.items()
            if not isinstance(field, FileField) and form[name].value() is not None}
    body = client.post(url, data | {"order_screenshot": screenshot("a.png")}).content.decode()
    summary = body.index('data-testid="error-summary"')
    assert summary < body.index('name="order_number"')
    assert "退款凭证" in body[summary:body.index("</div>", summary)]
    assert "这个字段是必填项" not in body
    assert not Appeal.objects.exists()


def test_customer_page_shows_no_internal_note_and_no_agent_name(client):
    appeal = file_appeal()
    agent, boss = AgentFactory(username="agent_wang"), SupervisorFactory(username="boss_li")
    review.appeal_claim(appeal_id=appeal.pk, actor=agent)
    review.appeal_escalate(appeal_id=appeal.pk, actor=agent, note="INTERNAL-疑似套现-请主管复核")
    decide.appeal_approve(appeal_id=appeal.pk, actor=boss, note="INTERNAL-主管备注")
    client.force_login(appeal.customer)
    response = client.get(reverse("appeal-detail", args=[appeal.reference]))
    assert len(response.context["timeline"]) == 4  # submit, claim, escalate, approve: all shown…
    body = response.content.decode()
    for secret in ("INTERNAL", "agent_wang", "boss_li"):  # …without the staff's notes or names
        assert secret not in body, secret


# --- notifications --------------------------------------------------------------------------------


def test_notifications_are_listed_and_marked_read(client, other_customer):
    appeal = file_appeal()
    review.appeal_claim(appeal_id=appeal.pk, actor=AgentFactory())
    theirs = Notification.objects.create(user=other_customer, message="someone else's news")
    mine = list(Notification.objects.filter(user=appeal.customer))
    assert len(mine) == 2 and all(n.read_at is None for n in mine)

    client.force_login(appeal.customer)
    response = client.get(reverse("notification-list"))
    assert response.status_code == 200
    body = response.content.decode()
    for note in mine:
        assert escape(note.message) in body
    assert "someone else" not in body
    assert body.count(reverse("appeal-detail", args=[appeal.reference])) >= 2
    assert not Notification.objects.filter(user=appeal.customer, read_at__isnull=True).exists()
    assert Notification.objects.get(pk=theirs.pk).read_at is None


def test_unread_badge_disappears_after_reading(client):
    appeal = file_appeal()
    client.force_login(appeal.customer)
    home = client.get(reverse("appeal-list")).content.decode()
    assert re.search(r'class="badge">\s*1\s*<', home)
    client.get(reverse("notification-list"))
    assert 'class="badge"' not in client.get(reverse("appeal-list")).content.decode()


# --- help -----------------------------------------------------------------------------------------

HELP_TEMPLATE = Path(settings.BASE_DIR) / "templates" / "appeals" / "help.html"


def _help_section(response) -> str:
    body = response.content.decode()
    return unescape(body[body.index("<main>"):body.index("</main>")])


def test_help_page_answers_freeze_misunderstandings_in_chinese(client):
    response = client.get(reverse("help"))  # public: no login needed
    assert response.status_code == 200
    assert '<html lang="zh-hans">' in response.content.decode()
    section = _help_section(response)
    english = re.findall(r'\{% translate "([^"]+)" %\}', HELP_TEMPLATE.read_text())
    assert len(english) >= 8
    untranslated = [text for text in english if unescape(escape(text)) in section]
    assert untranslated == []
    questions = re.findall(r"<summary>(.*?)</summary>", section)
    assert len(questions) >= 5
    assert sum("冻结" in q for q in questions) >= 3, questions  # "frozen" asked about in Chinese
    assert "封号" in section  # "frozen is not banned" is answered
    assert "工作日" in section  # …and how long a freeze lasts


def test_help_page_follows_the_language_switch(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    section = _help_section(client.get(reverse("help")))
    assert "Does frozen mean my account is banned?" in section
    assert "封号" not in section


def test_freeze_with_a_released_status_offers_no_form(client):
    freeze = refund_freeze()
    from accounts.services import ledger

    ledger.freeze_release(freeze=freeze, source=Freeze.ReleaseSource.TIMER)
    client.force_login(freeze.account.customer)
    response = client.get(reverse("appeal-create", args=[freeze.pk]))
    assert response.status_code == 302
    assert response.url == reverse("credit-detail")


# --- files kept across a form error ----------------------------------------------------------------


def _form_data(client, freeze):
    form = client.get(reverse("appeal-create", args=[freeze.pk])).context["form"]
    return {name: form[name].value() for name, field in form.fields.items()
            if not isinstance(field, FileField) and form[name].value() is not None}


def test_files_chosen_before_an_error_are_kept_and_filed_with_the_next_try(client):
    from appeals.models import StagedUpload

    freeze = refund_freeze()
    client.force_login(freeze.account.customer)
    url = reverse("appeal-create", args=[freeze.pk])
    data = _form_data(client, freeze)
    first = client.post(url, data | {"order_screenshot": screenshot("订单.png"),
                                     "logistics_screenshot": screenshot("wuliu.png", text="SF1"),
                                     "refund_receipt": SimpleUploadedFile("r.png", b"not an image")})
    assert first.status_code == 400 and not Appeal.objects.exists()
    body = first.content.decode()
    assert 'data-testid="kept-order_screenshot"' in body and "订单.png" in body
    assert 'data-testid="kept-refund_receipt"' not in body  # the broken one must be chosen again
    kept = list(StagedUpload.objects.filter(customer=freeze.account.customer).values_list("pk", flat=True))
    assert len(kept) == 2

    second = client.post(url, data | {"staged": kept, "refund_receipt": screenshot("receipt.png", text="退款成功")})
    assert second.status_code == 302
    appeal = Appeal.objects.get(freeze=freeze)
    assert sorted(appeal.evidence.values_list("original_name", flat=True)) == ["receipt.png", "wuliu.png", "订单.png"]
    assert not StagedUpload.objects.exists()  # used: gone


def test_another_customers_kept_file_is_never_used(client, other_customer):
    from appeals.evidence import staging
    from appeals.models import StagedUpload

    theirs = staging.keep(customer=other_customer, files=MultiValueDict({"order_screenshot": [screenshot("x.png")]}),
                          staged=[], fields={"order_screenshot"})
    freeze = refund_freeze()
    client.force_login(freeze.account.customer)
    response = client.post(reverse("appeal-create", args=[freeze.pk]),
                           _form_data(client, freeze) | {"staged": [theirs[0].pk]})
    assert response.status_code == 400
    assert "order_screenshot" in response.context["form"].errors
    assert StagedUpload.objects.filter(customer=other_customer).count() == 1  # theirs untouched


def test_kept_files_older_than_a_day_are_purged(django_capture_on_commit_callbacks):
    import time_machine

    from appeals.evidence import staging
    from appeals.models import StagedUpload

    customer = refund_freeze().account.customer
    with time_machine.travel("2026-12-01 09:00 +0800"):
        old = staging.keep(customer=customer, files=MultiValueDict({"other": [screenshot("old.png")]}),
                           staged=[], fields={"other"})
    name = old[0].file.name
    storage = old[0].file.storage
    with time_machine.travel("2026-12-02 10:00 +0800"), django_capture_on_commit_callbacks(execute=True):
        fresh = staging.keep(customer=customer, files=MultiValueDict({"other": [screenshot("new.png")]}),
                             staged=old, fields={"other"})  # a second try: the old file is replaced
        assert [row.original_name for row in fresh] == ["new.png"]
        assert staging.purge_stale() == 0  # the new one is an hour old
    with time_machine.travel("2026-12-03 11:00 +0800"), django_capture_on_commit_callbacks(execute=True):
        assert staging.purge_stale() == 1
    assert not StagedUpload.objects.exists()
    assert not storage.exists(name)

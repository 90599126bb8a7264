"""Honest dates: a freeze no timer lifts says what it waits for instead of a date; a calendar
exception entered later moves the promised dates of open freezes and the due times of open appeals,
and tells the customers; the appeal form says when the amount comes back by itself."""

from datetime import date
from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from accounts.models import CalendarException, CreditAccount, Freeze, Order
from accounts.services import ledger
from accounts.tests.factories import SupervisorFactory, make_account
from appeals.models import Appeal, Notification
from appeals.tests.factories import file_appeal
from appeals.workflow import calendar, sync

from .test_timers import assert_clean, moment, refund_freeze_at, release_on, travel


def in_english(text) -> str:
    """A lazy text read in English, whatever language an earlier test left active."""
    with translation.override("en"):
        return str(text)

pytestmark = pytest.mark.django_db


def english(client, user):
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def fresh(obj):
    return type(obj).objects.get(pk=obj.pk)


def test_an_abnormal_freeze_promises_no_date_and_says_it_waits_for_a_person():
    with travel(2026, 9, 30):
        freeze = ledger.freeze_create(account=make_account(), amount=Decimal("300.00"), reason=Freeze.Reason.ABNORMAL)
    assert freeze.expected_release_on is None and freeze.timer_date is None
    assert "person's review" in in_english(freeze.waits_for)


def test_an_unsynced_platform_refund_waits_for_the_platform_then_has_its_date():
    freeze = refund_freeze_at(moment(2026, 11, 2, 9), platform_synced=False, platform_refund_id="MT-HD-1",
                              order={"platform": Order.Platform.FOOD_DELIVERY})
    assert freeze.expected_release_on == date(2026, 11, 5)
    assert freeze.timer_date is None and "platform" in in_english(freeze.waits_for)
    with travel(2026, 11, 3):
        sync.refund_synced(refund_id="MT-HD-1")
    synced = fresh(freeze)
    assert (synced.timer_date, synced.waits_for) == (date(2026, 11, 5), None)


def test_a_banned_accounts_freeze_waits_for_a_review_of_the_account():
    freeze = refund_freeze_at(moment(2026, 11, 2, 9))
    ledger.account_set_status(account=freeze.account, status=CreditAccount.Status.BANNED, note="test")
    freeze = fresh(freeze)
    assert freeze.timer_date is None and "account" in in_english(freeze.waits_for)


def add_exception(day, kind, when):
    with travel(*when):
        return calendar.calendar_exception_save(exception=CalendarException(date=day, kind=kind, note="国务院通知"))


def test_a_day_off_announced_later_moves_the_freeze_and_the_appeal_and_tells_the_customer():
    freeze = refund_freeze_at(moment(2026, 11, 2, 9))
    passed = refund_freeze_at(moment(2026, 10, 20, 9))  # promised Oct 23: already passed, left alone
    with travel(2026, 11, 2, 10):
        appeal = file_appeal(freeze)
    assert (freeze.expected_release_on, appeal.due_at) == (date(2026, 11, 5), moment(2026, 11, 5, 10))
    before = Notification.objects.filter(user=appeal.customer).count()

    change = add_exception(date(2026, 11, 4), CalendarException.Kind.DAY_OFF, (2026, 11, 3))
    assert (change.freezes_moved, change.appeals_moved) == (1, 1)
    assert fresh(freeze).expected_release_on == date(2026, 11, 6)
    assert fresh(appeal).due_at == moment(2026, 11, 6, 10)
    assert fresh(passed).expected_release_on == date(2026, 10, 23)
    told = [n.message for n in Notification.objects.filter(user=appeal.customer).order_by("pk")[before:]]
    assert len(told) == 2
    assert any("2026-11-06" in m and "2026-11-05" in m and "599.00" in m for m in told)
    assert any(appeal.reference in m and "2026-11-06 10:00" in m for m in told)

    assert release_on(2026, 11, 5) == 1  # only the freeze whose date had passed
    assert (fresh(passed).status, fresh(freeze).status) == (Freeze.Status.RELEASED, Freeze.Status.ACTIVE)
    assert release_on(2026, 11, 6) == 1
    assert fresh(freeze).status == Freeze.Status.RELEASED
    assert_clean()


def test_removing_the_exception_moves_the_dates_back():
    freeze = refund_freeze_at(moment(2026, 11, 2, 9))
    exception = CalendarException.objects.create(date=date(2026, 11, 4), kind=CalendarException.Kind.DAY_OFF)
    with travel(2026, 11, 3):
        assert calendar.calendar_exception_save(exception=exception).freezes_moved == 1
        assert calendar.calendar_exception_delete(exception=exception).freezes_moved == 1
    assert fresh(freeze).expected_release_on == date(2026, 11, 5)


def test_national_day_a_further_day_off_moves_the_make_up_saturday_release():
    freeze = refund_freeze_at(moment(2026, 9, 30))
    with travel(2026, 9, 30, 11):
        appeal = file_appeal(freeze)
    assert (freeze.expected_release_on, appeal.due_at) == (date(2026, 10, 10), moment(2026, 10, 10, 11))
    add_exception(date(2026, 10, 9), CalendarException.Kind.DAY_OFF, (2026, 10, 2))
    assert fresh(freeze).expected_release_on == date(2026, 10, 12)  # Oct 8, Sat Oct 10, Mon Oct 12
    assert fresh(appeal).due_at == moment(2026, 10, 12, 11)


def test_spring_festival_a_make_up_saturday_announced_later_brings_the_date_forward():
    freeze = refund_freeze_at(moment(2027, 2, 4, 9))
    with travel(2027, 2, 4, 10):
        appeal = file_appeal(freeze)
    assert (freeze.expected_release_on, appeal.due_at) == (date(2027, 2, 15), moment(2027, 2, 15, 10))
    add_exception(date(2027, 2, 13), CalendarException.Kind.WORKDAY, (2027, 2, 6))
    assert fresh(freeze).expected_release_on == date(2027, 2, 13)  # Feb 11, 12, Sat 13
    assert fresh(appeal).due_at == moment(2027, 2, 13, 10)
    assert release_on(2027, 2, 13) == 1
    assert Appeal.objects.get(pk=appeal.pk).state == "resolved"
    assert_clean()


# ------------------------------------------------------------------------------------- views


def test_the_limit_page_shows_what_a_dateless_freeze_waits_for(client):
    with travel(2026, 11, 2):
        account = make_account()
        ledger.freeze_create(account=account, amount=Decimal("300.00"), reason=Freeze.Reason.ABNORMAL)
        dated = refund_freeze_at(moment(2026, 11, 2, 9))
        html = english(client, account.customer).get(reverse("credit-detail")).content.decode()
        detail = client.get(reverse("freeze-detail", args=[account.freezes.get().pk])).content.decode()
    assert "Waits for a person&#x27;s review" in html and "Expected back on" not in html
    assert 'data-testid="waits-for"' in detail
    other = english(client, dated.account.customer).get(reverse("credit-detail")).content.decode()
    assert "Expected back on 2026-11-05" in other


def test_the_appeal_form_says_the_amount_comes_back_by_itself_before_a_decision(client):
    freeze = refund_freeze_at(moment(2026, 11, 2, 9))
    with travel(2026, 11, 4, 10):
        html = english(client, freeze.account.customer).get(reverse("appeal-create", args=[freeze.pk])).content
    text = html.decode()
    assert "This amount comes back by itself on 2026-11-05" in text
    assert "before an appeal filed now would be decided (by 2026-11-09 10:00)" in text


def test_a_supervisor_saves_a_calendar_exception_in_the_admin_and_the_dates_move(client):
    freeze = refund_freeze_at(moment(2026, 11, 2, 9))
    with travel(2026, 11, 3):
        response = english(client, SupervisorFactory()).post(
            reverse("admin:accounts_calendarexception_add"), {"date": "2026-11-04", "kind": "day_off", "note": "通知"},
            follow=True)
    assert b"1 restore dates and 0 appeal due times moved" in response.content
    assert fresh(freeze).expected_release_on == date(2026, 11, 6)
    assert Notification.objects.filter(user=freeze.account.customer, message__contains="2026-11-06").exists()

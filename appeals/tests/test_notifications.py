"""Notification e-mails: each goes out once; the beat sweeper sends the ones whose e-mail never
went out (the broker was down when they were made, or the mail server refused every retry)."""

import time
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from accounts.tests.factories import CustomerFactory
from appeals import notifications, tasks
from appeals.models import Notification
from conftest import run_together

pytestmark = pytest.mark.django_db


def notice(*, minutes_ago: int, email: str = "buyer@example.com") -> Notification:
    """A notification made `minutes_ago`, whose e-mail task was never published."""
    with time_machine.travel(timezone.now() - timedelta(minutes=minutes_ago), tick=False):
        return Notification.objects.create(user=CustomerFactory(email=email), message="¥599.00 已恢复可用。")


def test_the_sweeper_emails_a_notification_whose_email_never_went_out_once():
    lost = notice(minutes_ago=15)

    assert tasks.email_unsent_notifications() == 1
    [message] = mail.outbox
    assert message.to == ["buyer@example.com"] and "599.00" in message.body
    lost.refresh_from_db()
    assert lost.emailed_at is not None

    assert tasks.email_unsent_notifications() == 0  # the next beat run
    assert len(mail.outbox) == 1


def test_the_sweeper_leaves_recent_day_old_and_addressless_notifications():
    recent = notice(minutes_ago=2)  # its own task may still be on the way
    day_old = notice(minutes_ago=25 * 60)  # the in-app message is enough by now
    no_address = notice(minutes_ago=15, email="")

    assert tasks.email_unsent_notifications() == 0

    assert mail.outbox == []
    assert not Notification.objects.filter(pk__in=[recent.pk, day_old.pk, no_address.pk],
                                           emailed_at__isnull=False).exists()


def test_a_failed_send_leaves_the_notification_for_the_next_run(monkeypatch):
    lost = notice(minutes_ago=15)

    def mail_server_down(*args, **kwargs):
        raise ConnectionRefusedError("SMTP refused")

    with monkeypatch.context() as patched:
        patched.setattr(notifications.EmailMessage, "send", mail_server_down)
        with pytest.raises(ConnectionRefusedError):
            tasks.email_unsent_notifications()
    lost.refresh_from_db()
    assert lost.emailed_at is None

    assert tasks.email_unsent_notifications() == 1
    assert len(mail.outbox) == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_senders_at_once_email_each_notification_once(monkeypatch):
    notices = [notice(minutes_ago=15, email=f"buyer{i}@example.com") for i in range(6)]
    send = notifications.EmailMessage.send

    def slow_send(self, *args, **kwargs):  # keep the row claimed long enough for the other sender to meet it
        time.sleep(0.05)
        return send(self, *args, **kwargs)

    monkeypatch.setattr(notifications.EmailMessage, "send", slow_send)
    ids = [n.pk for n in notices]
    results = run_together([lambda: tasks.send_notification_emails(ids), tasks.email_unsent_notifications])

    assert not any(isinstance(result, Exception) for result in results), results
    assert sum(results) == len(notices)
    assert sorted(to for message in mail.outbox for to in message.to) == sorted(f"buyer{i}@example.com"
                                                                                   for i in range(6))
    assert not Notification.objects.filter(pk__in=ids, emailed_at__isnull=True).exists()


def test_the_email_records_when_it_went_out_and_its_message_id():
    lost = notice(minutes_ago=15)
    assert lost.email_message_id == ""
    tasks.email_unsent_notifications()
    [message] = mail.outbox
    lost.refresh_from_db()
    assert lost.email_message_id == message.extra_headers["Message-ID"] == message.message()["Message-ID"]
    assert lost.email_message_id.startswith("<") and lost.emailed_at is not None

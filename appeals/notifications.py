"""Messages to customers: written in the app (Notification) in the service's transaction, and
e-mailed by the worker once it commits; a beat sweeper e-mails what never went out."""

from datetime import timedelta
from email.utils import make_msgid

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.mail.utils import DNS_NAME
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from . import messages, tasks
from .models import Appeal, Notification


def message(user_id: int, code: str, *, appeal: Appeal | None = None, **params) -> Notification:
    """An unsaved notification: a message code (appeals.messages) with its parameters, the contacts
    a customer may turn to, and its text in the default language for the record."""
    params = {**({"ref": appeal.reference} if appeal else {}), **params,
              "support": settings.SUPPORT_CHANNEL, "hotline": settings.REGULATOR_HOTLINE}
    with translation.override(settings.LANGUAGE_CODE):
        text = messages.render(code, params)
    return Notification(user_id=user_id, appeal=appeal, code=code, params=params, message=text)


def notify_customer(appeal: Appeal, code: str, *, event=None, **params) -> Notification:
    """Tell an appeal's customer something, in the app now and by e-mail after commit. The message
    tells of the appeal's latest event (`event`, when the caller has it at hand): every service logs
    the event and then notifies, in one transaction under the appeal's lock, so the decision log can
    show how the customer was told."""
    notification = message(appeal.customer_id, code, appeal=appeal, **params)
    notification.event = event or appeal.events.order_by("-pk").first()
    notification.save(force_insert=True)
    tasks.send_notification_email.delay_on_commit(notification.pk)
    return notification


def notify_many(notifications: list[Notification]) -> list[Notification]:
    """Write several in-app messages in one INSERT and e-mail them after commit."""
    created = Notification.objects.bulk_create(notifications, batch_size=500)
    if created:
        tasks.send_notification_emails.delay_on_commit([notice.pk for notice in created])
    return created


def notifications_email(*, notification_ids: list[int]) -> int:
    """E-mail notifications not yet e-mailed to users who have an address; returns how many were sent."""
    sent = 0
    for notification_id in sorted(notification_ids):
        # One row at a time, claimed with SKIP LOCKED and marked in the same transaction: a duplicate
        # run (the sweeper, a redelivered task) skips it, and a failed send leaves it unsent.
        with transaction.atomic():
            notification = (Notification.objects.select_for_update(skip_locked=True, of=("self",))
                            .select_related("user").filter(pk=notification_id, emailed_at__isnull=True)
                            .exclude(user__email="").first())
            if notification is None:
                continue
            with translation.override(settings.LANGUAGE_CODE):  # the customer's language: the default
                subject, body = str(_("Monthly pay appeal update")), notification.text
            email = EmailMessage(subject, body, None,
                                 [notification.user.email], headers={"Message-ID": make_msgid(domain=str(DNS_NAME))})
            email.send()
            notification.emailed_at, notification.email_message_id = timezone.now(), email.extra_headers["Message-ID"]
            notification.save(update_fields=["emailed_at", "email_message_id"])
        sent += 1
    return sent


def notifications_mark_shown(*, user, notification_ids: list[int]) -> int:
    """The customer's page showed these notifications: record when, once (proof of notice)."""
    return Notification.objects.filter(user=user, pk__in=notification_ids, read_at__isnull=True).update(
        read_at=timezone.now())


def notifications_email_unsent(*, older_than_minutes: int = 10, within_hours: int = 24, limit: int = 500) -> int:
    """E-mail notifications whose e-mail never went out (the broker was down when they were made, or
    every retry failed). Only those of the last day: later, the in-app message is enough."""
    now = timezone.now()
    unsent = list(Notification.objects.filter(
        emailed_at__isnull=True, created_at__lt=now - timedelta(minutes=older_than_minutes),
        created_at__gte=now - timedelta(hours=within_hours)).exclude(user__email="")
        .order_by("pk").values_list("pk", flat=True)[:limit])
    return notifications_email(notification_ids=unsent)

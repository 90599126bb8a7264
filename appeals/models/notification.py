"""In-app messages to customers (also e-mailed)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .appeal import Appeal, AppealEvent


class Notification(models.Model):
    """An in-app message to a customer (also e-mailed by a Celery task), with the proof that the
    customer was told (complaint rules Art. 21): the event it tells of, when the customer's page
    showed it, when the e-mail went out and its Message-ID."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="notifications",
                             verbose_name=_("user"))
    appeal = models.ForeignKey(Appeal, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                               verbose_name=_("appeal"))
    event = models.ForeignKey(AppealEvent, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="notifications", verbose_name=_("event told of"))
    code = models.CharField(_("message code"), max_length=40, blank=True)
    params = models.JSONField(_("message parameters"), default=dict, blank=True)
    message = models.TextField(_("message"), blank=True,
                               help_text=_("As first rendered, in the default language (the record); the "
                                           "customer reads it rendered in their own."))
    created_at = models.DateTimeField(_("sent at"), default=timezone.now)
    read_at = models.DateTimeField(_("shown in the app at"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-mail sent at"), null=True, blank=True)
    email_message_id = models.CharField(_("e-mail Message-ID"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        # The e-mail sweeper looks only at recent unsent ones.
        indexes = [models.Index(fields=["created_at"], condition=models.Q(emailed_at__isnull=True),
                                name="notification_unsent_idx")]

    def __str__(self):
        return self.message[:40]

    @property
    def text(self) -> str:
        """The message in the active language (rows from before codes keep their stored text)."""
        from ..messages import render  # messages builds on the models

        return render(self.code, self.params) if self.code else self.message

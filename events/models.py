"""The transactional outbox: one row per change worth telling, written in the change's own
transaction (events.outbox.record), published in commit order (position) for the pull feed and
the webhook deliveries. Rows are never edited after publication except to set their position."""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .types import EventType


class Event(models.Model):
    type = models.CharField(_("type"), max_length=40, choices=EventType.choices)
    # The credit account the event is about (no foreign key: the outbox sits below the apps that
    # own the data). Deliveries keep the events of one account in order.
    account_id = models.BigIntegerField(_("credit account"), null=True, blank=True)
    data = models.JSONField(_("data"), default=dict)
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    # Set by the publisher after commit, in the order the events became visible: a transaction
    # that commits late gets a later position even if its id is lower, so a reader that walks
    # positions never skips an event (ids alone would: they are handed out before commit).
    position = models.BigIntegerField(_("position"), null=True, blank=True, unique=True)

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["id"]
        indexes = [
            models.Index(fields=["id"], condition=Q(position__isnull=True), name="event_unpublished_idx"),
            models.Index(fields=["account_id", "id"], name="event_account_idx"),
        ]

    def __str__(self):
        return f"{self.public_id} {self.type}"

    @property
    def public_id(self) -> str:
        """The id consumers dedupe by: the same on every redelivery."""
        return f"evt_{self.pk}"


class Publisher(models.Model):
    """The one row the publisher locks: publications are serialised, positions only grow."""

    last_position = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("event publisher")
        verbose_name_plural = _("event publisher")

    def __str__(self):
        return f"published up to {self.last_position}"

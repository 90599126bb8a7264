"""API clients and their keys, idempotency records, webhook endpoints and their deliveries."""

import base64
import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from events.models import Event
from events.types import EventType


class Scope(models.TextChoices):
    LEDGER_WRITE = "ledger:write", _("Credit records: customers, limits, orders, repayments, refunds, bills")
    LOGISTICS_WRITE = "logistics:write", _("Return logistics events")
    READ = "read", _("Read credit lines and appeals")
    EVENTS_READ = "events:read", _("Pull the event feed")


KEY_PREFIX = "adk_"


def key_digest(key: str) -> str:
    """Keys are 256-bit random strings: a plain SHA-256 is enough to store them (nothing to guess)."""
    return hashlib.sha256(key.encode()).hexdigest()


class ApiClient(models.Model):
    """A system allowed to call the API (the mall, the credit core, a carrier gateway)."""

    name = models.CharField(_("name"), max_length=80, unique=True)
    scopes = models.JSONField(_("scopes"), default=list, blank=True)
    key_prefix = models.CharField(_("key starts with"), max_length=20, unique=True, editable=False)
    key_hash = models.CharField(_("key hash"), max_length=64, editable=False)
    rate_limit_per_minute = models.PositiveIntegerField(_("requests per minute"), default=1200)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("created by"), editable=False)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("API client")
        verbose_name_plural = _("API clients")
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def set_new_key(self) -> str:
        """Give the client a new random key; returns it (the only time it is seen: only its hash is kept)."""
        self.key_prefix = f"{KEY_PREFIX}{secrets.token_hex(4)}"
        key = f"{self.key_prefix}_{secrets.token_urlsafe(32)}"
        self.key_hash = key_digest(key)
        return key


class IdempotencyRecord(models.Model):
    """The first response to a POST, per client and Idempotency-Key, replayed to every retry."""

    client = models.ForeignKey(ApiClient, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)  # SHA-256 of method, path and (canonical) body
    status_code = models.PositiveSmallIntegerField(null=True)
    content_type = models.CharField(max_length=100, blank=True)
    body = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["client", "key"], name="one_record_per_client_key")]
        indexes = [models.Index(fields=["created_at"], name="idempotency_age_idx")]

    def __str__(self):
        return f"{self.client_id}:{self.key}"


def new_webhook_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()


class WebhookEndpoint(models.Model):
    name = models.CharField(_("name"), max_length=80, unique=True)
    url = models.URLField(_("URL"), max_length=500)
    event_types = models.JSONField(_("event types"), default=list, blank=True,
                                   help_text=_("Leave empty to receive every event type."))
    secret = models.CharField(_("signing secret"), max_length=100, default=new_webhook_secret,
                              help_text=_("Standard Webhooks secret (whsec_…): give it to the receiver."))
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def wants(self, event_type: str) -> bool:
        return not self.event_types or event_type in self.event_types


class WebhookDelivery(models.Model):
    """One event for one endpoint: retried with backoff until delivered, or failed after the retry window."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")

    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries",
                                 verbose_name=_("endpoint"))
    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="+", verbose_name=_("event"))
    # Copied from the event: the claim query keeps each account's events in order without a join.
    position = models.BigIntegerField(_("position"))
    account_id = models.BigIntegerField(_("credit account"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    first_attempt_at = models.DateTimeField(_("first attempt"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(_("last HTTP status"), null=True, blank=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-position"]
        constraints = [models.UniqueConstraint(fields=["endpoint", "event"], name="one_delivery_per_endpoint_event")]
        indexes = [
            models.Index(fields=["next_attempt_at"], condition=Q(status="pending"), name="delivery_due_idx"),
            models.Index(fields=["endpoint", "account_id", "position"], condition=Q(status="pending"),
                         name="delivery_order_idx"),
        ]

    def __str__(self):
        return f"{self.event} → {self.endpoint}"

    @property
    def event_type_label(self) -> str:
        return EventType(self.event.type).label if self.event.type in EventType.values else self.event.type


class DeliveryAttempt(models.Model):
    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log",
                                 verbose_name=_("delivery"))
    attempted_at = models.DateTimeField(_("at"), default=timezone.now)
    status_code = models.PositiveSmallIntegerField(_("HTTP status"), null=True, blank=True)
    latency_ms = models.PositiveIntegerField(_("latency (ms)"))
    response_excerpt = models.CharField(_("response (first bytes)"), max_length=500, blank=True)
    error = models.CharField(_("error"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("delivery attempt")
        verbose_name_plural = _("delivery attempts")
        ordering = ["-attempted_at", "-id"]

    def __str__(self):
        return f"{self.delivery_id} {self.status_code or self.error}"

"""Supervisors' audit: decisions sampled each day and the verdicts on them."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .appeal import Appeal, AppealEvent


class AuditSample(models.Model):
    """A decision picked for a supervisor's audit (daily sampling)."""

    class Reason(models.TextChoices):
        SAMPLED = "sampled", _("Random daily sample")
        HIGH_RISK = "high_risk", _("High-risk approval")
        SYSTEM = "system", _("Straight-through approval by the system")

    event = models.OneToOneField(AppealEvent, on_delete=models.PROTECT, related_name="audit_sample",
                                 verbose_name=_("decision"))
    appeal = models.ForeignKey(Appeal, on_delete=models.PROTECT, related_name="audit_samples",
                               verbose_name=_("appeal"))
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("decided by"),
                                   help_text=_("Empty for the system's straight-through approvals."))
    decided_on = models.DateField(_("decision day"))
    reason = models.CharField(_("why sampled"), max_length=12, choices=Reason.choices)
    created_at = models.DateTimeField(_("sampled at"), default=timezone.now)

    class Meta:
        verbose_name = _("audit sample")
        verbose_name_plural = _("audit samples")
        ordering = ["-decided_on", "id"]

    def __str__(self):
        return f"{self.appeal} ({self.decided_on})"


class AuditVerdict(models.Model):
    """A supervisor's verdict on one sampled decision; one per sample, never edited."""

    class Verdict(models.TextChoices):
        CONFIRMED = "confirmed", _("Confirmed")
        OVERTURNED = "overturned", _("Overturned")

    sample = models.OneToOneField(AuditSample, on_delete=models.PROTECT, related_name="verdict",
                                  verbose_name=_("audit sample"))
    supervisor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("supervisor"))
    verdict = models.CharField(_("verdict"), max_length=12, choices=Verdict.choices)
    note = models.TextField(_("note"), blank=True)
    refrozen = models.DecimalField(_("frozen again"), max_digits=12, decimal_places=2, default=0,
                                   help_text=_("An overturned approval: what could be frozen again."))
    shortfall = models.DecimalField(
        _("could not be frozen again"), max_digits=12, decimal_places=2, default=0,
        help_text=_("An overturned approval: what the customer had already spent of the released amount, "
                    "for a supervisor to follow up."))
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("audit verdict")
        verbose_name_plural = _("audit verdicts")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=~Q(verdict="overturned", note=""), name="overturn_needs_note"),
        ]

    def __str__(self):
        return f"{self.sample}: {self.get_verdict_display()}"

"""The supervisors' dashboard, pre-aggregated: one row per local day once the day is over
(appeals.desk.daily says what is stored and why it cannot go stale)."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class DailySummary(models.Model):
    day = models.DateField(_("day"), unique=True)
    # The day's counts as appeals.desk.daily.compute returns them (decisions, agents, risk rules …).
    counts = models.JSONField(_("counts"), default=dict)
    computed_at = models.DateTimeField(_("computed at"), default=timezone.now)

    class Meta:
        verbose_name = _("dashboard day")
        verbose_name_plural = _("dashboard days")
        ordering = ["day"]

    def __str__(self):
        return f"{self.day}"

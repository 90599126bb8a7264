"""Extensions of an appeal's answer deadline under the complaint rules (Art. 18): the first by a
supervisor with a written reason, a further one for an especially complex case only once a second,
different supervisor confirms it. The customer is told of each with its reason."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .appeal import Appeal


class DeadlineExtension(models.Model):
    class Step(models.IntegerChoices):
        COMPLEX = 1, _("Complex case")
        ESPECIALLY_COMPLEX = 2, _("Especially complex case (second supervisor)")

    appeal = models.ForeignKey(Appeal, on_delete=models.PROTECT, related_name="extensions", verbose_name=_("appeal"))
    step = models.PositiveSmallIntegerField(_("extension"), choices=Step.choices)
    days = models.PositiveSmallIntegerField(_("calendar days added"))
    reason = models.TextField(_("reason told to the customer"), max_length=2000)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("requested by"))
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("approved by"))
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)

    class Meta:
        verbose_name = _("deadline extension")
        verbose_name_plural = _("deadline extensions")
        ordering = ["appeal", "step"]
        constraints = [
            models.UniqueConstraint(fields=["appeal", "step"], name="one_extension_per_step"),
            models.CheckConstraint(condition=Q(approved_by__isnull=True, approved_at__isnull=True)
                                   | Q(approved_by__isnull=False, approved_at__isnull=False),
                                   name="extension_approval_fields_together"),
            # The further extension needs a second person: its approver is never its requester.
            models.CheckConstraint(condition=Q(step=1) | ~Q(approved_by=F("requested_by")),
                                   name="further_extension_second_supervisor"),
        ]

    def __str__(self):
        return f"{self.appeal} +{self.days}d"

    @property
    def is_approved(self) -> bool:
        return self.approved_at is not None

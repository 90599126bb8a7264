"""The evidence access log: who looked at a customer's evidence or exported records, when, from
which address. Append-only in the database (accounts/immutable.py); only rows past the retention
period (at least 6 months, Cybersecurity Law Art. 21) may be deleted, by the purge job."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .appeal import Appeal
from .evidence import Evidence


class EvidenceAccess(models.Model):
    class What(models.TextChoices):
        IMAGE = "image", _("Screenshot")
        THUMBNAIL = "thumbnail", _("Thumbnail")
        ANNOTATED = "annotated", _("Screenshot with the text read")
        DECISIONS_CSV = "decisions_csv", _("Decisions export (CSV)")
        HISTORY_JSON = "history_json", _("Appeal history download (JSON)")

    viewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("who"))
    role = models.CharField(_("role"), max_length=20)
    what = models.CharField(_("what"), max_length=20, choices=What.choices)
    appeal = models.ForeignKey(Appeal, on_delete=models.PROTECT, null=True, blank=True, related_name="accesses",
                               verbose_name=_("appeal"))
    evidence = models.ForeignKey(Evidence, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                 verbose_name=_("evidence"))
    detail = models.CharField(_("detail"), max_length=200, blank=True)
    address = models.GenericIPAddressField(_("from address"), null=True, blank=True)
    created_at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("evidence access")
        verbose_name_plural = _("evidence access log")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["viewer", "created_at"], name="access_viewer_idx"),
                   models.Index(fields=["appeal", "created_at"], name="access_appeal_idx")]

    def __str__(self):
        return f"{self.viewer_id} {self.what} {self.created_at:%Y-%m-%d %H:%M}"

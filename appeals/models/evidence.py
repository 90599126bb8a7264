"""Evidence screenshots of an appeal and the index of their perceptual hashes."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..evidence.storage import private_storage
from .appeal import Appeal


class Evidence(models.Model):
    class Kind(models.TextChoices):
        ORDER = "order", _("Order screenshot")
        LOGISTICS = "logistics", _("Return logistics screenshot")
        REFUND_RECEIPT = "refund_receipt", _("Refund receipt")
        ORDER_HISTORY = "order_history", _("Order history")
        PLATFORM_PROOF = "platform_proof", _("External platform proof")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        PENDING = "pending", _("Processing")
        READY = "ready", _("Ready")
        REJECTED = "rejected", _("Rejected")

    appeal = models.ForeignKey(Appeal, on_delete=models.PROTECT, related_name="evidence", verbose_name=_("appeal"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    rejection_reason = models.CharField(_("why rejected"), max_length=300, blank=True)
    original_name = models.CharField(_("uploaded file name"), max_length=120, blank=True)
    upload = models.FileField(_("upload as received"), storage=private_storage, upload_to="incoming/", blank=True)
    image = models.FileField(_("image"), storage=private_storage, upload_to="evidence/", blank=True)
    thumbnail = models.FileField(_("thumbnail"), storage=private_storage, upload_to="thumbs/", blank=True)
    width = models.PositiveIntegerField(_("width"), null=True, blank=True)
    height = models.PositiveIntegerField(_("height"), null=True, blank=True)
    phash = models.CharField(_("perceptual hash"), max_length=64, blank=True, db_index=True,
                             help_text=_("256-bit DCT hash: screenshots of one app look alike at 64 bits."))
    ocr_lines = models.JSONField(_("text read"), default=list, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("uploaded by"))
    created_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    processed_at = models.DateTimeField(_("processed at"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(
        _("processing attempts"), default=0, help_text=_("Tries of the worker; past the limit the file is rejected."))
    purged_at = models.DateTimeField(_("files deleted at"), null=True, blank=True,
                                     help_text=_("Files are deleted after the retention period; the record stays."))

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["status", "created_at"], name="evidence_status_idx")]

    def __str__(self):
        return f"{self.appeal} {self.get_kind_display()}"


class EvidenceHashBand(models.Model):
    """One slice of an evidence image's perceptual hash (appeals.images.hash_bands), indexed so that
    the "same screenshot used by another customer" rule finds its candidates without a full scan."""

    evidence = models.ForeignKey(Evidence, on_delete=models.CASCADE, related_name="hash_bands")
    band = models.PositiveSmallIntegerField()
    value = models.CharField(max_length=16)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["evidence", "band"], name="evidence_hash_band_unique")]
        indexes = [models.Index(fields=["band", "value"], name="evidence_hash_band_idx")]

    def __str__(self):
        return f"{self.evidence_id}/{self.band}:{self.value}"


REQUIRED_REFUND_EVIDENCE = [Evidence.Kind.ORDER, Evidence.Kind.LOGISTICS, Evidence.Kind.REFUND_RECEIPT]

"""Evidence files: stored as received in the request, cleaned by the worker."""

import logging
import uuid
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import images, ocr, tasks
from ..models import CLOSED_STATES, Appeal, Evidence, EvidenceHashBand
from .review import appeal_review_evidence

log = logging.getLogger("appeals.services")


def evidence_store(appeal: Appeal, files, actor) -> list[Evidence]:
    """Save uploads as received (random names, private storage); the worker cleans them."""
    stored = []
    for kind, upload in files:
        evidence = Evidence(appeal=appeal, kind=kind, uploaded_by=actor, original_name=safe_name(upload.name))
        evidence.upload.save(f"{uuid.uuid4().hex}.upload", upload, save=False)
        stored.append(evidence)
    for evidence in Evidence.objects.bulk_create(stored):
        tasks.process_evidence.delay_on_commit(evidence.pk)
    return stored


def safe_name(name: str) -> str:
    """A display-only copy of the client's file name: no path, no control characters, short."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    return "".join(ch for ch in base if ch.isprintable())[:120]


def evidence_process(*, evidence_id: int) -> str | None:
    """Clean one uploaded screenshot; safe to run twice or in two workers at once.

    The image work runs outside any transaction; the result is stored under a row lock
    only if the evidence is still pending. Returns the final status, or None if unknown."""
    evidence = Evidence.objects.filter(pk=evidence_id).first()
    if evidence is None or evidence.status != Evidence.Status.PENDING:
        return evidence and evidence.status
    lines = []
    try:
        with evidence.upload.open("rb") as raw:
            result, reason = images.clean(raw), ""
        if settings.EVIDENCE_OCR:
            lines = [line.as_dict() for line in ocr.read_lines(result.image)]
    except images.EvidenceRejected as exc:
        result, reason = None, exc.message
    except FileNotFoundError:
        result, reason = None, _("The uploaded file was lost; please upload it again.")
    with transaction.atomic():
        evidence = Evidence.objects.select_for_update().get(pk=evidence_id)
        if evidence.status != Evidence.Status.PENDING:
            return evidence.status
        upload_name = evidence.upload.name
        if result is None:
            evidence.status, evidence.rejection_reason = Evidence.Status.REJECTED, reason
        else:
            name = uuid.uuid4().hex
            evidence.image.save(f"{name}.jpg", ContentFile(result.jpeg), save=False)
            evidence.thumbnail.save(f"{name}.jpg", ContentFile(result.thumbnail), save=False)
            evidence.width, evidence.height, evidence.phash = result.width, result.height, result.phash
            evidence.ocr_lines = lines
            evidence.status = Evidence.Status.READY
        evidence.upload = ""
        evidence.processed_at = timezone.now()
        evidence.save()
        if evidence.phash:
            evidence_index_hash(evidence)
        if upload_name:
            storage = evidence.upload.storage
            transaction.on_commit(lambda: storage.delete(upload_name))
    log.info("evidence %s %s (%d lines read)", evidence_id, evidence.status, len(lines))
    if not Evidence.objects.filter(appeal_id=evidence.appeal_id, status=Evidence.Status.PENDING).exists():
        appeal_review_evidence(appeal_id=evidence.appeal_id)
    return evidence.status


def evidence_index_hash(evidence: Evidence) -> None:
    """Index the hash's bands for the reuse rule (appeals.risk.evidence_reused)."""
    EvidenceHashBand.objects.bulk_create([EvidenceHashBand(evidence=evidence, band=band, value=value)
                                          for band, value in images.hash_bands(evidence.phash)])


def evidence_purge_batch(*, now=None, batch_size: int = 200) -> int:
    """Delete the files of evidence whose appeal closed more than EVIDENCE_RETENTION_DAYS ago.
    The evidence row (kind, size, hash, status) and the decision log stay. Safe to run twice."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.EVIDENCE_RETENTION_DAYS)
    with transaction.atomic():
        batch = list(Evidence.objects.select_for_update(skip_locked=True)
                     .filter(purged_at__isnull=True, appeal__state__in=CLOSED_STATES, appeal__decided_at__lt=cutoff)
                     .order_by("pk")[:batch_size])
        names = []
        for evidence in batch:
            for field in (evidence.upload, evidence.image, evidence.thumbnail):
                if field:
                    names.append((field.storage, field.name))
            evidence.upload = evidence.image = evidence.thumbnail = ""
            evidence.ocr_lines = []
            evidence.purged_at = timezone.now()
        Evidence.objects.bulk_update(batch, ["upload", "image", "thumbnail", "ocr_lines", "purged_at"])
        transaction.on_commit(lambda: [storage.delete(name) for storage, name in names])
    log.info("evidence retention: %d purged", len(batch))
    return len(batch)

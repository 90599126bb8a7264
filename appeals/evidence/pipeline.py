"""What the worker does with evidence: clean and read each upload, hand the appeal to the
straight-through check once its last screenshot is read, re-enqueue what was left pending, and
delete files past the retention period."""

import io
import logging
import uuid
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import tasks
from ..models import CLOSED_STATES, OPEN_STATES, Appeal, Evidence, EvidenceHashBand
from ..workflow.decide import appeal_review_evidence
from ..workflow.steps import drain
from . import images, ocr

log = logging.getLogger("appeals.evidence")


def _unreadable() -> str:
    return _("The image could not be read; please upload a screenshot.")


def evidence_process(*, evidence_id: int) -> str | None:
    """Clean and read one uploaded screenshot; safe to run twice or in two workers at once.

    Every try is counted first. A file that breaks the decoder, the cleaner or OCR in any way is
    rejected at once (its reason told to the customer); one that was never finished in
    EVIDENCE_MAX_ATTEMPTS tries (its worker died each time) is rejected without another. Storage
    errors reading the upload propagate, for the task's retries. The image work runs outside any
    transaction; the result is stored under a row lock only if the evidence is still pending.
    Returns the final status, or None if unknown."""
    if not Evidence.objects.filter(pk=evidence_id, status=Evidence.Status.PENDING).update(attempts=F("attempts") + 1):
        evidence = Evidence.objects.filter(pk=evidence_id).first()
        return evidence and evidence.status
    evidence = Evidence.objects.get(pk=evidence_id)
    if evidence.attempts > settings.EVIDENCE_MAX_ATTEMPTS:
        log.error("evidence %s: %d tries never finished, rejected as unreadable", evidence_id, evidence.attempts - 1)
        result, lines, reason = None, [], _unreadable()
    else:
        result, lines, reason = _read(evidence)
    status, stored = _store(evidence_id, result, lines, reason)
    if stored and not Evidence.objects.filter(appeal_id=evidence.appeal_id, status=Evidence.Status.PENDING).exists():
        appeal_review_evidence(appeal_id=evidence.appeal_id)
    return status


def _read(evidence: Evidence) -> tuple[images.CleanImage | None, list[dict], str]:
    """(clean image, OCR lines, rejection reason): the image work, whatever the file does to it."""
    try:
        with evidence.upload.open("rb") as raw:
            data = raw.read()
    except FileNotFoundError:
        return None, [], _("The uploaded file was lost; please upload it again.")
    try:
        result = images.clean(io.BytesIO(data))
        lines = [line.as_dict() for line in ocr.read_lines(result.image)] if settings.EVIDENCE_OCR else []
    except images.EvidenceRejected as exc:
        return None, [], exc.message
    except Exception:  # a poison file: the decoder, the encoder or OCR broke on it; final, never retried
        log.exception("evidence %s could not be read", evidence.pk)
        return None, [], _unreadable()
    return result, lines, ""


def _store(evidence_id: int, result, lines: list[dict], reason: str) -> tuple[str, bool]:
    """Write the outcome if the evidence is still pending; the raw upload is deleted after commit.
    (status, whether this call stored it)."""
    with transaction.atomic():
        evidence = Evidence.objects.select_for_update().get(pk=evidence_id)
        if evidence.status != Evidence.Status.PENDING:
            return evidence.status, False
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
    return evidence.status, True


def evidence_index_hash(evidence: Evidence) -> None:
    """Index the hash's bands for the reuse rule (appeals.risk.evidence_reused)."""
    EvidenceHashBand.objects.bulk_create([EvidenceHashBand(evidence=evidence, band=band, value=value)
                                          for band, value in images.hash_bands(evidence.phash)])


def evidence_purge(*, now=None, batch_size: int = 200, max_batches: int = 100) -> int:
    """Delete the files of every evidence past the retention period, batch by batch."""
    return drain(evidence_purge_batch, max_batches=max_batches, now=now or timezone.now(), batch_size=batch_size)


def evidence_purge_batch(*, now=None, batch_size: int = 200, after: int = 0) -> tuple[int, int | None]:
    """Delete the files of evidence whose appeal closed more than EVIDENCE_RETENTION_DAYS ago.
    The evidence row (kind, size, hash, status) and the decision log stay. Safe to run twice."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.EVIDENCE_RETENTION_DAYS)
    with transaction.atomic():
        batch = list(Evidence.objects.select_for_update(skip_locked=True)
                     .filter(purged_at__isnull=True, appeal__state__in=CLOSED_STATES, appeal__decided_at__lt=cutoff,
                             pk__gt=after)
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
    return len(batch), batch[-1].pk if batch else None


def evidence_requeue_stale(*, older_than_minutes: int = 5, limit: int = 500) -> int:
    """Enqueue again evidence still pending after a while (the broker was down when it was uploaded,
    or a worker died holding it). Processing is idempotent, so a duplicate is harmless. Evidence
    that used up its tries (a file that kills the worker each time) is not enqueued again: it is
    rejected as unreadable here, which also moves its appeal on. An open appeal left without its
    risk assessed (its review task was lost) is reviewed again."""
    cutoff = timezone.now() - timedelta(minutes=older_than_minutes)
    stale = list(Evidence.objects.filter(status=Evidence.Status.PENDING, created_at__lt=cutoff)
                 .order_by("pk").values_list("pk", "attempts")[:limit])
    for evidence_id, attempts in stale:
        if attempts >= settings.EVIDENCE_MAX_ATTEMPTS:
            evidence_process(evidence_id=evidence_id)  # counts the try over the limit: rejected, no image work
        else:
            tasks.process_evidence.delay(evidence_id)
    # Appeals whose screenshots are all read (or that had none) but whose review was lost with a task.
    unassessed = list(Appeal.objects.filter(state__in=OPEN_STATES, risk_assessed_at__isnull=True,
                                            created_at__lt=cutoff)
                      .exclude(evidence__status=Evidence.Status.PENDING).values_list("pk", flat=True)[:limit])
    for appeal_id in unassessed:
        tasks.review_evidence.delay(appeal_id)
    return len(stale) + len(unassessed)

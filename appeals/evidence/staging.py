"""Files kept between tries of a customer's form (models.StagedUpload): when the appeal or reply
form comes back with an error, the files that passed their checks stay on the server, so the
customer does not choose them again. A customer has at most one attempt's files kept; they go
when the form is sent, or after STAGED_UPLOAD_KEEP_HOURS (beat job)."""

import uuid
from datetime import timedelta

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.datastructures import MultiValueDict

from ..models import StagedUpload
from .uploads import safe_name


def _keep_since(now=None):
    return (now or timezone.now()) - timedelta(hours=settings.STAGED_UPLOAD_KEEP_HOURS)


def staged_for(customer, ids: list[str]) -> list[StagedUpload]:
    """The customer's own kept files among these ids; anyone else's, and old ones, are ignored."""
    pks = [int(value) for value in ids if value.isdigit()]
    if not pks:
        return []
    return list(StagedUpload.objects.filter(customer=customer, pk__in=pks, created_at__gte=_keep_since())
                .order_by("pk"))


def with_staged(files: MultiValueDict, staged: list[StagedUpload]) -> MultiValueDict:
    """The request's files, plus the kept ones for each field the customer did not choose again."""
    merged = files.copy()
    for row in staged:
        if row.field not in files:
            merged.appendlist(row.field, UploadedFile(file=row.file.open("rb"), name=row.original_name,
                                                      size=row.file.size))
    return merged


@transaction.atomic
def keep(*, customer, files: MultiValueDict, staged: list[StagedUpload], fields: set[str]) -> list[StagedUpload]:
    """After a form error: keep the files of these fields (the ones without an error), new or
    already kept; drop everything else the customer had kept."""
    kept = [row for row in staged if row.field in fields and row.field not in files]
    new = []
    for field in fields & set(files):
        for upload in files.getlist(field):
            row = StagedUpload(customer=customer, field=field, original_name=safe_name(upload.name))
            upload.seek(0)
            row.file.save(f"{uuid.uuid4().hex}.upload", upload, save=False)
            new.append(row)
    kept += StagedUpload.objects.bulk_create(new)
    discard(StagedUpload.objects.filter(customer=customer).exclude(pk__in=[row.pk for row in kept]))
    return kept


def discard(rows) -> int:
    """Delete kept files (rows now, files once the transaction commits)."""
    rows = list(rows)
    if not rows:  # the common case after filing: nothing was kept, no transaction to open
        return 0
    names = [(row.file.storage, row.file.name) for row in rows if row.file]
    StagedUpload.objects.filter(pk__in=[row.pk for row in rows]).delete()
    transaction.on_commit(lambda: [storage.delete(name) for storage, name in names])
    return len(rows)


@transaction.atomic
def purge_stale(*, now=None) -> int:
    """Beat job: kept files of forms never sent."""
    return discard(StagedUpload.objects.filter(created_at__lt=_keep_since(now))[:1000])

"""Uploads as they arrive in the request: stored as received (random names, private storage) for
the worker to clean; the cheap per-file checks are images.sniff."""

import uuid

from .. import tasks
from ..models import Appeal, Evidence


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

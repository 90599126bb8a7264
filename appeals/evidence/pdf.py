"""PDF receipts: many refund receipts are PDFs. PDFium reads them in a child process (pdf_child.py)
held to a memory, CPU and time budget, so that a decompression bomb or a parser bug costs that
process and not the web or worker process; PDFium has no JavaScript engine here, forms are never
initialised and nothing external is fetched. The request only asks the child what the PDF is
(pages, encryption); the worker has its pages (at most EVIDENCE_PDF_MAX_PAGES) rendered at
EVIDENCE_PDF_DPI, stacked into one image that is then cleaned like any screenshot."""

import json
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _
from PIL import Image

from .rejected import EvidenceRejected

MAGIC = b"%PDF-"
_CHILD = Path(__file__).with_name("pdf_child.py")


def is_pdf(file) -> bool:
    file.seek(0)
    head = file.read(len(MAGIC))
    file.seek(0)
    return head == MAGIC


def _run(mode: str, data: bytes) -> tuple[dict, bytes]:
    args = [mode, settings.EVIDENCE_PDF_DPI, settings.EVIDENCE_PDF_MAX_PAGES, settings.EVIDENCE_PDF_MAX_SIDE_PX,
            settings.EVIDENCE_PDF_MEMORY_MB * 1024 * 1024, settings.EVIDENCE_PDF_SECONDS]
    try:
        done = subprocess.run(  # noqa: S603 - our own interpreter and script, the PDF on stdin only
            [sys.executable, "-I", str(_CHILD), *map(str, args)], input=data, capture_output=True,
            timeout=settings.EVIDENCE_PDF_SECONDS + 10, check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise EvidenceRejected(_too_much()) from exc
    head, _newline, rest = done.stdout.partition(b"\n")
    if done.returncode != 0 or not head:
        raise EvidenceRejected(_too_much())  # killed by its budget (memory, CPU) or crashed
    return json.loads(head), rest


def _too_much() -> str:
    return _("The PDF holds far more than a receipt and cannot be read safely; take a screenshot of the receipt "
             "instead.")


def _refuse_unless_plain(info: dict) -> None:
    error = info.get("error")
    if error == "password" or info.get("encrypted"):
        raise EvidenceRejected(_("The PDF is password-protected or encrypted; take a screenshot of the receipt "
                                 "instead."))
    if error == "damaged":
        raise EvidenceRejected(_("The PDF is damaged and cannot be read; take a screenshot of the receipt instead."))
    if error == "page_too_large":
        raise EvidenceRejected(_("The PDF's page is %(w)d × %(h)d cm, far larger than a receipt; take a screenshot "
                                 "of the receipt instead.") % {"w": info["width_cm"], "h": info["height_cm"]})
    pages = info.get("pages", 0)
    if pages == 0:
        raise EvidenceRejected(_("The PDF has no pages; take a screenshot of the receipt instead."))
    if pages > settings.EVIDENCE_PDF_MAX_PAGES:
        raise EvidenceRejected(_("The PDF has %(n)d pages; upload the receipt page alone (at most %(max)d pages), "
                                 "or a screenshot of it.") % {"n": pages, "max": settings.EVIDENCE_PDF_MAX_PAGES})


def sniff(file) -> None:
    """In the request: is it a PDF we will render (pages, no encryption)?"""
    info, _pixels = _run("inspect", file.read())
    file.seek(0)
    _refuse_unless_plain(info)


def render(file) -> Image.Image:
    """In the worker: the pages as one RGB image (white between pages of different widths)."""
    info, pixels = _run("render", file.read())
    _refuse_unless_plain(info)
    width, height = info["size"]
    if width * height > settings.EVIDENCE_MAX_PIXELS or len(pixels) != width * height * 3:
        raise EvidenceRejected(_too_much())
    return Image.frombytes("RGB", (width, height), pixels)

"""Appeals rendered like the real apps (samples.rendered) as the tests need them: drawn once per
test process, their screenshots read once by the real OCR through the worker's path, and the
record they show written to the database through the ledger services."""

import io
from datetime import datetime
from functools import cache

from django.utils import timezone

from accounts.models import Order, Refund
from accounts.tests.factories import make_account, make_order, make_refund
from appeals.evidence import images, ocr
from appeals.models import Evidence
from samples.rendered import Browser, make_appeal, receipt_pdf, tamper

# Seeds whose appeals show the cases the tests want, checked by bench/ocr_accuracy.py's rendering:
# ordered on 23 December, picked up on 28 December, refunded on 1 January (a year-less timeline across
# New Year), a HEIC order page, a receipt with both 申请时间 and 退款时间, a refund under ¥1,000.
SEED = 460
SUFFIX = {"PNG": "png", "JPEG": "jpg", "HEIF": "heic"}


def appeal(seed: int = SEED, tampered: str | None = None):
    """The genuine appeal, or its twin with `tampered` changed (only that page drawn again)."""
    return _appeal(seed, tampered)  # one cache key however it is called


@cache
def _appeal(seed: int, tampered: str | None):
    genuine = _appeal(seed, None) if tampered else None  # drawn first: one browser at a time in a thread
    with Browser() as browser:
        return tamper(genuine, browser, tampered) if tampered else make_appeal(seed, browser)


@cache
def pdf_receipt(seed: int = SEED) -> bytes:
    with Browser() as browser:
        return receipt_pdf(make_appeal(seed, browser), browser)


@cache
def ocr_lines(seed: int, kind: str, tampered: str | None = None) -> tuple[dict, ...]:
    """What the worker would store for this screenshot: images.clean, then the real OCR."""
    cleaned = images.clean(io.BytesIO(appeal(seed, tampered).shots[kind].upload))
    return tuple(line.as_dict() for line in ocr.read_lines(cleaned.image))


def aware(moment: datetime) -> datetime:
    return timezone.make_aware(moment)


def record_freeze(rendered, customer=None):
    """The rendered appeal's record as ours: the order (number, amount, item, time) and its refund
    (amount, tracking number, time), through the ledger; returns the refund's freeze."""
    record = rendered.record
    account = make_account(customer=customer) if customer else make_account()
    order = make_order(account, record.order_amount, number=record.order_number, item_name=record.item_name,
                       item_sku=record.item_sku)
    refund = make_refund(order, record.refund_amount, tracking_number=record.tracking_number)
    Order.objects.filter(pk=order.pk).update(created_at=aware(record.ordered))
    Refund.objects.filter(pk=refund.pk).update(created_at=aware(record.refunded))
    return refund.freezes.get()


def uploads(rendered) -> list[tuple[str, object]]:
    from appeals.tests.factories import upload

    content_types = {"PNG": "image/png", "JPEG": "image/jpeg", "HEIF": "image/heic"}
    return [(kind, upload(f"{kind}.{SUFFIX[shot.format]}", shot.upload, content_types[shot.format]))
            for kind, shot in rendered.shots.items()]


KINDS = (Evidence.Kind.ORDER, Evidence.Kind.LOGISTICS, Evidence.Kind.REFUND_RECEIPT)

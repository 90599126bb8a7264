"""Test data for appeals: real images made with Pillow, appeals filed through the service."""

import io
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw

from accounts.tests.factories import CustomerFactory, make_account, make_order, make_refund
from appeals.models import Evidence
from appeals.workflow import steps, submit


def image_bytes(fmt="PNG", size=(390, 844), color=(250, 250, 250), text="订单 DY0001", **save_kwargs) -> bytes:
    image = Image.new("RGB", size, color)
    draw = ImageDraw.Draw(image)
    draw.rectangle((10, 10, size[0] - 10, 60), fill=(254, 44, 85))
    draw.text((20, 80), text, fill=(0, 0, 0))
    out = io.BytesIO()
    image.save(out, fmt, **save_kwargs)
    return out.getvalue()


def upload(name="shot.png", data=None, content_type="image/png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, image_bytes() if data is None else data, content_type=content_type)


def three_screenshots():
    return [
        (Evidence.Kind.ORDER, upload("order.png")),
        (Evidence.Kind.LOGISTICS, upload("logistics.png", image_bytes(text="SF1234567890123"))),
        (Evidence.Kind.REFUND_RECEIPT, upload("receipt.jpg", image_bytes("JPEG"), "image/jpeg")),
    ]


def refund_freeze(amount=Decimal("599.00"), customer=None, limit=Decimal("10000.00")):
    """A customer with a normal refund freeze, made through the ledger services."""
    account = make_account(limit, customer=customer or CustomerFactory())
    order = make_order(account, amount)
    return make_refund(order).freezes.get()


def submit_appeal(*, assessed=True, **kwargs):
    """File through the service; `assessed`: then do what the worker does once it has read the
    screenshots (decide.appeal_review_evidence assesses the risk), so staff may decide it. These
    tests do not commit, so the worker's task never runs."""
    appeal = submit.appeal_submit(**kwargs)
    if assessed:
        steps.appeal_assess_risk(appeal)
    return appeal


def file_appeal(freeze=None, files=None, assessed=True, **kwargs):
    freeze = freeze or refund_freeze()
    order = freeze.refund.order
    return submit_appeal(
        customer=freeze.account.customer, freeze_id=freeze.pk, order_number=order.number,
        tracking_number=freeze.refund.tracking_number, description="我的订单已退货,请协助解冻",
        files=three_screenshots() if files is None else files, assessed=assessed, **kwargs,
    )

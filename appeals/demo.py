"""Demo appeals on top of the demo credit data (accounts.demo): one waiting in the queue past
its due time, one escalated to the supervisor because the account is banned, one whose
screenshots match (the worker approves it straight through) and one with a doctored receipt
(held with a ✗ on the amount)."""

from datetime import timedelta
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import Freeze, User

from . import demo_images
from .models import Appeal, Evidence
from .workflow import review, submit


def _shot(name: str, data: bytes):
    return SimpleUploadedFile(name, data, content_type="image/png")


def _file(username: str, *, extra=None, description: str, days_ago: int = 0, receipt_amount=None) -> Appeal:
    customer = User.objects.get(username=username)
    freeze = Freeze.objects.select_related("refund__order").filter(
        account__customer=customer, status=Freeze.Status.ACTIVE, refund__isnull=False
    ).order_by("created_at").first()
    refund = freeze.refund
    files = [
        (Evidence.Kind.ORDER, _shot("order.png", demo_images.order_screenshot(refund.order))),
        (Evidence.Kind.LOGISTICS, _shot("logistics.png", demo_images.logistics_screenshot(refund))),
        (Evidence.Kind.REFUND_RECEIPT, _shot("receipt.png", demo_images.refund_receipt(refund,
                                                                                      amount=receipt_amount))),
        *(extra or []),
    ]
    # Replaying history: the demo appeal may have been filed days ago (timestamps only, no money involved).
    return submit.appeal_submit(
        customer=customer, freeze_id=freeze.pk, order_number=refund.order.number,
        tracking_number=refund.tracking_number, amount=freeze.amount, description=description, files=files,
        filed_at=timezone.now() - timedelta(days=days_ago) if days_ago else None,
    )


def seed_appeals(created_now: set[str]) -> None:
    """Appeals for the demo customers created in this run (an existing demo is left alone)."""
    if "takeaway" in created_now:
        order = Freeze.objects.get(account__customer__username="takeaway").refund.order
        proof = _shot("platform.png", demo_images.render("外卖平台退款", [
            ("退款状态", "退款成功"), ("订单号", order.number), ("退款金额", f"¥{order.amount}")]))
        _file("takeaway", days_ago=6, extra=[(Evidence.Kind.PLATFORM_PROOF, proof)],
              description=f"我的订单{order.number}号已退货,系统显示冻结{order.amount}元,请协助解冻。外卖平台已退款,见截图。")
    for username, receipt_amount in (("clean", None), ("doctored", Decimal("489.00"))):
        if username in created_now:
            order = Freeze.objects.get(account__customer__username=username).refund.order
            _file(username, receipt_amount=receipt_amount,
                  description=f"我的订单{order.number}号已退货,系统显示冻结{order.amount}元,请协助解冻")
    if "burst" in created_now:
        appeal = _file("burst", description="我没有套现,退货都是正常的,请协助解冻")
        agent = User.objects.get(username="agent2")
        review.appeal_claim(appeal_id=appeal.pk, actor=agent)
        review.appeal_escalate(appeal_id=appeal.pk, actor=agent,
                                 note="5 returns in one day, goods do not match, virtual address; banned account")

"""Phone-style screenshots of a record drawn with Pillow, for the demo data (and the fonts that the
sample generators in samples/ use)."""

import io
from datetime import timedelta
from functools import lru_cache
from pathlib import Path

from django.utils import timezone
from PIL import Image, ImageDraw, ImageFont

CJK_FONTS = [
    Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
    Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"),
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
]


WIDTH, HEIGHT = 585, 1266


@lru_cache(maxsize=8)
def font(size: int) -> ImageFont.ImageFont:
    """A CJK font when the machine has one (Debian: fonts-wqy-microhei); Pillow's own otherwise."""
    for path in CJK_FONTS:
        if path.exists():
            return ImageFont.truetype(str(path), size)
    return ImageFont.load_default(size)


def render(title: str, lines: list[tuple[str, str]], *, accent=(254, 44, 85), size=(WIDTH, HEIGHT)) -> bytes:
    """A white app page: a coloured title bar and label/value rows; returns PNG bytes."""
    image = Image.new("RGB", size, (246, 246, 246))
    draw = ImageDraw.Draw(image)
    scale = size[0] / WIDTH
    draw.rectangle((0, 0, size[0], int(110 * scale)), fill=accent)
    draw.text((int(24 * scale), int(40 * scale)), title, font=font(int(34 * scale)), fill="white")
    y = int(150 * scale)
    for label, value in lines:
        draw.rounded_rectangle((int(16 * scale), y, size[0] - int(16 * scale), y + int(86 * scale)),
                               radius=int(12 * scale), fill="white")
        draw.text((int(32 * scale), y + int(12 * scale)), label, font=font(int(22 * scale)), fill=(120, 120, 120))
        draw.text((int(32 * scale), y + int(42 * scale)), value, font=font(int(30 * scale)), fill=(20, 20, 20))
        y += int(100 * scale)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def order_screenshot(order) -> bytes:
    return render("订单详情", [
        ("订单编号", order.number), ("商品", order.item_name), ("实付款", f"¥{order.amount}"),
        ("支付方式", "月付"), ("下单时间", f"{timezone.localtime(order.created_at):%Y-%m-%d %H:%M}"),
    ])


def logistics_screenshot(refund) -> bytes:
    signed = max(refund.created_at - timedelta(hours=20), refund.order.created_at)
    return render("退货物流", [
        ("运单号", refund.tracking_number or "—"), ("物流状态", "已签收"),
        ("签收时间", f"{timezone.localtime(signed):%Y-%m-%d %H:%M}"),
        ("退货商品", refund.returned_item_name), ("寄回地址", refund.return_address[:18]),
    ], accent=(22, 119, 255))


def refund_receipt(refund, *, amount=None) -> bytes:
    """`amount` other than the refund's draws a doctored receipt (for the demo's ✗ case)."""
    return render("退款详情", [
        ("退款状态", "退款成功"), ("退款金额", f"¥{amount or refund.amount:,}"), ("订单编号", refund.order.number),
        ("退款时间", f"{timezone.localtime(refund.created_at):%Y-%m-%d %H:%M}"), ("退回至", "月付额度"),
    ], accent=(82, 196, 26))

"""Phone screenshots with known ground truth, for the OCR tests and bench/ocr_accuracy.py.

`make_case(seed)` draws one app page as a customer would upload it: an order (订单详情), a return's
logistics (退货物流) or a refund receipt (退款详情), 1170 px wide like an iPhone screenshot, with a
coloured header, white cards, label/value rows, photo-like blocks and distracting numbers (shop
prices, phone numbers, refund numbers). It then degrades it as a re-shared screenshot is: a slight
rotation, light Gaussian noise and JPEG re-encoding. Everything follows from the seed.

`tamper(case, field)` is the same screenshot with exactly one digit of the order number, the amount
or the tracking number changed wherever it is shown; its `truth` still holds the record's values.

    python -m samples 1 2 3 --out /tmp/shots   # look at a few
"""

import io
import math
import random
from dataclasses import dataclass, field, replace
from decimal import Decimal

import numpy as np
from PIL import Image

from .apps import RENDERERS
from .content import KINDS, LABEL_CARRIERS, PRIMARY_FIELD, TAMPER_FIELDS, WIDTH, money_text, spec_for
from .page import Page

__all__ = ["KINDS", "PRIMARY_FIELD", "TAMPER_FIELDS", "WIDTH", "Case", "make_case", "render_page", "shown_values",
           "spec_for", "tamper"]


@dataclass(frozen=True)
class Case:
    seed: int
    kind: str  # "order" | "logistics" | "refund_receipt"
    image_bytes: bytes  # JPEG
    truth: dict  # the record (see _truth); a tampered twin keeps the original values
    shown: dict  # what the image shows: order_number, amount (this kind's), tracking_number
    texts: tuple[str, ...]  # every text drawn, in drawing order
    tampered: str | None = None  # the field changed by tamper(), None for a genuine screenshot
    spec: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def field(self) -> str:
        """The field the bench checks on this kind of screenshot."""
        return PRIMARY_FIELD[self.kind]

    def shown_text(self, field: str) -> str:
        """The field as drawn on the screenshot (an amount with its ¥ and separators)."""
        return money_text(self.shown[field], self.spec) if field == "amount" else str(self.shown[field])


def _degrade(image: Image.Image, spec: dict) -> bytes:
    """Rotate slightly (white fill, canvas expanded), scale back to 1170 wide — one affine resampling,
    as Image.rotate(expand=True) then resize() would do in two — add Gaussian noise, save as JPEG."""
    w, h = image.size
    angle = math.radians(spec["angle"])
    cos, sin = math.cos(angle), math.sin(angle)
    expanded_w, expanded_h = w * abs(cos) + h * abs(sin), w * abs(sin) + h * abs(cos)
    scale = WIDTH / expanded_w
    height = round(expanded_h * scale)
    # output pixel (u, v) → expanded canvas (u / scale, v / scale) → rotated back about the centres
    a, b, c, d = cos / scale, -sin / scale, sin / scale, cos / scale
    ex, ey = expanded_w / 2, expanded_h / 2
    matrix = (a, b, w / 2 - cos * ex + sin * ey, c, d, h / 2 - sin * ex - cos * ey)
    rotated = image.transform((WIDTH, height), Image.Transform.AFFINE, matrix, resample=Image.Resampling.BILINEAR,
                              fillcolor="white")
    noise = np.random.default_rng(spec["noise_seed"]).standard_normal((height, WIDTH, 1), dtype=np.float32)
    pixels = np.asarray(rotated, dtype=np.float32)
    pixels += noise * np.float32(spec["noise"])
    out = io.BytesIO()
    Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8), "RGB").save(out, "JPEG", quality=spec["quality"])
    return out.getvalue()


def _render(spec: dict, shown: dict) -> tuple[bytes, tuple[str, ...]]:
    page = Page(spec, shown)
    RENDERERS[spec["kind"]](page)
    return _degrade(page.image, spec), tuple(page.texts)


def shown_values(spec: dict) -> dict:
    truth = spec["truth"]
    return {"order_number": truth["order_number"], "amount": truth["amount"],
            "tracking_number": truth["tracking_number"],
            # the goods' price (product line, 商品总价): when it equals the amount (no shipping, no discount,
            # whole refund) it is the same figure, so a tampered amount is tampered there too
            "product_price": money_text(spec["price"], spec)}


def make_case(seed: int) -> Case:
    """A genuine screenshot; kinds cycle with the seed (order, logistics, refund receipt)."""
    spec = spec_for(seed)
    shown = shown_values(spec)
    image, texts = _render(spec, shown)
    return Case(seed, spec["kind"], image, spec["truth"], shown, texts, None, spec)


def _change_digit(rng, text: str, positions: list[int]) -> str:
    index = rng.choice(positions)
    first = index == min(positions)
    new = rng.choice([d for d in ("123456789" if first else "0123456789") if d != text[index]])
    return text[:index] + new + text[index + 1:]


def tamper(case: Case, field: str | None = None) -> Case:
    """The same screenshot with one digit of `field` changed wherever it is shown (default: the field
    the bench checks for this kind). The truth stays the record's."""
    field = field or PRIMARY_FIELD[case.kind]
    if field not in TAMPER_FIELDS[case.kind]:
        raise ValueError(f"a {case.kind} screenshot does not show {field}")
    spec, shown = case.spec, dict(case.shown)
    rng = random.Random(f"{case.seed}:{field}")
    value = str(shown[field])
    if field == "amount":
        text = money_text(shown["amount"], spec)
        digits = [i for i, char in enumerate(text) if char.isdigit()]
        changed = _change_digit(rng, text, digits)
        shown["amount"] = Decimal(changed.lstrip("¥￥").replace(",", ""))
        if shown["product_price"] == text:
            shown["product_price"] = changed
    elif field == "order_number":
        shown["order_number"] = _change_digit(rng, value, list(range(2, len(value))))
    else:
        carrier = case.truth["carrier"]
        digits = [i for i, char in enumerate(value) if char.isdigit()]
        if carrier in LABEL_CARRIERS and value.isdigit():
            digits = digits[2:]  # keep the carrier's leading digits: a forger keeps the format
        shown["tracking_number"] = _change_digit(rng, value, digits)
    image, texts = _render(spec, shown)
    return replace(case, image_bytes=image, shown=shown, texts=texts, tampered=field)

"""Appeals whose screenshots look like the real apps': the order, the return's tracking and the refund
receipt rendered by a real browser (chromium) from HTML/CSS — several CJK fonts, light and dark,
phone sizes of iPhones and Androids, two-column label/value rows, courier timelines without a
year, distractor numbers (退款编号, outbound waybill, coupons, shipping, struck-through prices,
other orders, phone numbers) — then degraded as uploads are (chat-app recompression, crops, a
screenshot of a screenshot, blur, HEIC).

    with Browser() as browser:
        appeal = make_appeal(7, browser)        # three genuine screenshots of one record
        twin = tamper(appeal, browser)          # one value changed on one of them
        pdf = receipt_pdf(appeal, browser)      # the refund receipt as an A4 PDF

    python -m samples.rendered 1 2 3 --out /tmp/shots   # look at a few

Everything follows from the seed; a tampered twin is the same appeal drawn the same way with one
value changed wherever its page shows it."""

import random
from dataclasses import dataclass, field, replace
from decimal import Decimal

from . import degrade
from .browser import Browser
from .pages import PAGES, money, receipt_page, viewport
from .record import GOODS, Record, Style, record_for, style_for

__all__ = ["KINDS", "TAMPER_FIELDS", "Browser", "RenderedAppeal", "Shot", "make_appeal", "receipt_pdf", "tamper"]

KINDS = ("order", "logistics", "refund_receipt")  # Evidence.Kind values
TAMPER_FIELDS = {"order_number": "order", "item_name": "order", "tracking_number": "logistics",
                 "refund_amount": "refund_receipt"}


@dataclass(frozen=True)
class Shot:
    kind: str
    upload: bytes  # what the customer uploads
    format: str  # "PNG", "JPEG" or "HEIF"
    degradation: str  # degrade.KINDS
    shown: dict  # what the page displays of the record


@dataclass(frozen=True)
class RenderedAppeal:
    seed: int
    record: Record
    style: Style
    shots: dict  # kind → Shot
    tampered: str | None = None  # the field a twin changed
    plans: dict = field(default_factory=dict, repr=False)  # kind → degradation plan


def _shown(record: Record) -> dict:
    return {"order_number": record.order_number, "item_name": record.item_name,
            "tracking_number": record.tracking_number, "refund_amount": record.refund_amount}


def _shot(browser: Browser, kind: str, record: Record, style: Style, shown: dict, plan: dict) -> Shot:
    png = browser.screenshot(PAGES[kind](record, style, shown), viewport(style), style.dark)
    upload, fmt = degrade.apply(png, plan)
    return Shot(kind, upload, fmt, plan["kind"], shown)


def make_appeal(seed: int, browser: Browser) -> RenderedAppeal:
    rng = random.Random(f"rendered:{seed}")
    record, style = record_for(rng), style_for(rng)
    plans = {kind: degrade.choose(rng) for kind in KINDS}
    shots = {kind: _shot(browser, kind, record, style, _shown(record), plans[kind]) for kind in KINDS}
    return RenderedAppeal(seed, record, style, shots, None, plans)


def _change_digit(rng: random.Random, text: str, keep: int) -> str:
    positions = [i for i, char in enumerate(text) if char.isdigit() and i >= keep]
    index = rng.choice(positions)
    new = rng.choice([d for d in "0123456789" if d != text[index] and (d != "0" or index > keep)])
    return text[:index] + new + text[index + 1:]


def _tampered_value(appeal: RenderedAppeal, name: str, rng: random.Random):
    record = appeal.record
    if name == "order_number":
        return _change_digit(rng, record.order_number, 2)
    if name == "tracking_number":
        number = record.tracking_number
        letters = len(number) - len(number.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
        return _change_digit(rng, number, 2 if number.isdigit() else letters)
    if name == "item_name":
        return rng.choice([name for name, _variant, sku in GOODS if sku != record.item_sku])
    text = f"{record.refund_amount:.2f}"
    return Decimal(_change_digit(rng, text, 0))


def tamper(appeal: RenderedAppeal, browser: Browser, field_name: str | None = None) -> RenderedAppeal:
    """The same appeal with one value changed on the page that shows it (by default the field
    cycles with the seed: order number, item, tracking number, refund amount)."""
    name = field_name or list(TAMPER_FIELDS)[appeal.seed % len(TAMPER_FIELDS)]
    kind = TAMPER_FIELDS[name]
    rng = random.Random(f"tamper:{appeal.seed}:{name}")
    shown = dict(appeal.shots[kind].shown, **{name: _tampered_value(appeal, name, rng)})
    if name == "refund_amount" and appeal.record.order_amount == appeal.record.refund_amount:
        shown["product_price"] = money(shown["refund_amount"], appeal.style)  # the same figure, changed too
    shot = _shot(browser, kind, appeal.record, appeal.style, shown, appeal.plans[kind])
    return replace(appeal, shots={**appeal.shots, kind: shot}, tampered=name)


def receipt_pdf(appeal: RenderedAppeal, browser: Browser) -> bytes:
    """The refund receipt as the app's "download receipt" gives it: an A4 PDF, light mode."""
    style = replace(appeal.style, dark=False, size=max(appeal.style.size, 16))
    return browser.pdf(receipt_page(appeal.record, style, _shown(appeal.record)))


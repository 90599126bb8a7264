"""The item check: the order screenshot shows the item ordered, by its SKU or its name. Shops
print long titles that the page cuts (蓝牙耳机 Pro 主动降…) or wraps over two lines, and prefix
tags (【官方正品】); the record may hold a shorter or a longer name than the page. So the name's
first characters are looked for anywhere on a line (or two lines joined), allowing a misread
character: ✓ when they are there; ✗ when the screenshot is this order's page (it shows the order
number, and order pages always show their goods) and nothing on it comes close; "?" in between, or
when the screenshot is not recognisably this order's page."""

import re
from difflib import SequenceMatcher

from accounts.models import Order

from ..models import Evidence
from .check import CONTRADICTS, MATCH, NOT_FOUND, Check, facts_of, lines_of
from .facts.text import narrow

PREFIX = 8  # characters of the name compared: what a cut title still shows
ENOUGH = 4  # fewer characters shown than this (and not the whole name) can only be "?"
SHOWN, UNLIKE = 0.75, 0.5  # share of those characters read: at least SHOWN is ✓, under UNLIKE on the order's page ✗
_NOT_WORD = re.compile(r"[\W_]+")
_CUT = re.compile(r"(?:…|\.{2,}|。{2,})\s*$")


def _normal(text: str) -> str:
    return _NOT_WORD.sub("", narrow(text)).lower()


def _score(name: str, text: str) -> tuple[float, bool]:
    """Share of the name's first characters found, in order, within a window of the text; and
    whether enough of it was compared. A cut title ("蓝牙耳机 Pro…") is compared as far as it goes."""
    shown = _normal(text)
    wanted = name[:min(PREFIX, len(shown))] if _CUT.search(text) else name[:PREFIX]
    if not wanted:
        return 0.0, False
    width = len(wanted) + 2
    best = 0
    for start in range(max(1, len(shown) - width + 1)):
        blocks = SequenceMatcher(None, wanted, shown[start:start + width], autojunk=False).get_matching_blocks()
        best = max(best, sum(block.size for block in blocks))
        if best == len(wanted):
            break
    return best / len(wanted), len(wanted) >= min(ENOUGH, len(name))


def _cjk(text: str) -> int:
    return sum("\u4e00" <= char <= "\u9fff" for char in text)


def _best_line(items: list[Evidence], name: str) -> tuple[float, bool, Evidence | None, int | None, str]:
    """The line (alone, or with the next one: wrapped titles) most like the name; among equally
    unlike ones the wordiest, as titles are."""
    best, rank = (0.0, False, None, None, ""), (-1.0, False, -1.0, -1)
    for item in items:
        lines = lines_of(item)
        for index, line in enumerate(lines):
            alone = _score(name, line)
            wrapped = _score(name, line + lines[index + 1]) if index + 1 < len(lines) else alone
            score, enough = max(alone, wrapped)
            if (score, enough, alone[0], _cjk(line)) > rank:
                best, rank = (score, enough, item, index, line), (score, enough, alone[0], _cjk(line))
    return best


def item_shown(items: list[Evidence], order: Order) -> Check:
    expected = f"{order.item_name} ({order.item_sku})" if order.item_sku else order.item_name
    sku = _normal(order.item_sku)
    if len(sku) >= 4:
        for item in items:
            for index, line in enumerate(lines_of(item)):
                if sku in _normal(line):
                    return Check("order_item", MATCH, expected, line, item.pk, index)
    score, enough, item, index, line = _best_line(items, _normal(order.item_name))
    if score >= SHOWN and enough:
        return Check("order_item", MATCH, expected, line, item.pk, index)
    on_its_page = any(fact.value == order.number for _item, fact in facts_of(items, "order_number"))
    if not on_its_page:
        return Check("order_item", NOT_FOUND, expected, reason="not_the_order_page")
    if score < UNLIKE:
        return Check("order_item", CONTRADICTS, expected, line, item.pk if item else None, index)
    return Check("order_item", NOT_FOUND, expected, line, item.pk, index, "item_unclear")

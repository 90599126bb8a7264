"""Refund and logistics statuses (退款成功, 已签收 …) in canonical words."""

import re
from collections.abc import Iterator

from .text import STATUS, Candidate, spaced

_STATUS_WORDS = {
    "退款成功": "refunded", "已退款": "refunded", "退款完成": "refunded", "退款已到账": "refunded",
    "退款中": "refund_pending", "退款处理中": "refund_pending",
    "已签收": "delivered", "签收成功": "delivered",
    "退货": "returned", "已退货": "returned", "退货成功": "returned",
    "运输中": "in_transit", "已揽收": "in_transit", "派送中": "in_transit",
    "退款关闭": "refund_failed", "退款失败": "refund_failed",
}
# Longest first, so 退款失败 is read whole and never also as a refund.
_STATUS = re.compile("|".join(f"(?P<s{i}>{spaced(word)})" for i, word in enumerate(
    sorted(_STATUS_WORDS, key=len, reverse=True))))
_STATUS_BY_GROUP = {f"s{i}": _STATUS_WORDS[word] for i, word in enumerate(
    sorted(_STATUS_WORDS, key=len, reverse=True))}
# A bare 退货 is a status only when it is not part of a return's paperwork or a shop's promise:
# 退货地址, 退货单号, 七天无理由退货, 申请退货 appear on screenshots of goods never sent back.
_NOT_RETURNED_BEFORE = ("申请", "未", "待", "理由", "支持", "可", "如需", "发起")
_NOT_RETURNED_AFTER = ("地址", "单号", "运单", "物流", "快递", "方式", "原因", "说明", "须知", "政策", "退款",
                       "申请", "中", "商品", "数量", "金额", "进度", "详情", "信息", "时间", "凭证")


def status_candidates(line: str) -> Iterator[Candidate]:
    for match in _STATUS.finditer(line):
        value = _STATUS_BY_GROUP[match.lastgroup]
        if match[0].replace(" ", "") == "退货":
            before = line[:match.start()].replace(" ", "")
            after = line[match.end():].replace(" ", "")
            if before.endswith(_NOT_RETURNED_BEFORE) or after.startswith(_NOT_RETURNED_AFTER):
                continue
        if value == "refund_pending" and line[match.end():].lstrip().startswith("心"):
            continue  # 退款中心 is a menu entry
        yield Candidate(match.start(), match.end(), STATUS, value, 1)

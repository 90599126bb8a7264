"""A platform that talks to Appeal Desk through its real HTTP API, for the demo and for newcomers:
customers, purchases, refunds (some with mismatched goods or addresses), an external food-delivery
refund synced later, the return parcels' logistics, bills with an overdue streak. Freezes appear on
the limit page at once; those whose date has passed are released by the next timer run."""

import json
import random
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

CHINA = timezone(timedelta(hours=8))
ITEMS = [("蓝牙耳机 Pro", "SKU-EAR-PRO", "599.00"), ("羽绒服 黑色 L", "SKU-COAT-BL", "1200.00"),
         ("电热水壶", "SKU-KETTLE", "159.00"), ("运动鞋 42码", "SKU-SHOE-42", "329.00"),
         ("双肩包", "SKU-BAG-01", "459.00"), ("手机壳", "SKU-CASE", "89.90")]
ADDRESSES = ["上海市浦东新区世纪大道100号", "北京市朝阳区建国路88号", "广州市天河区体育西路191号"]
CARRIERS = [("顺丰速运", "SF"), ("中通快递", "ZTO"), ("圆通速递", "YT")]


@dataclass
class Call:
    method: str
    path: str
    status: int
    body: dict
    replayed: bool = False


@dataclass
class Platform:
    """The HTTP side: bearer key, a fresh Idempotency-Key per POST (or the one given, for a retry)."""

    base_url: str
    key: str
    delay: float = 0.0
    echo: callable = print
    calls: list[Call] = field(default_factory=list)

    def request(self, method: str, path: str, body: dict | None = None, idempotency_key: str | None = None) -> Call:
        headers = {"Authorization": f"Bearer {self.key}", "Content-Type": "application/json"}
        if method == "POST":
            headers["Idempotency-Key"] = idempotency_key or uuid.uuid4().hex
        data = json.dumps(body or {}).encode() if method == "POST" else None
        request = urllib.request.Request(f"{self.base_url}/api/v1{path}", data=data, headers=headers, method=method)  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - our own base URL
                status, raw, replayed = response.status, response.read(), response.headers.get("Idempotent-Replayed")
        except urllib.error.HTTPError as exc:
            status, raw, replayed = exc.code, exc.read(), None
        call = Call(method, path, status, json.loads(raw or b"{}"), bool(replayed))
        self.calls.append(call)
        detail = call.body.get("code", "") if status >= 400 else ""
        self.echo(f"{method:4} {path:<40} {status} {detail}{' (replayed)' if call.replayed else ''}")
        time.sleep(self.delay)
        return call

    def post(self, path, body, **kwargs) -> Call:
        return self.request("POST", path, body, **kwargs)


def _at(days_ago: float) -> str:
    return (datetime.now(CHINA) - timedelta(days=days_ago)).isoformat(timespec="seconds")


class Stream:
    """The scenario: every id is fresh (a run never collides with an earlier one)."""

    def __init__(self, platform: Platform, seed: int | None = None):
        self.platform, self.rng = platform, random.Random(seed)
        self.tag = f"{int(time.time()) % 10**9:09d}"
        self.count = 0

    def _id(self, prefix: str, digits: int = 0) -> str:
        self.count += 1
        number = f"{self.tag}{self.count:04d}"
        return f"{prefix}{number.zfill(digits)}" if digits else f"{prefix}-{number}"

    def customer(self, name: str, limit: str) -> str:
        external_id = self._id("SIM")
        phone = f"13{self.rng.randrange(10**8, 10**9)}"
        self.platform.post("/customers", {"external_id": external_id, "phone": phone, "name": name,
                                          "opening_limit": limit})
        return external_id

    def purchase(self, customer: str, days_ago: float, item=None, platform: str = "mall") -> dict:
        name, sku, amount = item or self.rng.choice(ITEMS)
        order = {"order_number": self._id("DY", 17), "customer": customer, "amount": amount, "item_name": name,
                 "item_sku": sku, "delivery_address": ADDRESSES[0], "platform": platform,
                 "occurred_at": _at(days_ago)}
        self.platform.post("/orders", order)
        return order

    def refund(self, order: dict, days_ago: float, *, amount=None, synced=True, **differences) -> dict:
        carrier, prefix = self.rng.choice(CARRIERS)
        refund = {"refund_id": self._id("RF"), "order_number": order["order_number"],
                  "amount": amount or order["amount"], "returned_item_name": order["item_name"],
                  "returned_item_sku": order["item_sku"], "return_address": order["delivery_address"],
                  "tracking_number": "" if not synced else f"{prefix}{self.rng.randrange(10**12, 10**13)}",
                  "platform_synced": synced, "occurred_at": _at(days_ago), **differences}
        self.platform.post("/refunds", refund)
        refund["carrier"] = carrier
        return refund

    def parcel(self, refund: dict, days_ago: float) -> None:
        for step, status in enumerate(("picked_up", "in_transit", "delivered")):
            self.platform.post("/logistics", {"refund_id": refund["refund_id"], "carrier": refund["carrier"],
                                              "tracking_number": refund["tracking_number"], "status": status,
                                              "occurred_at": _at(days_ago - step * 0.5)})

    def overdue_streak(self, customer: str, months: int = 3) -> None:
        today = date.today()
        for back in range(months, 0, -1):
            due = (today.replace(day=1) - timedelta(days=30 * back - 14)).replace(day=10)
            self.platform.post("/bills", {"customer": customer, "due_on": due.isoformat(), "amount": "300.00"})
            self.platform.post("/bills/overdue", {"customer": customer, "due_on": due.isoformat()})


def run(platform: Platform, *, seed: int | None = None, demo_customer: str = "U13800138000",
        demo_takeaway_refund: str = "ELM-RF-20261110-0001") -> list[Call]:
    """The whole stream; returns every call made."""
    s = Stream(platform, seed)
    # A new customer: a normal refund six days ago (its three business days are over: the next timer
    # run releases it), a partial refund today, and a return of another item than the one ordered.
    alice = s.customer("张伟", "8000.00")
    normal = s.refund(s.purchase(alice, 10), 6)
    s.parcel(normal, 6)
    s.refund(s.purchase(alice, 3, item=ITEMS[1]), 0, amount="300.00")
    s.refund(s.purchase(alice, 2), 0, returned_item_name="旧手机壳", returned_item_sku="SKU-JUNK")
    # A retry with the same Idempotency-Key is answered from the first response.
    order = {**s.purchase(alice, 1, item=ITEMS[5])}
    retry_key = uuid.uuid4().hex
    repay = {"customer": alice, "amount": "89.90", "note": f"repayment of {order['order_number']}"}
    platform.post("/repayments", repay, idempotency_key=retry_key)
    platform.post("/repayments", repay, idempotency_key=retry_key)
    # The demo customer (log in as `demo`): a refund whose parcel the carrier reports.
    demo_refund = s.refund(s.purchase(demo_customer, 5), 4)
    s.parcel(demo_refund, 4)
    # A food-delivery refund the external platform has not confirmed: held until it syncs.
    bob = s.customer("外卖用户", "3000.00")
    takeaway = s.refund(s.purchase(bob, 9, ("外卖 麻辣香锅套餐", "SKU-FOOD-01", "86.50"), "food_delivery"), 8,
                        synced=False)
    platform.request("GET", f"/customers/{bob}/credit")
    # Three overdue bills in a row cut the limit; a purchase beyond what is left is refused.
    carol = s.customer("逾期用户", "5000.00")
    s.purchase(carol, 20, item=ITEMS[1])
    s.overdue_streak(carol)
    s.purchase(carol, 0, item=("羽绒服 黑色 L", "SKU-COAT-BL", "9000.00"))
    # Later: the food-delivery platforms confirm (the demo's takeaway customer too, if seeded).
    platform.post(f"/refunds/{takeaway['refund_id']}/synced", {})
    platform.post(f"/refunds/{demo_takeaway_refund}/synced", {})
    platform.request("GET", f"/customers/{bob}/credit")
    platform.request("GET", "/events?after=0&limit=20")
    return platform.calls

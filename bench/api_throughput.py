"""API throughput: refunds recorded through POST /api/v1/refunds, and idempotent replays of them, on
gunicorn against a bare ninja endpoint on the same server that parses the same body with the same
schema and inserts one row (bench/urls.py).

    .venv/bin/python bench/api_throughput.py [--smoke] [--json out.json] [--seconds 12]

gunicorn config.wsgi, 2 sync workers, production settings (bench/settings.py), the Python keep-alive
load generator (bench/serving.py; 4 connections), rounds alternating bare / API. Every API request
is a new refund (its own platform refund id and Idempotency-Key) of its own customer's order, so the
risk rules see an ordinary refund; the replay rounds send the same requests again (same key, same
body) and every answer must carry Idempotent-Replayed. Targets: refunds/s ≥ 0.30 × bare; replays/s
≥ 0.8 × bare; no non-2xx; afterwards one refund, one freeze and one ledger entry per request
accepted, and the ledger clean.
"""

import itertools
import json
import secrets
import sys
import threading
from decimal import Decimal

import common
import serving

NAME = "api_throughput"
SECRET = "bench-" + secrets.token_hex(24)
REFUND_TARGET, REPLAY_TARGET = 0.30, 0.80


def build(customers: int) -> tuple[str, list[str]]:
    """A client key and `customers` customers, each with one order of its own (through the services)."""
    from accounts.services import ledger
    from accounts.tests.factories import CustomerFactory
    from integrations.models import ApiClient, Scope

    client = ApiClient(name="bench", scopes=list(Scope.values), rate_limit_per_minute=10**7)
    key = client.set_new_key()
    client.save()
    orders = []
    for i in range(customers):
        account = ledger.account_open(customer=CustomerFactory(username=f"api{i}", external_id=f"B{i:06d}"),
                                      limit=Decimal("5000.00"))
        orders.append(ledger.order_purchase(account=account, number=f"DY{i:017d}", amount=Decimal("599.00"),
                                            item_name="蓝牙耳机 Pro", item_sku="SKU-EAR-PRO",
                                            delivery_address="上海市浦东新区世纪大道100号").number)
    common.verify_ledger()
    return key, orders


def refund_body(number: str, refund_id: str) -> bytes:
    return json.dumps({"refund_id": refund_id, "order_number": number, "amount": "599.00",
                       "returned_item_name": "蓝牙耳机 Pro", "returned_item_sku": "SKU-EAR-PRO",
                       "return_address": "上海市浦东新区世纪大道100号", "tracking_number": "SF1402938475610"}).encode()


class Requests:
    """Thread-safe supplies of requests: new refunds (each order once), replays of those sent, bare ones."""

    def __init__(self, key: str, orders: list[str]):
        self.headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
        self.orders, self.sent, self.lock = iter(orders), [], threading.Lock()
        self.replays, self.bare_ids = None, itertools.count()

    def new_refund(self):
        with self.lock:
            number = next(self.orders, None)
            if number is None:
                return None
            item = ("POST", "/api/v1/refunds", {**self.headers, "Idempotency-Key": f"k-{number}"},
                    refund_body(number, f"RF-{number}"))
            self.sent.append(item)
            return item

    def replay(self):
        with self.lock:
            self.replays = self.replays or itertools.cycle(list(self.sent))
            return next(self.replays)

    def bare(self):
        with self.lock:
            n = next(self.bare_ids)
        return ("POST", "/bench/bare/refunds", {"Content-Type": "application/json"}, refund_body(f"X{n}", f"BR-{n}"))


def replayed(status, headers, body) -> bool:
    return status == 201 and headers.getheader("Idempotent-Replayed") == "true"


def run(port: int, supply: Requests, args) -> dict:
    serving.load(port, supply.bare, 1.0)  # warm both workers
    runs = {"bare": [], "refunds": [], "bare (replay rounds)": [], "replays": []}
    each = args.seconds / args.rounds
    for _round in range(args.rounds):
        runs["bare"].append(serving.load(port, supply.bare, each))
        runs["refunds"].append(serving.load(port, supply.new_refund, each,
                                            check=lambda status, headers, body: status == 201))
    for _round in range(args.rounds):
        runs["bare (replay rounds)"].append(serving.load(port, supply.bare, each))
        runs["replays"].append(serving.load(port, supply.replay, each, check=replayed))
    return runs


def rate(runs) -> float:
    return sum(r["requests"] for r in runs) / sum(r["seconds"] for r in runs)


def main() -> int:
    p = common.parser(__doc__)
    p.add_argument("--seconds", type=float, default=12.0, help="load time per side (split in rounds)")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--customers", type=int, default=4000, help="orders available to refund (each refunded once)")
    args = p.parse_args()
    if args.smoke:
        args.seconds, args.rounds, args.customers = 1.0, 1, 150
    url = common.bootstrap(NAME)
    from django.db import connection

    key, orders = build(args.customers)
    connection.close()
    supply = Requests(key, orders)
    # No worker consumes in the bench: an in-memory broker per web process takes the commits' delivery runs.
    env = serving.server_env(url, SECRET, CELERY_BROKER_URL="memory://")
    with serving.gunicorn(env, log_name="gunicorn-api.log") as port:
        runs = run(port, supply, args)
    accepted = sum(r["requests"] - r["non_2xx"] for r in runs["refunds"])
    failures = sum(r["non_2xx"] + r["socket_errors"] for side in runs.values() for r in side)
    from accounts.models import Freeze, LedgerEntry, Refund

    booked = (Refund.objects.count(), Freeze.objects.count(), LedgerEntry.objects.filter(kind="refund").count())
    common.verify_ledger()
    exhausted = len(supply.sent) >= len(orders)
    refunds, bare, replays, bare2 = (rate(runs[k]) for k in ("refunds", "bare", "replays", "bare (replay rounds)"))
    clean = failures == 0 and booked == (accepted,) * 3 and not exhausted
    note = f"2 workers, {failures} errors/non-2xx, {accepted} refunds booked once each" + (
        "; ran out of orders: raise --customers" if exhausted else "")
    rows = [
        common.row("refunds through the API on gunicorn (÷ bare ninja endpoint)", measured=refunds, baseline=bare,
                   ratio=refunds / bare, target=f"≥ {REFUND_TARGET}", passed=refunds / bare >= REFUND_TARGET and clean,
                   unit="req/s", note=note),
        common.row("idempotent replays on gunicorn (÷ bare ninja endpoint)", measured=replays, baseline=bare2,
                   ratio=replays / bare2, target=f"≥ {REPLAY_TARGET}",
                   passed=replays / bare2 >= REPLAY_TARGET and clean,
                   unit="req/s", note=f"every answer Idempotent-Replayed; {failures} errors/non-2xx"),
    ]
    return common.emit(args, NAME, rows, {"runs": runs, "booked": booked})


if __name__ == "__main__":
    sys.exit(main())

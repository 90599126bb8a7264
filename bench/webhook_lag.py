"""Webhook lag: from the commit of a change to the signed request arriving at a receiver, at a steady
50 events per second.

    .venv/bin/python bench/webhook_lag.py [--smoke] [--json out.json] [--seconds 20] [--rate 50]

This process commits a risk freeze (one freeze.created event) on one of 50 credit lines every 1/rate
seconds and notes the time after each commit; a real `celery worker -B` process (2 prefork children,
production settings through bench/settings.py) delivers through the outbox, started on commit, to a
receiver on 127.0.0.1 in this process that verifies every signature with the standardwebhooks
library (integrations/tests/receiver.py) and notes the arrival time. Broker: BENCH_BROKER_URL
(default redis://127.0.0.1:6379/14 when Redis answers), else the filesystem transport in a temporary
folder (smoke runs always use it). Targets: p99 lag ≤ 2 s; every event received (lost = 0); each
event once, beyond what at-least-once redelivery may repeat (repeats are counted and shown).
"""

import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import common
import workers

NAME = "webhook_lag"
SECRET = "bench-" + secrets.token_hex(24)
P99_TARGET = 2.0


def start_worker(url: str, env_extra: dict) -> subprocess.Popen:
    schedule = Path(tempfile.mkdtemp(prefix="bench-beat-")) / "schedule"
    return workers.start("webhook-worker.log", ["-B", "-s", str(schedule), "--concurrency", "2"], SECRET_KEY=SECRET,
                         DATABASE_URL=url, WEBHOOK_RETRY_BASE_SECONDS="1", **env_extra)


def produce(accounts, rate: float, seconds: float) -> dict[int, float]:
    """One risk freeze per tick, round robin over the accounts; freeze id → time of its commit."""
    from decimal import Decimal

    from accounts.services import ledger

    committed, interval = {}, 1.0 / rate
    started = time.perf_counter()
    for n in range(int(rate * seconds)):
        time.sleep(max(0.0, started + n * interval - time.perf_counter()))
        freeze = ledger.freeze_create(account=accounts[n % len(accounts)], amount=Decimal("1.00"),
                                      reason="routine_risk")
        committed[freeze.pk] = time.time()  # after the commit (freeze_create is its own transaction)
    return committed


def measure(receiver, committed: dict, wait: float) -> dict:
    deadline = time.time() + wait
    while time.time() < deadline and len({b["data"]["freeze_id"] for b in receiver.bodies()}) < len(committed):
        time.sleep(0.2)
    with receiver.lock:
        arrivals = [(item["body"]["data"]["freeze_id"], item["received_at"]) for item in receiver.accepted]
    first = {}
    for freeze_id, at in arrivals:
        first.setdefault(freeze_id, at)
    lags = sorted(first[f] - committed[f] for f in committed if f in first)
    return {"produced": len(committed), "received": len(first), "repeats": len(arrivals) - len(first),
            "lost": len(committed) - len(first), "rejected": len(receiver.rejected), "lags": lags}


def percentile(values, share) -> float | None:
    return values[min(len(values) - 1, int(share * len(values)))] if values else None


def main() -> int:
    p = common.parser(__doc__)
    p.add_argument("--seconds", type=float, default=20.0)
    p.add_argument("--rate", type=float, default=50.0, help="events per second")
    args = p.parse_args()
    if args.smoke:
        args.seconds, args.rate = 2.0, 10.0
    env_extra = workers.broker(args.smoke, "redis://127.0.0.1:6379/14")
    os.environ.update(env_extra)
    url = common.bootstrap(NAME)
    from decimal import Decimal

    from accounts.services import ledger
    from accounts.tests.factories import CustomerFactory
    from integrations.models import WebhookEndpoint
    from integrations.tests.receiver import Receiver

    accounts = [ledger.account_open(customer=CustomerFactory(username=f"lag{i}"), limit=Decimal("100000.00"))
                for i in range(50)]
    endpoint = WebhookEndpoint.objects.create(name="bench", url="http://127.0.0.1:1/", event_types=["freeze.created"])
    receiver = Receiver(endpoint.secret).start()
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(url=receiver.url)
    worker = start_worker(url, env_extra)
    try:
        time.sleep(8 if not args.smoke else 6)  # the worker starts (and the opening events go out)
        committed = produce(accounts, args.rate, args.seconds)
        result = measure(receiver, committed, wait=60 if not args.smoke else 30)
    finally:
        workers.stop(worker)
        receiver.stop()
    common.verify_ledger()
    lags = result.pop("lags")
    p99 = percentile(lags, 0.99)
    passed = p99 is not None and p99 <= P99_TARGET and result["lost"] == 0 and result["rejected"] == 0
    rows = [common.row(f"webhook lag at {args.rate:g} events/s, commit → signed request received (p99)",
                       measured=p99, target=f"≤ {P99_TARGET} s, none lost", passed=passed, unit="s",
                       note=f"p50 {percentile(lags, 0.5) or 0:.3f} s, max {lags[-1] if lags else 0:.3f} s; "
                            f"{result['received']}/{result['produced']} received, {result['lost']} lost, "
                            f"{result['repeats']} repeated, broker {env_extra['CELERY_BROKER_URL'].split(':')[0]}")]
    details = {**result, "p50": percentile(lags, 0.5), "p99": p99, "max": lags[-1] if lags else None,
               "mean": statistics.mean(lags) if lags else None}
    return common.emit(args, NAME, rows, details)


if __name__ == "__main__":
    sys.exit(main())

"""Page throughput: the customer's limit page (额度详情, /credit/), logged in, on gunicorn with
production settings, against a bare Django view returning "ok" on the same server.

    .venv/bin/python bench/page_throughput.py [--smoke] [--json out.json] [--seconds 10]

gunicorn config.wsgi, 2 sync workers, DJANGO_SETTINGS_MODULE=bench.settings (production settings
plus bench/urls.py, which adds /bench/ok), SECRET_KEY/ALLOWED_HOSTS from the environment,
SECURE_SSL_REDIRECT=False (plain http on loopback), DATABASE_URL the benchmark's database, static
files collected under var/bench/. The customer has a credit line with three active and three
released freezes (orders, refunds, ledger) among 2,000 other customers; the session is made with
force_login and its cookie sent as a plain header (production marks it Secure, which only tells a
browser not to send it over http). Both URLs get the same headers, cookie included.

Load: wrk (apt-get install -y wrk), 2 threads, 4 keep-alive connections, in alternating rounds
(bare, page, bare, page …) adding up to --seconds per URL; without wrk, a Python load generator
(threads + http.client, keep-alive) says so and does the same. Any non-2xx response fails the run.
Target: page requests/s ≥ 0.30 × bare.

Latency under load: then 16 keep-alive connections on the limit page alone (wrk --latency, or the
Python generator's own timings); target p99 ≤ 3 × the median.
"""

# ruff: noqa: S603, S607  (bench-only: starts gunicorn, collectstatic and wrk)

import os
import re
import secrets
import shutil
import subprocess
import sys

import common
import serving

NAME = "page_throughput"
TARGET = 0.30
P99_TARGET = 3.0
CONNECTIONS_FOR_LATENCY = 16
SECRET = "bench-" + secrets.token_hex(24)


def wrk(port: int, path: str, cookie: str, seconds: float) -> dict:
    out = subprocess.run(["wrk", "-t2", "-c4", f"-d{max(1, round(seconds))}s", "-H", f"Cookie: {cookie}",
                          f"http://127.0.0.1:{port}{path}"], capture_output=True, text=True, check=True).stdout
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    duration = re.search(r"requests in ([\d.]+)(m?s|m)\b", out)
    value, unit = float(duration.group(1)), duration.group(2)
    elapsed = value / 1000 if unit == "ms" else value * 60 if unit == "m" else value
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    return {"requests": requests, "seconds": elapsed, "non_2xx": int(bad.group(1)) if bad else 0,
            "socket_errors": sum(map(int, errors.groups())) if errors else 0}


_WRK_UNITS = {"us": 1e-6, "ms": 1e-3, "s": 1.0}


def wrk_latency(port: int, path: str, cookie: str, seconds: float) -> dict:
    """Median and p99 latency (seconds) on CONNECTIONS_FOR_LATENCY connections, from wrk --latency."""
    out = subprocess.run(["wrk", "-t2", f"-c{CONNECTIONS_FOR_LATENCY}", f"-d{max(1, round(seconds))}s", "--latency",
                          "-H", f"Cookie: {cookie}", f"http://127.0.0.1:{port}{path}"],
                         capture_output=True, text=True, check=True).stdout

    def percentile(p):
        value, unit = re.search(rf"^\s*{p}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M).groups()
        return float(value) * _WRK_UNITS[unit]

    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"p50": percentile(50), "p99": percentile(99), "non_2xx": int(bad.group(1)) if bad else 0}


def py_latency(port: int, path: str, cookie: str, seconds: float) -> dict:
    result = pyload(port, path, cookie, seconds, CONNECTIONS_FOR_LATENCY, latencies=True)
    times = sorted(result["latencies"])
    return {"p50": times[len(times) // 2], "p99": times[min(len(times) - 1, int(len(times) * 0.99))],
            "non_2xx": result["non_2xx"] + result["socket_errors"]}


def pyload(port: int, path: str, cookie: str, seconds: float, connections: int = 4, latencies=False) -> dict:
    """The Python keep-alive load generator (bench/serving.py), GET in a loop."""
    item = ("GET", path, {"Cookie": cookie}, None)
    result = serving.load(port, lambda: item, seconds, connections)
    if not latencies:
        result.pop("latencies")
    return result


def build_customer(others: int):
    import datagen
    from django.test import Client

    datagen.credit_lines("pb", datagen.customers("pb", others), freezes_per_account=4)
    customer_id = datagen.customers("me", 1, start=900_000)[0]
    datagen.credit_lines("me", [customer_id], freezes_per_account=6, released_every=2)
    common.verify_ledger()
    from accounts.models import User

    customer = User.objects.get(pk=customer_id)
    client = Client()
    client.force_login(customer)
    return customer, client.cookies["sessionid"].value


def main() -> int:
    p = common.parser(__doc__)
    p.add_argument("--seconds", type=float, default=10.0, help="load time per URL (split in rounds)")
    p.add_argument("--rounds", type=int, default=2)
    p.add_argument("--loadgen", choices=["auto", "wrk", "python"], default="auto")
    p.add_argument("--others", type=int, default=2000, help="other customers' credit lines in the database")
    args = p.parse_args()
    if args.smoke:
        args.seconds, args.rounds, args.others = 2.0, 1, 50
    os.environ["SECRET_KEY"] = SECRET  # the session cookie is signed: same key in here and in gunicorn
    url = common.bootstrap(NAME)
    from django.db import connection

    customer, session = build_customer(args.others)
    connection.close()
    cookie = f"sessionid={session}"

    use_wrk = args.loadgen == "wrk" or (args.loadgen == "auto" and shutil.which("wrk"))
    if args.loadgen == "wrk" and not shutil.which("wrk"):
        common.log(NAME, "wrk is not installed (apt-get install -y wrk): skipped")
        return common.emit(args, NAME, [common.row("limit page on gunicorn", measured=None, note="skipped: no wrk")])
    if not use_wrk:
        common.log(NAME, "using the Python load generator" + (" (--loadgen python)" if args.loadgen == "python" else
                                                              ": wrk not found (apt-get install -y wrk)"))
    load, latency = (wrk, wrk_latency) if use_wrk else (pyload, py_latency)

    env = serving.server_env(url, SECRET)
    subprocess.run([common.PYTHON, str(common.ROOT / "manage.py"), "collectstatic", "--noinput", "-v0"], env=env,
                   check=True, cwd=common.ROOT, capture_output=True)
    with serving.gunicorn(env) as port:
        status, body = serving.request(port, "GET", "/credit/", {"Cookie": cookie})
        assert status == 200 and "¥20000.00".encode() in body, (status, body[:300])
        assert serving.request(port, "GET", "/bench/ok", {"Cookie": cookie}) == (200, b"ok")
        for path in ("/bench/ok", "/credit/"):  # warm both workers
            load(port, path, cookie, 1.0)
        totals = {"/bench/ok": [], "/credit/": []}
        for _round in range(args.rounds):
            for path in totals:
                totals[path].append(load(port, path, cookie, args.seconds / args.rounds))
        under_load = latency(port, "/credit/", cookie, args.seconds / 2)

    def rate(path):
        runs = totals[path]
        return sum(r["requests"] for r in runs) / sum(r["seconds"] for r in runs)

    page, bare = rate("/credit/"), rate("/bench/ok")
    ratio = page / bare
    failures = sum(r["non_2xx"] + r["socket_errors"] for runs in totals.values() for r in runs)
    rows = [common.row("limit page on gunicorn (÷ bare 'ok' view)", measured=page, baseline=bare, ratio=ratio,
                       target=f"≥ {TARGET}", passed=ratio >= TARGET and failures == 0, unit="req/s",
                       note=f"{'wrk' if use_wrk else 'python loadgen'}, 2 workers, {failures} errors/non-2xx"),
            common.row(f"limit page p99 latency, {CONNECTIONS_FOR_LATENCY} keep-alive connections (÷ median)",
                       measured=under_load["p99"] * 1000, baseline=under_load["p50"] * 1000,
                       ratio=under_load["p99"] / under_load["p50"], target=f"≤ {P99_TARGET}",
                       passed=under_load["p99"] <= P99_TARGET * under_load["p50"] and not under_load["non_2xx"],
                       unit="ms (p99)", note=f"median {under_load['p50'] * 1000:.1f} ms, 2 gunicorn workers")]
    details = {"runs": totals, "latency_under_load_s": under_load, "loadgen": "wrk" if use_wrk else "python",
               "page_bytes": len(body),
               "customer": customer.username}
    return common.emit(args, NAME, rows, details)


if __name__ == "__main__":
    sys.exit(main())

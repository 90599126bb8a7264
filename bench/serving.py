"""What the benchmarks that drive a real server share: gunicorn with production settings (through
bench/settings.py) on a free loopback port, and a keep-alive load generator (one thread per
connection; a connection the server closes is opened again)."""

# ruff: noqa: S603  (bench-only: starts gunicorn)

import http.client
import os
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

import common


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_env(url: str, secret: str, **extra) -> dict:
    return common.child_env(DJANGO_SETTINGS_MODULE="bench.settings", SECRET_KEY=secret, ALLOWED_HOSTS="127.0.0.1",
                            SECURE_SSL_REDIRECT="False", DATABASE_URL=url, **extra)


def request(port: int, method: str, path: str, headers: dict | None = None, body: bytes | None = None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


@contextmanager
def gunicorn(env: dict, *, workers: int = 2, log_name: str = "gunicorn.log"):
    """Start `gunicorn config.wsgi` and yield its port once /healthz answers; stop it on the way out."""
    port = free_port()
    log_path = Path(env.get("BENCH_LOG_DIR", common.ROOT / "var" / "bench" / "logs")) / log_name
    log_path.parent.mkdir(parents=True, exist_ok=True)
    binary = str(Path(common.PYTHON).with_name("gunicorn"))
    with open(log_path, "w") as server_log:
        server = subprocess.Popen([binary, "config.wsgi", "--workers", str(workers), "--bind", f"127.0.0.1:{port}"],
                                  env=env, cwd=common.ROOT, stdout=server_log, stderr=subprocess.STDOUT,
                                  start_new_session=True)
    try:
        deadline = time.time() + 60
        while True:
            try:
                if request(port, "GET", "/healthz")[0] == 200:
                    break
            except OSError:
                pass
            if time.time() > deadline or server.poll() is not None:
                raise RuntimeError(f"gunicorn did not start; see {log_path}")
            time.sleep(0.2)
        yield port
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)


def load(port: int, next_request: Callable, seconds: float, connections: int = 4,
         check: Callable | None = None) -> dict:
    """Send next_request() → (method, path, headers, body), or None when there is no more, on
    `connections` keep-alive connections for `seconds`. `check(status, headers, body)` says whether a
    response is right (default: any 2xx). Also returns each response's latency in seconds."""
    stop = time.perf_counter() + seconds
    counts = {"requests": 0, "non_2xx": 0, "socket_errors": 0, "latencies": []}
    lock = threading.Lock()
    check = check or (lambda status, headers, body: 200 <= status < 300)

    def worker():
        conn, done, bad, errors, latencies = None, 0, 0, 0, []
        while time.perf_counter() < stop and (item := next_request()) is not None:
            method, path, headers, body = item
            sent = time.perf_counter()
            try:
                if conn is None:
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                conn.request(method, path, body=body, headers=headers)
                response = conn.getresponse()
                payload = response.read()
                latencies.append(time.perf_counter() - sent)
                done += 1
                bad += not check(response.status, response, payload)
                if response.getheader("Connection", "").lower() == "close":
                    conn.close()
                    conn = None
            except OSError:
                errors += 1
                conn = None
        with lock:
            counts["requests"] += done
            counts["non_2xx"] += bad
            counts["socket_errors"] += errors
            counts["latencies"] += latencies

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return {**counts, "seconds": time.perf_counter() - started}

"""Real `celery worker` processes for the benchmarks that need one (webhook_lag, worker_memory): the
broker both sides use, and starting and stopping the worker with production settings."""

# ruff: noqa: S603  (bench-only: starts a celery worker)

import os
import secrets
import signal
import subprocess
import tempfile
from pathlib import Path

import common


def broker(smoke: bool, redis_url: str) -> dict:
    """The broker as environment variables: BENCH_BROKER_URL, else `redis_url` (a Redis database of
    the benchmark's own) when Redis answers, else — and in smoke runs always — the filesystem
    transport in a temporary folder. Either way a queue of this run's own (BENCH_CELERY_QUEUE, read
    by bench/settings*.py): a test suite's or another benchmark's worker on the same Redis database
    would otherwise take its tasks (it happened)."""
    queue = {"BENCH_CELERY_QUEUE": f"bench-{secrets.token_hex(4)}"}
    url = os.environ.get("BENCH_BROKER_URL")
    if not url and not smoke:
        import redis

        try:
            redis.Redis.from_url(redis_url, socket_connect_timeout=1).ping()
            url = redis_url
        except redis.RedisError:
            url = None
    if url and not smoke:
        return {"CELERY_BROKER_URL": url, "BENCH_BROKER_URL": url, **queue}
    return {"CELERY_BROKER_URL": "filesystem://", "BENCH_BROKER_URL": "filesystem://",
            "CELERY_FILESYSTEM_DIR": tempfile.mkdtemp(prefix="bench-celery-"), **queue}


def log_dir() -> Path:
    path = Path(os.environ.get("BENCH_LOG_DIR", common.ROOT / "var" / "bench" / "logs"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def start(log_name: str, options: list[str], **env) -> subprocess.Popen:
    """`celery -A config worker <options>` on production settings (bench/settings.py), its output in
    the bench log folder; `env` on top of this process's environment (DATABASE_URL, the broker…)."""
    env = common.child_env(DJANGO_SETTINGS_MODULE="bench.settings", ALLOWED_HOSTS="127.0.0.1", **env)
    with open(log_dir() / log_name, "w") as out:
        return subprocess.Popen([common.PYTHON, "-m", "celery", "-A", "config", "worker", "--loglevel", "INFO",
                                 "--without-gossip", "--without-mingle", *options],
                                env=env, cwd=common.ROOT, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)


def stop(worker: subprocess.Popen) -> None:
    """Warm shutdown of the main process (its children follow); killed if it is not gone in 30 s."""
    if worker.poll() is not None:
        return
    os.kill(worker.pid, signal.SIGTERM)
    try:
        worker.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait()

"""Health endpoints for the load balancer and the orchestrator: JSON, no login, no secrets."""

from django.core.files.storage import storages
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .celery import app as celery_app


@never_cache
@require_GET
def healthz(request):
    """The process is up and serving."""
    return JsonResponse({"status": "ok"})


def _database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _broker() -> None:
    with celery_app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)


def _storage() -> None:
    storages["private"].exists("readyz-probe")


@never_cache
@require_GET
def readyz(request):
    """The database, the broker and the evidence storage answer; 503 naming what does not."""
    checks = {}
    for name, probe in (("database", _database), ("broker", _broker), ("storage", _storage)):
        try:
            probe()
            checks[name] = "ok"
        except Exception:  # noqa: BLE001 - any failure means not ready; details stay in the logs
            checks[name] = "unavailable"
    ready = all(value == "ok" for value in checks.values())
    return JsonResponse({"status": "ok" if ready else "unavailable", "checks": checks}, status=200 if ready else 503)

"""Health endpoints for the load balancer and the orchestrator: JSON, no login, no secrets."""

from django.conf import settings
from django.core.files.storage import storages
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from kombu import Connection


@never_cache
@require_GET
def healthz(request):
    """The process is up and serving."""
    return JsonResponse({"status": "ok"})


def _database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _broker() -> None:
    # A fresh connection to the configured broker, not the app's pool: the pool may hold a
    # connection that was fine a minute ago.
    transport_options = getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {})
    with Connection(settings.CELERY_BROKER_URL, connect_timeout=2, transport_options=transport_options) as conn:
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

"""Idempotency-Key for every POST of the API.

The first response to a (client, key) is stored and replayed to every retry: same status, same
body, header Idempotent-Replayed: true, no work done again. The record is inserted in the same
transaction as the work: a second request with the same key blocks on the unique index until the
first commits, then replays its response; if the first fails (5xx, crash) nothing is stored and a
retry does the work. The same key with another body is refused (422). What depends on the moment
and not on the request (401, 403, 429, 5xx) is never stored."""

import contextlib
import hashlib
import json
import re
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from .auth import request_client
from .models import IdempotencyRecord
from .problems import problem

API_PREFIX = "/api/"
KEY = re.compile(r"^[\x21-\x7e]{1,255}$")  # printable ASCII, no spaces
NOT_STORED = {401, 403, 429}


class _Discard(Exception):
    """Roll the request's transaction back (record included) and answer with this response."""

    def __init__(self, response):
        super().__init__(response.status_code)
        self.response = response


def fingerprint(request) -> str:
    """Method, path, query and body; a JSON body in canonical form (key order and spacing ignored)."""
    body = request.body
    with contextlib.suppress(ValueError):  # not JSON: compared as sent
        body = json.dumps(json.loads(body), sort_keys=True, separators=(",", ":")).encode()
    head = f"{request.method} {request.get_full_path()}\n".encode()
    return hashlib.sha256(head + body).hexdigest()


def _replay(record: IdempotencyRecord, fingerprint_now: str) -> HttpResponse:
    if record.fingerprint != fingerprint_now:
        return problem(422, "idempotency_key_reused", _("This Idempotency-Key was used for another request."),
                       _("Send a new key for a new request; a retry must repeat the first request exactly."))
    response = HttpResponse(record.body, status=record.status_code, content_type=record.content_type)
    response["Idempotent-Replayed"] = "true"
    return response


def _claim(client, key: str, print_: str) -> int | None:
    """Insert the record; None if the key is taken. One statement, no savepoint: ON CONFLICT waits for
    a transaction holding the same key and then does nothing (PostgreSQL and SQLite alike)."""
    table = IdempotencyRecord._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (client_id, key, fingerprint, content_type, body, created_at) "  # noqa: S608
            "VALUES (%s, %s, %s, '', '', %s) ON CONFLICT (client_id, key) DO NOTHING RETURNING id",
            [client.pk, key, print_, timezone.now()])
        row = cursor.fetchone()
    return row[0] if row else None


def _first(request, get_response, client, key: str, print_: str) -> HttpResponse | None:
    """Do the work under a new record; None if the key is taken (another request committed it)."""
    try:
        with transaction.atomic():
            record_id = _claim(client, key, print_)
            if record_id is None:
                return None
            response = get_response(request)
            if response.status_code >= 500 or response.status_code in NOT_STORED:
                raise _Discard(response)
            IdempotencyRecord.objects.filter(pk=record_id).update(
                status_code=response.status_code, content_type=response.get("Content-Type", ""),
                body=response.content.decode())
            return response
    except _Discard as discarded:
        return discarded.response


def idempotent_post(request, get_response, client) -> HttpResponse:
    key = request.headers.get("Idempotency-Key", "")
    if not KEY.match(key):
        return problem(400, "idempotency_key_required", _("Every POST needs an Idempotency-Key header."),
                       _("Send Idempotency-Key: <a unique string of 1–255 printable characters> per request."))
    print_ = fingerprint(request)
    stored = IdempotencyRecord.objects.filter(client=client, key=key, status_code__isnull=False).first()
    if stored is None:  # (the read first: a retry then costs one query and no transaction)
        response = _first(request, get_response, client, key, print_)
        if response is not None:
            return response
        stored = IdempotencyRecord.objects.get(client=client, key=key)
    return _replay(stored, print_)


def _takes_post(path: str) -> bool:
    from .api import post_routes  # the API module imports this one

    return any(route.match(path) for route in post_routes())


class IdempotencyMiddleware:
    """POSTs to the API with a valid client key go through idempotent_post (others: 401 from the API)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method == "POST" and request.path.startswith(API_PREFIX) and _takes_post(request.path):
            client = request_client(request)
            if client is not None:
                return idempotent_post(request, self.get_response, client)
        return self.get_response(request)


def purge_old_records() -> int:
    """Forget stored responses older than IDEMPOTENCY_KEEP_HOURS (never under 24 h)."""
    hours = max(24, settings.IDEMPOTENCY_KEEP_HOURS)
    deleted, _per_model = IdempotencyRecord.objects.filter(
        created_at__lt=timezone.now() - timedelta(hours=hours)).delete()
    return deleted

"""The authorization matrix of the platform API: every operation, found by walking the ninja API's
routers (and checked against Django's URL resolver, so no URL escapes the walk), asked with no
key, a wrong key, a revoked key and a key without the operation's scope. A new endpoint without
auth fails here by name."""

import re
import uuid

import pytest
import time_machine
from django.urls import URLResolver, get_resolver
from django.utils import timezone

from integrations.api import api
from integrations.auth import ApiKey
from integrations.models import ApiClient, Scope

from .conftest import make_client

pytestmark = pytest.mark.django_db

SAMPLE = {"external_id": "U100", "refund_id": "RF-1", "reference": "AP20260101-ABCD"}
NOT_OPERATIONS = {"openapi-json", "openapi-view", "api-root"}  # ninja's own: the schema, the docs, the root


def operations():
    """(method, path, operation) for every operation of the API."""
    found = []
    for prefix, router in api._routers:
        for path, path_view in router.path_operations.items():
            for operation in path_view.operations:
                for method in operation.methods:
                    found.append((method, "/api/v1" + (prefix + path).replace("//", "/"), operation))
    return found


def url(path: str) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: SAMPLE[m[1]], path)


def call(client, method, path, key=None):
    headers = {"Idempotency-Key": uuid.uuid4().hex}
    if key:
        headers["Authorization"] = f"Bearer {key}"
    if method == "POST":
        return client.post(url(path), data="{}", content_type="application/json", headers=headers)
    return client.get(url(path), headers=headers)


def resolver_routes() -> set[str]:
    def walk(resolver, prefix):
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                yield from walk(entry, prefix + str(entry.pattern))
            elif prefix.startswith("api/v1/") and entry.name not in NOT_OPERATIONS:
                yield "/" + prefix + str(entry.pattern)

    return set(walk(get_resolver(), ""))


def test_every_api_url_is_an_operation_the_walk_sees():
    ops = {re.sub(r"\{(\w+)\}", r"<\1>", path) for _method, path, _op in operations()}
    assert len(ops) >= 12
    assert resolver_routes() == ops


@pytest.mark.parametrize(("method", "path", "operation"), operations(), ids=lambda v: v if isinstance(v, str) else "")
def test_every_operation_needs_a_key_with_its_scope(client, method, path, operation):
    keys = [callback for callback in operation.auth_callbacks if isinstance(callback, ApiKey)]
    assert keys and len(keys) == len(operation.auth_callbacks), f"{method} {path} has no API key security"
    scope = keys[0].scope
    assert scope in Scope.values
    others = [s for s in Scope.values if s != scope]
    _holder, right = make_client("holder", [scope])
    revoked_client, revoked = make_client("revoked", Scope.values)
    ApiClient.objects.filter(pk=revoked_client.pk).update(revoked_at=timezone.now())
    _other, lacking = make_client("lacking", others)
    for key, expected in ((None, 401), ("adk_00000000_wrong", 401), (right[:-2] + "xx", 401), (revoked, 401),
                          (lacking, 403)):
        response = call(client, method, path, key)
        assert response.status_code == expected, (method, path, key, response.status_code, response.content)
        assert response["Content-Type"] == "application/problem+json"
        if expected == 401:
            assert response["WWW-Authenticate"].startswith("Bearer")
    reached = call(client, method, path, right)  # positive control: the right key gets past auth
    assert reached.status_code not in (401, 403), (method, path, reached.content)


@time_machine.travel("2026-11-27 10:00:20 +0800", tick=False)  # one minute window for the whole test
def test_a_client_over_its_rate_limit_gets_429_with_retry_after(client):
    holder, key = make_client("busy", [Scope.READ], rate_limit_per_minute=3)
    statuses = [call(client, "GET", "/api/v1/customers/{external_id}/credit", key).status_code for _ in range(4)]
    assert statuses == [404, 404, 404, 429]
    limited = call(client, "GET", "/api/v1/customers/{external_id}/credit", key)
    assert limited["Retry-After"] == "40" and limited.json()["code"] == "rate_limited"
    holder.refresh_from_db()
    assert holder.last_used_at is not None


def test_every_call_is_logged_with_its_client(client, caplog):
    _holder, key = make_client("carrier-gw", [Scope.READ])
    with caplog.at_level("INFO", logger="integrations.api"):
        call(client, "GET", "/api/v1/customers/{external_id}/credit", key)
        call(client, "GET", "/api/v1/customers/{external_id}/credit", None)
    lines = [(record.user_id, record.getMessage()) for record in caplog.records if record.name == "integrations.api"]
    assert lines[0][0] == "api:carrier-gw" and "GET /api/v1/customers/U100/credit 404" in lines[0][1]
    assert lines[1][0] == "api:-" and " 401 " in lines[1][1]


def test_the_docs_page_is_for_staff_only(client, admin_user):
    assert client.get("/api/v1/docs").status_code == 302
    client.force_login(admin_user)
    assert client.get("/api/v1/docs").status_code == 200

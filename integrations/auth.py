"""Bearer keys of API clients: who calls, with which scopes, how often.

Missing, wrong or revoked key: 401. A valid key without the operation's scope: 403. More calls in
a minute than the client's limit: 429 with Retry-After. The counter lives in the cache (Redis in
production with CACHE_URL, so every web process shares it; per process otherwise)."""

import hmac
import time
from datetime import timedelta

from django.core.cache import cache
from django.utils import timezone
from ninja.security import HttpBearer

from .models import KEY_PREFIX, ApiClient, key_digest

_PREFIX_LENGTH = len(KEY_PREFIX) + 8
_UNSET = object()


class MissingScope(Exception):
    def __init__(self, scope: str):
        super().__init__(scope)
        self.scope = scope


class RateLimited(Exception):
    def __init__(self, retry_after: int):
        super().__init__(retry_after)
        self.retry_after = retry_after


def _client_for_key(key: str) -> ApiClient | None:
    if not key.startswith(KEY_PREFIX) or len(key) > 100:
        return None
    client = ApiClient.objects.filter(key_prefix=key[:_PREFIX_LENGTH]).first()
    if client is None or not hmac.compare_digest(client.key_hash, key_digest(key)) or not client.is_active:
        return None
    now = timezone.now()
    if client.last_used_at is None or now - client.last_used_at > timedelta(minutes=1):  # one write a minute
        ApiClient.objects.filter(pk=client.pk).update(last_used_at=now)
    return client


def request_client(request) -> ApiClient | None:
    """The client whose valid key the request carries (looked up once per request), else None."""
    found = getattr(request, "_api_client", _UNSET)
    if found is _UNSET:
        scheme, _sep, key = request.headers.get("Authorization", "").partition(" ")
        found = _client_for_key(key.strip()) if scheme.lower() == "bearer" else None
        request._api_client = found
    return found


def count_call(client: ApiClient) -> None:
    """One call in the client's current minute; RateLimited past its limit."""
    now = time.time()
    window = int(now // 60)
    key = f"api-calls:{client.key_prefix}:{window}"
    cache.add(key, 0, timeout=120)
    if cache.incr(key) > client.rate_limit_per_minute:
        raise RateLimited(retry_after=max(1, 60 - int(now % 60)))


class ApiKey(HttpBearer):
    """The operation's security: a valid client key with `scope`."""

    def __init__(self, scope: str):
        super().__init__()
        self.scope = scope

    def __call__(self, request):
        client = request_client(request)
        if client is None:
            return None
        if self.scope not in client.scopes:
            raise MissingScope(self.scope)
        count_call(client)
        return client

    def authenticate(self, request, token):  # the key is read by request_client, once per request
        raise NotImplementedError

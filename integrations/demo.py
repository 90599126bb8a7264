"""The demo's API client: a fixed, published key (like the demo staff's TOTP secret) so that the
README's curl examples and `manage.py simulate_platform` work against `make run`. Demo data only."""

from .models import ApiClient, Scope, key_digest

DEMO_CLIENT = "demo-platform"
DEMO_API_KEY = "adk_demo2026_appeal-desk-demo-key-published-in-the-readme"  # noqa: S105 - public on purpose


def seed_demo_client() -> tuple[ApiClient, bool]:
    """Create the demo client with every scope (an existing one is left as it is)."""
    client, created = ApiClient.objects.get_or_create(name=DEMO_CLIENT, defaults={
        "scopes": list(Scope.values), "key_prefix": DEMO_API_KEY[:12], "key_hash": key_digest(DEMO_API_KEY),
        "rate_limit_per_minute": 6000})
    return client, created

import pytest
from django.conf import settings


@pytest.fixture
def login(client):
    """Sign a staff member in (English pages, so assertions do not depend on the catalogue)."""

    def _login(user):
        client.force_login(user)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return client

    return _login


@pytest.fixture
def known():
    """Seven appeals around 2026-03-10 (dashboard_data.known_appeals); the supervisor who audited them."""
    from .dashboard_data import known_appeals

    return known_appeals()

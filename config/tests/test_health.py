import json
import logging

import pytest

pytestmark = pytest.mark.django_db


def test_healthz_is_public_json(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response["X-Request-ID"]


def test_readyz_reports_each_dependency_without_secrets(client, settings):
    response = client.get("/readyz")
    body = response.json()
    assert set(body["checks"]) == {"database", "broker", "storage"}
    assert body["checks"]["database"] == "ok"
    assert response.status_code == (200 if body["status"] == "ok" else 503)
    text = response.content.decode()
    for secret in (settings.SECRET_KEY, str(settings.DATABASES["default"].get("PASSWORD") or "no-password")):
        assert secret not in text


def test_readyz_is_503_when_the_broker_does_not_answer(client, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["broker"] == "unavailable"
    assert "127.0.0.1:1" not in response.content.decode()


def test_the_callers_request_id_is_echoed(client):
    assert client.get("/healthz", HTTP_X_REQUEST_ID="abc123")["X-Request-ID"] == "abc123"


def test_json_log_lines_carry_request_and_user(capsys):
    from pythonjsonlogger.json import JsonFormatter

    from config.observability import ContextFilter, request_id, user_id

    handler = logging.StreamHandler()
    handler.addFilter(ContextFilter())
    handler.setFormatter(JsonFormatter("%(levelname)s %(name)s %(request_id)s %(user_id)s %(message)s"))
    logger = logging.getLogger("appeals.services.test")
    logger.addHandler(handler)
    token_r, token_u = request_id.set("req-1"), user_id.set("42")
    try:
        logger.warning("appeal AP20261126-7F3K approve")
    finally:
        request_id.reset(token_r)
        user_id.reset(token_u)
        logger.removeHandler(handler)
    line = json.loads(capsys.readouterr().err.strip().splitlines()[-1])
    assert (line["request_id"], line["user_id"]) == ("req-1", "42")
    assert "AP20261126-7F3K" in line["message"]


def test_a_tasks_lines_carry_its_id_and_the_callers_request_id_comes_back(monkeypatch):
    from appeals import notifications, tasks
    from config.observability import request_id

    seen = []
    monkeypatch.setattr(notifications, "notifications_email",
                        lambda notification_ids: seen.append(request_id.get()) or 1)
    token = request_id.set("req-1")  # an eager task runs inside the request that sent it
    try:
        assert tasks.send_notification_email.apply(args=[7], task_id="abc").get() is True
        assert request_id.get() == "req-1"
    finally:
        request_id.reset(token)
    assert seen == ["task-abc"]

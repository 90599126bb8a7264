"""Request ids and the acting user on every log line, so one request can be followed across lines."""

import contextvars
import logging
import time
import uuid

request_id = contextvars.ContextVar("request_id", default="-")
user_id = contextvars.ContextVar("user_id", default="-")
api_log = logging.getLogger("integrations.api")


def _who(request) -> str:
    """The user's id; on the platform API, the calling client ("api:<name>")."""
    if request.path.startswith("/api/"):
        from integrations.auth import request_client  # the Celery app imports this module before Django is set up

        client = request_client(request)
        return f"api:{client.name}" if client else "api:-"
    user = getattr(request, "user", None)
    return str(user.pk) if user and user.is_authenticated else "-"


class RequestContextMiddleware:
    """Takes the proxy's X-Request-ID (or makes one), echoes it back, and tags log lines with it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        rid = request.headers.get("X-Request-ID", "")[:64] or uuid.uuid4().hex
        rid_token = request_id.set(rid)
        uid_token = user_id.set(_who(request))
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            if request.path.startswith("/api/"):  # every API call, with its client (in the line's user field)
                api_log.info("api %s %s %s %.1fms%s", request.method, request.path, response.status_code,
                             (time.perf_counter() - started) * 1000,
                             " replayed" if response.has_header("Idempotent-Replayed") else "")
        finally:
            request_id.reset(rid_token)
            user_id.reset(uid_token)
        response["X-Request-ID"] = rid
        return response


class ContextFilter(logging.Filter):
    def filter(self, record):
        record.request_id = request_id.get()
        record.user_id = user_id.get()
        return True


# In a worker, the task id plays the request id's part: every line a task logs carries it.
_task_tokens: dict[str, contextvars.Token] = {}


def tag_task_lines(task_id=None, **_kwargs) -> None:
    _task_tokens[task_id] = request_id.set(f"task-{task_id}")


def untag_task_lines(task_id=None, **_kwargs) -> None:
    if (token := _task_tokens.pop(task_id, None)) is not None:
        request_id.reset(token)

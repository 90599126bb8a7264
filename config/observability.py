"""Request ids and the acting user on every log line, so one request can be followed across lines."""

import contextvars
import logging
import uuid

request_id = contextvars.ContextVar("request_id", default="-")
user_id = contextvars.ContextVar("user_id", default="-")


class RequestContextMiddleware:
    """Takes the proxy's X-Request-ID (or makes one), echoes it back, and tags log lines with it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        rid = request.headers.get("X-Request-ID", "")[:64] or uuid.uuid4().hex
        rid_token = request_id.set(rid)
        uid_token = user_id.set(str(request.user.pk) if getattr(request, "user", None) and
                                request.user.is_authenticated else "-")
        try:
            response = self.get_response(request)
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

"""Errors as RFC 9457 problem documents (application/problem+json): type, title, status, detail and
a stable machine `code`; validation errors name their fields."""

import json

from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from ninja import Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError

from accounts.errors import DomainError, InvalidAmount, LimitRequired, NotOnFile

from .auth import MissingScope, RateLimited

PROBLEM_TYPE = "application/problem+json"
UNPROCESSABLE = (InvalidAmount, LimitRequired)


class FieldProblem(Schema):
    field: str
    message: str


class Problem(Schema):
    type: str
    title: str
    status: int
    detail: str
    code: str
    errors: list[FieldProblem] | None = None


def problem(status: int, code: str, title: str, detail: str = "", **extra) -> HttpResponse:
    body = {"type": f"urn:appeal-desk:problem:{code}", "title": str(title), "status": status,
            "detail": str(detail or title), "code": code, **extra}
    return HttpResponse(json.dumps(body, ensure_ascii=False), status=status, content_type=PROBLEM_TYPE)


def domain_error(request, exc: DomainError) -> HttpResponse:
    status = 404 if isinstance(exc, NotOnFile) else 422 if isinstance(exc, UNPROCESSABLE) else 409
    return problem(status, exc.code, exc.default_message, exc.message)


def _field(loc) -> str:
    parts = [str(part) for part in loc if part not in ("body", "payload", "query", "path", "header")]
    return ".".join(parts) or str(loc[0] if loc else "body")


def validation_error(request, exc: ValidationError) -> HttpResponse:
    errors = [{"field": _field(error.get("loc", ())), "message": error.get("msg", "")} for error in exc.errors]
    fields = ", ".join(dict.fromkeys(error["field"] for error in errors))
    return problem(422, "invalid_request", _("The request is not valid."),
                   _("Check these fields: %(fields)s.") % {"fields": fields}, errors=errors)


def unauthenticated(request, exc) -> HttpResponse:
    response = problem(401, "unauthenticated", _("A valid API key is required."),
                       _("Send Authorization: Bearer <key> with a key that is not revoked."))
    response["WWW-Authenticate"] = 'Bearer realm="appeal-desk"'
    return response


def missing_scope(request, exc: MissingScope) -> HttpResponse:
    return problem(403, "missing_scope", _("This API key may not do that."),
                   _("The key lacks the scope %(scope)s.") % {"scope": exc.scope})


def rate_limited(request, exc: RateLimited) -> HttpResponse:
    response = problem(429, "rate_limited", _("Too many requests."),
                       _("Try again in %(s)d seconds.") % {"s": exc.retry_after})
    response["Retry-After"] = str(exc.retry_after)
    return response


def http_error(request, exc: HttpError) -> HttpResponse:
    code = "malformed_body" if exc.status_code == 400 else f"http_{exc.status_code}"
    return problem(exc.status_code, code, _("The request could not be read."), str(exc))


def not_found(request, exc) -> HttpResponse:
    return problem(404, "not_found", _("No such record."))


def install(api) -> None:
    """Register the handlers on a NinjaAPI (most specific first is not needed: ninja walks the MRO)."""
    for error, handler in ((DomainError, domain_error), (ValidationError, validation_error),
                           (AuthenticationError, unauthenticated), (MissingScope, missing_scope),
                           (RateLimited, rate_limited), (HttpError, http_error), (Http404, not_found)):
        api.add_exception_handler(error, handler)

"""The platform API, /api/v1/ (django-ninja): its routers, errors as problem documents, the
interactive docs for signed-in staff only, and the OpenAPI schema with what ninja does not write
by itself (problem+json for errors, the Idempotency-Key header on every POST)."""

import functools
import re

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from ninja import NinjaAPI
from ninja.openapi.views import openapi_view

from . import problems
from .endpoints import credit, reads, returns
from .idempotency import KEY
from .problems import PROBLEM_TYPE

IDEMPOTENCY_HEADER = {
    "name": "Idempotency-Key", "in": "header", "required": True,
    "description": "Unique per request; a retry repeats the same key and body and gets the first response.",
    "schema": {"type": "string", "pattern": KEY.pattern, "maxLength": 255},
}


def staff_only(view):
    """The docs page: staff signed in to the desk (second factor included), like the admin. ninja
    decorates the schema view with this too; the schema stays public (clients generate from it)."""
    if getattr(view, "func", None) is not openapi_view:
        return view

    def wrapped(request, *args, **kwargs):
        if not admin.site.has_permission(request):
            return redirect_to_login(request.get_full_path(), "admin:login")
        return view(request, *args, **kwargs)

    return wrapped


class PlatformAPI(NinjaAPI):
    def get_openapi_operation_id(self, operation) -> str:
        return operation.view_func.__name__

    def get_openapi_schema(self, **kwargs):
        schema = super().get_openapi_schema(**kwargs)
        for methods in schema["paths"].values():
            for method, operation in methods.items():
                for status, response in operation.get("responses", {}).items():
                    if int(status) >= 400 and "content" in response:
                        response["content"] = {PROBLEM_TYPE: next(iter(response["content"].values()))}
                if method == "post":
                    operation.setdefault("parameters", []).insert(0, IDEMPOTENCY_HEADER)
        return schema


api = PlatformAPI(title="Appeal Desk platform API", version="1", urls_namespace="api-v1", docs_decorator=staff_only,
                  description="Service-to-service API for the mall, the credit core and the carriers. "
                              "See the README, section \u201cThe platform API\u201d.")
problems.install(api)
api.add_router("", credit.router)
api.add_router("", returns.router)
api.add_router("", reads.router)


@functools.cache
def post_routes() -> list[re.Pattern]:
    """The paths that take a POST (others answer 404 or 405 before any Idempotency-Key is asked for)."""
    return [re.compile("^/api/v1" + re.sub(r"\{\w+\}", "[^/]+", prefix + path) + "$")
            for prefix, router in api._routers for path, view in router.path_operations.items()
            if any("POST" in operation.methods for operation in view.operations)]

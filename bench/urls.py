"""The app's URLs plus bench-only floors: a bare "ok" view; a bare upload that (for a logged-in user)
only stores the request's files in private storage as evidence_store names them; and a bare ninja
endpoint that parses a refund's body with the API's own schema and inserts one row.
Used only through bench.settings / bench.settings_inproc, never by config.urls."""

import uuid

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI, Schema, Status

from appeals.evidence.storage import private_storage
from events.models import Event
from integrations.schemas import RefundIn


def ok(request):
    return HttpResponse("ok", content_type="text/plain")


@csrf_exempt  # the test client does not check CSRF for the real view either
@login_required  # an upload endpoint authenticates; the floor does that much and nothing else
def bare_upload(request):
    storage = private_storage()
    names = [storage.save(f"incoming/{uuid.uuid4().hex}.upload", upload) for upload in request.FILES.values()]
    return HttpResponse(f"stored {len(names)}", content_type="text/plain")


bare_api = NinjaAPI(urls_namespace="bench-bare", openapi_url=None, docs_url=None)


class BareOut(Schema):
    refund_id: str


@bare_api.post("/refunds", response={201: BareOut})
def bare_refund(request, payload: RefundIn):
    """The API floor: the same body, validated by the same schema, one INSERT, a JSON answer."""
    Event.objects.create(type="bench.bare", data={"refund_id": payload.refund_id})
    return Status(201, {"refund_id": payload.refund_id})


urlpatterns = [
    path("bench/ok", ok, name="bench-ok"),
    path("bench/bare/", bare_api.urls),
    path("bench/upload", bare_upload, name="bench-upload"),
    path("", include("config.urls")),
]

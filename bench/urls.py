"""The app's URLs plus two bench-only floors: a bare "ok" view, and a bare upload that (for a logged-in
user) only stores the request's files in private storage as evidence_store names them.
Used only through bench.settings / bench.settings_inproc, never by config.urls."""

import uuid

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt

from appeals.evidence.storage import private_storage


def ok(request):
    return HttpResponse("ok", content_type="text/plain")


@csrf_exempt  # the test client does not check CSRF for the real view either
@login_required  # an upload endpoint authenticates; the floor does that much and nothing else
def bare_upload(request):
    storage = private_storage()
    names = [storage.save(f"incoming/{uuid.uuid4().hex}.upload", upload) for upload in request.FILES.values()]
    return HttpResponse(f"stored {len(names)}", content_type="text/plain")


urlpatterns = [
    path("bench/ok", ok, name="bench-ok"),
    path("bench/upload", bare_upload, name="bench-upload"),
    path("", include("config.urls")),
]

"""Evidence on S3-compatible object storage, as the production profile stores it when EVIDENCE_BUCKET
is set, against moto's S3 server run on loopback: the cleaned images become private objects, the
uploads are deleted, only the owner (or staff) gets the bytes through the app, and the retention
job deletes the objects. The storage options are read from config/settings/production.py itself.
Runs on SQLite as well as PostgreSQL."""

import json
import socket
import subprocess
import sys
import urllib.error
import urllib.request
import uuid
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.core.files.storage import storages
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import AgentFactory, CustomerFactory
from appeals.evidence import pipeline
from appeals.models import Evidence, State
from appeals.tests.factories import file_appeal
from appeals.workflow import decide, review
from conftest import wait_until

boto3 = pytest.importorskip("boto3", reason="waits for boto3 (django-storages[s3] in requirements.txt)")
pytest.importorskip("moto.server", reason="waits for moto[server] (requirements-dev.txt): pip install 'moto[server]'")

pytestmark = [pytest.mark.s3, pytest.mark.django_db]

CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1",
               "AWS_CONFIG_FILE": "/nonexistent", "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent"}
EVIDENCE_FIELDS = ("upload", "image", "thumbnail")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def answers(url: str) -> bool:
    try:
        urllib.request.urlopen(url, timeout=1).close()  # noqa: S310 - our own loopback server
    except urllib.error.HTTPError:
        return True
    except OSError:
        return False
    return True


@pytest.fixture(scope="module")
def s3_endpoint(tmp_path_factory):
    """moto's S3 server on a free loopback port, for this module."""
    port = free_port()
    log_path = tmp_path_factory.mktemp("moto") / "moto.log"
    with open(log_path, "wb") as log:
        server = subprocess.Popen(  # noqa: S603 - a fixed command line of our own
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: server.poll() is not None or answers(url), timeout=30)
        assert server.poll() is None, log_path.read_text(errors="replace")
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)


def production_private_storage(bucket: str, endpoint: str) -> dict:
    """STORAGES["private"] as config/settings/production.py builds it from the environment (read in a
    subprocess: importing that module here would change this process's live settings dicts)."""
    env = {**CREDENTIALS, "PATH": "/usr/bin:/bin", "SECRET_KEY": "s3-test", "ALLOWED_HOSTS": "appeals.example.com",
           "EVIDENCE_BUCKET": bucket, "EVIDENCE_S3_ENDPOINT_URL": endpoint}
    code = "import json; from config.settings import production as p; print(json.dumps(p.STORAGES['private']))"
    done = subprocess.run([sys.executable, "-c", code], cwd=settings.BASE_DIR, env=env,  # noqa: S603
                          capture_output=True, text=True, timeout=60, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.fixture
def bucket(s3_endpoint, settings, monkeypatch):
    """A fresh private bucket; the "private" storage and the evidence fields point at it."""
    for name, value in CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    name = f"evidence-{uuid.uuid4().hex[:12]}"
    s3 = boto3.client("s3", endpoint_url=s3_endpoint)
    s3.create_bucket(Bucket=name)
    private = production_private_storage(name, s3_endpoint)
    assert private["BACKEND"] == "storages.backends.s3.S3Storage"
    assert (private["OPTIONS"]["default_acl"], private["OPTIONS"]["querystring_auth"]) == ("private", True)
    settings.STORAGES = {**settings.STORAGES, "private": private}  # setting_changed empties the storages cache
    storage = storages["private"]
    # A FileField calls its storage callable once, at import: point the evidence fields at the bucket too.
    for field in EVIDENCE_FIELDS:
        monkeypatch.setattr(Evidence._meta.get_field(field), "storage", storage)
    yield s3, name


def keys(s3, bucket: str) -> set[str]:
    return {item["Key"] for item in s3.list_objects_v2(Bucket=bucket).get("Contents", [])}


def test_evidence_is_kept_as_private_objects_served_only_to_its_owner_and_purged(
        bucket, s3_endpoint, client, django_capture_on_commit_callbacks):
    s3, name = bucket
    with django_capture_on_commit_callbacks(execute=True):  # the worker's job, run here on commit
        appeal = file_appeal()
    evidence = list(appeal.evidence.order_by("pk"))
    assert [item.status for item in evidence] == [Evidence.Status.READY] * 3
    assert keys(s3, name) == {item.image.name for item in evidence} | {item.thumbnail.name for item in evidence}
    assert all(item.image.name.startswith("evidence/") and not item.upload for item in evidence)  # uploads deleted

    # Protected serving: through the app, to the owner only.
    shot = evidence[0]
    stored = s3.get_object(Bucket=name, Key=shot.image.name)["Body"].read()
    client.force_login(appeal.customer)
    response = client.get(reverse("evidence-image", args=[appeal.reference, shot.pk]))
    assert (response.status_code, response["Content-Type"]) == (200, "image/jpeg")
    assert b"".join(response.streaming_content) == stored and stored[:2] == b"\xff\xd8"
    client.force_login(CustomerFactory())
    assert client.get(reverse("evidence-image", args=[appeal.reference, shot.pk])).status_code == 404

    # The objects themselves are private: no anonymous read, no grant beyond the owner.
    with pytest.raises(urllib.error.HTTPError) as anonymous:
        urllib.request.urlopen(f"{s3_endpoint}/{name}/{shot.image.name}", timeout=5)  # noqa: S310 - loopback
    assert anonymous.value.code == 403
    grants = s3.get_object_acl(Bucket=name, Key=shot.image.name)["Grants"]
    assert [grant["Permission"] for grant in grants] == ["FULL_CONTROL"]
    assert all("URI" not in grant["Grantee"] for grant in grants)  # no AllUsers / AuthenticatedUsers group

    # The readiness probe sees the bucket.
    assert client.get(reverse("readyz")).json()["checks"]["storage"] == "ok"

    # Retention: 180 days after the decision the objects go; the evidence rows stay.
    agent = AgentFactory()
    with django_capture_on_commit_callbacks(execute=True):
        review.appeal_claim(appeal_id=appeal.pk, actor=agent)
        decide.appeal_approve(appeal_id=appeal.pk, actor=agent)
    appeal.refresh_from_db()
    assert appeal.state == State.APPROVED
    with time_machine.travel(timezone.now() + timedelta(days=179)), django_capture_on_commit_callbacks(execute=True):
        assert pipeline.evidence_purge() == 0
    assert len(keys(s3, name)) == 6
    with time_machine.travel(timezone.now() + timedelta(days=181)), django_capture_on_commit_callbacks(execute=True):
        assert pipeline.evidence_purge() == 3
    assert keys(s3, name) == set()
    assert all(item.purged_at and not item.image for item in appeal.evidence.all())

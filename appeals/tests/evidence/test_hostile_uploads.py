"""Each hostile upload is refused with a clear message or cleaned; never a 500."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from appeals.models import Appeal, Evidence
from appeals.tests.evidence import hostile_files
from appeals.tests.factories import image_bytes, refund_freeze

pytestmark = pytest.mark.django_db


def _post(client, freeze, order_file, name="order.png", extra=None):
    client.force_login(freeze.account.customer)
    data = {
        "order_number": freeze.refund.order.number,
        "tracking_number": "SF1234567890123",
        "amount": str(freeze.amount),
        "description": "我的订单已退货,请协助解冻",
        "order_screenshot": SimpleUploadedFile(name, order_file, "image/png"),
        "logistics_screenshot": SimpleUploadedFile("logistics.png", image_bytes(), "image/png"),
        "refund_receipt": SimpleUploadedFile("receipt.png", image_bytes(), "image/png"),
        **(extra or {}),
    }
    return client.post(reverse("appeal-create", args=[freeze.pk]), data)


REFUSED_INLINE = {
    "pixel flood 20000x20000": (hostile_files.png_pixel_flood(20000, 20000), "shot.png", "像素"),
    "text file named .png": (hostile_files.TEXT, "shot.png", "JPEG、PNG"),
    "svg with script": (hostile_files.SVG, "shot.svg", "JPEG、PNG"),
    "damaged pdf": (hostile_files.PDF, "receipt.pdf", "PDF 文件已损坏"),
    "zero-byte": (b"", "empty.png", None),
    "11 MB": (hostile_files.oversized(11), "big.png", "10 MB"),
}


@pytest.mark.parametrize("case", REFUSED_INLINE, ids=list(REFUSED_INLINE))
def test_refused_in_the_request_with_a_clear_message(client, case):
    payload, name, expected = REFUSED_INLINE[case]
    freeze = refund_freeze()
    response = _post(client, freeze, payload, name)
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "order_screenshot" in errors
    if expected:
        assert expected in " ".join(errors["order_screenshot"])
    assert not Appeal.objects.filter(freeze=freeze).exists()
    assert not Evidence.objects.exists()


def test_ninth_file_is_refused_with_a_clear_page(client):
    freeze = refund_freeze()
    extra = {
        "order_history": SimpleUploadedFile("h.png", image_bytes(), "image/png"),
        "platform_proof": SimpleUploadedFile("p.png", image_bytes(), "image/png"),
        "other": [SimpleUploadedFile(f"o{i}.png", image_bytes(), "image/png") for i in range(4)],
    }
    response = _post(client, freeze, image_bytes(), extra=extra)
    assert response.status_code == 400
    assert "8" in response.content.decode()
    assert not Appeal.objects.exists()


def _filed(client, django_capture_on_commit_callbacks, payload, name="order.png"):
    freeze = refund_freeze()
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, freeze, payload, name)
    assert response.status_code == 302
    return Appeal.objects.get(freeze=freeze).evidence.get(kind=Evidence.Kind.ORDER)


def test_truncated_png_is_rejected_by_the_worker_with_a_reason(client, django_capture_on_commit_callbacks):
    evidence = _filed(client, django_capture_on_commit_callbacks, hostile_files.truncated_png())
    assert evidence.status == Evidence.Status.REJECTED
    assert evidence.rejection_reason
    assert not evidence.image and not evidence.upload
    page = client.get(reverse("appeal-detail", args=[evidence.appeal.reference])).content.decode()
    assert evidence.rejection_reason in page


def test_png_with_html_appended_is_stored_as_a_clean_jpeg(client, django_capture_on_commit_callbacks):
    evidence = _filed(client, django_capture_on_commit_callbacks, hostile_files.png_with_html())
    assert evidence.status == Evidence.Status.READY
    stored = evidence.image.open("rb").read()
    assert stored.startswith(b"\xff\xd8") and stored.rstrip(b"\0").endswith(b"\xff\xd9")
    assert b"<script>" not in stored and b"<html>" not in stored


def test_jpeg_gps_exif_is_dropped(client, django_capture_on_commit_callbacks):
    payload = hostile_files.jpeg_with_gps()
    assert Image.open(io.BytesIO(payload)).getexif().get(0x8825)  # the upload does carry GPS
    evidence = _filed(client, django_capture_on_commit_callbacks, payload, "photo.jpg")
    assert evidence.status == Evidence.Status.READY
    stored = Image.open(io.BytesIO(evidence.image.open("rb").read()))
    assert stored.format == "JPEG"
    assert not stored.getexif()
    assert b"PhoneMaker" not in evidence.image.open("rb").read()


def test_upload_name_is_never_used_for_storage(client, django_capture_on_commit_callbacks):
    evidence = _filed(client, django_capture_on_commit_callbacks, image_bytes(), "../../etc/passwd\x00.png")
    assert evidence.status == Evidence.Status.READY
    assert evidence.original_name == "passwd.png"
    assert "passwd" not in evidence.image.name and ".." not in evidence.image.name

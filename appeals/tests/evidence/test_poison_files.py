"""One upload must never hurt the worker: shapes no screenshot has are refused in the request, and a
file that breaks the decoder, the encoder or OCR anyway (stored before the request check knew it, or
a bug of a library) is rejected for good, its upload deleted, its appeal moved on, never retried
by the sweeper."""

from datetime import timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from appeals import tasks
from appeals.evidence import images, pipeline
from appeals.models import Appeal, Evidence
from appeals.tests.evidence import hostile_files
from appeals.tests.factories import file_appeal, image_bytes, refund_freeze, upload

pytestmark = pytest.mark.django_db

UNREADABLE = "The image could not be read; please upload a screenshot."  # stored as the worker says it (Chinese)


def _form(freeze, order_screenshot) -> dict:
    return {
        "order_number": freeze.refund.order.number, "tracking_number": "SF1234567890123",
        "amount": str(freeze.amount), "description": "我的订单已退货,请协助解冻",
        "order_screenshot": order_screenshot,
        "logistics_screenshot": SimpleUploadedFile("logistics.png", image_bytes(), "image/png"),
        "refund_receipt": SimpleUploadedFile("receipt.png", image_bytes(), "image/png"),
    }


@pytest.mark.parametrize(("name", "data", "content_type"), [
    ("strip.png", hostile_files.png_strip(39_999_999), "image/png"),
    ("strip.jpg", hostile_files.jpeg_strip(65_000), "image/jpeg"),
    ("wide.png", image_bytes(size=(16_385, 40)), "image/png"),
    ("thin.png", image_bytes(size=(700, 14_001)), "image/png"),  # 1:20.001
], ids=["1x39999999-png", "1x65000-jpeg", "16385-wide", "ratio-over-20"])
def test_shapes_no_screenshot_has_are_refused_in_the_request(client, name, data, content_type):
    freeze = refund_freeze()
    client.force_login(freeze.account.customer)
    client.cookies["django_language"] = "en"
    response = client.post(reverse("appeal-create", args=[freeze.pk]),
                           _form(freeze, SimpleUploadedFile(name, data, content_type)))
    assert response.status_code == 400
    assert "no side may exceed 16384 pixels" in response.content.decode()
    assert not Appeal.objects.filter(freeze=freeze).exists()
    client.cookies["django_language"] = "zh-hans"
    page = client.post(reverse("appeal-create", args=[freeze.pk]),
                       _form(freeze, SimpleUploadedFile(name, data, content_type))).content.decode()
    assert "16384" in page and "no side may exceed" not in page  # the Chinese message


@pytest.mark.parametrize("size", [(700, 14_000), (16_384, 1_000), (1_170, 2_532)])
def test_tall_and_wide_screenshots_within_the_limits_pass(size):
    images.sniff(upload("ok.png", image_bytes(size=size)))


@pytest.fixture
def old_request_check(settings):
    """The request check as it was before the shape limits: files like these are on disk already."""
    settings.EVIDENCE_MAX_SIDE_PX = settings.EVIDENCE_MAX_ASPECT_RATIO = 10**9


def _file_with(data: bytes, name: str, content_type: str, capture):
    with capture(execute=True):  # the processing tasks run (eagerly) when the appeal commits
        return file_appeal(files=[
            (Evidence.Kind.ORDER, upload(name, data, content_type)),
            (Evidence.Kind.LOGISTICS, upload("logistics.png", image_bytes(text="SF1234567890123"))),
            (Evidence.Kind.REFUND_RECEIPT, upload("receipt.jpg", image_bytes("JPEG"), "image/jpeg")),
        ])


def _assert_rejected_for_good(appeal):
    poison = appeal.evidence.get(kind=Evidence.Kind.ORDER)
    assert poison.status == Evidence.Status.REJECTED and poison.rejection_reason == gettext(UNREADABLE) != UNREADABLE
    assert poison.attempts == 1 and not poison.upload and poison.processed_at
    assert not appeal.evidence.filter(status=Evidence.Status.PENDING).exists()
    return poison


def test_a_png_that_breaks_the_jpeg_encoder_is_rejected_not_retried(old_request_check,
                                                                     django_capture_on_commit_callbacks):
    storage = Evidence._meta.get_field("upload").storage
    incoming = set(storage.listdir("incoming")[1]) if storage.exists("incoming") else set()
    appeal = _file_with(hostile_files.png_strip(39_999_999), "strip.png", "image/png",
                        django_capture_on_commit_callbacks)
    poison = _assert_rejected_for_good(appeal)
    assert set(storage.listdir("incoming")[1]) <= incoming  # every raw upload deleted, the poison one too
    assert set(appeal.evidence.exclude(pk=poison.pk).values_list("status", flat=True)) == {Evidence.Status.READY}
    with time_machine.travel(timezone.now() + timedelta(minutes=10)):
        assert pipeline.evidence_requeue_stale() == 0


def test_a_jpeg_that_breaks_ocr_is_rejected_and_the_appeal_is_checked(old_request_check, settings,
                                                                     django_capture_on_commit_callbacks):
    settings.EVIDENCE_OCR = True
    appeal = _file_with(hostile_files.jpeg_strip(65_000), "strip.jpg", "image/jpeg",
                        django_capture_on_commit_callbacks)
    _assert_rejected_for_good(appeal)
    appeal.refresh_from_db()
    assert appeal.evidence_checks  # the cross-check ran: the appeal went on to its review


def test_a_file_whose_worker_dies_every_time_is_rejected_by_the_sweeper_not_enqueued(
        settings, django_capture_on_commit_callbacks):
    """A worker killed while holding the file (out of memory, say) never gets to record anything but
    the try it started: after EVIDENCE_MAX_ATTEMPTS the sweeper rejects it instead of enqueuing it."""
    settings.CELERY_TASK_ALWAYS_EAGER = True
    appeal = file_appeal()  # not committed to a worker: stays pending
    poison, *rest = appeal.evidence.order_by("pk")
    Evidence.objects.filter(pk=poison.pk).update(attempts=settings.EVIDENCE_MAX_ATTEMPTS)
    Evidence.objects.filter(pk__in=[item.pk for item in rest]).update(attempts=1)
    sent = []
    with time_machine.travel(timezone.now() + timedelta(minutes=10)):
        original = tasks.process_evidence.delay
        tasks.process_evidence.delay = sent.append  # the broker is outside the project: record what goes to it
        try:
            with django_capture_on_commit_callbacks(execute=True):
                assert pipeline.evidence_requeue_stale() == 3
        finally:
            tasks.process_evidence.delay = original
    assert sent == [item.pk for item in rest]
    poison.refresh_from_db()
    assert poison.status == Evidence.Status.REJECTED and poison.rejection_reason == gettext(UNREADABLE) != UNREADABLE
    assert not poison.upload and poison.attempts == settings.EVIDENCE_MAX_ATTEMPTS + 1

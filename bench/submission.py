"""Submission path: filing an appeal with three phone screenshots through the real view, against a
bare view that only stores the same three files.

    .venv/bin/python bench/submission.py [--smoke] [--json out.json]

Each customer has one refund freeze (made through the ledger services). The request is what a phone
sends: a multipart POST of the appeal form with three 1170×2532 PNG screenshots of about 1.5 MB
each (text cards and photo-like tiles, bench/screens.py), encoded once before the clock starts. The
real path is appeals.customer.views.appeal_create (form, header sniff, appeal_submit: locks, checks, rows,
files to private storage, risk, notification); the floor is bench.urls.bare_upload, which
authenticates the same session, parses the same body and saves the three files to the same storage.
The two alternate. Celery is not eager and its broker is in memory (bench/settings_inproc.py), so
the image work (the worker's images.clean) cannot run inside the measured request; the benchmark
checks that every evidence row is still pending afterwards and that the tasks were published.
The details break the real request down (its queries, the header sniff). Target: median real ÷ bare ≤ 1.5.
"""

# ruff: noqa: S106  ("!" is Django's unusable password, not a secret)

import atexit
import os
import shutil
import sys
import tempfile

import common

NAME = "submission"
TARGET = 1.5
BOUNDARY = "----benchBoundary7MA4YWxkTrZu0gW"


def _multipart(fields: dict, files: list[tuple[str, str, bytes]]) -> bytes:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test.client import encode_multipart

    data = dict(fields)
    for field, name, content in files:
        data[field] = SimpleUploadedFile(name, content, content_type="image/png")
    return encode_multipart(BOUNDARY, data)


def _queued_tasks() -> int:
    from config.celery import app

    with app.connection_for_write() as conn:
        return conn.default_channel._size(app.conf.task_default_queue)


def main() -> int:
    p = common.parser(__doc__)
    p.add_argument("--n", type=int, default=15, help="timed requests per path")
    args = p.parse_args()
    if args.smoke:
        args.n = 2
    if "BENCH_MEDIA_ROOT" not in os.environ:  # run alone: the uploads go to a temporary folder
        os.environ["BENCH_MEDIA_ROOT"] = tempfile.mkdtemp(prefix="bench-media-")
        atexit.register(shutil.rmtree, os.environ["BENCH_MEDIA_ROOT"], ignore_errors=True)
    common.bootstrap(NAME)

    import screens
    from django.conf import settings
    from django.contrib.auth.models import Group
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from accounts import roles
    from accounts.models import User
    from accounts.services import ledger, policy
    from appeals.models import Appeal, Evidence

    assert not settings.CELERY_TASK_ALWAYS_EAGER and settings.CELERY_BROKER_URL == "memory://"
    files = screens.three()
    sizes = [len(content) for _f, _n, content in files]
    common.log(NAME, f"screenshots: {sizes} bytes")

    warmup = 2
    group = Group.objects.get(name=roles.CUSTOMER)
    cases = []
    for i in range(warmup + args.n + 1):  # the last one: the untimed breakdown request
        customer = User.objects.create(username=f"sub{i}", phone=f"1380000{i:04d}", password="!")
        customer.groups.add(group)
        account = ledger.account_open(customer=customer, limit="10000.00")
        order = ledger.order_purchase(account=account, number=f"DY2611{i:08d}", amount="599.00",
                                        item_name="蓝牙耳机 Pro", item_sku="SKU-EAR",
                                        delivery_address="上海市浦东新区世纪大道100号")
        refund = policy.refund_record(order=order, amount="599.00", returned_item_name="蓝牙耳机 Pro",
                                        returned_item_sku="SKU-EAR", return_address="上海市浦东新区世纪大道100号",
                                        tracking_number=f"SF{i:013d}")
        freeze = refund.freezes.get()
        client = common.client(shared_with=cases[0][0] if cases else None)
        client.force_login(customer)
        fields = {"order_number": order.number, "tracking_number": refund.tracking_number, "amount": "599.00",
                  "description": "我的订单已退货，系统显示599元被冻结，请协助解冻。"}
        cases.append((client, reverse("appeal-create", args=[freeze.pk]), _multipart(fields, files)))
    bare_client = common.client(shared_with=cases[0][0])
    bare_client.force_login(User.objects.get(username="sub0"))
    content_type = f"multipart/form-data; boundary={BOUNDARY}"
    bare_body = cases[0][2]  # the same bytes: same fields, same three files
    body_mb = len(bare_body) / 1e6

    def real(case):
        client, url, body = case
        with common.Timer() as t:
            response = client.post(url, data=body, content_type=content_type)
        assert response.status_code == 302 and "/appeals/" in response["Location"], (response.status_code,
                                                                                     response.content[:500])
        return t.seconds

    def bare():
        with common.Timer() as t:
            response = bare_client.post("/bench/upload", data=bare_body, content_type=content_type)
        assert response.status_code == 200 and response.content == b"stored 3", response.content
        return t.seconds

    for case in cases[:warmup]:
        real(case)
        bare()
    times = {"real": [], "bare": []}
    for i, case in enumerate(cases[warmup:-1]):
        if i % 2:
            times["real"].append(real(case))
            times["bare"].append(bare())
        else:
            times["bare"].append(bare())
            times["real"].append(real(case))

    # Where the real request's extra time goes (untimed extra requests): its queries, and the header sniff.
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from appeals.evidence import images

    extra = cases[-1]
    with CaptureQueriesContext(connection) as captured:
        real(extra)
    with CaptureQueriesContext(connection) as captured_bare:
        bare()
    with common.Timer() as sniffing:
        for _f, name, content in files:
            images.sniff(SimpleUploadedFile(name, content, content_type="image/png"))
    breakdown = {"queries_real": len(captured.captured_queries), "queries_bare": len(captured_bare.captured_queries),
                 "query_ms_real": round(sum(float(q["time"]) for q in captured.captured_queries) * 1000, 1),
                 "sniff_ms_3_files": round(sniffing.seconds * 1000, 2)}
    common.log(NAME, f"breakdown: {breakdown}")

    filed = Appeal.objects.count()
    pending = Evidence.objects.filter(status=Evidence.Status.PENDING).count()
    processed = Evidence.objects.exclude(status=Evidence.Status.PENDING).count()
    queued = _queued_tasks()
    assert filed == len(cases) and pending == 3 * len(cases) and processed == 0, (filed, pending, processed)
    # per appeal: three process_evidence tasks and one notification e-mail, published on commit
    assert queued >= 4 * len(cases), f"expected the evidence tasks on the broker, found {queued}"
    common.verify_ledger()

    real_ms, bare_ms = common.median(times["real"]) * 1000, common.median(times["bare"]) * 1000
    ratio = real_ms / bare_ms
    rows = [common.row("file an appeal, 3 × 1.5 MB PNG (view ÷ bare store)", measured=real_ms, baseline=bare_ms,
                       ratio=ratio, target=f"≤ {TARGET}", passed=ratio <= TARGET, unit="ms (median)",
                       note=f"{body_mb:.1f} MB body; {breakdown['queries_real']} vs {breakdown['queries_bare']} "
                            "queries; "
                            f"image work left to the worker ({pending} evidence pending, {queued} tasks queued)")]
    details = {"screenshot_bytes": sizes, "body_bytes": len(bare_body), "breakdown": breakdown,
               "times_ms": {k: [round(v * 1000, 2) for v in vals] for k, vals in times.items()},
               "appeals_filed": filed, "evidence_pending": pending, "tasks_queued": queued}
    return common.emit(args, NAME, rows, details)


if __name__ == "__main__":
    sys.exit(main())

"""Worker memory: the resident size of a real Celery worker process after 200 phone screenshots (OCR
engine loaded), and how much it grew over those 200.

    .venv/bin/python bench/worker_memory.py [--smoke] [--json out.json] [--n 200]

One `celery worker --pool solo` process (production settings through bench/settings.py, OCR on), so
the process measured is the one running every task; the solo pool has no children, so the per-child
limits (WORKER_MAX_MEMORY_KIB, WORKER_MAX_TASKS_PER_CHILD) never replace it. Broker: BENCH_BROKER_URL,
else Redis database 13 at 127.0.0.1:6379, else, and in smoke runs always, the filesystem transport in
a temporary folder; a queue of the run's own either way (bench/workers.py).

Appeals on refund freezes are filed through appeals.workflow.submit.appeal_submit (the view's
service: rows, files stored as received, process_evidence published on commit), each with four
screenshots drawn by bench/screens.py from one case (its order, logistics and refund-receipt pages
showing the order, amount and tracking number of the appeal's records, plus another order page as
order history), in four variants by turn: iPhone PNG of 1.5 MB and of 2.5 MB, Android PNG 1080
wide, chat-app JPEG 828 wide. First WARMUP_APPEALS appeals (32 screenshots; one in smoke runs) warm
the worker up: the engine loaded, every variant seen, its buffers grown to what the largest inputs
need; once they are read and the worker is idle, its RSS is the baseline (the RSS after the first
appeal is in the note). Then
the n screenshots are filed in one transaction (all published at its commit) and the database is
polled until every one is read and every appeal's risk assessed; the RSS then, idle again, against
the baseline: growth ≤ 50 MB. RSS and peak (VmRSS, VmHWM) come from /proc/<pid>/status, sampled
while the worker works (the curve is in the details).
"""

import atexit
import io
import os
import secrets
import shutil
import sys
import tempfile
import time

import common
import workers

NAME = "worker_memory"
LOG = "memory-worker.log"  # in the bench log folder
GROWTH_TARGET_MB = 50.0
KINDS = ["order", "logistics", "refund_receipt", "order_history"]  # Evidence.Kind, one screenshot each
# Before the baseline: the engine's buffers grow to what the largest inputs need over the first
# ~30 screenshots (first full run: 694 MB after 4, 872 MB after 30, then 871–873 MB up to 200).
WARMUP_APPEALS = 8
ADDRESS = "上海市浦东新区世纪大道100号"
SETTLE_SECONDS = 3.0  # after the last screenshot: the appeal's notification tasks, then idle
STALL_SECONDS = 120  # no screenshot read for this long: the worker is not getting the tasks


def proc_status(pid: int) -> dict[str, float]:
    """VmRSS and VmHWM of a process, in MB."""
    with open(f"/proc/{pid}/status") as status:
        fields = dict(line.split(":", 1) for line in status if line.startswith(("VmRSS", "VmHWM")))
    return {key: int(value.split()[0]) / 1024 for key, value in fields.items()}


def variant(seed: int, kind: str, turn: int) -> tuple[str, bytes]:
    """(file name, bytes): the case's page of that kind in the turn's phone/app variant."""
    import screens
    from PIL import Image

    page = "order" if kind == "order_history" else kind
    if turn == 0:
        return f"{kind}.png", screens.screenshot(seed, 1_500_000, page)
    if turn == 1:
        return f"{kind}.png", screens.screenshot(seed, 2_500_000, page)
    image = Image.open(io.BytesIO(screens.screenshot(seed, 1_200_000, page))).convert("RGB")
    width = 1080 if turn == 2 else 828
    image = image.resize((width, round(image.height * width / image.width)), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    if turn == 2:
        image.save(out, "PNG")
        return f"Screenshot_{seed}_{kind}.png", out.getvalue()
    image.save(out, "JPEG", quality=75)
    return f"mmexport{seed}{turn}.jpg", out.getvalue()


def file_appeals(customer_ids: list[int], first_seed: int, first_turn: int) -> list[int]:
    """One appeal per customer on a refund freeze made through the ledger services, with four
    screenshots of its case; returns the appeals' ids. The caller's transaction publishes the tasks."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    import samples
    from accounts.models import User
    from accounts.services import ledger, policy
    from appeals.workflow.submit import appeal_submit

    appeal_ids = []
    for i, customer in enumerate(User.objects.filter(pk__in=customer_ids).order_by("pk")):
        seed = first_seed + i
        spec = samples.spec_for(seed)
        truth, item = spec["truth"], spec["item"]
        account = ledger.account_open(customer=customer, limit="20000.00")
        order = ledger.order_purchase(account=account, number=truth["order_number"], amount=truth["order_amount"],
                                      item_name=item, item_sku=f"SKU-{seed}", delivery_address=ADDRESS)
        refund = policy.refund_record(order=order, amount=truth["refund_amount"], returned_item_name=item,
                                      returned_item_sku=f"SKU-{seed}", return_address=ADDRESS,
                                      tracking_number=truth["tracking_number"])
        files = []
        for j, kind in enumerate(KINDS):
            name, data = variant(seed, kind, (first_turn + i + j) % 4)
            content_type = "image/jpeg" if name.endswith(".jpg") else "image/png"
            files.append((kind, SimpleUploadedFile(name, data, content_type=content_type)))
        appeal = appeal_submit(customer=customer, freeze_id=refund.freezes.get().pk, order_number=order.number,
                               tracking_number=refund.tracking_number, amount=refund.amount, files=files,
                               description="我已退货，平台显示退款成功，但这笔钱仍被冻结，请协助解冻。")
        appeal_ids.append(appeal.pk)
    return appeal_ids



class Watch:
    """The worker process, sampled while the database is polled for the appeals' screenshots."""

    def __init__(self, worker):
        self.worker, self.samples = worker, []

    def rss(self) -> dict[str, float]:
        if self.worker.poll() is not None:
            raise SystemExit(f"the worker exited (status {self.worker.returncode}): see "
                             f"{workers.log_dir() / LOG}")
        return proc_status(self.worker.pid)

    def until_read(self, appeal_ids: list[int], timeout: float) -> float:
        """Wait until every screenshot of these appeals is read and each appeal's risk assessed (then
        SETTLE_SECONDS for the tasks they publish); returns the seconds until the last was read."""
        from appeals.models import Appeal, Evidence

        evidence = Evidence.objects.filter(appeal_id__in=appeal_ids)
        total, started = evidence.count(), time.perf_counter()
        progress = (0, started)  # (screenshots read, when that count was first seen)
        while True:
            done = evidence.exclude(status=Evidence.Status.PENDING).count()
            self.samples.append({"read": done, "at": round(time.perf_counter() - started, 1), **self.rss()})
            assessed = Appeal.objects.filter(pk__in=appeal_ids, risk_assessed_at__isnull=False).count()
            if done == total and assessed == len(appeal_ids):
                break
            now = time.perf_counter()
            if done > progress[0]:
                progress = (done, now)
            if now - started > timeout or now - progress[1] > STALL_SECONDS:
                raise SystemExit(f"gave up after {now - started:.0f} s ({now - progress[1]:.0f} s without progress): "
                                 f"{done} of {total} screenshots read, {assessed} of {len(appeal_ids)} appeals "
                                 f"assessed; see {workers.log_dir() / LOG}")
            time.sleep(0.5)
        seconds = time.perf_counter() - started
        time.sleep(SETTLE_SECONDS)
        return seconds


def wait_ready(worker, timeout: float = 60) -> None:
    log, deadline = workers.log_dir() / LOG, time.time() + timeout
    while " ready." not in log.read_text(errors="replace"):
        if worker.poll() is not None or time.time() > deadline:
            raise SystemExit(f"the worker did not start: see {log}")
        time.sleep(0.3)


def main() -> int:
    p = common.parser(__doc__)
    p.add_argument("--n", type=int, default=200, help="screenshots measured (a multiple of 4)")
    args = p.parse_args()
    if args.smoke:
        args.n = 4
    appeals_n = max(1, args.n // len(KINDS))
    env_extra = workers.broker(args.smoke, "redis://127.0.0.1:6379/13")
    os.environ.update(env_extra)
    if "BENCH_MEDIA_ROOT" not in os.environ:  # run alone: the uploads go to a temporary folder
        os.environ["BENCH_MEDIA_ROOT"] = tempfile.mkdtemp(prefix="bench-media-")
        atexit.register(shutil.rmtree, os.environ["BENCH_MEDIA_ROOT"], ignore_errors=True)
    url = common.bootstrap(NAME)
    import datagen
    from django.db import transaction

    from appeals.models import Evidence

    warmup = 1 if args.smoke else WARMUP_APPEALS
    customer_ids = datagen.customers(NAME, warmup + appeals_n)
    worker = workers.start(LOG, ["--pool", "solo"], SECRET_KEY="bench-" + secrets.token_hex(24),
                           DATABASE_URL=url, PRIVATE_MEDIA_ROOT=os.environ["BENCH_MEDIA_ROOT"], EVIDENCE_OCR="1",
                           EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend", **env_extra)
    watch = Watch(worker)
    try:
        wait_ready(worker)
        started = proc_status(worker.pid)
        with transaction.atomic():
            warm_ids = file_appeals(customer_ids[:1], first_seed=0, first_turn=0)
        watch.until_read(warm_ids, timeout=180)
        first = watch.rss()  # the engine loaded, one screenshot of each variant read
        if warmup > 1:
            with transaction.atomic():
                more = file_appeals(customer_ids[1:warmup], first_seed=1, first_turn=1)
            watch.until_read(more, timeout=180 + 10 * len(more) * len(KINDS))
        warm = watch.rss()
        warm_samples = len(watch.samples)
        common.log(NAME, f"warm: {warm['VmRSS']:.0f} MB (peak {warm['VmHWM']:.0f}); filing {appeals_n * 4} screenshots")
        with transaction.atomic():
            ids = file_appeals(customer_ids[warmup:], first_seed=warmup, first_turn=warmup)
        seconds = watch.until_read(ids, timeout=120 + 10 * appeals_n * len(KINDS))
        after = watch.rss()
    finally:
        workers.stop(worker)
    evidence = Evidence.objects.filter(appeal_id__in=ids)
    statuses = {status: evidence.filter(status=status).count() for status in Evidence.Status.values}
    lines = sum(len(lines) for lines in evidence.values_list("ocr_lines", flat=True))
    common.verify_ledger()
    n = evidence.count()
    if statuses[Evidence.Status.READY] != n or not lines:
        raise SystemExit(f"not every screenshot was read: {statuses}, {lines} OCR lines")
    growth = after["VmRSS"] - warm["VmRSS"]
    per_shot = seconds / n
    note_after = (f"solo pool, OCR loaded; {started['VmRSS']:.0f} MB before any task, {first['VmRSS']:.0f} MB after "
                  f"{len(KINDS)} screenshots, {warm['VmRSS']:.0f} MB after the {warmup * len(KINDS)} of the warm-up; "
                  f"peak {after['VmHWM']:.0f} MB")
    rows = [
        common.row(f"worker RSS after {n} screenshots", measured=round(after["VmRSS"], 1), unit="MB",
                   note=note_after),
        common.row(f"worker RSS growth over {n} screenshots", measured=round(growth, 1), unit="MB",
                   target=f"≤ {GROWTH_TARGET_MB:g} MB", passed=growth <= GROWTH_TARGET_MB,
                   note=f"{growth / n:.2f} MB and {per_shot:.2f} s per screenshot, {lines / n:.0f} OCR lines "
                        f"each, broker {env_extra['CELERY_BROKER_URL'].split(':')[0]}, load {os.getloadavg()[0]:.1f}"),
    ]
    details = {"before_tasks": started, "first_appeal": first, "warmup_screenshots": warmup * len(KINDS),
               "warm": warm, "after": after, "growth_mb": growth, "screenshots": n,
               "appeals": len(ids), "seconds": seconds, "seconds_per_screenshot": per_shot, "ocr_lines": lines,
               "statuses": statuses, "load_average": os.getloadavg(),
               "samples_warmup": watch.samples[:warm_samples], "samples": watch.samples[warm_samples:]}
    return common.emit(args, NAME, rows, details)


if __name__ == "__main__":
    sys.exit(main())

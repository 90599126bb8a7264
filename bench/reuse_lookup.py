"""Reuse lookup: the "same screenshot used by another customer" rule (appeals.risk.evidence_reused),
run when the worker has read an appeal's screenshots, with 30,000 appeals on file against 1,000.

    .venv/bin/python bench/reuse_lookup.py [--smoke] [--json out.json]

Data (bench/datagen.py): appeals with three read screenshots each, every one with a random 256-bit
perceptual hash indexed in hash bands as the worker indexes it. The probe is a new appeal of another
customer with three screenshots: one a near copy (8 bits flipped, one in each of 8 bands) of a stored
screenshot, two unrelated; the rule must name the copied appeal and nothing else. Measured: median
time of the rule at both sizes (large ÷ small ≤ 1.5: it reads only the screenshots sharing a band),
and, for scale, at the large size the full scan the rule used to do (read every other customer's
hash, compare each), same run. Both databases are built once; the timings alternate between them.
"""

import random
import sys

import common

NAME = "reuse_lookup"
TARGET_RATIO = 1.5


def probe(stored_hash: str, rng: random.Random):
    """A new customer's appeal with a near copy of `stored_hash` and two unrelated screenshots."""
    from accounts.models import Freeze, User
    from accounts.services import ledger
    from appeals.evidence.pipeline import evidence_index_hash
    from appeals.models import Evidence
    from appeals.workflow import submit

    customer = User.objects.create(username=f"probe{rng.getrandbits(32)}", phone="13900000000")
    account = ledger.account_open(customer=customer, limit="5000.00")
    freeze = ledger.freeze_create(account=account, amount="300.00", reason=Freeze.Reason.ROUTINE_RISK)
    appeal = submit.appeal_submit(customer=customer, freeze_id=freeze.pk, order_number="", tracking_number="",
                                    description="请协助解冻", files=[])
    near = int(stored_hash, 16)
    for start in (0, 8, 15, 22, 29, 36, 43, 50):  # the first hex digit of bands 0..7
        near ^= 1 << ((63 - start) * 4)
    for kind, phash in ((Evidence.Kind.ORDER, f"{rng.getrandbits(256):064x}"),
                        (Evidence.Kind.LOGISTICS, f"{near:064x}"),
                        (Evidence.Kind.REFUND_RECEIPT, f"{rng.getrandbits(256):064x}")):
        evidence_index_hash(Evidence.objects.create(appeal=appeal, kind=kind, uploaded_by=customer,
                                                    status=Evidence.Status.READY, phash=phash))
    return appeal


def full_scan(appeal) -> list[str]:
    """What the rule did before the hash bands: every other customer's hash, compared in Python."""
    from django.conf import settings

    from appeals.models import Evidence

    mine = list(appeal.evidence.exclude(phash="").values_list("phash", flat=True))
    others = list(Evidence.objects.exclude(appeal__customer_id=appeal.customer_id).exclude(phash="")
                  .values_list("phash", "ocr_lines", "appeal__reference"))
    return [reference for phash in mine for other, _lines, reference in others
            if (int(phash, 16) ^ int(other, 16)).bit_count() <= settings.RISK_PHASH_MAX_DISTANCE]


def main() -> int:
    p = common.parser(__doc__)
    p.add_argument("--small", type=int, default=1_000)
    p.add_argument("--large", type=int, default=30_000)
    p.add_argument("--rounds", type=int, default=6, help="alternating blocks per database")
    p.add_argument("--block", type=int, default=10, help="timed runs per block")
    args = p.parse_args()
    if args.smoke:
        args.small, args.large, args.rounds, args.block = 20, 200, 2, 2
    url = common.bootstrap(NAME)

    import atexit

    import datagen
    from django.db import connection

    from appeals import risk
    from appeals.models import Appeal, Evidence

    rng = random.Random(20261126)
    agents, supervisors = datagen.staff("rl", agents=2, supervisors=1)

    def build(tag, n, start=0):
        customer_ids = datagen.customers(tag, n, start=start)
        freezes = datagen.credit_lines(tag, customer_ids, freezes_per_account=1)
        datagen.appeals(tag, freezes, agents=agents, supervisors=supervisors, start=start, hashes=rng)

    with common.Timer() as t:
        build("ra", args.small)
        common.verify_ledger()
    common.log(NAME, f"{args.small:,} appeals ({3 * args.small:,} screenshots) built in {t.seconds:.1f} s")
    copied = Evidence.objects.order_by("pk")[args.small // 2]  # the screenshot the probe copies
    common.analyze()
    connection.close()
    small_url = common.clone(url, f"{common.db_name(url)}_small")
    atexit.register(common.drop, small_url)
    with common.Timer() as t:
        build("rb", args.large - args.small, start=args.small)
        common.verify_ledger()
    common.log(NAME, f"grown to {args.large:,} appeals in {t.seconds:.1f} s")
    common.analyze()

    sizes = {"small": small_url, "large": url}
    probes = {}
    for key, db in sizes.items():
        common.switch_database(db)
        appeal = probe(copied.phash, rng)
        found = risk.evidence_reused(appeal)
        assert [(f.params["other"], f.params["distance"]) for f in found] == [(copied.appeal.reference, 8)], found
        probes[key] = appeal.pk

    timings = {"small": [], "large": []}
    for _round in range(args.rounds):
        for key, db in sizes.items():
            common.switch_database(db)
            appeal = Appeal.objects.get(pk=probes[key])
            risk.evidence_reused(appeal)  # the first query after the switch opens the connection: untimed
            for _ in range(args.block):
                with common.Timer() as t:
                    risk.evidence_reused(appeal)
                timings[key].append(t.seconds)

    common.switch_database(url)
    appeal = Appeal.objects.get(pk=probes["large"])
    assert full_scan(appeal) == [copied.appeal.reference]
    scans = []
    for _ in range(3):
        with common.Timer() as t:
            full_scan(appeal)
        scans.append(t.seconds)

    small_ms, large_ms = common.median(timings["small"]) * 1000, common.median(timings["large"]) * 1000
    scan_ms = common.median(scans) * 1000
    ratio = large_ms / small_ms
    rows = [
        common.row(f"reuse rule, {args.large:,} vs {args.small:,} appeals on file", measured=large_ms,
                   baseline=small_ms, ratio=ratio, target=f"≤ {TARGET_RATIO}", passed=ratio <= TARGET_RATIO,
                   unit="ms (median)", note=f"{3 * args.large:,} screenshots; finds the 8-bit copy"),
        common.row(f"reuse rule at {args.large:,}: hash bands vs the old full scan", measured=large_ms,
                   baseline=scan_ms, ratio=large_ms / scan_ms, unit="ms (median)",
                   note="informational: the full scan grows with every screenshot on file"),
    ]
    details = {"timings_ms": {k: [round(v * 1000, 3) for v in vals] for k, vals in timings.items()},
               "full_scan_ms": [round(v * 1000, 1) for v in scans]}
    return common.emit(args, NAME, rows, details)


if __name__ == "__main__":
    sys.exit(main())

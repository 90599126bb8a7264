"""OCR accuracy and speed on generated phone screenshots (samples/).

    .venv/bin/python bench/ocr_accuracy.py [--n 200] [--json out.json]    # ~10 s per case on one core
    .venv/bin/python bench/ocr_accuracy.py --n 6                           # smoke run (CI)

For N genuine screenshots (order, logistics, refund receipt in turn) and their tampered twins (one
digit of the order number, tracking number or refund amount changed in the image), each image goes
through the worker's path — appeals.evidence.images.clean(), appeals.evidence.ocr.read_lines(result.image), then
appeals.evidence.facts.extract() — and the facts are compared with the record as the cross-check
does (a fact of the right kind equal to the record's value is a match). Reported:

* exact-match rates: order number on order screenshots, tracking number on logistics, amount on
  receipts (target ≥ 98 %);
* tampered twins that would still pass, i.e. a fact equal to the record's (original) value: must be 0;
  and how many twins were read as they show (the changed value), so that 0 is not 0 by blindness;
* time per screenshot on one core: the median of our path (clean + read_lines + extract) against a
  bare RapidOCR() call with the same engine settings on the same decoded image, timed back to back on
  every --bare-every-th image; overhead target ≤ 10 %.

No database is needed. Exit status 1 when a tampered twin passes, or with --check-targets when a
target is missed.
"""

import argparse
import io
import json
import os
import statistics
import sys
import time
from decimal import Decimal
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

RATE_TARGET, OVERHEAD_TARGET = 0.98, 0.10
CHECKS = [  # (label, kind, field)
    ("order number (order screenshots)", "order", "order_number"),
    ("tracking number (logistics)", "logistics", "tracking_number"),
    ("amount (refund receipts)", "refund_receipt", "amount"),
]
FACT_KIND = {"order_number": "order_number", "tracking_number": "tracking_number", "amount": "amount"}


def _args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=200, help="genuine screenshots (each gets a tampered twin)")
    parser.add_argument("--seed", type=int, default=0, help="first seed; cases use seed … seed+n-1")
    parser.add_argument("--json", type=Path, help="write the results here")
    parser.add_argument("--bare-every", type=int, default=5,
                        help="time a bare RapidOCR call next to ours on every k-th image (1: all; it doubles the time)")
    parser.add_argument("--misses", type=int, default=5, help="print this many misses with what OCR read")
    parser.add_argument("--no-pin", action="store_true", help="do not pin the process to one CPU")
    parser.add_argument("--check-targets", action="store_true", help="exit 1 when a rate or the overhead misses")
    return parser.parse_args()


def _pin() -> int | None:
    """One core, as the worker runs one task per core (ONNX is set to one thread; OpenCV and numpy
    would otherwise spread over the others)."""
    if not hasattr(os, "sched_setaffinity"):
        return None
    cpu = max(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {cpu})
    return cpu


def _bare_engine():
    """RapidOCR as appeals.evidence.ocr.engine() builds it, as a separate instance."""
    from django.conf import settings
    from rapidocr import RapidOCR

    return RapidOCR(params={
        "Global.log_level": "error",
        "Global.use_cls": False,
        "EngineConfig.onnxruntime.intra_op_num_threads": settings.EVIDENCE_OCR_THREADS,
        "EngineConfig.onnxruntime.inter_op_num_threads": 1,
    })


def _read(image_bytes: bytes, bare, time_bare: bool, flip: bool) -> dict:
    """The worker's path, timed step by step; and a bare engine call on the same decoded image."""
    from appeals.evidence import facts as evidence_facts
    from appeals.evidence import images, ocr

    started = time.perf_counter()
    result = images.clean(io.BytesIO(image_bytes))
    cleaned = time.perf_counter()
    bare_s = None
    if time_bare and flip:  # alternate which call goes first
        t0 = time.perf_counter()
        bare(result.image)
        bare_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    lines = ocr.read_lines(result.image)
    read_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    facts = evidence_facts.extract([line.text for line in lines])
    extract_s = time.perf_counter() - t0
    if time_bare and not flip:
        t0 = time.perf_counter()
        bare(result.image)
        bare_s = time.perf_counter() - t0
    return {
        "lines": lines, "facts": facts, "clean_s": cleaned - started, "read_s": read_s, "extract_s": extract_s,
        "ours_s": (cleaned - started) + read_s + extract_s, "bare_s": bare_s,
    }


def _ocr_lines(read: dict) -> list:
    return [[line.text, round(line.score, 3)] for line in read["lines"]]


def _values(facts, field) -> list:
    return [fact.value for fact in facts if fact.kind == FACT_KIND[field]]


def _jsonable(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def main() -> int:
    args = _args()
    cpu = None if args.no_pin else _pin()

    import django

    django.setup()
    from django.conf import settings

    from samples import make_case, tamper

    bare = _bare_engine()
    warm = make_case(args.seed)  # load both engines' models and warm them up, untimed
    _read(warm.image_bytes, bare, True, False)

    hits = {field: [] for _label, _kind, field in CHECKS}
    extras = {"carrier right (logistics hits)": [], "order number on receipts": [],
              "status refunded read (receipts)": []}
    twins = []  # (passes, read_as_shown)
    misses, timings = [], []
    images_total, done = 2 * args.n, 0
    started = time.perf_counter()
    for seed in range(args.seed, args.seed + args.n):
        case = make_case(seed)
        field = case.field
        for shot in (case, tamper(case)):
            time_bare = args.bare_every > 0 and done % args.bare_every == 0
            read = _read(shot.image_bytes, bare, time_bare, flip=bool((done // max(1, args.bare_every)) % 2))
            timings.append({key: read[key] for key in ("clean_s", "read_s", "extract_s", "ours_s", "bare_s")})
            done += 1
            got = _values(read["facts"], field)
            expected = case.truth[field]
            if shot.tampered is None:
                hit = expected in got
                hits[field].append(hit)
                if field == "tracking_number" and hit:
                    carriers = [f.carrier for f in read["facts"] if f.kind == "tracking_number" and f.value == expected]
                    extras["carrier right (logistics hits)"].append(case.truth["carrier"] in carriers)
                if case.kind == "refund_receipt":
                    extras["order number on receipts"].append(case.truth["order_number"] in _values(
                        read["facts"], "order_number"))
                    extras["status refunded read (receipts)"].append(
                        "refunded" in [f.value for f in read["facts"] if f.kind == "status"])
                if not hit:
                    misses.append({"seed": seed, "kind": case.kind, "field": field, "expected": expected,
                                   "carrier": case.truth["carrier"] if field == "tracking_number" else "",
                                   "extracted": got, "ocr": _ocr_lines(read)})
            else:
                twins.append((expected in got, shot.shown[field] in got))
                if expected in got:
                    misses.append({"seed": seed, "kind": case.kind, "field": field, "tampered": True,
                                   "expected": expected, "shown": shot.shown[field], "extracted": got,
                                   "ocr": _ocr_lines(read)})
        if done % 20 == 0 or done == images_total:
            elapsed = time.perf_counter() - started
            to_go = elapsed / done * (images_total - done)
            print(f"  {done}/{images_total} images, {elapsed:.0f} s, about {to_go:.0f} s to go", file=sys.stderr,
                  flush=True)

    def rate(values):
        return {"hit": sum(values), "total": len(values), "rate": sum(values) / len(values) if values else None}

    paired = [t for t in timings if t["bare_s"] is not None]
    ours_median = statistics.median(t["ours_s"] for t in timings)
    pair_ours = statistics.median(t["ours_s"] for t in paired) if paired else None
    pair_bare = statistics.median(t["bare_s"] for t in paired) if paired else None
    results = {
        "n": args.n, "seeds": [args.seed, args.seed + args.n - 1], "rapidocr": metadata.version("rapidocr"),
        "onnxruntime": metadata.version("onnxruntime"), "ocr_threads": settings.EVIDENCE_OCR_THREADS,
        "pinned_cpu": cpu,
        "rates": {field: rate(values) for field, values in hits.items()},
        "extras": {label: rate(values) for label, values in extras.items()},
        "tamper": {"twins": len(twins), "passes": sum(p for p, _ in twins), "read_as_shown": sum(s for _, s in twins)},
        "timing": {
            "images": len(timings), "paired": len(paired),
            "ours_median_s": ours_median,
            "clean_median_s": statistics.median(t["clean_s"] for t in timings),
            "read_lines_median_s": statistics.median(t["read_s"] for t in timings),
            "extract_median_s": statistics.median(t["extract_s"] for t in timings),
            "paired_ours_median_s": pair_ours, "paired_bare_median_s": pair_bare,
            "overhead": pair_ours / pair_bare - 1 if paired else None,
            "overhead_paired_median": statistics.median(t["ours_s"] / t["bare_s"] - 1 for t in paired) if paired
            else None,
        },
        "misses": misses,
    }
    _report(results, args.misses)
    if args.json:
        args.json.write_text(json.dumps(_jsonable(results), ensure_ascii=False, indent=1))
        print(f"wrote {args.json}")
    failed = results["tamper"]["passes"] > 0
    if args.check_targets:
        failed |= any(r["rate"] is not None and r["rate"] < RATE_TARGET for r in results["rates"].values())
        overhead = results["timing"]["overhead"]
        failed |= overhead is not None and overhead > OVERHEAD_TARGET
    return 1 if failed else 0


def _report(results: dict, show_misses: int) -> None:
    def pct(value):
        return "   —  " if value is None else f"{value * 100:5.1f} %"

    print()
    print(f"OCR accuracy: {results['n']} generated screenshots + {results['tamper']['twins']} tampered twins "
          f"(rapidocr {results['rapidocr']}, {results['ocr_threads']} thread, CPU {results['pinned_cpu']})")
    print(f"{'check':<40} {'hit/total':>10} {'rate':>8}   target")
    for label, _kind, field in CHECKS:
        r = results["rates"][field]
        mark = "ok" if r["rate"] is not None and r["rate"] >= RATE_TARGET else "MISSED"
        print(f"{label:<40} {r['hit']:>4}/{r['total']:<5} {pct(r['rate'])}   ≥ 98 %  {mark}")
    for label, r in results["extras"].items():
        print(f"{label:<40} {r['hit']:>4}/{r['total']:<5} {pct(r['rate'])}")
    t = results["tamper"]
    print(f"{'tampered twins still passing':<40} {t['passes']:>4}/{t['twins']:<5} {'':>8}   = 0     "
          f"{'ok' if t['passes'] == 0 else 'FAILED'}")
    print(f"{'tampered twins read as they show':<40} {t['read_as_shown']:>4}/{t['twins']:<5} "
          f"{pct(t['read_as_shown'] / t['twins'] if t['twins'] else None)}")
    tm = results["timing"]
    print(f"time per screenshot, one core (median of {tm['images']}): ours {tm['ours_median_s']:.2f} s "
          f"= clean {tm['clean_median_s'] * 1000:.0f} ms + read_lines {tm['read_lines_median_s']:.2f} s "
          f"+ extract {tm['extract_median_s'] * 1000:.1f} ms")
    if tm["paired"]:
        over = tm["overhead"]
        print(f"back to back on {tm['paired']} images: ours {tm['paired_ours_median_s']:.2f} s vs bare RapidOCR "
              f"{tm['paired_bare_median_s']:.2f} s: overhead {over * 100:+.1f} % (median of pairs "
              f"{tm['overhead_paired_median'] * 100:+.1f} %)   ≤ 10 %  {'ok' if over <= OVERHEAD_TARGET else 'MISSED'}")
    for miss in results["misses"][:show_misses]:
        what = "TAMPERED TWIN PASSED" if miss.get("tampered") else "miss"
        print(f"\n{what}: seed {miss['seed']} {miss['kind']} {miss['field']} expected {miss['expected']}"
              f"{' shown ' + str(miss['shown']) if miss.get('tampered') else ''}"
              f"{' (' + miss['carrier'] + ')' if miss.get('carrier') else ''}, extracted {miss['extracted']}")
        for text, score in miss["ocr"]:
            if any(char.isdigit() for char in text) or any(w in text for w in ("单号", "金额", "订单", "退款")):
                print(f"    {text!r} {score}")


if __name__ == "__main__":
    sys.exit(main())

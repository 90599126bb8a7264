"""Evidence pipeline: the worker's appeals.evidence.images.clean on one phone screenshot, on one core, against
a bare Pillow decode + JPEG encode of the same image.

    .venv/bin/python bench/evidence_pipeline.py [--smoke] [--json out.json]

The screenshot is a 1170×2532 PNG of about 1.5 MB (bench/screens.py). clean() decodes it fully,
applies the EXIF orientation, converts to RGB, re-encodes it as JPEG (quality 88), makes the
360 px thumbnail and the 256-bit perceptual hash. The floor decodes the same bytes and encodes
JPEG at the same quality, nothing else. The process is pinned to one CPU and numpy/BLAS/OpenMP to
one thread (a worker runs one task per core). The two alternate; throughput = 1 / median time.
Target: clean ≥ 0.6 × the floor's throughput. The details break clean() down step by step.
"""

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ[_var] = "1"

import io  # noqa: E402
import sys  # noqa: E402

import common  # noqa: E402

NAME = "evidence_pipeline"
TARGET = 0.6


def main() -> int:
    p = common.parser(__doc__)
    p.add_argument("--n", type=int, default=25, help="timed runs of each")
    args = p.parse_args()
    if args.smoke:
        args.n = 3
    cpu = common.pin_one_core()
    common.bootstrap(NAME, database=False)

    import imagehash
    import screens
    from PIL import Image, ImageOps

    from appeals.evidence import images

    data = screens.screenshot(0)

    def bare():
        image = Image.open(io.BytesIO(data))
        image.load()
        if image.mode != "RGB":
            image = image.convert("RGB")
        out = io.BytesIO()
        image.save(out, "JPEG", quality=images.JPEG_QUALITY)
        return out.getvalue()

    def ours():
        return images.clean(io.BytesIO(data))

    def timed(fn):
        with common.Timer() as t:
            fn()
        return t.seconds

    for _ in range(2):
        bare(), ours()
    times = {"clean": [], "bare": []}
    for i in range(args.n):
        pair = [("clean", ours), ("bare", bare)]
        for key, fn in pair if i % 2 else reversed(pair):
            times[key].append(timed(fn))

    # Step by step, as clean() does it (for the report; not part of the target).
    steps = {}
    for _ in range(max(3, args.n // 5)):
        t = {}
        with common.Timer() as s:
            image = Image.open(io.BytesIO(data))
            image.load()
        t["decode"] = s.seconds
        with common.Timer() as s:
            image = images._to_rgb(ImageOps.exif_transpose(image))
        t["orient+rgb"] = s.seconds
        with common.Timer() as s:
            image.save(io.BytesIO(), "JPEG", quality=images.JPEG_QUALITY, optimize=False)
        t["jpeg"] = s.seconds
        with common.Timer() as s:
            thumb = image.copy()
            thumb.thumbnail(images.THUMBNAIL_SIZE, Image.Resampling.BILINEAR, reducing_gap=2.0)
            thumb.save(io.BytesIO(), "JPEG", quality=80)
        t["thumbnail"] = s.seconds
        with common.Timer() as s:
            imagehash.phash(thumb, hash_size=images.PHASH_SIZE)
        t["phash"] = s.seconds
        for key, value in t.items():
            steps.setdefault(key, []).append(value)

    clean_ms, bare_ms = common.median(times["clean"]) * 1000, common.median(times["bare"]) * 1000
    clean_ips, bare_ips = 1000 / clean_ms, 1000 / bare_ms
    ratio = clean_ips / bare_ips
    rows = [common.row("images.clean throughput, 1 core (÷ bare decode+JPEG)", measured=clean_ips,
                       baseline=bare_ips, ratio=ratio, target=f"≥ {TARGET}", passed=ratio >= TARGET,
                       unit="images/s", note=f"{clean_ms:.0f} ms vs {bare_ms:.0f} ms per image")]
    details = {"cpu": cpu, "image_bytes": len(data), "times_ms": {k: [round(v * 1000, 2) for v in vals]
                                                                   for k, vals in times.items()},
               "steps_median_ms": {k: round(common.median(v) * 1000, 2) for k, v in steps.items()}}
    common.log(NAME, f"clean() steps (median ms): {details['steps_median_ms']}")
    return common.emit(args, NAME, rows, details)


if __name__ == "__main__":
    sys.exit(main())

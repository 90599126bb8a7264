"""Write a few rendered appeals to look at: python -m samples.rendered 1 2 3 --out /tmp/shots [--tamper] [--pdf]"""

import argparse
import time
from pathlib import Path

from . import Browser, make_appeal, receipt_pdf, tamper

parser = argparse.ArgumentParser(description=__doc__)
parser.add_argument("seeds", nargs="+", type=int)
parser.add_argument("--out", default="screenshots", help="a directory (created)")
parser.add_argument("--tamper", action="store_true", help="also write each tampered twin's changed screenshot")
parser.add_argument("--pdf", action="store_true", help="also write the refund receipt as a PDF")
args = parser.parse_args()
out = Path(args.out)
out.mkdir(parents=True, exist_ok=True)
SUFFIX = {"PNG": "png", "JPEG": "jpg", "HEIF": "heic"}
with Browser() as browser:
    for seed in args.seeds:
        started = time.perf_counter()
        appeal = make_appeal(seed, browser)
        took = time.perf_counter() - started
        for kind, shot in appeal.shots.items():
            (out / f"{seed}-{kind}.{SUFFIX[shot.format]}").write_bytes(shot.upload)
        r, s = appeal.record, appeal.style
        print(f"{seed}: {took * 1000:.0f} ms {s.app} {s.device} {s.font} {'dark' if s.dark else 'light'} {s.rows} "
              f"{r.order_number} ¥{r.refund_amount} {r.carrier} {r.tracking_number} "
              f"{' '.join(shot.degradation for shot in appeal.shots.values())}")
        if args.tamper:
            twin = tamper(appeal, browser)
            kind = next(kind for kind, shot in twin.shots.items() if shot is not appeal.shots[kind])
            shot = twin.shots[kind]
            (out / f"{seed}-{kind}-tampered-{twin.tampered}.{SUFFIX[shot.format]}").write_bytes(shot.upload)
        if args.pdf:
            (out / f"{seed}-receipt.pdf").write_bytes(receipt_pdf(appeal, browser))

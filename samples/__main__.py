"""Write a few generated screenshots to look at: python -m samples 1 2 3 --out /tmp/shots"""

import argparse
import time
from pathlib import Path

from . import make_case, tamper

parser = argparse.ArgumentParser(description=__doc__)
parser.add_argument("seeds", nargs="+", type=int)
parser.add_argument("--out", default="screenshots", help="a directory (created)")
parser.add_argument("--tamper", action="store_true", help="also write the tampered twins")
args = parser.parse_args()
Path(args.out).mkdir(parents=True, exist_ok=True)
for seed in args.seeds:
    started = time.perf_counter()
    case = make_case(seed)
    took = time.perf_counter() - started
    Path(args.out, f"{seed}-{case.kind}.jpg").write_bytes(case.image_bytes)
    print(f"{seed} {case.kind} {took * 1000:.0f} ms {case.shown['order_number']} {case.shown['amount']} "
          f"{case.truth['carrier']} {case.shown['tracking_number']}")
    if args.tamper:
        twin = tamper(case)
        Path(args.out, f"{seed}-{case.kind}-tampered.jpg").write_bytes(twin.image_bytes)

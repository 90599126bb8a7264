"""Run every benchmark and print one table; write it to var/bench-results.json (and .md; a smoke run
writes var/bench-smoke-results.json instead).

    .venv/bin/python bench/run.py            # PostgreSQL: BENCH_DATABASE_URL, or DATABASE_URL if it is PostgreSQL,
                                             # default postgres://postgres@127.0.0.1:5432/bench
    .venv/bin/python bench/run.py --smoke    # tiny sizes on a temporary SQLite file: proves they run (CI)
    .venv/bin/python bench/run.py --only queue_scaling,races
    BENCH_OCR=1 .venv/bin/python bench/run.py --smoke     # also the OCR benchmark (2 appeals in smoke)

The template database is created if missing and migrated once; each benchmark then works on its own
copy (see bench/common.py). Each benchmark is a script of its own (bench/<name>.py, runnable alone)
that writes its rows as JSON; this runner collects them. Every figure is a ratio to a baseline
measured in the same run, because the machine is shared and noisy.

Exit status: 1 if a benchmark crashed; in a full run also if a required target was missed.
The OCR benchmark (bench/ocr_accuracy.py: chromium and real OCR, about 10 s an appeal) runs in every
full run on BENCH_OCR_N appeals (default 200); a smoke run includes it only with BENCH_OCR=1 or --ocr.
"""

# ruff: noqa: S603  (runs the bench scripts)

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

import common

BENCHMARKS = ["queue_scaling", "submission", "evidence_pipeline", "batch_release", "page_throughput", "races",
              "reuse_lookup", "api_throughput", "webhook_lag", "dashboard", "workspace", "worker_memory",
              "ocr_accuracy"]
SMOKE_ON_REQUEST = ["ocr_accuracy"]  # minutes of OCR even at smoke size: CI's smoke run leaves it out
RESULTS = common.ROOT / "var" / "bench-results.json"
SMOKE_RESULTS = common.ROOT / "var" / "bench-smoke-results.json"  # a smoke run never overwrites a full run's table


def _args():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--smoke", action="store_true", help="tiny sizes on SQLite; targets not enforced")
    p.add_argument("--only", help="comma-separated benchmark names")
    p.add_argument("--ocr", action="store_true", help="a smoke run includes the OCR benchmark (or BENCH_OCR=1)")
    p.add_argument("--json", type=Path, help=f"results file (default {RESULTS}, smoke: {SMOKE_RESULTS})")
    return p.parse_args()


def _run(name: str, smoke: bool, workdir: Path, env: dict) -> dict:
    out = workdir / f"{name}.json"
    script = common.ROOT / "bench" / f"{name}.py"
    cmd = [common.PYTHON, str(script), "--json", str(out)]
    if smoke:
        cmd.append("--smoke")
    elif name == "ocr_accuracy":
        cmd += ["--n", os.environ.get("BENCH_OCR_N", "200")]
    print(f"\n=== {name} ===", flush=True)
    started = time.perf_counter()
    done = subprocess.run(cmd, env=env, cwd=common.ROOT)
    seconds = time.perf_counter() - started
    result = {"name": name, "returncode": done.returncode, "seconds": round(seconds, 1)}
    if out.exists():
        data = json.loads(out.read_text())
        result["rows"], result["details"] = data["rows"], data["details"]
    else:
        result["rows"] = [common.row(name, measured=None, passed=False, note=f"crashed (exit {done.returncode})")]
        result["crashed"] = True
    if smoke:
        for r in result["rows"]:
            r["would_pass"], r["pass"] = r.get("would_pass", r["pass"]), None
    return result


def _verdict(r: dict, smoke: bool) -> str:
    if r["pass"] is None:
        if smoke and r.get("would_pass") is not None:
            return "(smoke)"
        return "-"
    return "pass" if r["pass"] else "FAIL"


def table(rows: list[dict], smoke: bool, markdown: bool = False) -> str:
    header = ["benchmark", "measured", "baseline", "ratio", "target", "result"]
    lines = [[r["benchmark"], f"{common.fmt(r['measured'])} {r['unit']}".strip(), common.fmt(r["baseline"]),
              common.fmt(r["ratio"]), r["target"] or "-", _verdict(r, smoke)] for r in rows]
    if markdown:
        out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        out += ["| " + " | ".join(cell.replace("|", "\\|") for cell in line) + " |" for line in lines]
        return "\n".join(out)
    widths = [max(len(h), *(len(line[i]) for line in lines)) for i, h in enumerate(header)] if lines else []
    fmt_line = "  ".join(f"{{:<{w}}}" for w in widths)
    out = [fmt_line.format(*header), fmt_line.format(*("-" * w for w in widths))]
    out += [fmt_line.format(*line) for line in lines]
    return "\n".join(out)


def main() -> int:
    args = _args()
    args.json = args.json or (SMOKE_RESULTS if args.smoke else RESULTS)
    names = args.only.split(",") if args.only else list(BENCHMARKS)
    if args.smoke and not args.only and not (args.ocr or os.environ.get("BENCH_OCR")):
        names = [name for name in names if name not in SMOKE_ON_REQUEST]
    unknown = set(names) - set(BENCHMARKS)
    if unknown:
        sys.exit(f"unknown benchmark(s): {', '.join(sorted(unknown))}")

    workdir = Path(tempfile.mkdtemp(prefix="bench-"))
    env = {**os.environ, "PYTHONPATH": str(common.ROOT)}
    env["BENCH_MEDIA_ROOT"] = str(workdir / "private")  # uploaded screenshots: removed with the workdir
    if args.smoke:
        env["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    else:
        env["DATABASE_URL"] = common.template_url()
    env["BENCH_TEMPLATE_URL"] = env["DATABASE_URL"]
    started = time.perf_counter()
    print(f"benchmarks: {', '.join(names)}; database {env['DATABASE_URL']}", flush=True)
    common.ensure_template(env["DATABASE_URL"])
    env["BENCH_TEMPLATE_READY"] = "1"

    results = [_run(name, args.smoke, workdir, env) for name in names]
    rows = [r for result in results for r in result["rows"]]
    total = time.perf_counter() - started
    mode = "smoke (SQLite, tiny sizes: targets not enforced)" if args.smoke else "full (PostgreSQL)"
    print(f"\n=== results: {mode}, {total:.0f} s ===")
    print(table(rows, args.smoke))

    report = {
        "generated_at": datetime.now().astimezone().isoformat(timespec="seconds"), "mode": "smoke" if args.smoke
        else "full", "database": common.db_name(env["DATABASE_URL"]) if not args.smoke else "sqlite (temporary)",
        "vendor": "sqlite" if common.is_sqlite(env["DATABASE_URL"]) else "postgresql",
        "host": {"cpus": os.cpu_count(), "load_average": os.getloadavg()}, "total_seconds": round(total, 1),
        "rows": rows, "benchmarks": {r["name"]: {k: v for k, v in r.items() if k != "rows"} for r in results},
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, indent=1, ensure_ascii=False, default=str))
    args.json.with_suffix(".md").write_text(
        f"Benchmarks, {mode}, {report['generated_at']} ({total:.0f} s)\n\n{table(rows, args.smoke, markdown=True)}\n")
    print(f"\nwrote {args.json} and {args.json.with_suffix('.md')}")
    if not os.environ.get("BENCH_KEEP_DB"):
        import shutil

        shutil.rmtree(workdir, ignore_errors=True)
    crashed = [r["name"] for r in results if r.get("crashed") or (r["returncode"] not in (0, 1))]
    missed = [r["benchmark"] for r in rows if r["pass"] is False]
    if crashed:
        print(f"crashed: {', '.join(crashed)}", file=sys.stderr)
    if missed and not args.smoke:
        print(f"targets missed: {'; '.join(missed)}", file=sys.stderr)
    return 1 if crashed or (missed and not args.smoke) else 0


if __name__ == "__main__":
    sys.exit(main())

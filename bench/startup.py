"""How long a worker takes to start and how much memory it holds once started.

Each run is a fresh interpreter (as a gunicorn worker would be) that imports
``convention``, calls ``create_app()`` and reads its resident set size from
/proc/self/status. The figures are medians over the runs; one more run under
``python -X importtime`` lists the packages that cost most at import, summed by
top-level package (self time), and the test tests/core/test_lean_imports.py keeps the
ones only a few requests use (fpdf, stripe, PIL, pypdf) out of it.

    python bench/startup.py --runs 5

The last line printed is one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LAZY = ("fpdf", "stripe", "PIL", "pypdf", "alembic", "flask_migrate", "ortools", "numpy")

CHILD = f"""
import json, sys, time
started = time.perf_counter()
import convention
imported = time.perf_counter()
convention.create_app()
created = time.perf_counter()
status = dict(line.split(":", 1) for line in open("/proc/self/status") if ":" in line)
print(json.dumps({{
    "import_seconds": imported - started,
    "create_app_seconds": created - imported,
    "rss_mib": int(status["VmRSS"].split()[0]) / 1024,
    "loaded": [name for name in {LAZY!r} if name in sys.modules],
}}))
"""


def run_child(env) -> dict:
    wall = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", CHILD], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    figures["wall_seconds"] = time.perf_counter() - wall
    return figures


def import_costs(env, top: int) -> list[tuple[str, float]]:
    """Self import time in ms summed by top-level package, largest first."""
    code = "from convention import create_app; create_app()"  # create_app imports the domains
    done = subprocess.run([sys.executable, "-X", "importtime", "-c", code], cwd=ROOT, env=env,
                          capture_output=True, text=True, check=True)
    totals: dict[str, float] = defaultdict(float)
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        self_us, _cumulative, name = (part.strip() for part in line[len("import time:"):].split("|"))
        totals[name.split(".")[0]] += int(self_us) / 1000
    return sorted(totals.items(), key=lambda item: -item[1])[:top]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="fresh interpreters to time (default 5)")
    parser.add_argument("--top", type=int, default=12, help="packages listed by import cost (default 12)")
    args = parser.parse_args()
    print(f"python bench/startup.py --runs {args.runs}")
    env = dict(os.environ)
    run_child(env)  # warm the bytecode cache and the page cache; not counted
    runs = [run_child(env) for _ in range(args.runs)]
    median = {key: statistics.median(run[key] for run in runs)
              for key in ("import_seconds", "create_app_seconds", "rss_mib", "wall_seconds")}
    print(f"import convention     {median['import_seconds'] * 1000:7.0f} ms (median of {args.runs})")
    print(f"create_app()          {median['create_app_seconds'] * 1000:7.0f} ms")
    print(f"interpreter, wall     {median['wall_seconds'] * 1000:7.0f} ms (python -c, start to exit)")
    print(f"RSS after create_app  {median['rss_mib']:7.1f} MiB")
    print(f"loaded at start       {', '.join(runs[0]['loaded']) or 'none'} (of {', '.join(LAZY)})")
    print("import cost by package (self time, ms):")
    for name, ms in import_costs(env, args.top):
        print(f"  {name:24} {ms:7.0f}")
    print(json.dumps({
        "runs": args.runs,
        "import_seconds": round(median["import_seconds"], 3),
        "create_app_seconds": round(median["create_app_seconds"], 3),
        "wall_seconds": round(median["wall_seconds"], 3),
        "rss_after_create_app_mib": round(median["rss_mib"], 1),
        "loaded_at_start": runs[0]["loaded"],
    }))


if __name__ == "__main__":
    main()

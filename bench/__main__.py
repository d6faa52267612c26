"""Benchmarks (not part of the tests): ``make bench`` or ``python -m bench [--sizes 10000,100000]``.

Each size runs in its own process so peak memory is its own. Results are printed and written to
bench/results/catalog.json.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def main() -> int:
    p = argparse.ArgumentParser(prog="python -m bench")
    p.add_argument("--sizes", default="10000,100000", help="catalogue sizes, comma-separated")
    p.add_argument("--only", choices=["catalog"], default="catalog")
    args = p.parse_args()
    RESULTS.mkdir(exist_ok=True)
    rows = []
    for n in [int(s) for s in args.sizes.split(",")]:
        out = subprocess.run([sys.executable, "-m", "bench.catalog", str(n), str(RESULTS / "cache")],
                             capture_output=True, text=True, check=False)
        if out.returncode != 0:
            print(out.stderr, file=sys.stderr)
            return 1
        rows.append(json.loads(out.stdout.splitlines()[-1]))
    (RESULTS / "catalog.json").write_text(json.dumps(rows, indent=2))
    print(f"{'apps':>8} {'json':>7} {'cold':>7} {'warm':>7} {'ratio':>6} {'index':>7} "
          f"{'p50 ms':>7} {'p95 ms':>7} {'peak MB':>8}")
    for r in rows:
        print(f"{r['apps']:>8} {r['baseline_json_s']:>7.3f} {r['cold_s']:>7.3f} {r['warm_s']:>7.3f} "
              f"{r['warm_vs_json']:>6.2f} {r['index_s']:>7.3f} {r['search_p50_ms']:>7.2f} "
              f"{r['search_p95_ms']:>7.2f} {r['peak_mb']:>8.0f}")
    print("json: json.loads of the catalogue alone (baseline); cold: add store (download, verify, "
          "validate); warm: refresh + load with nothing new; ratio: warm / json; index: search "
          "index build; p50/p95: search per typed prefix")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Cold start to a painted Discover page (demo store), against a bare PySide6 window, both as
fresh processes in the same run, both with compiled bytecode as an installed imapp has (the
first, untimed run compiles it). ``python -m bench.startup``; prints one JSON line."""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import time

from bench.catalog import installed_env

RUNS = 7


def timed(*args: str) -> float:
    """Seconds from launching the probe to its ``painted`` line (exiting is not counted)."""
    env = {**installed_env(), "QT_QPA_PLATFORM": "offscreen"}  # with bytecode, as installed
    t = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "bench.startup_probe", *args], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    elapsed = time.perf_counter() - t
    proc.wait(60)
    if line.strip() != "painted":
        raise RuntimeError(f"the probe {args} did not paint")
    return elapsed


def main() -> dict[str, float]:
    data = tempfile.mkdtemp(prefix="imapp-startup-")
    first_run = timed("app", data)  # publishes the demo store into the new data dir
    bare, app = [], []
    for _ in range(RUNS):  # alternate, so both see the same machine state
        bare.append(timed("bare"))
        app.append(timed("app", data))
    return {
        "bare_window_s": statistics.median(bare),
        "imapp_discover_s": statistics.median(app),
        "ratio": statistics.median(app) / statistics.median(bare),
        "first_run_s": first_run,
    }


if __name__ == "__main__":
    print(json.dumps(main()))

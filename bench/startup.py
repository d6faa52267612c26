"""Cold start to a painted Discover page (demo store), against a bare PySide6 window, both as
fresh processes in the same run, both with compiled bytecode as an installed imapp has (the
first, untimed run compiles it); and the exit, from the window's close to the end of the
process, for both. ``python -m bench.startup``; prints one JSON line:

* ``bare_window_s``, ``imapp_discover_s``, ``ratio``: launch to the painted window (medians);
  ``ratios``: each imapp run against the bare run just before it; ``ratio_min``: the fastest
  imapp run against the fastest bare one (on a busy machine, the least disturbed pair);
* ``bare_cpu_s``, ``imapp_cpu_s``, ``cpu_ratio``: the CPU time each process used up to its
  paint (medians), which other work on the machine disturbs much less than the wall clock;
* ``bare_exit_s``, ``imapp_exit_s``: the window closed (imapp: once its start-up work is done)
  to the process gone; ``imapp_exit_busy_s``: imapp closed 50 ms after Discover painted, while
  the refresh, news, the library and the icons load.
"""

from __future__ import annotations

import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time

from bench.catalog import installed_env

RUNS = 7


def timed(*args: str) -> tuple[float, float, float]:
    """(seconds from launching the probe to its ``painted`` line, seconds from its ``closing``
    line to the process's end, CPU seconds the probe had used when it painted)."""
    env = {**installed_env(), "QT_QPA_PLATFORM": "offscreen"}  # with bytecode, as installed
    t = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "bench.startup_probe", *args], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert proc.stdout is not None
    watchdog = threading.Timer(60, lambda: os.kill(proc.pid, signal.SIGKILL))
    watchdog.start()
    try:
        line = proc.stdout.readline()
        painted = time.perf_counter() - t
        closing = proc.stdout.readline().split()
        proc.wait()  # a blocking wait: a timeout would poll, late by up to 50 ms
        gone = time.monotonic()  # the probe's clock: CLOCK_MONOTONIC, one for the machine
    finally:
        watchdog.cancel()
    said = line.split()
    if len(said) != 2 or said[0] != "painted" or len(closing) != 2 or proc.returncode != 0:
        raise RuntimeError(f"the probe {args} did not paint, close and exit cleanly")
    return painted, gone - float(closing[1]), float(said[1])


def main() -> dict[str, float]:
    data = tempfile.mkdtemp(prefix="imapp-startup-")
    first_run, _, _ = timed("app", data, "settled")  # publishes the demo store into the data dir
    bare, app, bare_exit, app_exit, busy_exit, bare_cpu, app_cpu = [], [], [], [], [], [], []
    for _ in range(RUNS):  # alternate, so both see the same machine state
        start, end, cpu = timed("bare")
        bare.append(start)
        bare_exit.append(end)
        bare_cpu.append(cpu)
        start, end, cpu = timed("app", data, "settled")
        app.append(start)
        app_exit.append(end)
        app_cpu.append(cpu)
        busy_exit.append(timed("app", data, "busy")[1])
    return {
        "bare_window_s": statistics.median(bare),
        "imapp_discover_s": statistics.median(app),
        "ratio": statistics.median(app) / statistics.median(bare),
        "ratios": [round(a / b, 2) for a, b in zip(app, bare, strict=True)],
        "ratio_min": min(app) / min(bare),
        "bare_cpu_s": statistics.median(bare_cpu),
        "imapp_cpu_s": statistics.median(app_cpu),
        "cpu_ratio": statistics.median(app_cpu) / statistics.median(bare_cpu),
        "first_run_s": first_run,
        "bare_exit_s": statistics.median(bare_exit),
        "imapp_exit_s": statistics.median(app_exit),
        "imapp_exit_busy_s": statistics.median(busy_exit),
    }


if __name__ == "__main__":
    print(json.dumps(main()))

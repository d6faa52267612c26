"""The GUI's memory with a big store, in every phase, in the real app (offscreen).

    python -m bench.gui_memory N [CACHE]

A synthetic store of N apps is published (cached in CACHE) and served on 127.0.0.1 by a
process of its own. Each phase runs imapp in a fresh process, as ``main()`` starts it, on a data
dir without the demo store, and reports that process's peak RSS (``VmHWM``; reset between the
phases that share a process through ``/proc/self/clear_refs``):

* ``add``: an empty imapp; the store is added as the Add store dialog adds it
  (``Controller.add_store``, then the reload that shows its apps): download, verify, parse
  (in the shard workers), the caches and the search index written, the view built, Discover
  painted with the N apps;
* ``cold``: the first start on a data dir where the store is verified but its caches and
  search index are missing (an upgrade, a cache deleted): they are built again at start-up;
* ``warm``: a usual start (everything on disk) to Discover painted and the start-up work done;
  then ``idle`` (RSS once settled), ``search`` (typing ``QUERIES``, each prefix's results
  shown) and ``scroll`` (200 pages down through every app, each page's icons loaded before
  the next: some 2,500 icons decoded, real PNGs).

``bare_qt_mb`` is a process with a QApplication and a shown empty window (the floor), and
``workers_peak_mb`` the biggest shard worker seen during ``add`` (another process: not counted
in the GUI's peak). Prints one JSON line.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from bench.catalog import QUERIES, serve_apart

PHASE_TIMEOUT = 600.0


def status_kib(field: str, pid: int | str = "self") -> int:
    with open(f"/proc/{pid}/status") as f:
        m = re.search(rf"^{field}:\s+(\d+) kB", f.read(), re.M)
    return int(m.group(1)) if m else 0


def reset_peak() -> None:
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")  # VmHWM := VmRSS


def mib(kib: int) -> float:
    return round(kib / 1024, 1)


class WorkerWatch(threading.Thread):
    """The biggest RSS any child process of this one reaches (the shard workers)."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peak = 0
        self.stop = threading.Event()

    def run(self) -> None:
        me = str(os.getpid())
        while not self.stop.wait(0.05):
            for pid in os.listdir("/proc"):
                if not pid.isdigit():
                    continue
                try:
                    with open(f"/proc/{pid}/stat") as f:
                        ppid = f.read().rsplit(")", 1)[1].split()[1]
                    if ppid == me:
                        self.peak = max(self.peak, status_kib("VmRSS", pid))
                except (OSError, IndexError):
                    continue


def phase(name: str, data: str, url: str, root: str, n: int) -> dict[str, Any]:
    """One phase in this process (imapp as ``main()`` starts it)."""
    import gc

    gc.disable()  # as main.py starts
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QTimer

    from appstore.ui.app import DesktopApp, open_app, parse_args

    desktop = open_app(parse_args(["--data-dir", data, "--lang", "en"]))
    assert isinstance(desktop, DesktopApp), desktop
    app, controller, window = desktop.app, desktop.controller, desktop.window
    window.resize(1280, 860)
    out: dict[str, Any] = {"phase": name}
    t0 = time.perf_counter()

    def wait(cond: Any, what: str) -> None:
        end = time.perf_counter() + PHASE_TIMEOUT
        while not cond():
            if time.perf_counter() > end:
                raise SystemExit(f"{name}: timed out waiting for {what}")
            app.processEvents()
            time.sleep(0.002)

    def settled() -> bool:
        return (controller.loads_done >= 2 and desktop.installs.loaded
                and not controller.jobs.busy())

    def shown() -> bool:
        return window.model.view is not None and window.model.total == n

    QTimer.singleShot(0, lambda: None)
    if name == "add":
        wait(lambda: controller.services is not None and controller.loads_done >= 1, "the data dir")
        out["before_add_mb"] = mib(status_kib("VmRSS"))
        watch = WorkerWatch()
        watch.start()
        added: list[object] = []
        t = time.perf_counter()
        controller.add_store([url], root, added.append, lambda m, e: added.append(m))
        wait(lambda: bool(added) and shown(), "the added store's apps")
        window.repaint()
        out["add_s"] = round(time.perf_counter() - t, 2)
        wait(settled, "the jobs to finish")
        watch.stop.set()
        out["workers_peak_mb"] = mib(watch.peak)
    else:
        wait(shown, "Discover with the catalogue")
        window.repaint()
        out["painted_s"] = round(time.perf_counter() - t0, 2)
        wait(settled, "the start-up work")
    app.processEvents()
    out["peak_mb"] = mib(status_kib("VmHWM"))
    out["idle_mb"] = mib(status_kib("VmRSS"))
    if name == "warm":
        page = window.discover
        model = window.model
        reset_peak()
        for q in QUERIES:
            for k in range(1, len(q) + 1):
                page.search.setText(q[:k])
                wait(lambda p=q[:k]: model.query == p, "a search")  # type: ignore[misc]
                page.repaint()
        out["search_peak_mb"] = mib(status_kib("VmHWM"))
        page.search.clear()
        wait(lambda: not model.query and model.total == n, "every app again")
        reset_peak()
        bar = page.grid.verticalScrollBar()
        for _ in range(200):  # slowly: every card's icon loads (and is kept) before the next page
            bar.setValue(bar.value() + bar.pageStep())
            page.grid.viewport().repaint()
            app.processEvents()
            wait(lambda: not window.images.busy(), "the icons on screen")
        wait(lambda: not controller.jobs.busy(), "the rows read while scrolling")
        out["scroll_peak_mb"] = mib(status_kib("VmHWM"))
        out["scrolled_rows"] = model.rowCount()
        out["after_mb"] = mib(status_kib("VmRSS"))
    window.close()
    app.processEvents()
    return out


def bare_qt() -> dict[str, Any]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication, QMainWindow

    app = QApplication(sys.argv[:1])
    w = QMainWindow()
    w.resize(1280, 860)
    w.show()
    w.repaint()
    app.processEvents()
    return {"phase": "bare", "peak_mb": mib(status_kib("VmHWM"))}


def _child(*args: str) -> dict[str, Any]:
    proc = subprocess.run([sys.executable, "-m", "bench.gui_memory", *args], capture_output=True,
                          text=True, cwd=Path(__file__).resolve().parent.parent)
    if proc.returncode != 0:
        raise SystemExit(f"phase {args[1]} failed:\n{proc.stderr[-4000:]}")
    return dict(json.loads(proc.stdout.strip().splitlines()[-1]))


def main(n: int, cache: Path) -> dict[str, Any]:
    from bench.synth import synthetic_store

    out, published = synthetic_store(n, cache, png_icons=True)  # icons the GUI keeps
    server, url = serve_apart(out)
    data = Path(tempfile.mkdtemp(prefix="imapp-gui-memory-"))
    try:
        (data / "stores.json").write_text('{"schema": 1, "stores": []}')  # no demo store
        args = (str(data), url, published.root_sha256, str(n))
        result: dict[str, Any] = {"apps": n, "bare_qt_mb": _child("--phase", "bare")["peak_mb"]}
        add = _child("--phase", "add", *args)
        warm = _child("--phase", "warm", *args)
        store_dir = next(p for p in (data / "stores").iterdir() if p.is_dir())
        for p in [*store_dir.glob("catalog.sqlite3*"), *store_dir.glob("catalog.cache"),
                  *store_dir.glob("catalog.*.details"), *(store_dir / "shards").glob("*.cache"),
                  *(store_dir / "shards").glob("*.details")]:
            p.unlink()
        cold = _child("--phase", "cold", *args)
        result.update({
            "add_peak_mb": add["peak_mb"], "add_s": add["add_s"],
            "add_workers_peak_mb": add["workers_peak_mb"],
            "cold_peak_mb": cold["peak_mb"], "cold_painted_s": cold["painted_s"],
            "warm_peak_mb": warm["peak_mb"], "warm_painted_s": warm["painted_s"],
            "idle_mb": warm["idle_mb"], "search_peak_mb": warm["search_peak_mb"],
            "scroll_peak_mb": warm["scroll_peak_mb"], "after_scroll_mb": warm["after_mb"],
        })
        return result
    finally:
        server.kill()
        server.wait()
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    if sys.argv[1] == "--phase":
        which = sys.argv[2]
        res = bare_qt() if which == "bare" else phase(which, sys.argv[3], sys.argv[4], sys.argv[5],
                                                      int(sys.argv[6]))
        print(json.dumps(res), flush=True)
        os._exit(0)  # as imapp's end: no teardown of the big catalogue
    cache = Path(sys.argv[2]) if len(sys.argv) > 2 else Path(__file__).resolve().parent / "results" / "cache"
    print(json.dumps(main(int(sys.argv[1]), cache)))

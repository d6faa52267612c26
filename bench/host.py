"""Opening a DApp in the host: open to first paint of an installed demo DApp through imapp's
``DAppHost`` (its sealed host process, already running; warm: the DApp opened before, window
closed, opened again), against a bare ``QWebEngineView`` in this process loading the same
``index.html`` from disk through ``file://``, taken in turns. Then the memory each additional
open DApp costs (this process and all its descendants: the host process, its renderers).

"Painted": the page's first load, then two ``requestAnimationFrame`` callbacks (the second runs
once the first frame has been produced). For the host that is its ``painted`` message, which
crossed the pipe from the host process; for the bare view the title those callbacks set.

``python -m bench.host``; prints a table and, on its last line, the results as JSON.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
if hasattr(os, "geteuid") and os.geteuid() == 0:  # Chromium refuses to run as root with its sandbox
    os.environ.setdefault("QTWEBENGINE_CHROMIUM_FLAGS", "--no-sandbox --disable-gpu --log-level=3")

from appstore.ui.host import register_schemes  # noqa: E402

register_schemes()

from PySide6.QtCore import QCoreApplication, QEvent, QEventLoop, QTimer, QUrl  # noqa: E402
from PySide6.QtWebEngineCore import QWebEnginePage  # noqa: E402
from PySide6.QtWebEngineWidgets import QWebEngineView  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from appstore.core.library import InstalledApp  # noqa: E402
from appstore.core.services import Services  # noqa: E402
from appstore.ui.host.hosts import DAppHost  # noqa: E402

RUNS = 9
DAPP = "org.imapp.notes"
MORE = ("org.imapp.fairdice", "org.imapp.game2048", "org.imapp.memory")
PAINT = ("requestAnimationFrame(() => requestAnimationFrame(() => { document.title = 'painted'; }));"
         " 0")
TIMEOUT_S = 30


def wait_until(done: Any, timeout: float = TIMEOUT_S) -> None:
    end = time.perf_counter() + timeout
    loop = QEventLoop()
    while not done():
        if time.perf_counter() > end:
            raise RuntimeError("timed out")
        QTimer.singleShot(1, loop.quit)
        loop.exec()


def painted(page: QWebEnginePage, loaded: list[bool]) -> list[float]:
    """When the page is painted (filled in later): after its load, two animation frames."""
    at: list[float] = []
    page.titleChanged.connect(lambda title: at.append(time.perf_counter()) if title == "painted" else None)

    def finished(ok: bool) -> None:
        if ok and not loaded:
            loaded.append(ok)
            page.runJavaScript(PAINT)

    page.loadFinished.connect(finished)
    return at


def bare_open(entry: Path) -> float:
    """A plain view (the default profile) loading the start page from disk."""
    t = time.perf_counter()
    view = QWebEngineView()
    view.resize(1100, 760)
    loaded: list[bool] = []
    at = painted(view.page(), loaded)
    view.show()
    view.load(QUrl.fromLocalFile(str(entry)))
    wait_until(lambda: bool(at))
    elapsed = at[0] - t
    view.close()
    view.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    return elapsed


def host_open(host: DAppHost, installed: InstalledApp, entry: Path) -> float:
    """Through the host: imapp's request over the pipe, the host process's window, chrome,
    profile (kept from the last open), scheme and bridge, and its "painted" back."""
    at: list[float] = []

    def painted(key: str) -> None:
        if key == installed.id and not at:
            at.append(time.perf_counter())

    host.painted.connect(painted)
    t = time.perf_counter()
    window = host.open_installed(installed, entry, "Quick Notes", None, DAPP)
    wait_until(lambda: bool(at))
    host.painted.disconnect(painted)
    elapsed = at[0] - t
    closed: list[str] = []
    host.closed.connect(closed.append)
    window.close()
    wait_until(lambda: installed.id in closed)
    host.closed.disconnect(closed.append)
    return elapsed


def _kib(pid: int, field: str, name: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/{name}").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def tree_memory() -> tuple[float, float]:
    """RSS and PSS (MB) of this process and all its descendants (Chromium's helpers)."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
                parents[int(entry)] = int(stat.rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
    tree, grew = {os.getpid()}, True
    while grew:
        grew = False
        for pid, ppid in parents.items():
            if ppid in tree and pid not in tree:
                tree.add(pid)
                grew = True
    rss = sum(_kib(p, "VmRSS", "status") for p in tree)
    pss = sum(_kib(p, "Pss", "smaps_rollup") for p in tree)
    return rss / 1024, pss / 1024


def settle() -> tuple[float, float]:
    """Memory once the event loop has run a moment (renderers finish starting up)."""
    end = time.perf_counter() + 1.5
    loop = QEventLoop()
    while time.perf_counter() < end:
        QTimer.singleShot(50, loop.quit)
        loop.exec()
    return tree_memory()


def main() -> dict[str, Any]:
    app = QApplication(sys.argv[:1])
    data = Path(tempfile.mkdtemp(prefix="imapp-bench-host-"))
    try:
        services = Services.open(str(data))
        view, _ = services.load_catalog()
        library = services.installs.library
        installed = {ref: services.installs.install(view.find(ref).app) for ref in (DAPP, *MORE)}
        main_app = installed[DAPP]
        entry = library.entry_path(main_app)
        host = DAppHost(services.paths)

        bare_cold = bare_open(entry)
        before_host = settle()  # (this process's own QtWebEngine is up: the bare view's)
        host_start = host_open(host, main_app, entry)  # starts the host process, makes the profile
        started = settle()  # the host process running, no DApp open
        bare, hosted = [], []
        for _ in range(RUNS):  # in turns, so both see the same machine state
            bare.append(bare_open(entry))
            hosted.append(host_open(host, main_app, entry))
        bare_s, host_s = statistics.median(bare), statistics.median(hosted)

        # memory: one DApp open, then three more, each in its own profile and renderer
        base = settle()
        loaded: list[str] = []
        host.loaded.connect(loaded.append)
        host.open_installed(main_app, entry, "Quick Notes", None, DAPP)
        wait_until(lambda: len(loaded) == 1)
        one = settle()
        steps = [one]
        for ref in MORE:
            app_ = installed[ref]
            host.open_installed(app_, library.entry_path(app_), ref, None, ref)
            wanted = len(steps) + 1
            wait_until(lambda: len(loaded) == wanted)  # noqa: B023 - called before the next turn
            steps.append(settle())
        per_rss = (steps[-1][0] - one[0]) / len(MORE)
        per_pss = (steps[-1][1] - one[1]) / len(MORE)
        host.close_all()
        services.installs.close()
    finally:
        shutil.rmtree(data, ignore_errors=True)
    del app
    return {
        "runs": RUNS,
        "bare_file_view_ms": round(bare_s * 1000, 1),
        "host_warm_ms": round(host_s * 1000, 1),
        "ratio": round(host_s / bare_s, 2),
        "ratio_target": 1.3,
        "bare_cold_ms": round(bare_cold * 1000, 1),
        "host_first_open_ms": round(host_start * 1000, 1),
        "bare_p90_ms": round(sorted(bare)[int(RUNS * 0.9)] * 1000, 1),
        "host_p90_ms": round(sorted(hosted)[int(RUNS * 0.9)] * 1000, 1),
        "rss_no_dapp_mb": round(base[0]), "rss_one_dapp_mb": round(one[0]),
        "pss_host_process_mb": round(started[1] - before_host[1], 1),
        "rss_per_more_dapp_mb": round(per_rss, 1), "pss_per_more_dapp_mb": round(per_pss, 1),
        "rss_steps_mb": [round(s[0]) for s in steps], "pss_steps_mb": [round(s[1]) for s in steps],
    }


if __name__ == "__main__":
    result = main()
    print(f"open to first paint, warm: host {result['host_warm_ms']} ms, bare file:// view "
          f"{result['bare_file_view_ms']} ms, ratio {result['ratio']} (target {result['ratio_target']}); "
          f"first open (the host process started): {result['host_first_open_ms']} ms, bare cold "
          f"{result['bare_cold_ms']} ms")
    print(f"the host process, no DApp open: PSS {result['pss_host_process_mb']} MB")
    print(f"memory per additional open DApp: RSS {result['rss_per_more_dapp_mb']} MB, PSS "
          f"{result['pss_per_more_dapp_mb']} MB (steps RSS {result['rss_steps_mb']}, PSS "
          f"{result['pss_steps_mb']})")
    print(json.dumps(result))

"""Filtering and scrolling a big catalogue in the real Discover page (offscreen).

    python -m bench.gui_filter N

Per keystroke: ``keystroke`` is the GUI thread's time to handle it (and repaint); for big
catalogues the search then runs in a worker, and ``apply`` is the GUI thread's time to show its
results (and repaint), ``results`` the wall time from keystroke to results on screen. Per scroll
step: the time to repaint. Catalogues over 2,000 apps are searched through the store's SQLite
index, as in the app.

The catalogue is held as the app holds it after a start: the store's fast cache (compact rows,
``catalog/cache.py``) and its SQLite index, both made by a child process first (as a refresh
made them earlier, ``prepare_s``), so this process's memory is the app's on a warm start.
Memory: ``rss_idle_mb`` once the page shows the catalogue, against ``rss_bare_qt_mb``, this
process with its QApplication and theme before any catalogue (``bench/gui_memory.py`` measures
the real app's memory in every phase). Prints one JSON line.
"""

from __future__ import annotations

import gc
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication  # noqa: E402

from appstore.core.catalog import cache as catalog_cache  # noqa: E402
from appstore.core.catalog.index import StoreIndex  # noqa: E402
from appstore.core.catalog.indexwrite import build  # noqa: E402
from appstore.core.catalog.parse import parse_catalog  # noqa: E402
from appstore.core.store.manager import IN_MEMORY_MAX, CatalogView  # noqa: E402
from appstore.ui import (
    theme,  # noqa: E402
    tuning,  # noqa: E402
)
from appstore.ui.controller import Controller  # noqa: E402
from appstore.ui.discover import DiscoverPage  # noqa: E402
from appstore.ui.images import ImageLoader  # noqa: E402
from appstore.ui.mainwindow import placeholder_icon  # noqa: E402
from appstore.ui.models import AppListModel  # noqa: E402
from bench.catalog import QUERIES, percentile, rss_mb  # noqa: E402
from bench.synth import synthetic_content  # noqa: E402

DIGEST = "0" * 64


def prepare(n: int, folder: Path) -> None:
    """What a refresh leaves on disk: the fast cache and (big catalogues) the search index."""
    catalog = parse_catalog(synthetic_content(n).catalog, store="bench")
    listing, details = catalog_cache.dump(catalog, DIGEST)
    (folder / "catalog.details").write_bytes(details)
    (folder / "catalog.cache").write_bytes(listing)
    if n > IN_MEMORY_MAX:
        build(folder / "catalog.sqlite3", catalog, DIGEST)


def main(n: int) -> dict[str, float]:
    folder = Path(tempfile.mkdtemp(prefix="imapp-gui-bench-"))
    t = time.perf_counter()
    subprocess.run([sys.executable, "-c", f"from pathlib import Path; from bench.gui_filter "
                    f"import prepare; prepare({n}, Path({str(folder)!r}))"], check=True)
    prepare_s = time.perf_counter() - t
    app = QApplication(sys.argv[:1])
    tuning.tune_process()  # as the app does
    theme.apply(app, "light")
    bare_rss = rss_mb()
    t = time.perf_counter()
    catalog = catalog_cache.load_file(folder / "catalog.cache", DIGEST, "bench",
                                      folder / "catalog.details")  # mapped, as the app does
    assert catalog is not None
    view = CatalogView([catalog])
    index = (StoreIndex.open(folder / "catalog.sqlite3", DIGEST, "bench")
             if n > IN_MEMORY_MAX else None)
    if not (index is not None and view.use_indexes([index])):
        view.index  # noqa: B018 - built in a worker in the app
    tuning.settle_after_bulk_load()  # as the app does after a load
    build_s = time.perf_counter() - t
    del catalog
    gc.collect()
    controller = Controller(None)
    images = ImageLoader(controller)
    model = AppListModel(images, "en", placeholder_icon())
    page = DiscoverPage(images, model, "en")
    page.resize(1040, 820)
    page.show()
    t = time.perf_counter()
    model.set_view(view)
    page.set_view(view)
    page.repaint()
    app.processEvents()
    first = time.perf_counter() - t
    idle_rss = rss_mb()

    applies: list[float] = []
    original = model.set_rows

    def timed_set_rows(*args: object) -> None:
        t0 = time.perf_counter()
        original(*args)  # type: ignore[arg-type]
        page.repaint()
        applies.append(time.perf_counter() - t0)

    model.set_rows = timed_set_rows  # type: ignore[method-assign]
    keys, results = [], []
    for q in QUERIES:
        for k in range(1, len(q) + 1):
            t0 = time.perf_counter()
            page.search.setText(q[:k])
            page.repaint()
            keys.append(time.perf_counter() - t0)
            while model.query != q[:k]:
                app.processEvents()
            results.append(time.perf_counter() - t0)
        page.search.clear()
        while model.query:
            app.processEvents()

    scroll = []
    bar = page.grid.verticalScrollBar()
    for i in range(60):
        t0 = time.perf_counter()
        bar.setValue(bar.value() + bar.pageStep() * (1 if i < 40 else -3))
        page.grid.viewport().repaint()
        app.processEvents()
        scroll.append(time.perf_counter() - t0)
    ms = 1000
    return {
        "apps": n,
        "prepare_s": prepare_s,
        "load_s": build_s,
        "rss_bare_qt_mb": round(bare_rss),
        "rss_idle_mb": round(idle_rss),
        "first_paint_s": first,
        "keystroke_p50_ms": percentile(keys, 0.5) * ms,
        "keystroke_p95_ms": percentile(keys, 0.95) * ms,
        "apply_p50_ms": percentile(applies, 0.5) * ms if applies else 0.0,
        "apply_p95_ms": percentile(applies, 0.95) * ms if applies else 0.0,
        "results_p50_ms": percentile(results, 0.5) * ms,
        "results_p95_ms": percentile(results, 0.95) * ms,
        "scroll_p50_ms": statistics.median(scroll) * ms,
        "scroll_p95_ms": percentile(scroll, 0.95) * ms,
    }


if __name__ == "__main__":
    print(json.dumps(main(int(sys.argv[1]))))

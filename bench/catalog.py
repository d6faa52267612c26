"""One catalogue size: publish (cached), serve on 127.0.0.1, then time refresh, load and search.

The store is served by a process of its own, as a real store is served by another machine: its
work is not the client's, and does not share the client's interpreter.

Every figure has its baseline measured in the same run:

* ``cold_s`` (``store add``: download, verify, parse, cache) and ``warm_s`` (a new ``Stores``
  in this process refreshing the unchanged store over HTTP: metadata verified, the catalogue's
  hash checked, the fast cache loaded, the merged view built; no search index) against
  ``baseline_json_s``, a bare ``json.loads`` of the same catalogue bytes;
* ``unchanged_refresh_s``: ``Services.load_catalog(refresh=True)`` when nothing changed (what the
  GUI runs on Refresh), and ``rss_growth_20_refreshes_mb`` over 20 of them;
* ``one_changed_refresh_s``: a refresh after one app's summary changed (the publisher re-signs
  the store first, not timed), against ``cold_s``; ``one_changed_shards_fetched``; and
  ``one_changed_new_process_s``, the same from a new ``Stores`` (the catalogue read from disk);
* ``index_build_s``: the store's SQLite search index, built once per verified catalogue;
* search per keystroke (every prefix of ``QUERIES``): ``search_p50_ms``/``search_p95_ms`` through
  SQLite (the total and the first screenful, what Discover shows), against the in-memory index
  of before (``memory_search_*``, built in ``memory_index_s``);
* ``cli_search_s`` / ``cli_search_peak_mb``: ``python -m appstore search charity --json`` as a
  whole process (median of 3, with compiled bytecode as installed; its peak RSS), against
  ``bare_python_s`` (``python -c pass``).
"""

from __future__ import annotations

import hashlib
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from appstore.core.catalog.search import SearchIndex
from appstore.core.paths import Paths
from appstore.core.services import Services
from appstore.core.store.manager import CatalogView, Stores
from bench.synth import change_one_app, synthetic_store

QUERIES = ["charity", "ledger", "app4242", "bank points", "dev 42", "swap", "verify chain",
           "慈善", "积分", "zzz"]


def percentile(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * q))]


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def installed_env() -> dict[str, str]:
    """The environment of a child process that runs as an installed imapp does: with compiled
    bytecode (pip compiles on install). Kept out of the source tree, in a cache of its own; a
    first run fills it."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(Path(tempfile.gettempdir()) / "imapp-bench-pycache")
    return env


def process(*args: str) -> tuple[float, float]:
    """(seconds, peak RSS in MiB) of a fresh Python process running ``args`` (the peak by
    ``/usr/bin/time``: a forked child's own rusage would count its parent's pages too)."""
    with tempfile.NamedTemporaryFile("r") as peak:
        t = time.perf_counter()
        subprocess.run(["/usr/bin/time", "-f", "%M", "-o", peak.name, sys.executable, *args],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True,
                       cwd=Path(__file__).resolve().parent.parent, env=installed_env())
        elapsed = time.perf_counter() - t
        kib = int(peak.read().split()[-1])
    return elapsed, kib / 1024


SERVE = """
import sys
from pathlib import Path
from appstore.core.publish import server as static
static._Handler.protocol_version = "HTTP/1.1"  # keep-alive and no Nagle delay, as real web
static._Handler.disable_nagle_algorithm = True  # servers do
server = static.make_server(Path(sys.argv[1]))
print(server.server_address[1], flush=True)
server.serve_forever()
"""


def serve_apart(directory: Path) -> tuple[subprocess.Popen[str], str]:
    """A static server for ``directory`` on 127.0.0.1, in a process of its own; its URL."""
    proc = subprocess.Popen([sys.executable, "-c", SERVE, str(directory)], text=True,
                            stdout=subprocess.PIPE, cwd=Path(__file__).resolve().parent.parent)
    assert proc.stdout is not None
    port = int(proc.stdout.readline())
    return proc, f"http://127.0.0.1:{port}"


def run(n: int, cache: Path) -> dict[str, float]:
    out, published = synthetic_store(n, cache)
    server, url = serve_apart(out)
    data = Path(tempfile.mkdtemp(prefix="imapp-bench-"))
    try:
        (data / "stores.json").write_text('{"schema": 1, "stores": []}')
        stores = Stores(Paths.resolve(data))
        t = time.perf_counter()
        stores.add([url], published.root_sha256)
        cold = time.perf_counter() - t

        [whole] = (out / "targets" / "catalog").glob("*.index.json")  # the catalogue in one file
        raw = whole.read_bytes()
        base = []
        for _ in range(3):
            t = time.perf_counter()
            json.loads(raw)
            base.append(time.perf_counter() - t)

        warm = []
        view = None
        for _ in range(5):
            t = time.perf_counter()
            fresh = Stores(Paths.resolve(data))
            outcomes = fresh.refresh()
            assert all(o.ok for o in outcomes), [o.error for o in outcomes]
            view = CatalogView(o.catalog for o in outcomes if o.catalog)
            warm.append(time.perf_counter() - t)
        assert view is not None and len(view.listings) == n

        t = time.perf_counter()
        index = stores.client("bench").search_index()
        index_build = time.perf_counter() - t
        assert index is not None and view.use_indexes([index])

        lat = []
        for q in QUERIES:
            for k in range(1, len(q) + 1):
                t = time.perf_counter()
                view.search_results(q[:k])  # the total and the first screenful
                lat.append(time.perf_counter() - t)
        assert view.search_results("app4242").total

        services = Services.open(str(data), demo=False)
        services.load_catalog(refresh=True, index=True)
        before = rss_mb()
        unchanged = []
        for _ in range(20):
            t = time.perf_counter()
            services.load_catalog(refresh=True, index=True)
            unchanged.append(time.perf_counter() - t)
        growth = rss_mb() - before
        services.close()

        # one app's summary changes: what a refresh fetches and how long it takes, in this
        # process (the GUI's case: the catalogue in memory) and in a new one (from the disk)
        client = stores.client("bench")
        fetched = client.sharded.fetched
        change_one_app(n, out, cache, "one changed summary")
        t = time.perf_counter()
        [changed] = stores.refresh()
        one_changed = time.perf_counter() - t
        assert changed.ok and changed.catalog is not None
        shards_fetched = client.sharded.fetched - fetched
        change_one_app(n, out, cache, "another changed summary")
        t = time.perf_counter()
        [changed] = Stores(Paths.resolve(data)).refresh()
        one_changed_new_process = time.perf_counter() - t
        assert changed.ok

        cli, peaks = [], []
        process("-m", "appstore", "--data-dir", str(data), "search", "zzz")  # compiles once
        for _ in range(3):
            s, peak = process("-m", "appstore", "--data-dir", str(data), "search", "charity", "--json")
            cli.append(s)
            peaks.append(peak)
        bare = statistics.median(process("-c", "pass")[0] for _ in range(3))

        t = time.perf_counter()
        memory = SearchIndex([e.app for e in view.listings])
        memory_index = time.perf_counter() - t
        mem_lat = []
        for q in QUERIES:
            for k in range(1, len(q) + 1):
                t = time.perf_counter()
                memory.search(q[:k])
                mem_lat.append(time.perf_counter() - t)
        return {
            "apps": n,
            "catalog_mb": round(len(raw) / 1e6, 1),
            "catalog_sha256": hashlib.sha256(raw).hexdigest()[:12],
            "baseline_json_s": statistics.median(base),
            "cold_s": cold,
            "cold_vs_json": cold / statistics.median(base),
            "warm_s": statistics.median(warm),
            "warm_vs_json": statistics.median(warm) / statistics.median(base),
            "unchanged_refresh_s": statistics.median(unchanged),
            "one_changed_refresh_s": one_changed,
            "one_changed_vs_cold": one_changed / cold,
            "one_changed_shards_fetched": shards_fetched,
            "one_changed_new_process_s": one_changed_new_process,
            "rss_growth_20_refreshes_mb": round(growth, 1),
            "index_build_s": index_build,
            "search_p50_ms": percentile(lat, 0.5) * 1000,
            "search_p95_ms": percentile(lat, 0.95) * 1000,
            "memory_index_s": memory_index,
            "memory_search_p50_ms": percentile(mem_lat, 0.5) * 1000,
            "memory_search_p95_ms": percentile(mem_lat, 0.95) * 1000,
            "cli_search_s": statistics.median(cli),
            "cli_search_peak_mb": max(peaks),
            "bare_python_s": bare,
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        }
    finally:
        server.kill()
        server.wait()
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    print(json.dumps(run(int(sys.argv[1]), Path(sys.argv[2]))))

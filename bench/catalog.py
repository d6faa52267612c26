"""One catalogue size: publish (cached), serve on 127.0.0.1, then time refresh, load and search."""

from __future__ import annotations

import hashlib
import json
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from appstore.core.paths import Paths
from appstore.core.publish.server import serve_in_thread
from appstore.core.store.manager import CatalogView, Stores
from bench.synth import synthetic_store

QUERIES = ["charity", "ledger", "app4242", "bank points", "dev 42", "swap", "verify chain",
           "慈善", "积分", "zzz"]


def percentile(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * q))]


def run(n: int, cache: Path) -> dict[str, float]:
    out, published = synthetic_store(n, cache)
    server, url = serve_in_thread(out)
    data = Path(tempfile.mkdtemp(prefix="imapp-bench-"))
    try:
        (data / "stores.json").write_text('{"schema": 1, "stores": []}')
        stores = Stores(Paths.resolve(data))
        t = time.perf_counter()
        stores.add([url], published.root_sha256)
        cold = time.perf_counter() - t

        raw = (data / "stores" / "bench" / "catalog.json").read_bytes()
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
        index = view.index
        index_s = time.perf_counter() - t

        lat = []
        for q in QUERIES:
            for k in range(1, len(q) + 1):
                t = time.perf_counter()
                view.search(q[:k])
                lat.append(time.perf_counter() - t)
        assert index.search("app4242")
        return {
            "apps": n,
            "catalog_mb": round(len(raw) / 1e6, 1),
            "catalog_sha256": hashlib.sha256(raw).hexdigest()[:12],
            "baseline_json_s": statistics.median(base),
            "cold_s": cold,
            "warm_s": statistics.median(warm),
            "warm_vs_json": statistics.median(warm) / statistics.median(base),
            "index_s": index_s,
            "search_p50_ms": percentile(lat, 0.5) * 1000,
            "search_p95_ms": percentile(lat, 0.95) * 1000,
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        }
    finally:
        server.shutdown()
        server.server_close()
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    print(json.dumps(run(int(sys.argv[1]), Path(sys.argv[2]))))

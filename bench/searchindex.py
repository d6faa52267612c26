"""One catalogue size: the search index after a one-app change, and ``search Q --json`` as a whole
process, each against a baseline measured in the same run (issue 25).

* ``index_update_s``: a refresh changed one app (one shard; the publisher re-signs the store
  first, not timed), then ``StoreClient.search_index()`` brings the store's SQLite index to the
  new catalogue in place (``core/catalog/reindex.py``), against ``index_full_s``, the same
  index built in full. ``UPDATES`` changes (a summary, a name that moves the app, a new app),
  ``BUILDS`` full builds: medians, and every run in ``*_runs``. ``index_updated_in_place`` says
  whether each update kept the file (no full build behind it).
* ``cli_search_s``: ``python -m appstore search charity --json`` over this store, against
  ``cli_search_1k_s``, the same over a 1,000-app store of the same kind, the two runs
  alternating (``CLI_RUNS`` each, with compiled bytecode as installed): ``cli_vs_1k``.

The machine may be shared: each figure is a median, with its spread (min and max) beside it.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from appstore.core.paths import Paths
from appstore.core.publish.builder import publish
from appstore.core.publish.keys import load_keys
from appstore.core.store.manager import Stores
from bench.catalog import installed_env, serve_apart
from bench.synth import synthetic_content, synthetic_store

UPDATES = 3
BUILDS = 3
CLI_RUNS = 9
ROOT = Path(__file__).resolve().parent.parent


def spread(values: list[float]) -> dict[str, float]:
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


def added(data: Path, url: str, root_sha256: str) -> Stores:
    """``data`` (made empty) with the store at ``url`` added, its search index built."""
    shutil.rmtree(data, ignore_errors=True)
    data.mkdir(parents=True)
    (data / "stores.json").write_text('{"schema": 1, "stores": []}')
    stores = Stores(Paths.resolve(data))
    stores.add([url], root_sha256)
    assert stores.client("bench").search_index() is not None
    return stores


def cli_seconds(data: Path) -> float:
    t = time.perf_counter()
    subprocess.run([sys.executable, "-m", "appstore", "--data-dir", str(data), "search", "charity",
                    "--json"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True,
                   cwd=ROOT, env=installed_env())
    return time.perf_counter() - t


def run(n: int, cache: Path) -> dict[str, Any]:
    out, published = synthetic_store(n, cache)
    small_out, small = synthetic_store(1000, cache)
    work = Path(tempfile.mkdtemp(prefix="imapp-bench-index-"))
    small_server, small_url = serve_apart(small_out)
    server, url = serve_apart(out)
    try:
        data, small_data = work / "data", work / "small"
        added(small_data, small_url, small.root_sha256)
        stores = added(data, url, published.root_sha256)

        cli_seconds(data)  # (compiles once)
        cli, cli_1k = [], []
        for _ in range(CLI_RUNS):
            cli_1k.append(cli_seconds(small_data))
            cli.append(cli_seconds(data))

        try:
            client = stores.client("bench")
            builds = []
            for _ in range(BUILDS):
                client.index_path.unlink()
                client._index = None  # (as a new process finds it: no index)
                t = time.perf_counter()
                assert client.search_index() is not None
                builds.append(time.perf_counter() - t)

            content = synthetic_content(n)
            apps = content.catalog["apps"]
            changes = [lambda: apps[n // 2]["summary"].update(en="one changed summary"),
                       lambda: apps[n // 3]["name"].update(en="Aardvark moved to the front"),
                       lambda: apps.append({**apps[7], "id": "org.bench.new",
                                            "name": {"en": "A new app"}})]
            updates, in_place = [], []
            keys = load_keys(cache / f"keys-{n}")
            for change in changes[:UPDATES]:
                change()
                publish(content, out, keys)
                [outcome] = stores.refresh()
                assert outcome.ok, outcome.error
                inode = os.stat(client.index_path).st_ino
                t = time.perf_counter()
                index = client.search_index()
                updates.append(time.perf_counter() - t)
                assert index is not None and index.size == len(apps)
                in_place.append(os.stat(client.index_path).st_ino == inode)
        finally:
            publish(synthetic_content(n), out, load_keys(cache / f"keys-{n}"))  # as it was
        return {
            "apps": n,
            "index_update_s": spread(updates),
            "index_update_runs": updates,
            "index_updated_in_place": in_place,
            "index_full_s": spread(builds),
            "index_full_runs": builds,
            "index_update_vs_full": statistics.median(updates) / statistics.median(builds),
            "cli_search_s": spread(cli),
            "cli_search_1k_s": spread(cli_1k),
            "cli_vs_1k": statistics.median(cli) / statistics.median(cli_1k),
        }
    finally:
        for proc in (server, small_server):
            proc.kill()
            proc.wait()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    print(json.dumps(run(int(sys.argv[1]), Path(sys.argv[2]))))

"""Installing a package of many small files: our whole install (SHA-256 check, guards, streamed
unpack, durability, rename, database row) against ``unzip -q`` of the same zip.

``python -m bench.install [FILES]`` prints a table and, on its last line, the results as JSON.
Each measurement is the median of several runs, each into a fresh folder, after an ``os.sync()``
so that one run's dirty pages do not land on the next.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from appstore.core.catalog.models import App, Release
from appstore.core.jobs import JobContext
from appstore.core.library import DEFAULT_SYNC, Library
from appstore.core.library.unpack import LIMITS, _plan, _read_manifest
from appstore.core.paths import Paths

APP_ID = "org.bench.many"
VERSION = "1.0.0"
RUNS = 7


def build_package(path: Path, n: int) -> int:
    """A reproducible package of ``n`` small text files in 20 folders; its unpacked size."""
    rng = random.Random(42)
    words = [f"word{i}" for i in range(500)]
    manifest = {"id": APP_ID, "version": VERSION, "entry": "index.html", "permissions": ["storage"]}
    files = {"dapp.json": json.dumps(manifest).encode(), "index.html": b"<!doctype html><h1>bench</h1>"}
    for i in range(n - len(files)):
        text = " ".join(rng.choice(words) for _ in range(rng.randint(20, 300)))
        files[f"d{i % 20:02d}/f{i:05d}.js"] = text.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in sorted(files.items()):
            info = zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0))
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, data)
    return sum(map(len, files.values()))


def ensure_unzip() -> str:
    found = shutil.which("unzip")
    if found:
        return found
    subprocess.run(["apt-get", "install", "-y", "-q", "unzip"], check=True, capture_output=True)
    found = shutil.which("unzip")
    if not found:
        raise SystemExit("unzip is not installed and could not be installed")
    return found


def interleaved(runs: dict[str, Callable[[Path], float | None]], work: Path) -> dict[str, float]:
    """The median time of each run, the runs taken in turn (the machine's mood shifts over a
    benchmark; taking turns spreads it evenly). A run may time itself (returns seconds)."""
    times: dict[str, list[float]] = {name: [] for name in runs}
    for i in range(RUNS):
        for name, run in runs.items():
            dest = work / f"{name}-{i}"
            dest.mkdir()
            os.sync()
            t = time.perf_counter()
            inner = run(dest)
            times[name].append(inner if inner is not None else time.perf_counter() - t)
            shutil.rmtree(dest)
    return {name: statistics.median(ts) for name, ts in times.items()}


def main(n: int) -> dict[str, Any]:
    unzip = ensure_unzip()
    tmp = Path(tempfile.mkdtemp(prefix="imapp-bench-install-", dir=os.environ.get("BENCH_TMP")))
    try:
        pkg = tmp / "package.zip"
        unpacked = build_package(pkg, n)
        data = pkg.read_bytes()
        release = Release(VERSION, "packages/bench.zip", len(data), hashlib.sha256(data).hexdigest(),
                          "2026-01-02")
        app = App(id=APP_ID, name={"en": "Bench"}, summary={"en": "b"}, description={"en": "b"},
                  categories=("tools",), kind="web", icon="i.png", screenshots=(), developer="d",
                  website="", license="MIT", permissions=("storage",), releases=(release,), store="bench")
        work = tmp / "work"
        work.mkdir()

        def ours(sync: str) -> Callable[[Path], float]:
            def run(dest: Path) -> float:
                library = Library(Paths(dest), sync=sync)  # type: ignore[arg-type]
                library.installed()  # the database exists before the clock starts
                t = time.perf_counter()
                library.install(pkg, app, release, store="bench", ctx=JobContext())
                took = time.perf_counter() - t
                library.close()
                return took
            return run

        def bare_unzip(dest: Path) -> None:
            subprocess.run([unzip, "-q", str(pkg), "-d", str(dest)], check=True)

        def unzip_then_syncfs(dest: Path) -> None:
            bare_unzip(dest)
            subprocess.run(["sync", "-f", str(dest)], check=True)

        def checks_only(dest: Path) -> None:
            with zipfile.ZipFile(pkg) as zf:
                plan = _plan(zf, LIMITS)
                _read_manifest(zf, plan, APP_ID, VERSION, ("storage",), LIMITS)

        medians = interleaved({"unzip_s": bare_unzip, "install_s": ours(DEFAULT_SYNC),
                               "install_syncfs_s": ours("syncfs"),
                               "unzip_syncfs_s": unzip_then_syncfs, "install_fsync_s": ours("fsync"),
                               "checks_s": checks_only}, work)
        results: dict[str, Any] = {"files": n, "package_bytes": len(data), "unpacked_bytes": unpacked,
                                   "runs": RUNS, **medians}
        results["ratio"] = results["install_s"] / results["unzip_s"]  # the default, vs unzip
        results["ratio_syncfs_vs_unzip"] = results["install_syncfs_s"] / results["unzip_s"]
        results["ratio_fsync_vs_unzip"] = results["install_fsync_s"] / results["unzip_s"]
        results["ratio_syncfs_vs_unzip_syncfs"] = results["install_syncfs_s"] / results["unzip_syncfs_s"]
        return results
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    r = main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000)
    print(f"{r['files']} files, {r['package_bytes']} bytes zipped, {r['unpacked_bytes']} unpacked",
          file=sys.stderr)
    for key in ("unzip_s", "unzip_syncfs_s", "checks_s", "install_s", "install_syncfs_s", "install_fsync_s"):
        print(f"  {key:<18} {r[key]:.3f}", file=sys.stderr)
    print(f"  install ({DEFAULT_SYNC}) / unzip: {r['ratio']:.2f}", file=sys.stderr)
    print(f"  install (syncfs) / unzip: {r['ratio_syncfs_vs_unzip']:.2f}; install (fsync) / unzip: "
          f"{r['ratio_fsync_vs_unzip']:.2f}; install (syncfs) / (unzip + syncfs): "
          f"{r['ratio_syncfs_vs_unzip_syncfs']:.2f}", file=sys.stderr)
    print(json.dumps(r))

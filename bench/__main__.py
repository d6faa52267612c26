"""Benchmarks (not part of the tests): ``make bench`` or ``python -m bench [--only NAME]
[--sizes 10000,100000]``.

* catalog  — synthetic stores served on 127.0.0.1: refresh and load (cold and warm) against a
             bare ``json.loads`` of the same catalogue, search latency per typed prefix, memory;
* search   — synthetic stores: the search index after a one-app change (updated in place)
             against a full build, and ``search Q --json`` as a process against the same over
             1,000 apps (bench/searchindex.py);
* startup  — a fresh process to a painted Discover page (demo store) against a bare PySide6
             window, both in the same run; the exit, from the window's close to the process's
             end, for both (imapp once settled, and while its start-up work runs);
* gui      — typing and scrolling in the real Discover page with big catalogues; the real app's
             peak memory in every phase (adding the store from the GUI, a first start that builds
             the caches, a warm start, idle, searching, scrolling);
* install  — installing a package of 2,000 small files (guards, unpack, fsync/syncfs, rename,
             database) against ``unzip -q`` of the same zip;
* downloads — one 1 GiB file from a local server: our verified, resumable download (SHA-256 as it
             streams, written to disk) against ``curl -o /dev/null``; throughput ratio, peak RSS.
* host     — opening an installed demo DApp in the DApp host to its first paint (warm) against a
             bare QWebEngineView loading the same index.html through file://; memory per
             additional open DApp.
* ledger   — the wallet's ledger of 1,000,000 signed receipts (``--ledger-n`` for fewer): balance
             latency, full verification against a bare SHA-256 of the same bytes, appends per
             second (about 6 minutes at 1,000,000).
* service  — the IA service: claims per second accepted with 1, 2 and 4 worker processes on
             PostgreSQL and 1 on SQLite, each against a bare Starlette endpoint (and a ``SELECT 1``
             round trip) served by the same processes; p50/p95 latency; at 10,000 and 1,000,000
             accounts (``--service-accounts``), with the plans of a claim's statements.

* news     — 10,000 items across 50 feeds on 127.0.0.1: the News page from the cache against a
             bare SELECT in a plain list view, search-as-you-type p95 per keystroke (target 16 ms),
             a refresh of 50 unchanged feeds (all 304) against 50 bare ``requests.get``.

Each measurement runs in its own process. Results are printed and written to bench/results/.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"


def _run(module: str, *args: str) -> dict[str, Any]:
    out = subprocess.run([sys.executable, "-m", module, *args], capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f"{module} failed:\n{out.stderr}")
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def catalog(sizes: list[int]) -> list[dict[str, Any]]:
    rows = [_run("bench.catalog", str(n), str(RESULTS / "cache")) for n in sizes]
    for r in rows:
        print(f"{r['apps']} apps ({r['catalog_mb']} MB): json.loads {r['baseline_json_s']:.3f} s; cold add "
              f"{r['cold_s']:.3f} s ({r['cold_vs_json']:.2f}x); warm {r['warm_s']:.3f} s "
              f"({r['warm_vs_json']:.2f}x); refresh, nothing changed "
              f"{r['unchanged_refresh_s'] * 1000:.1f} ms "
              f"(RSS +{r['rss_growth_20_refreshes_mb']} MB over 20)")
        print(f"  one app changed: refresh {r['one_changed_refresh_s']:.3f} s = "
              f"{r['one_changed_vs_cold']:.3f}x the cold add ({r['one_changed_shards_fetched']} shard "
              f"fetched); from a new process {r['one_changed_new_process_s']:.3f} s")
        print(f"  search index built in {r['index_build_s']:.2f} s; per keystroke p50 "
              f"{r['search_p50_ms']:.2f} ms, p95 {r['search_p95_ms']:.2f} ms (in memory: p50 "
              f"{r['memory_search_p50_ms']:.2f}, p95 {r['memory_search_p95_ms']:.2f} ms); `search charity "
              f"--json` {r['cli_search_s']:.3f} s, peak {r['cli_search_peak_mb']:.0f} MiB (bare python "
              f"{r['bare_python_s']:.3f} s); peak {r['peak_mb']:.0f} MiB")
    return rows


def search(sizes: list[int]) -> list[dict[str, Any]]:
    rows = [_run("bench.searchindex", str(n), str(RESULTS / "cache")) for n in sizes]
    for r in rows:
        u, f, c, c1 = r["index_update_s"], r["index_full_s"], r["cli_search_s"], r["cli_search_1k_s"]
        print(f"{r['apps']} apps: index after a one-app change {u['median'] * 1000:.1f} ms "
              f"({u['min'] * 1000:.1f}-{u['max'] * 1000:.1f}; in place: {r['index_updated_in_place']}) "
              f"against a full build {f['median']:.2f} s ({f['min']:.2f}-{f['max']:.2f}): "
              f"{r['index_update_vs_full']:.4f}x")
        print(f"  `search charity --json` {c['median']:.3f} s ({c['min']:.3f}-{c['max']:.3f}) against "
              f"1,000 apps {c1['median']:.3f} s ({c1['min']:.3f}-{c1['max']:.3f}): {r['cli_vs_1k']:.2f}x")
    return rows


def startup() -> dict[str, Any]:
    r = _run("bench.startup")
    print(f"start to painted Discover: {r['imapp_discover_s']:.3f} s; bare window {r['bare_window_s']:.3f} s;"
          f" ratio {r['ratio']:.2f} (first run, publishing the demo store: {r['first_run_s']:.3f} s)")
    print(f"  each run: {', '.join(f'{x:.2f}' for x in r['ratios'])}; fastest against fastest "
          f"{r['ratio_min']:.2f}; CPU to the paint {r['imapp_cpu_s']:.3f} s against {r['bare_cpu_s']:.3f} s, "
          f"ratio {r['cpu_ratio']:.2f}")
    print(f"window closed to process gone: {r['imapp_exit_s'] * 1000:.0f} ms (closed while start-up work "
          f"runs: {r['imapp_exit_busy_s'] * 1000:.0f} ms); bare window {r['bare_exit_s'] * 1000:.0f} ms")
    return r


def gui(sizes: list[int]) -> list[dict[str, Any]]:
    rows = [_run("bench.gui_filter", str(n)) for n in sizes]
    memory = [_run("bench.gui_memory", str(n), str(RESULTS / "cache")) for n in sizes]
    print(f"{'apps':>8} {'key p50':>8} {'key p95':>8} {'apply p95':>9} {'results p50':>11} "
          f"{'results p95':>11} {'scroll p95':>10}  (ms)")
    for r in rows:
        print(f"{r['apps']:>8} {r['keystroke_p50_ms']:>8.1f} {r['keystroke_p95_ms']:>8.1f} "
              f"{r['apply_p95_ms']:>9.1f} {r['results_p50_ms']:>11.1f} {r['results_p95_ms']:>11.1f} "
              f"{r['scroll_p95_ms']:>10.1f}   RSS idle {r['rss_idle_mb']} MiB "
              f"(bare Qt {r['rss_bare_qt_mb']})")
    print("memory in the real app, peak RSS per phase (MiB; bench/gui_memory.py):")
    for m in memory:
        print(f"{m['apps']:>8} apps: add from the GUI {m['add_peak_mb']} (shard workers "
              f"{m['add_workers_peak_mb']}), "
              f"first start building the caches {m['cold_peak_mb']}, warm start {m['warm_peak_mb']}, idle "
              f"{m['idle_mb']}, searching {m['search_peak_mb']}, scrolling {m['scroll_peak_mb']} "
              f"(bare window {m['bare_qt_mb']})")
    for r, m in zip(rows, memory, strict=True):
        r["memory"] = m
    return rows


def install() -> dict[str, Any]:
    r = _run("bench.install", "2000")
    print(f"{r['files']} files: install {r['install_s']:.3f} s (syncfs {r['install_syncfs_s']:.3f} s, fsync "
          f"each {r['install_fsync_s']:.3f} s); unzip -q {r['unzip_s']:.3f} s (+ syncfs "
          f"{r['unzip_syncfs_s']:.3f} s); ratio {r['ratio']:.2f}")
    return r


def downloads() -> dict[str, Any]:
    r = _run("bench.downloads", "1024")
    print(f"{r['size_mib']} MiB: ours {r['ours_s']:.2f} s ({r['ours_mib_s']} MiB/s), curl -o /dev/null "
          f"{r['curl_s']:.2f} s, ratio {r['ratio']:.2f} (target {r['ratio_target']}); curl -o FILE "
          f"{r['curl_to_file_s']:.2f} s; SHA-256 alone {r['sha256_alone_s']:.2f} s; peak RSS above idle "
          f"{r['rss_above_idle_mb']} MB (target {r['rss_target_mb']})")
    return r


def host() -> dict[str, Any]:
    r = _run("bench.host")
    print(f"open to first paint (warm): host {r['host_warm_ms']} ms, bare file:// view "
          f"{r['bare_file_view_ms']} ms, ratio {r['ratio']:.2f} (target {r['ratio_target']}); memory per "
          f"additional DApp: RSS {r['rss_per_more_dapp_mb']} MB, PSS {r['pss_per_more_dapp_mb']} MB")
    return r


def ledger(n: int) -> dict[str, Any]:
    r = _run("bench.ledger", "--n", str(n))
    print(f"{r['receipts']} receipts: balance p50 {r['balance_p50_ms']} ms, p95 {r['balance_p95_ms']} ms "
          f"(target {r['balance_target_ms']}); verify {r['verify_full_s']} s, bare SHA-256 "
          f"{r['sha256_bare_s']} s, ratio {r['verify_full_vs_sha256']} (quick verify "
          f"{r['verify_quick_s']} s, ratio {r['verify_quick_vs_sha256']}); appends "
          f"{r['append_many_per_s']}/s batched, {r['append_single_per_s']}/s one by one; check before a "
          f"spend {r['quick_check_sealed_p50_ms']} ms sealed (p95 {r['quick_check_sealed_p95_ms']}, "
          f"target {r['quick_check_target_ms']}), {r['quick_check_unsealed_s']} s unsealed")
    return r


def service(accounts: str) -> dict[str, Any]:
    r = _run("bench.service", "--accounts", accounts)
    if isinstance(r.get("postgresql"), str):
        print(f"postgresql: {r['postgresql']}")
    for x in r["runs"]:
        c = x["claims"]
        print(f"{x['db']} {x['workers']} worker(s), {x['accounts']:,} accounts: claims {c['per_s']}/s (p50 "
              f"{c['p50_ms']} ms, p95 {c['p95_ms']} ms); bare endpoint {x['bare']['per_s']}/s; SELECT 1 "
              f"{x['ping']['per_s']}/s; claims/bare {x['claims_vs_bare']}")
    return r


def news() -> dict[str, Any]:
    r = _run("bench.news", "10000", "50")
    print(f"{r['items']} items in {r['feeds']} feeds: page from cache {r['page_start_s']} s, bare SELECT + "
          f"list {r['bare_start_s']} s, ratio {r['start_vs_bare']}; search p50 {r['search_p50_ms']} ms, "
          f"p95 {r['search_p95_ms']} ms (target {r['search_target_ms']}); refresh of unchanged feeds "
          f"{r['refresh_304_s']} s, bare requests.get {r['bare_requests_get_s']} s, ratio "
          f"{r['refresh_vs_requests']}")
    return r


def main() -> int:
    p = argparse.ArgumentParser(prog="python -m bench")
    p.add_argument("--only", choices=["catalog", "search", "startup", "gui", "install", "downloads", "host",
                                         "ledger", "service", "news"])
    p.add_argument("--sizes", default="10000,100000", help="catalogue sizes, comma-separated")
    p.add_argument("--ledger-n", type=int, default=1_000_000, help="receipts in the ledger benchmark")
    p.add_argument("--service-accounts", default="10000,1000000",
                   help="accounts in the IA service's database, comma-separated")
    args = p.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    RESULTS.mkdir(exist_ok=True)
    results: dict[str, Any] = {}
    if args.only in (None, "catalog"):
        print("== catalogue: refresh, load, search")
        results["catalog"] = catalog(sizes)
    if args.only in (None, "search"):
        print("== search index after a one-app change; `search --json` against 1,000 apps")
        results["search"] = search(sizes)
    if args.only in (None, "startup"):
        print("== start-up")
        results["startup"] = startup()
    if args.only in (None, "gui"):
        print("== Discover: typing and scrolling")
        results["gui"] = gui(sizes)
    if args.only in (None, "install"):
        print("== install: 2,000 files against unzip")
        results["install"] = install()
    if args.only in (None, "downloads"):
        print("== downloads: 1 GiB against curl")
        results["downloads"] = downloads()
    if args.only in (None, "host"):
        print("== DApp host: open to first paint against a bare view")
        results["host"] = host()
    if args.only in (None, "ledger"):
        print("== wallet ledger: balance, verification against a bare SHA-256, appends")
        results["ledger"] = ledger(args.ledger_n)
    if args.only in (None, "service"):
        print("== IA service: claims per second (1, 2, 4 workers) against a bare endpoint")
        results["service"] = service(args.service_accounts)
    if args.only in (None, "news"):
        print("== news: the page from the cache, search-as-you-type, refresh of unchanged feeds")
        results["news"] = news()
    (RESULTS / f"{args.only or 'all'}.json").write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())

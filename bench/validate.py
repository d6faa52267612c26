"""Catalogue validation alone, against a bare ``json.loads`` of the same catalogue in the same run:
``python -m bench.validate [N] [--releases R] [--before OLD_MODELS_PY] [--repeat K]``.

A synthetic catalogue of N apps (``bench.synth``, default 100,000; with ``--releases`` R
releases per app instead of one) is dumped to JSON, then timed, each the median of K runs (CPU
time of this process, less disturbed by other processes than wall time):

* ``json_s``: ``json.loads`` of the catalogue (the baseline);
* ``parse_catalog_s``: ``parse.parse_catalog`` of the decoded catalogue;
* ``parse_shards_s``: ``shards.parse_shard`` over the shards of ``shards.split``, as a client
  parses them (their ``json.loads`` not included: ``shards_json_s``);
* with ``--before``, ``before_s``: ``parse_catalog`` of another ``models.py`` (a copy of an older
  one, which imports the current ``versions.py``) on the same data, and checks that both give
  the same apps.

The last line printed is the results as JSON.
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

from appstore.core.catalog import models, parse, shards
from bench.synth import synthetic_content


def _load(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_before_models", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # (dataclasses look their module up)
    spec.loader.exec_module(module)
    return module


def _time(run: Callable[..., Any], *args: Any, **kw: Any) -> tuple[float, Any]:
    gc.collect()
    start = time.process_time()
    result = run(*args, **kw)
    return time.process_time() - start, result


def _flat(o: Any) -> Any:
    """A comparable form of an App or Release of either module (their classes differ)."""
    if hasattr(o, "__slots__") and not isinstance(o, str):
        return (type(o).__name__, *((f, _flat(getattr(o, f))) for f in o.__slots__))
    if isinstance(o, tuple):
        return tuple(_flat(e) for e in o)
    return o


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("n", nargs="?", type=int, default=100_000)
    ap.add_argument("--releases", type=int, default=1)
    ap.add_argument("--before", type=Path)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()

    catalog = synthetic_content(args.n).catalog
    if args.releases > 1:  # older releases too, listed oldest first (the parser sorts them)
        for app in catalog["apps"]:
            latest = app["releases"][0]
            app["releases"] = [dict(latest, version=f"0.{k}.{k % 3}", date=f"2025-0{1 + k % 9}-1{k % 9}")
                               for k in range(1, args.releases)] + [latest]
    text = json.dumps(catalog)
    parts = shards.split(catalog)
    header, names = shards.parse_index(json.loads(parts[shards.SHARD_INDEX]), store="bench")
    before = _load(args.before) if args.before else None

    categories = dict(header.categories)

    def shards_parsed(decoded: list[tuple[str, Any]]) -> list[tuple[models.App, ...]]:
        return [shards.parse_shard(d, name, categories, store="bench") for name, d in decoded]

    def one_run(check: bool) -> dict[str, float]:
        t: dict[str, float] = {}
        t["json_s"], data = _time(json.loads, text)
        t["parse_catalog_s"], new = _time(parse.parse_catalog, data, store="bench")
        if before is not None:
            t["before_s"], old = _time(before.parse_catalog, data, store="bench")
            if check and [_flat(a) for a in old.apps] != [_flat(a) for a in new.apps]:
                raise SystemExit("the two models.py do not give the same apps")
        t["shards_json_s"], decoded = _time(lambda: [(n, json.loads(parts[n])) for n in names])
        t["parse_shards_s"], _ = _time(shards_parsed, decoded)
        return t

    times: dict[str, list[float]] = {}
    for run in range(args.repeat):
        for k, v in one_run(check=run == 0).items():
            times.setdefault(k, []).append(v)

    out: dict[str, Any] = {"apps": args.n, "releases_per_app": args.releases,
                           "catalog_mb": round(len(text) / 1e6, 1)}
    out |= {k: round(statistics.median(v), 3) for k, v in times.items()}
    for k in ("parse_catalog_s", "parse_shards_s", "before_s"):
        if k in out:
            print(f"{k:16} {out[k]:7.3f} s  {out[k] / args.n * 1e6:6.2f} us/app  "
                  f"{out[k] / out['json_s']:.2f}x json.loads ({out['json_s']:.3f} s)")
            out[k.removesuffix("_s") + "_vs_json"] = round(out[k] / out["json_s"], 3)
    if "before_s" in out:
        out["speedup"] = round(out["before_s"] / out["parse_catalog_s"], 2)
        print(f"speedup over --before: {out['speedup']:.2f}x")
    print(json.dumps(out))


if __name__ == "__main__":
    main()

"""The catalogue in shards (docs/store-format.md#the-catalogue-in-shards): a small signed shard
index, ``catalog/shards.json``, and the apps in signed shards, ``catalog/shards/N.json``, each
app in the shard its id hashes to. A client fetches and parses only the shards whose signed
hash changed; the whole ``catalog/index.json`` stays published beside them, the same apps in one
file, for readers that want one.

Both sides live here: ``split`` (the publisher) and the parsers (the client), which apply the
catalogue's own rules (``parse.py``) with paths that name the shard.
"""

from __future__ import annotations

import hashlib
import json
import math
from typing import Any

from appstore.core.bulk import gc_paused
from appstore.core.catalog.fields import _Checker
from appstore.core.catalog.models import App, Catalog, Localized
from appstore.core.catalog.parse import _parse_catalog, parse_apps
from appstore.core.errors import CatalogError

SHARD_INDEX = "catalog/shards.json"
SHARD_DIR = "catalog/shards/"
APPS_PER_SHARD = 512  # the publisher aims at about this many apps per shard (half a MB:
# one app's change costs that; fewer shards cost fewer requests and files on a cold add)
MAX_SHARDS = 65536


def shard_bits(n_apps: int) -> int:
    """How many leading bits of an id's SHA-256 pick its shard (``2**bits`` shards)."""
    return max(0, math.ceil(math.log2(max(1, n_apps) / APPS_PER_SHARD)))


def shard_name(number: int, bits: int) -> str:
    width = max(1, math.ceil(bits / 4))
    return f"{SHARD_DIR}{number:0{width}x}.json"


def shard_of(app_id: str, bits: int) -> int:
    if bits == 0:
        return 0
    return int.from_bytes(hashlib.sha256(app_id.encode()).digest()[:4], "big") >> (32 - bits)


def split(catalog: dict[str, Any]) -> dict[str, bytes]:
    """The shard index and the shards of a catalogue (the publisher's JSON data), as targets.
    Apps whose id is not a string go to shard 0 (the client refuses them with the rest)."""
    apps = catalog.get("apps", [])
    apps = apps if isinstance(apps, list) else []
    bits = shard_bits(len(apps))
    shards: list[list[Any]] = [[] for _ in range(2 ** bits)]
    for app in apps:
        app_id = app.get("id") if isinstance(app, dict) else None
        shards[shard_of(app_id, bits) if isinstance(app_id, str) else 0].append(app)
    names = [shard_name(i, bits) for i in range(len(shards))]
    index = {k: v for k, v in catalog.items() if k != "apps"}
    index["shards"] = names

    def dump(obj: Any) -> bytes:
        return json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()

    out = {SHARD_INDEX: dump(index)}
    for name, part in zip(names, shards, strict=True):
        out[name] = dump({"apps": part})
    return out


def parse_index(data: Any, *, store: str = "") -> tuple[Catalog, list[str]]:
    """The shard index: the catalogue's header (a ``Catalog`` without apps) and the shards'
    target names, in order. ``CatalogError`` names the bad field."""
    c = _Checker(SHARD_INDEX)
    d = c.obj(data, "(top)")
    names = d.get("shards")
    if not isinstance(names, list) or not 1 <= len(names) <= MAX_SHARDS:
        raise c.fail("shards", f"must be a list of 1 to {MAX_SHARDS} shard file names")
    shards = [c.target(n, f"shards[{i}]") for i, n in enumerate(names)]
    if len(set(shards)) != len(shards):
        raise c.fail("shards", "lists the same shard twice")
    for i, name in enumerate(shards):
        if not name.startswith(SHARD_DIR) or name == SHARD_INDEX:
            raise c.fail(f"shards[{i}]", f"{name!r} is not under {SHARD_DIR}")
    header = _parse_catalog({**{k: v for k, v in d.items() if k != "shards"}, "apps": []},
                            SHARD_INDEX, store, False)
    return header, shards


def parse_shard(data: Any, name: str, categories: dict[str, Localized], *,
                store: str = "") -> tuple[App, ...]:
    """The apps of one shard (apps of unknown kinds skipped), checked as in a catalogue."""
    with gc_paused():
        c = _Checker(name)
        d = c.obj(data, "(top)")
        raw = d.get("apps")
        if not isinstance(raw, list):
            raise c.fail("apps", "must be a list")
        return parse_apps(c, raw, categories, store)


def check_unique(shards: list[tuple[str, tuple[App, ...]]]) -> None:
    """Refuse an app id listed in two shards (or twice in one)."""
    seen: dict[str, str] = {}
    for name, apps in shards:
        for app in apps:
            other = seen.get(app.id)
            if other is not None:
                raise CatalogError(f"{name}: apps: the id {app.id!r} is used twice"
                                   + ("" if other == name else f" (also in {other})"))
            seen[app.id] = name

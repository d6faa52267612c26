"""The embedded demo store: published on this machine, with keys made on this machine.

On first run (no stores.json yet), keys are generated in ``DATA/demo-store/keys``, the sources in
``appstore/resources/demo-store`` are published to ``DATA/demo-store/repo`` and trusted over file://.
Every start re-publishes when the sources changed and otherwise re-signs what nears expiry.

The demo store has an IA service: its reward policy and swap terms are written at publish time
with this machine's service key (``keys/service.pem``) and name the service ``embedded:`` (it
runs inside imapp on a port that changes every run, so the signed policy need not).
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from appstore import __version__
from appstore.core.fileio import write_bytes_atomic
from appstore.core.logs import log
from appstore.core.paths import Paths
from appstore.core.publish import lifetime
from appstore.core.resources import DEMO_SOURCE
from appstore.core.store.config import StoreEntry, now_iso
from appstore.core.store.manager import Stores

if TYPE_CHECKING:  # the publisher (TUF, the keys) loads when there is something to publish
    from appstore.core.publish.source import StoreContent

DEMO_ID = "demo"
# Bump when what is published from the same sources changes (the generated reward policy...).
DEMO_GENERATION = "2"

def _source_fingerprint(src: Path) -> str:
    h = hashlib.sha256(f"{__version__}\0{DEMO_GENERATION}".encode())
    for p in sorted(src.rglob("*")):
        if p.is_file():
            st = p.stat()
            h.update(f"{p.relative_to(src)}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return h.hexdigest()


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def _content(src: Path, keys_dir: Path) -> StoreContent:
    """The sources, with the reward policy and swap terms of this machine's service key."""
    from appstore.core.ia.policy import policy_json, terms_json
    from appstore.core.publish.keys import load_service_key
    from appstore.core.publish.source import load_source
    from appstore.core.wallet.receipts import public_key_hex

    content = load_source(src)
    key = public_key_hex(load_service_key(keys_dir))
    content.files.setdefault("rewards/policy.json", policy_json(DEMO_ID, key))
    # at most 50 BCD a day for every swap together (5 % of the embedded reserve): generated keys
    # cannot empty it in minutes (docs/ia-service.md, "Fake accounts")
    content.files.setdefault("swap/rates.json", terms_json(DEMO_ID, daily_budget_bcd="50"))
    rounds = _read(keys_dir.parent / "games" / "rounds.json")  # the round keeper's (core/games/keeper.py)
    if rounds is not None:
        content.files.setdefault("games/rounds.json", rounds)
    return content


def _expires(meta: Path) -> tuple[datetime, dict[str, Any]]:
    signed = json.loads(meta.read_bytes())["signed"]
    return datetime.fromisoformat(signed["expires"]), signed


def is_fresh(paths: Paths, stores: Stores, src: Path = DEMO_SOURCE) -> bool:
    """Whether ``ensure_demo`` would find nothing to do: the demo store is set up, its sources
    did not change, it is the store trusted, and no role of it nears expiry. Read from the
    published metadata as plain JSON, without loading the publisher (TUF, the keys), which is
    what most starts need to know. False whenever in doubt (``ensure_demo`` then decides).

    (Not checked here, only when something is published: whether the keys still load and sign
    this store.)"""
    entries = [s for s in stores.config.stores if s.builtin]
    if not entries:
        return paths.stores_file.exists()  # stores configured without the demo: nothing to do
    base = paths.demo_dir
    meta = base / "repo" / "metadata"
    now = datetime.now(UTC).replace(microsecond=0)

    def fresh(path: Path, role: str) -> dict[str, Any]:
        expires, signed = _expires(path)
        if lifetime.due(role, expires - now):
            raise ValueError(f"{path.name} nears expiry")
        return signed

    try:
        if not (base / "keys" / "root.pem").exists():
            return False
        if _read(base / "source.sha256") != _source_fingerprint(src).encode():
            return False
        first_root = (meta / "1.root.json").read_bytes()
        if hashlib.sha256(first_root).hexdigest() != entries[0].root_sha256:
            return False
        roots = [int(m.group(1)) for p in meta.glob("*.root.json")
                 if (m := re.match(r"^(\d+)\.root\.json$", p.name))]
        fresh(meta / f"{max(roots)}.root.json", "root")
        timestamp = fresh(meta / "timestamp.json", "timestamp")
        snapshot_version = timestamp["meta"]["snapshot.json"]["version"]
        snapshot = fresh(meta / f"{snapshot_version}.snapshot.json", "snapshot")
        for name, file in snapshot["meta"].items():
            path = meta / f"{file['version']}.{name}"
            if set(file) != {"version", "length"} or path.stat().st_size != file["length"]:
                return False  # not as the publisher leaves it: let it look
            fresh(path, "targets" if name == "targets.json" else "bins")
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return False
    return True


def ensure_demo(paths: Paths, stores: Stores, src: Path = DEMO_SOURCE) -> bool:
    """Set up or freshen the demo store; True when its content changed (refresh it then)."""
    from appstore.core.publish.builder import publish
    from appstore.core.publish.keys import init_keys, load_keys

    entries = [s for s in stores.config.stores if s.builtin]
    if not entries and paths.stores_file.exists():
        return False  # stores were configured (perhaps the demo removed): respect that
    base = paths.demo_dir
    keys_dir, repo, stamp = base / "keys", base / "repo", base / "source.sha256"
    keys = load_keys(keys_dir) if (keys_dir / "root.pem").exists() else init_keys(keys_dir)
    fingerprint = _source_fingerprint(src)
    published = (repo / "metadata" / "timestamp.json").exists()
    changed = not published or _read(stamp) != fingerprint.encode()
    from appstore.core.games.keeper import publish_lock

    with publish_lock(base):  # the round keeper publishes into the same folder
        result = publish(_content(src, keys_dir) if changed else None, repo, keys,
                         force_timestamp=changed)
    if changed:
        write_bytes_atomic(stamp, fingerprint.encode())
    if not entries:
        stores.config.stores.append(StoreEntry(
            DEMO_ID, [repo.as_uri()], result.root_sha256, now_iso(), builtin=True
        ))
        stores.config.save()
        return True
    entry = entries[0]
    if entry.root_sha256 != result.root_sha256:
        # The demo store's folder was lost and it was published again with new keys. It is
        # this computer's own store, made by imapp in its own data dir: trust the new root
        # rather than call its signatures an attack for ever after.
        log.warning("the demo store was rebuilt with new keys; trusting its new root %s",
                    result.root_sha256)
        entry.root_sha256 = result.root_sha256
        entry.mirrors = [repo.as_uri()]
        stores.config.save()
        shutil.rmtree(paths.store_dir(entry.id) / "metadata", ignore_errors=True)
        stores.forget_client(entry.id)
        return True
    return changed and result.targets_changed

"""Signing a store's content into a TUF repository tree (consistent snapshots).

Output layout, as python-tuf's ngclient requests it::

    OUT/metadata/N.root.json  N.targets.json  N.bins-XX.json  N.snapshot.json  timestamp.json
    OUT/targets/DIR/SHA256.NAME

Writes go targets first, timestamp last (each file atomically), so a client reading while we
publish sees either the old store or the new one, never a mix.
"""

from __future__ import annotations

import hashlib
import math
import os
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from securesystemslib.signer import CryptoSigner
from tuf.api.metadata import (
    Delegations,
    Metadata,
    MetaFile,
    Root,
    Snapshot,
    SuccinctRoles,
    TargetFile,
    Targets,
    Timestamp,
)
from tuf.api.serialization.json import JSONSerializer

from appstore.core.errors import ConfigError
from appstore.core.fileio import write_bytes_atomic
from appstore.core.publish.keys import StoreKeys
from appstore.core.publish.lifetime import LIFETIME, due
from appstore.core.publish.source import StoreContent

BINS_FROM_APPS = 2000  # stores with more apps than this use hashed-bin delegation
CATALOG_DIR = "catalog/"  # the catalogue's targets, kept in the targets role itself
TARGETS_PER_BIN = 256
_SERIALIZER = JSONSerializer(compact=True)


@dataclass(frozen=True)
class PublishResult:
    root_sha256: str
    targets_changed: bool
    versions: dict[str, int]


def root_fingerprint(root_bytes: bytes) -> str:
    """The store's fingerprint: SHA-256 of ``1.root.json`` as published."""
    return hashlib.sha256(root_bytes).hexdigest()


def _expiry(role: str, now: datetime) -> datetime:
    return (now + LIFETIME[role]).replace(microsecond=0)


def _needs_resign(md: Metadata[Any], role: str, now: datetime) -> bool:
    """Less than half of the role's lifetime left."""
    left: timedelta = md.signed.expires - now
    return due(role, left)


class _Repo:
    """The metadata currently published in OUT (if any), loaded without trusting it blindly."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.meta_dir = out / "metadata"
        self.root: Metadata[Root] | None = None
        self.root_bytes: bytes | None = None
        self.first_root: bytes | None = None
        self.snapshot: Metadata[Snapshot] | None = None
        self.timestamp: Metadata[Timestamp] | None = None
        self.roles: dict[str, Metadata[Targets]] = {}
        self.role_bytes: dict[str, bytes] = {}
        if not (self.meta_dir / "1.root.json").exists():
            return
        roots = sorted(
            int(m.group(1))
            for p in self.meta_dir.glob("*.root.json")
            if (m := re.match(r"^(\d+)\.root\.json$", p.name))
        )
        self.first_root = (self.meta_dir / "1.root.json").read_bytes()
        self.root_bytes = (self.meta_dir / f"{roots[-1]}.root.json").read_bytes()
        self.root = Metadata[Root].from_bytes(self.root_bytes)
        ts_path = self.meta_dir / "timestamp.json"
        if not ts_path.exists():
            return
        self.timestamp = Metadata[Timestamp].from_bytes(ts_path.read_bytes())
        snap_v = self.timestamp.signed.snapshot_meta.version
        self.snapshot = Metadata[Snapshot].from_bytes(
            (self.meta_dir / f"{snap_v}.snapshot.json").read_bytes()
        )
        for fname, mf in self.snapshot.signed.meta.items():
            role = fname.removesuffix(".json")
            data = (self.meta_dir / f"{mf.version}.{fname}").read_bytes()
            self.roles[role] = Metadata[Targets].from_bytes(data)
            self.role_bytes[role] = data


def _check_keys(root: Root, keys: StoreKeys) -> None:
    for role in ("root", "targets", "snapshot", "timestamp"):
        if keys[role].public_key.keyid not in root.roles[role].keyids:
            raise ConfigError(
                f"the {role} key in the keys folder does not sign this store: "
                "use the keys it was created with"
            )


def _sign(md: Metadata[Any], signer: CryptoSigner) -> bytes:
    md.signatures.clear()
    md.sign(signer)
    return md.to_bytes(_SERIALIZER)


def _targets_state(md: Metadata[Targets]) -> tuple[Any, Any]:
    t = md.signed
    dele = t.delegations.to_dict() if t.delegations else None
    return ({k: v.to_dict() for k, v in t.targets.items()}, dele)


def _desired_roles(
    tfiles: dict[str, TargetFile], n_apps: int, keys: StoreKeys
) -> dict[str, Targets]:
    """The targets role and, for big stores, the hashed bins, with their target files. The
    catalogue's files (``catalog/…``) are always in the targets role itself: a refresh after one
    app changed then verifies that one small role, never a bin."""
    if n_apps <= BINS_FROM_APPS:
        return {"targets": Targets(targets=dict(tfiles))}
    bits = max(4, math.ceil(math.log2(max(1, len(tfiles)) / TARGETS_PER_BIN)))
    bins_key = keys["bins"].public_key
    succinct = SuccinctRoles([bins_key.keyid], 1, bits, "bins")
    top = Targets(targets={})
    top.delegations = Delegations(keys={bins_key.keyid: bins_key}, succinct_roles=succinct)
    roles: dict[str, Targets] = {"targets": top}
    for name in succinct.get_roles():
        roles[name] = Targets(targets={})
    for path, tf in tfiles.items():
        role = "targets" if path.startswith(CATALOG_DIR) else succinct.get_role_for_target(path)
        roles[role].targets[path] = tf
    return roles


def stored_name(path: str, tf: TargetFile) -> str:
    """Where a target lives under OUT/targets with consistent snapshots (hash-prefixed)."""
    dirname, _, base = path.rpartition("/")
    name = f"{tf.hashes['sha256']}.{base}"
    return f"{dirname}/{name}" if dirname else name


def _write_targets(out: Path, targets: dict[str, bytes], tfiles: dict[str, TargetFile]) -> None:
    wrote = False
    for path, data in targets.items():
        dest = out / "targets" / stored_name(path, tfiles[path])
        if not dest.exists():
            write_bytes_atomic(dest, data, fsync=False)
            wrote = True
    if wrote:
        os.sync()  # once for all files, before any metadata points at them


def _prune(out: Path, keep_targets: set[str], meta_versions: dict[str, int]) -> None:
    """Drop target files no longer listed and metadata older than the previous version."""
    tdir = out / "targets"
    for p in tdir.rglob("*"):
        if p.is_file() and p.relative_to(tdir).as_posix() not in keep_targets:
            p.unlink()
    for p in (out / "metadata").glob("*.json"):
        m = re.match(r"^(\d+)\.(.+)\.json$", p.name)
        if m and m.group(2) != "root":
            current = meta_versions.get(m.group(2))
            if current is None or int(m.group(1)) < current - 1:
                p.unlink()


def publish(
    content: StoreContent | None,
    out: Path,
    keys: StoreKeys,
    *,
    now: datetime | None = None,
    force_timestamp: bool = True,
) -> PublishResult:
    """Sign ``content`` into OUT, or, with ``content=None``, just keep OUT's metadata fresh.

    Versions change only where content changed or a role nears expiry; snapshot and timestamp
    are re-signed on every publish (``force_timestamp``), otherwise only near expiry.
    """
    now = (now or datetime.now(UTC)).replace(microsecond=0)
    repo = _Repo(out)
    versions: dict[str, int] = {"root": _publish_root(repo, content is None, out, keys, now)}
    desired, changed, role_bytes = _publish_roles(repo, content, out, keys, now, versions)
    _publish_snapshot(repo, role_bytes, changed, force_timestamp, keys, now, versions)
    keep = {stored_name(path, tf) for role in desired.values() for path, tf in role.targets.items()}
    _prune(out, keep, versions)
    assert repo.first_root is not None
    return PublishResult(root_fingerprint(repo.first_root), changed, versions)


def _publish_root(repo: _Repo, no_content: bool, out: Path, keys: StoreKeys, now: datetime) -> int:
    """Root: created once; re-signed as a new version when it nears expiry. Its version."""
    if repo.root is None:
        if no_content:
            raise ConfigError(f"{out} holds no store yet: publish one first")
        root = Root(expires=_expiry("root", now), consistent_snapshot=True)
        for role in ("root", "targets", "snapshot", "timestamp"):
            root.add_key(keys[role].public_key, role)
        root_md = Metadata(root)
        repo.first_root = repo.root_bytes = _sign(root_md, keys["root"])
        write_bytes_atomic(repo.meta_dir / "1.root.json", repo.root_bytes)
        repo.root = root_md
    else:
        _check_keys(repo.root.signed, keys)
        if _needs_resign(repo.root, "root", now):
            repo.root.signed.version += 1
            repo.root.signed.expires = _expiry("root", now)
            repo.root_bytes = _sign(repo.root, keys["root"])
            write_bytes_atomic(
                repo.meta_dir / f"{repo.root.signed.version}.root.json", repo.root_bytes
            )
    return repo.root.signed.version


def _publish_roles(repo: _Repo, content: StoreContent | None, out: Path, keys: StoreKeys, now: datetime,
                   versions: dict[str, int]) -> tuple[dict[str, Targets], bool, dict[str, bytes]]:
    """Targets and bins: each re-signed as a new version where it changed or nears expiry
    (``versions`` gets each one's). The roles, whether any changed, and each one's bytes."""
    if content is not None:
        blobs = content.all_targets()  # the catalogue whole and in shards, and the rest
        tfiles = {p: TargetFile.from_data(p, d, ["sha256"]) for p, d in blobs.items()}
        _write_targets(out, blobs, tfiles)
        desired = _desired_roles(tfiles, len(content.catalog.get("apps", [])), keys)
    else:
        if not repo.roles:
            raise ConfigError(f"{out} holds no published targets: publish the store first")
        desired = {name: md.signed for name, md in repo.roles.items()}
    changed = False
    role_bytes: dict[str, bytes] = {}
    for name, signed in desired.items():
        prev = repo.roles.get(name)
        kind = "targets" if name == "targets" else "bins"
        md = Metadata(signed)
        if prev is not None and _targets_state(prev) == _targets_state(md):
            if not _needs_resign(prev, kind, now):
                role_bytes[name] = repo.role_bytes[name]
                versions[name] = prev.signed.version
                continue
        else:
            changed = True
        signed.version = prev.signed.version + 1 if prev else 1
        signed.expires = _expiry(kind, now)
        role_bytes[name] = _sign(md, keys[kind])
        versions[name] = signed.version
        write_bytes_atomic(repo.meta_dir / f"{signed.version}.{name}.json", role_bytes[name])
    changed = changed or set(desired) != set(repo.roles)
    return desired, changed, role_bytes


def _publish_snapshot(repo: _Repo, role_bytes: dict[str, bytes], changed: bool, force_timestamp: bool,
                      keys: StoreKeys, now: datetime, versions: dict[str, int]) -> None:
    """Snapshot and timestamp: re-signed when the roles changed, on ``force_timestamp``, or near
    expiry (``versions`` gets theirs)."""
    meta = {f"{n}.json": MetaFile(versions[n], length=len(b)) for n, b in role_bytes.items()}
    snap = repo.snapshot
    snap_fresh = (
        snap is not None
        and not changed
        and not force_timestamp
        and snap.signed.meta == meta
        and not _needs_resign(snap, "snapshot", now)
    )
    if snap is not None and snap_fresh:
        snap_bytes = (repo.meta_dir / f"{snap.signed.version}.snapshot.json").read_bytes()
    else:
        new_snap = Snapshot(
            version=(snap.signed.version + 1) if snap else 1,
            expires=_expiry("snapshot", now),
            meta=meta,
        )
        snap = Metadata(new_snap)
        snap_bytes = _sign(snap, keys["snapshot"])
        write_bytes_atomic(repo.meta_dir / f"{new_snap.version}.snapshot.json", snap_bytes)
    versions["snapshot"] = snap.signed.version

    ts = repo.timestamp
    if ts is None or not snap_fresh or _needs_resign(ts, "timestamp", now):
        snap_meta = MetaFile(
            snap.signed.version,
            length=len(snap_bytes),
            hashes={"sha256": hashlib.sha256(snap_bytes).hexdigest()},
        )
        new_ts = Timestamp(
            version=(ts.signed.version + 1) if ts else 1,
            expires=_expiry("timestamp", now),
            snapshot_meta=snap_meta,
        )
        ts = Metadata(new_ts)
        write_bytes_atomic(repo.meta_dir / "timestamp.json", _sign(ts, keys["timestamp"]))
    versions["timestamp"] = ts.signed.version

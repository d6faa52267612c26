"""The targets of a store published by this machine, read back from its folder (for a publisher
that changes one target and signs the rest as they are: the games' round keeper).

Reads ``metadata/timestamp.json`` → snapshot → ``targets`` (and hashed bins) →
``targets/SHA256.NAME``; each file's length and SHA-256 are checked against its metadata.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tuf.api.exceptions import RepositoryError
from tuf.api.metadata import Metadata, Snapshot, TargetFile, Targets, Timestamp

from appstore.core.catalog.models import CATALOG_TARGET
from appstore.core.errors import ConfigError, short_path
from appstore.core.publish.builder import stored_name
from appstore.core.publish.source import StoreContent


def _target_files(repo: Path) -> dict[str, TargetFile]:
    meta = repo / "metadata"
    try:
        ts: Metadata[Timestamp] = Metadata[Timestamp].from_bytes((meta / "timestamp.json").read_bytes())
        snap: Metadata[Snapshot] = Metadata[Snapshot].from_bytes(
            (meta / f"{ts.signed.snapshot_meta.version}.snapshot.json").read_bytes())
        out: dict[str, TargetFile] = {}
        for fname, mf in snap.signed.meta.items():
            raw = (meta / f"{mf.version}.{fname}").read_bytes()
            md: Metadata[Targets] = Metadata[Targets].from_bytes(raw)
            out.update(md.signed.targets)
    except (OSError, ValueError, KeyError, RepositoryError) as e:
        raise ConfigError(f"cannot read the store published in {short_path(repo)} ({e})") from None
    return out


def _read(repo: Path, name: str, tf: TargetFile) -> bytes:
    path = repo / "targets" / stored_name(name, tf)
    try:
        data = path.read_bytes()
        tf.verify_length_and_hashes(data)
    except OSError as e:
        raise ConfigError(f"cannot read {short_path(path)} ({e.strerror or e})") from None
    except RepositoryError:
        raise ConfigError(f"{short_path(path)} does not match the store's metadata") from None
    return data


def published_target(repo: Path, name: str) -> bytes | None:
    """Target ``name`` as published in ``repo`` (None if it is not published)."""
    tf = _target_files(repo).get(name)
    return None if tf is None else _read(repo, name, tf)


def published_content(repo: Path) -> StoreContent:
    """Everything published in ``repo``, as content to publish again."""
    files = {name: _read(repo, name, tf) for name, tf in _target_files(repo).items()}
    raw = files.pop(CATALOG_TARGET, None)
    if raw is None:
        raise ConfigError(f"the store in {short_path(repo)} publishes no {CATALOG_TARGET}")
    catalog: Any = json.loads(raw)
    return StoreContent(catalog, files)

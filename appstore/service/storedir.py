"""The current targets of a published store folder (the output of ``python -m appstore publish``),
read the way a client would: ``metadata/timestamp.json`` → snapshot → targets (and its hashed
bins) → ``targets/<sha256>.<name>``, each role's signatures checked with the keys of the newest
root, each target's length and SHA-256 checked against its metadata.

The service reads its policy, its swap terms and the catalogue's app ids and versions from here.
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from tuf.api.exceptions import RepositoryError
from tuf.api.metadata import Metadata, Root, Snapshot, TargetFile, Targets, Timestamp

from appstore.core.catalog.models import CATALOG_TARGET
from appstore.core.catalog.parse import parse_catalog
from appstore.core.errors import CatalogError, ConfigError, short_path
from appstore.core.ia.policy import (
    POLICY_TARGET,
    TERMS_TARGET,
    RewardPolicy,
    SwapTerms,
    parse_policy,
    parse_terms,
)
from appstore.core.publish.builder import stored_name

MAX_META = 32 * 1024 * 1024
_log = logging.getLogger(__name__)


class StoreFolder:
    """A published store folder; ``target(name)`` gives a target's checked bytes (None if the
    store does not publish it)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.meta_dir = folder / "metadata"
        if not (self.meta_dir / "timestamp.json").is_file():
            raise ConfigError(f"{short_path(folder)} is not a published store (no metadata/timestamp.json): "
                              "give the OUT folder of `python -m appstore publish SRC OUT`")
        self._load()

    def _read(self, name: str) -> bytes:
        path = self.meta_dir / name
        try:
            data = path.read_bytes()
        except OSError as e:
            raise ConfigError(f"cannot read {short_path(path)} ({e.strerror or e})") from None
        if len(data) > MAX_META:
            raise ConfigError(f"{short_path(path)} is too large")
        return data

    def _load(self) -> None:
        roots = sorted((int(m[1]), p.name) for p in self.meta_dir.glob("*.root.json")
                       if (m := re.fullmatch(r"([0-9]+)\.root\.json", p.name)))
        if not roots:
            raise ConfigError(f"{short_path(self.meta_dir)} holds no root metadata")
        try:
            root: Metadata[Root] = Metadata[Root].from_bytes(self._read(roots[-1][1]))
            root.verify_delegate(Root.type, root)
            ts: Metadata[Timestamp] = Metadata[Timestamp].from_bytes(self._read("timestamp.json"))
            root.verify_delegate(Timestamp.type, ts)
            snap_v = ts.signed.snapshot_meta.version
            snap: Metadata[Snapshot] = Metadata[Snapshot].from_bytes(self._read(f"{snap_v}.snapshot.json"))
            root.verify_delegate(Snapshot.type, snap)
            tv = snap.signed.meta["targets.json"].version
            targets: Metadata[Targets] = Metadata[Targets].from_bytes(self._read(f"{tv}.targets.json"))
            root.verify_delegate(Targets.type, targets)
        except (RepositoryError, ValueError, KeyError, TypeError) as e:
            raise ConfigError(f"the metadata in {short_path(self.meta_dir)} does not verify ({e})") from None
        self._targets = targets
        self._snapshot = snap

    def target_file(self, name: str) -> TargetFile | None:
        t = self._targets.signed
        if name in t.targets:
            return t.targets[name]
        if t.delegations is not None and t.delegations.succinct_roles is not None:
            role = t.delegations.succinct_roles.get_role_for_target(name)
            meta = self._snapshot.signed.meta.get(f"{role}.json")
            if meta is None:
                return None
            try:
                raw = self._read(f"{meta.version}.{role}.json")
                md: Metadata[Targets] = Metadata[Targets].from_bytes(raw)
                self._targets.verify_delegate(role, md)
            except (RepositoryError, ValueError) as e:
                raise ConfigError(f"the metadata of {role} does not verify ({e})") from None
            return md.signed.targets.get(name)
        return None

    def target(self, name: str) -> bytes | None:
        tf = self.target_file(name)
        if tf is None:
            return None
        path = self.folder / "targets" / stored_name(name, tf)
        try:
            data = path.read_bytes()
        except OSError as e:
            raise ConfigError(f"cannot read {short_path(path)} ({e.strerror or e})") from None
        try:
            tf.verify_length_and_hashes(data)
        except RepositoryError:
            raise ConfigError(f"{short_path(path)} does not match the store's metadata") from None
        return data


def read_policy(folder: StoreFolder) -> tuple[RewardPolicy, SwapTerms | None]:
    data = folder.target(POLICY_TARGET)
    if data is None:
        raise ConfigError(f"the store in {short_path(folder.folder)} publishes no {POLICY_TARGET}: add "
                          "one to its source (see docs/ia-service.md) and publish it again")
    policy = parse_policy(data, POLICY_TARGET)
    terms_data = folder.target(TERMS_TARGET)
    terms = None if terms_data is None else parse_terms(terms_data, TERMS_TARGET, ia_decimals=policy.decimals)
    return policy, terms


def read_apps(folder: StoreFolder) -> tuple[dict[str, frozenset[str]], dict[str, str]]:
    """The store's app ids with their versions, and the payees its catalogue declares."""
    data = folder.target(CATALOG_TARGET)
    if data is None:
        raise ConfigError(f"the store in {short_path(folder.folder)} has no {CATALOG_TARGET}")
    try:
        raw: Any = json.loads(data)
        catalog = parse_catalog(raw, where=CATALOG_TARGET)
    except (ValueError, CatalogError) as e:
        raise ConfigError(f"the store's catalogue cannot be read ({e})") from None
    return ({a.id: frozenset(r.version for r in a.releases) for a in catalog.apps},
            {a.id: a.payee for a in catalog.apps if a.payee})


class StoreApps:
    """The store's app ids and versions, read again when the folder is published anew (checked
    at most every ``every`` seconds): a callable for ``ServiceConfig.apps``."""

    def __init__(self, folder: Path, every: float = 5.0) -> None:
        self.folder = folder
        self.every = every
        self._lock = threading.Lock()
        self._stamp: tuple[int, int] | None = None
        self._checked = 0.0
        self._apps: Mapping[str, frozenset[str]] = {}
        self._payees: Mapping[str, str] = {}
        self._refresh(force=True)

    def _refresh(self, force: bool = False) -> None:
        ts = self.folder / "metadata" / "timestamp.json"
        try:
            st = ts.stat()
            stamp = (st.st_mtime_ns, st.st_size)
        except OSError:
            stamp = None
        if force or (stamp is not None and stamp != self._stamp):
            self._apps, self._payees = read_apps(StoreFolder(self.folder))
            self._stamp = stamp

    def _fresh(self) -> None:
        now = time.monotonic()
        if now - self._checked > self.every:
            with self._lock:
                if now - self._checked > self.every:
                    self._checked = now
                    with contextlib.suppress(ConfigError):  # a publish in progress: keep the last list
                        self._refresh()

    def __call__(self) -> Mapping[str, frozenset[str]]:
        self._fresh()
        return self._apps

    def payees(self) -> Mapping[str, str]:
        """App id -> the payee its catalogue entry declares (``ServiceConfig.payees``)."""
        self._fresh()
        return self._payees


class StoreRounds:
    """The store's signed ``games/rounds.json`` (None when it publishes none), read again when
    the folder is published anew (its ``timestamp.json`` is looked at on each call, at most
    every ``every`` seconds: a round a client has just seen must be known to the service too): a
    callable for ``ServiceConfig.games``. The same object is returned while the file is
    unchanged. A file that cannot be read keeps the last good one in use (and is logged)."""

    def __init__(self, folder: Path, decimals: int, every: float = 0.0) -> None:
        self.folder = folder
        self.decimals = decimals
        self.every = every
        self._lock = threading.Lock()
        self._stamp: tuple[int, int] | None = None
        self._checked = 0.0
        self._rounds: Any = None
        with contextlib.suppress(ConfigError):
            self._refresh()

    def _refresh(self) -> None:
        from appstore.core.games.rounds import ROUNDS_TARGET, RoundsError, parse_rounds

        ts = self.folder / "metadata" / "timestamp.json"
        try:
            st = ts.stat()
            stamp: tuple[int, int] | None = (st.st_mtime_ns, st.st_size)
        except OSError:
            stamp = None
        if stamp is None or stamp == self._stamp:
            return
        data = StoreFolder(self.folder).target(ROUNDS_TARGET)
        try:
            self._rounds = None if data is None else parse_rounds(data, ROUNDS_TARGET, decimals=self.decimals)
        except RoundsError as e:
            raise ConfigError(str(e)) from None
        self._stamp = stamp

    def __call__(self) -> Any:
        now = time.monotonic()
        if now - self._checked >= self.every:
            with self._lock:
                if now - self._checked >= self.every:
                    self._checked = now
                    try:
                        self._refresh()
                    except ConfigError as e:  # a publish in progress, or a bad file: keep the last
                        _log.warning("games: %s", e)
        return self._rounds

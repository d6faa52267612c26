"""Signed proof of what a store published in ``games/rounds.json``, kept so that it can be
checked again later (docs/games.md, "What a verdict rests on").

A seed that does not match its round's commitment is a broken promise only if the store signed
it. The rounds file a store client holds is a local copy, and the round kept in
``DATA/games/STORE/ID.json`` is not signed at all, so next to such a round the app keeps the
rounds file's bytes **and the TUF targets metadata that signs their length and SHA-256** (the
``targets`` role, then the delegated role that lists the file when the store delegates it, such
as a hashed bin). ``verified`` checks that chain against the store's trusted root again: an
edited or planted proof does not verify, and proves nothing.

The store's metadata may be refreshed between reading the rounds file and reading the metadata:
``capture`` checks what it read at once and gives None when the two do not belong together (the
next read captures it).
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib import parse

from appstore.core.errors import AppStoreError
from appstore.core.games.rounds import ROUNDS_TARGET, RoundsFile, parse_rounds
from appstore.core.logs import log

FORMAT = 1
MAX_ROLE = 16 * 1024 * 1024  # a targets role read from the store client's metadata folder


@dataclass(frozen=True)
class Signed:
    """A rounds file as the store published it, with the signed metadata that lists it."""

    rounds: bytes  # the target's bytes
    roles: tuple[tuple[str, bytes], ...]  # (role name, signed metadata): "targets" first

    def to_bytes(self) -> bytes:
        return json.dumps({"format": FORMAT, "rounds": _b64(self.rounds),
                           "roles": [{"role": n, "metadata": _b64(d)} for n, d in self.roles]}).encode()

    @classmethod
    def from_bytes(cls, data: bytes) -> Signed | None:
        """None for anything that is not a proof in this format (it proves nothing)."""
        try:
            obj = json.loads(data)
            if not isinstance(obj, dict) or obj.get("format") != FORMAT:
                return None
            roles = tuple((str(r["role"]), base64.b64decode(r["metadata"], validate=True))
                          for r in obj["roles"])
            return cls(base64.b64decode(obj["rounds"], validate=True), roles) if roles else None
        except (KeyError, TypeError, ValueError, binascii.Error):
            return None


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _errors() -> tuple[type[Exception], ...]:
    """What a bad proof raises while it is checked (tuf's and securesystemslib's families)."""
    from securesystemslib.exceptions import Error as SslibError
    from tuf.api.exceptions import RepositoryError

    return RepositoryError, SslibError, AppStoreError, ValueError, TypeError, KeyError


def _responsible(delegator: Any, path: str) -> list[str]:
    dele = getattr(delegator, "delegations", None)
    return [] if dele is None else [name for name, _ in dele.get_roles_for_target(path)]


def verified(proof: Signed, root: bytes, store: str, decimals: int) -> RoundsFile | None:
    """The rounds file ``store`` signed in ``proof``, or None when the proof does not verify
    against its trusted ``root`` metadata (the bytes of ``root.json``): a signature missing or
    wrong, a role not delegated the file, bytes that are not the ones signed, another store's
    file. Expiry does not matter: the proof is of what the store signed, not of what is current."""
    from tuf.api.metadata import Metadata, Root, Targets

    try:
        delegator: Root | Targets = Metadata[Root].from_bytes(root).signed
        listed = None
        for i, (name, data) in enumerate(proof.roles):
            md = Metadata[Targets].from_bytes(data)
            if not isinstance(md.signed, Targets) or (i == 0) != (name == "targets"):
                return None
            if i and name not in _responsible(delegator, ROUNDS_TARGET):
                return None
            delegator.verify_delegate(name, md.signed_bytes, md.signatures)
            delegator = md.signed
            listed = md.signed.targets.get(ROUNDS_TARGET)
            if listed is not None:
                break
        if listed is None:
            return None
        listed.verify_length_and_hashes(proof.rounds)
        file = parse_rounds(proof.rounds, f"{store}: {ROUNDS_TARGET} (kept proof)", decimals=decimals)
    except _errors() as e:
        log.info("games: a kept proof of %s's rounds does not verify (%s)", store, e)
        return None
    return file if file.store == store else None


def capture(meta_dir: Path, rounds: bytes, store: str, decimals: int) -> Signed | None:
    """The proof of ``rounds`` (the rounds file's bytes as the store client holds them) from the
    metadata its TUF client keeps in ``meta_dir``; None when they do not verify together."""
    from tuf.api.metadata import Metadata, Targets

    def read(role: str) -> bytes | None:
        path = meta_dir / f"{parse.quote(role, '')}.json"
        try:
            return path.read_bytes() if path.stat().st_size <= MAX_ROLE else None
        except OSError:
            return None

    top, root = read("targets"), read("root")
    if top is None or root is None:
        return None
    roles: list[tuple[str, bytes]] = [("targets", top)]
    try:
        signed = Metadata[Targets].from_bytes(top).signed
        if ROUNDS_TARGET not in signed.targets:  # delegated (one level: hashed bins and the like)
            for name in _responsible(signed, ROUNDS_TARGET):
                data = read(name)
                if data is not None:
                    roles.append((name, data))
                    break
            else:
                return None
    except _errors():
        return None
    proof = Signed(rounds, tuple(roles))
    return proof if verified(proof, root, store, decimals) is not None else None

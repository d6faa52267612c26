"""The protocol between imapp and its DApp host processes (docs/host.md, "Host processes"): one
JSON object per line on the host process's standard input (imapp's requests, ``op``) and
standard output (the host's events, ``ev``). Both ends are imapp's own code; the checks here
keep a malformed or oversized line from becoming anything but a logged refusal. No Qt here.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from appstore.core.errors import AppStoreError
from appstore.core.host.policy import DAppIdentity, Kind

VERSION = 1
MAX_LINE = 8 << 20  # bytes of one message (an icon, as base64 PNG, is the biggest part)
SEALED = "sealed"  # the host process for DApps without ``network``: no network exists there
NETWORK = "network"  # the host process for DApps with ``network`` and link DApps
KINDS = (SEALED, NETWORK)


class WireError(AppStoreError):
    """A message that is not one this protocol knows (it is dropped and logged)."""


def encode(message: Mapping[str, Any]) -> bytes:
    """One message as a line: compact JSON, ASCII only (so no raw newline can appear), ``\\n``."""
    line = json.dumps(message, ensure_ascii=True, separators=(",", ":"), allow_nan=False).encode("ascii")
    if len(line) >= MAX_LINE:
        raise WireError(f"a message of {len(line)} bytes is over the limit of {MAX_LINE}")
    return line + b"\n"


def decode(line: bytes) -> dict[str, Any]:
    """The message of one line (without its ``\\n``); ``WireError`` for anything else."""
    if len(line) >= MAX_LINE:
        raise WireError("a line over the size limit")
    try:
        message = json.loads(line.decode("ascii"))
    except (UnicodeDecodeError, ValueError) as e:
        raise WireError(f"not a JSON line: {e}") from None
    if not isinstance(message, dict) or not (isinstance(message.get("op"), str)
                                             or isinstance(message.get("ev"), str)):
        raise WireError("a message is an object with an op or an ev")
    return message


class Lines:
    """Splits a byte stream into lines (messages), refusing a line that grows past ``MAX_LINE``
    (it is skipped up to its end)."""

    def __init__(self) -> None:
        self._buffer = bytearray()
        self._skipping = False

    def feed(self, data: bytes) -> tuple[list[bytes], int]:
        """The complete lines in ``data`` (with what came before), and how many were too long."""
        self._buffer += data
        lines: list[bytes] = []
        dropped = 0
        while True:
            end = self._buffer.find(b"\n")
            if end < 0:
                if len(self._buffer) >= MAX_LINE:
                    self._buffer.clear()
                    if not self._skipping:
                        dropped += 1
                    self._skipping = True
                return lines, dropped
            line = bytes(self._buffer[:end])
            del self._buffer[:end + 1]
            if self._skipping:
                self._skipping = False
            elif len(line) >= MAX_LINE:
                dropped += 1
            else:
                lines.append(line)


def text(message: Mapping[str, Any], name: str, *, optional: bool = False) -> str:
    value = message.get(name)
    if value is None and optional:
        return ""
    if not isinstance(value, str):
        raise WireError(f"{name} is not text")
    return value


def number(message: Mapping[str, Any], name: str) -> int:
    value = message.get(name)
    if not isinstance(value, int) or isinstance(value, bool):
        raise WireError(f"{name} is not a whole number")
    return value


def identity_to_wire(identity: DAppIdentity) -> dict[str, Any]:
    return {"store": identity.store, "app_id": identity.app_id, "kind": str(identity.kind),
            "origin": identity.origin, "start_url": identity.start_url,
            "permissions": list(identity.permissions), "version": identity.version}


def identity_from_wire(value: Any) -> DAppIdentity:
    if not isinstance(value, dict):
        raise WireError("an identity is an object")
    permissions = value.get("permissions")
    if not isinstance(permissions, list) or not all(isinstance(p, str) for p in permissions):
        raise WireError("permissions is a list of text")
    try:
        kind = Kind(text(value, "kind"))
    except ValueError:
        raise WireError("an unknown kind of DApp") from None
    return DAppIdentity(text(value, "store"), text(value, "app_id"), kind, text(value, "origin"),
                        text(value, "start_url"), tuple(permissions), text(value, "version", optional=True))


def texts(values: Iterable[Any]) -> tuple[str, ...]:
    out = tuple(values)
    if not all(isinstance(v, str) for v in out):
        raise WireError("a list of text holds something else")
    return out

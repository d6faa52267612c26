"""What a download is, how far it got, and what is kept on disk about it.

No network and no threads here: the request (what the store signed), the states a download goes
through, the progress a listener sees, the errors, and the small JSON state file kept beside a
partial file. See docs/downloads.md.
"""

from __future__ import annotations

import enum
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from appstore.core.errors import AppStoreError
from appstore.core.fileio import write_json_atomic

STATE_FORMAT = 1
_HEX64 = re.compile(r"[0-9a-f]{64}")


class DownloadError(AppStoreError):
    """A download could not be done for a local reason (the download folder, the disk)."""


class NoSpace(DownloadError):
    """Not enough free disk space for the download."""


class State(enum.StrEnum):
    """Where a download is. ``DONE``, ``FAILED`` and ``CANCELLED`` are final until retried."""

    QUEUED = "queued"
    DOWNLOADING = "downloading"
    PAUSED = "paused"
    VERIFYING = "verifying"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def active(self) -> bool:
        """Waiting for or holding a worker."""
        return self in (State.QUEUED, State.DOWNLOADING, State.VERIFYING)


@dataclass(frozen=True)
class DownloadRequest:
    """One file to download, described by what the store signed.

    ``length`` and ``sha256`` come from the signed TUF ``TargetFile`` (the caller reads them
    under the store's lock); ``urls`` are the file's full URLs on each mirror, in order (see
    ``transfer.target_urls``). ``urls`` may be given as any sequence; it is kept as a tuple.
    """

    key: str  # what the queue dedupes by, e.g. "demo/org.imapp.charity@1.0.0"
    store_id: str
    target: str  # the TUF target path, e.g. "packages/ID/ID-1.0.0.zip"
    length: int
    sha256: str
    urls: Sequence[str]

    def __post_init__(self) -> None:
        if not self.key:
            raise ValueError("a download needs a key")
        if isinstance(self.length, bool) or not isinstance(self.length, int) or self.length < 0:
            raise ValueError(f"bad length {self.length!r}")
        sha = str(self.sha256).lower()
        if not _HEX64.fullmatch(sha):
            raise ValueError(f"bad sha256 {self.sha256!r}")
        object.__setattr__(self, "sha256", sha)
        urls = tuple(str(u) for u in self.urls)
        if not urls:
            raise ValueError("a download needs at least one URL")
        object.__setattr__(self, "urls", urls)

    @property
    def name(self) -> str:
        """The file's name, for messages."""
        return self.target.rpartition("/")[2] or self.target

    def to_json(self) -> dict[str, Any]:
        return {"key": self.key, "store_id": self.store_id, "target": self.target,
                "length": self.length, "sha256": self.sha256, "urls": list(self.urls)}

    @classmethod
    def from_json(cls, raw: Any) -> DownloadRequest:
        """The request saved by ``to_json``; ``ValueError`` if it is not one."""
        if not isinstance(raw, dict):
            raise ValueError("not an object")
        try:
            urls = raw["urls"]
            if not isinstance(urls, list):
                raise TypeError("urls is not a list")
            return cls(key=str(raw["key"]), store_id=str(raw["store_id"]),
                       target=str(raw["target"]), length=raw["length"], sha256=str(raw["sha256"]),
                       urls=[str(u) for u in urls])
        except (KeyError, TypeError) as e:
            raise ValueError(f"not a download request ({e})") from None


@dataclass(frozen=True)
class Progress:
    """How far a download got, as a listener sees it (at most ~10 times a second).

    ``speed_bps`` is bytes per second over the last few seconds (0 while nothing arrives);
    ``eta_seconds`` is None while the speed is unknown or zero. ``done`` only goes down when a
    server forces a restart from zero (it ignored a Range request) or a part was refused.
    """

    done: int
    total: int
    speed_bps: int = 0
    eta_seconds: float | None = None
    state: State = State.QUEUED
    note: str = ""

    @property
    def fraction(self) -> float:
        return self.done / self.total if self.total else 0.0

    def in_state(self, state: State) -> Progress:
        """This progress in ``state`` (no speed nor time left unless it is moving bytes)."""
        if self.state == state:
            return self
        speed = self.speed_bps if state in (State.DOWNLOADING, State.VERIFYING) else 0
        eta = self.eta_seconds if speed else None
        return Progress(self.done, self.total, speed, eta, state, self.note)


# -- files in the download folder ---------------------------------------------------------------
def part_path(dest_dir: Path, sha256: str) -> Path:
    """The bytes received so far (never handed out)."""
    return dest_dir / f"{sha256}.part"


def state_path(dest_dir: Path, sha256: str) -> Path:
    """What is known about the ``.part`` file beside it."""
    return dest_dir / f"{sha256}.part.json"


def verified_path(dest_dir: Path, sha256: str) -> Path:
    """The whole file, checked against the signed length and SHA-256."""
    return dest_dir / f"{sha256}.verified"


def now_iso() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


@dataclass
class PartState:
    """The state file of a partial download (``SHA256.part.json``).

    ``have`` is the size of the ``.part`` at the last checkpoint: a hint for a listing (the
    file's real size wins at resume, and every byte is hashed again then). ``no_range`` lists
    the origins (``scheme://host:port``) seen ignoring or garbling Range requests.
    """

    sha256: str
    length: int
    key: str = ""
    target: str = ""
    have: int = 0
    no_range: list[str] = field(default_factory=list)
    source: str = ""  # the origin the bytes on disk came from last
    sessions: int = 0  # how many times a download of this file was started
    started: str = ""
    updated: str = ""
    last_error: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"format": STATE_FORMAT, "sha256": self.sha256, "length": self.length,
                "key": self.key, "target": self.target, "have": self.have,
                "no_range": sorted(set(self.no_range)), "source": self.source,
                "sessions": self.sessions, "started": self.started, "updated": self.updated,
                "last_error": self.last_error}

    def save(self, path: Path) -> None:
        self.updated = now_iso()
        write_json_atomic(path, self.to_json())

    @classmethod
    def load(cls, path: Path, request: DownloadRequest) -> PartState | None:
        """The state saved for ``request``'s file; None if missing, unreadable, or about
        another file (then the ``.part`` beside it cannot be trusted to be this one)."""
        try:
            raw = json.loads(path.read_bytes())
        except (OSError, ValueError):
            return None
        if not isinstance(raw, dict) or raw.get("format") != STATE_FORMAT:
            return None
        if raw.get("sha256") != request.sha256 or raw.get("length") != request.length:
            return None
        no_range = raw.get("no_range")

        def text(name: str) -> str:
            value = raw.get(name)
            return value if isinstance(value, str) else ""

        def number(name: str) -> int:
            value = raw.get(name)
            return value if isinstance(value, int) and not isinstance(value, bool) else 0

        return cls(sha256=request.sha256, length=request.length, key=text("key"),
                   target=text("target"), have=max(0, number("have")),
                   no_range=[str(o) for o in no_range] if isinstance(no_range, list) else [],
                   source=text("source"), sessions=number("sessions"), started=text("started"),
                   updated=text("updated"), last_error=text("last_error"))

"""Activity events (browse, forward, download, update, open) that earn IA under the store's
reward policy. The GUI and the CLI record them here; the wallet credits them.

Events are appended to ``DATA/activity.jsonl`` (one JSON object a line), so nothing is lost
between the moment an event happens and the moment the wallet processes it.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path


class Activity(StrEnum):
    BROWSE = "browse"
    FORWARD = "forward"
    DOWNLOAD = "download"
    UPDATE = "update"
    OPEN = "open"


@dataclass(frozen=True)
class ActivityEvent:
    kind: Activity
    store: str
    app_id: str
    at: str = field(default_factory=lambda: datetime.now(UTC).replace(microsecond=0).isoformat())


Listener = Callable[[ActivityEvent], None]


class ActivityLog:
    """Append-only journal of events; listeners hear each event as it is recorded."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._listeners: list[Listener] = []

    def subscribe(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def record(self, event: ActivityEvent) -> None:
        """Append ``event`` (disk I/O: call it off the GUI thread)."""
        line = json.dumps(asdict(event), ensure_ascii=False) + "\n"
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with open(self.path, "a", encoding="utf-8") as f:
                f.write(line)
        for listener in list(self._listeners):
            listener(event)

    def events(self) -> list[ActivityEvent]:
        try:
            lines = self.path.read_text("utf-8").splitlines()
        except FileNotFoundError:
            return []
        out = []
        for line in lines:
            try:
                raw = json.loads(line)
                out.append(ActivityEvent(Activity(raw["kind"]), raw["store"], raw["app_id"], raw["at"]))
            except (ValueError, KeyError, TypeError):
                continue  # a torn last line after a crash
        return out

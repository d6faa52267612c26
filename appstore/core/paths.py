"""Where imapp keeps its files: everything lives under one data dir."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

ENV_VAR = "IMAPP_DATA_DIR"


@dataclass(frozen=True)
class Paths:
    """The data dir and the well-known places inside it."""

    root: Path

    @classmethod
    def resolve(cls, data_dir: str | os.PathLike[str] | None = None) -> Paths:
        """``--data-dir`` wins, then ``$IMAPP_DATA_DIR``, then the platform's user data dir."""
        chosen = data_dir or os.environ.get(ENV_VAR) or platformdirs.user_data_dir("imapp", False)
        return cls(Path(chosen).expanduser().resolve())

    @property
    def stores_file(self) -> Path:
        return self.root / "stores.json"

    @property
    def stores_dir(self) -> Path:
        """Per-store TUF metadata and verified targets."""
        return self.root / "stores"

    @property
    def demo_dir(self) -> Path:
        """The embedded demo store: its keys and its published tree."""
        return self.root / "demo-store"

    def store_dir(self, store_id: str) -> Path:
        return self.stores_dir / store_id

    def ensure(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)

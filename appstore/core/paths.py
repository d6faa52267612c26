"""Where imapp keeps its files: everything lives under one data dir."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from appstore.core.errors import ConfigError, short_path, shorten

ENV_VAR = "IMAPP_DATA_DIR"


@dataclass(frozen=True)
class Paths:
    """The data dir and the well-known places inside it."""

    root: Path

    @classmethod
    def resolve(cls, data_dir: str | os.PathLike[str] | None = None) -> Paths:
        """``--data-dir`` wins, then ``$IMAPP_DATA_DIR``, then the platform's user data dir."""
        if data_dir is not None and not str(data_dir).strip():
            raise ConfigError("the data dir given is empty: name a folder with --data-dir, or leave "
                              "the option out to use the usual one")
        chosen = data_dir or os.environ.get(ENV_VAR) or platformdirs.user_data_dir("imapp", False)
        try:
            return cls(Path(chosen).expanduser().resolve())
        except (OSError, RuntimeError, ValueError) as e:  # a symlink loop, a NUL byte...
            raise ConfigError(f"cannot use {short_path(chosen)} as the data dir ({_reason(e)}); "
                              f"choose another with --data-dir or ${ENV_VAR}") from None

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

    @property
    def activity_db(self) -> Path:
        """The journal of activity events (browse, forward, …) that earn IA."""
        return self.root / "activity.sqlite3"

    @property
    def logs_dir(self) -> Path:
        return self.root / "logs"

    @property
    def downloads_dir(self) -> Path:
        """Partial and verified downloads, and the saved download queue."""
        return self.root / "downloads"

    @property
    def library_dir(self) -> Path:
        """Installed DApps, their database and the installer's staging area."""
        return self.root / "library"

    @property
    def appdata_dir(self) -> Path:
        """Each installed DApp's own data (``appdata/STORE/APP_ID/``), kept by the DApp host."""
        return self.root / "appdata"

    def store_dir(self, store_id: str) -> Path:
        return self.stores_dir / store_id

    def ensure(self) -> None:
        """Create the data dir if needed; ``ConfigError`` if it cannot be one."""
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except FileExistsError:
            problem = "it is not a folder"
        except OSError as e:
            problem = _reason(e)
        else:
            if os.access(self.root, os.W_OK | os.X_OK):
                return
            problem = "it is not writable"
        raise ConfigError(f"cannot use {short_path(self.root)} as the data dir ({problem}); "
                          f"choose another with --data-dir or ${ENV_VAR}")


def _reason(e: BaseException) -> str:
    """What went wrong, without repeating a (long) file name."""
    if isinstance(e, OSError) and e.strerror:
        return e.strerror[:1].lower() + e.strerror[1:]
    return shorten(e)

"""What state an app is in, as every page shows it (``InstallController.state``): the words
the app page, the cards, the Library and the Downloads pages share."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from appstore.core.downloads import DownloadItem
    from appstore.core.library import InstalledApp, Update


class Phase(StrEnum):
    AVAILABLE = "available"  # can be installed
    LINK = "link"  # a link DApp: opens its website, nothing to install
    PREPARING = "preparing"  # asking the store what to download
    QUEUED = "queued"
    DOWNLOADING = "downloading"
    PAUSED = "paused"
    VERIFYING = "verifying"
    INSTALLING = "installing"
    INSTALLED = "installed"
    UPDATE = "update"  # installed, and a newer version is in the catalogue
    FAILED = "failed"


BUSY = (Phase.PREPARING, Phase.QUEUED, Phase.DOWNLOADING, Phase.VERIFYING, Phase.INSTALLING)


@dataclass(frozen=True)
class AppState:
    """What a page shows for one app. ``fraction`` is the download's share done (0–1)."""

    phase: Phase
    fraction: float = 0.0
    installed: InstalledApp | None = None
    update: Update | None = None
    item: DownloadItem | None = None
    error: str | None = None


@functools.cache
def download_phases() -> dict[Any, Phase]:
    """The phase a download in these states shows (``State`` -> ``Phase``)."""
    from appstore.core.downloads import State

    return {State.QUEUED: Phase.QUEUED, State.DOWNLOADING: Phase.DOWNLOADING,
            State.PAUSED: Phase.PAUSED, State.VERIFYING: Phase.VERIFYING,
            State.FAILED: Phase.FAILED}


def app_key(store: str, app_id: str) -> str:
    return f"{store}/{app_id}"


def parse_key(key: str) -> tuple[str, str, str] | None:
    """(store, app_id, version) of a download key (``appstore.core.installs.parse_key``)."""
    from appstore.core.installs import parse_key as parse

    return parse(key)

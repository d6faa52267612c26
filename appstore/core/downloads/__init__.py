"""Downloads of store files (packages): resumable, verified against what the store signed,
across mirrors, pausable, queued a few at a time. See docs/downloads.md.

Importing this package loads neither TUF nor ``requests``; the first http(s) download does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from appstore.core.downloads.state import (
    DownloadError,
    DownloadRequest,
    NoSpace,
    Progress,
    State,
    part_path,
    state_path,
    verified_path,
)
from appstore.core.lazy import lazy_names

if TYPE_CHECKING:
    from appstore.core.downloads.queue import DownloadItem, DownloadQueue
    from appstore.core.downloads.queuefile import QUEUE_FILE
    from appstore.core.downloads.transfer import (
        TransferOptions,
        discard,
        download,
        download_with,
        find_verified,
        partial_bytes,
        target_urls,
    )

# The queue and the transfer (and the HTTP stack they import) load on first use: a start that
# only shows the catalogue never pays for them.
_LAZY = {"QUEUE_FILE": "queuefile", "DownloadItem": "queue", "DownloadQueue": "queue",
         "TransferOptions": "transfer", "discard": "transfer", "download": "transfer",
         "download_with": "transfer", "find_verified": "transfer", "partial_bytes": "transfer",
         "target_urls": "transfer"}


__getattr__ = lazy_names(__name__, _LAZY)


__all__ = [
    "QUEUE_FILE",
    "DownloadError",
    "DownloadItem",
    "DownloadQueue",
    "DownloadRequest",
    "NoSpace",
    "Progress",
    "State",
    "TransferOptions",
    "discard",
    "download",
    "download_with",
    "find_verified",
    "part_path",
    "partial_bytes",
    "state_path",
    "target_urls",
    "verified_path",
]

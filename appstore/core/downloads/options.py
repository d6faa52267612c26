"""How patient a download is and how it reads: the defaults, and ``TransferOptions`` (what the
queue hands each download)."""

from __future__ import annotations

from dataclasses import dataclass

CHUNK = 256 * 1024  # bytes asked of the socket (or file) per read
STALL_TIMEOUT = 30.0  # seconds without a byte before a connection is given up
CONNECT_TIMEOUT = 10.0
RETRIES = 3  # extra rounds over the mirrors after the first
BACKOFF = 1.0  # urllib3 Retry's backoff_factor: rounds after the first wait 2, 4... × this
MAX_BACKOFF = 30.0
MAX_RETRY_AFTER = 120  # seconds: a longer Retry-After is waited this long, then asked again
SPACE_MARGIN = 32 * 1024 * 1024  # left free on the disk after a download
MAX_REDIRECTS = 5
CHECKPOINT_INTERVAL = 5.0  # seconds between state-file updates while bytes stream
FREE_RETRIES = 64  # broken connections retried at once because bytes had arrived before


@dataclass(frozen=True)
class TransferOptions:
    """How patient a download is (seconds) and how it reads (bytes)."""

    stall_timeout: float = STALL_TIMEOUT
    retries: int = RETRIES
    chunk: int = CHUNK
    connect_timeout: float = CONNECT_TIMEOUT
    backoff: float = BACKOFF
    space_margin: int = SPACE_MARGIN

"""What the news module's parts share and the rest of imapp names without fetching anything:
the error a feed gives and the limits a fetch keeps to. (``fetch`` loads the store fetcher,
TUF and urllib: counting the unread items at start-up does not wait for them.)"""

from __future__ import annotations

from dataclasses import dataclass

from appstore.core.errors import AppStoreError


class NewsError(AppStoreError):
    """A feed could not be fetched, read or added; the message says which and why."""


@dataclass(frozen=True)
class FeedLimits:
    """How long and how much a feed (or one of its images) may take."""

    connect: float = 5.0
    stall: float = 15.0
    deadline: float = 30.0  # seconds for a whole feed, however it is dribbled
    feed_bytes: int = 5 * 1024 * 1024
    image_bytes: int = 2 * 1024 * 1024
    image_deadline: float = 20.0


DEFAULT_LIMITS = FeedLimits()

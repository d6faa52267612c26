"""News: feed fetching, parsing, sanitising, read state and search (docs/news.md). No Qt."""

from appstore.core.news.db import ItemRow
from appstore.core.news.fetch import FeedLimits, NewsError
from appstore.core.news.search import SearchTexts, matches
from appstore.core.news.service import (
    STORE_TARGET,
    Feed,
    FeedOutcome,
    Item,
    News,
    Share,
    check_feed_url,
)

__all__ = ["STORE_TARGET", "Feed", "FeedLimits", "FeedOutcome", "Item", "ItemRow", "News",
           "NewsError", "SearchTexts", "Share", "check_feed_url", "matches"]

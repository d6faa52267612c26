"""News: feed fetching, parsing, sanitising, read state and search (docs/news.md). No Qt.

``SearchTexts`` and ``matches`` load the parser and the sanitiser when first asked for; the rest
loads no fetching, parsing or sanitising code until it is used."""

from typing import TYPE_CHECKING, Any

from appstore.core.news.db import ItemRow
from appstore.core.news.limits import FeedLimits, NewsError
from appstore.core.news.records import Feed, FeedOutcome, Item, Share
from appstore.core.news.service import STORE_TARGET, News, check_feed_url

if TYPE_CHECKING:
    from appstore.core.news.search import SearchTexts, matches

__all__ = ["STORE_TARGET", "Feed", "FeedLimits", "FeedOutcome", "Item", "ItemRow", "News",
           "NewsError", "SearchTexts", "Share", "check_feed_url", "matches"]


def __getattr__(name: str) -> Any:
    if name in ("SearchTexts", "matches"):
        from appstore.core.news import search

        return getattr(search, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

"""What the news service hands out: feeds with their counts, refresh outcomes, items in full,
and what Share copies (plain records; no Qt)."""

from __future__ import annotations

from dataclasses import dataclass

from appstore.core.activity import ActivityEvent
from appstore.core.news.db import ItemRow


@dataclass(frozen=True)
class Feed:
    url: str  # "store:ID" for a store's feed
    title: str
    store: str  # the store's id, or "" for a feed the user added
    last_success: str | None
    last_attempt: str | None
    error: str | None
    warning: str | None
    items: int
    unread: int

    @property
    def name(self) -> str:
        return self.title or (f"{self.store} news" if self.store else self.url)


@dataclass(frozen=True)
class FeedOutcome:
    url: str
    new: int = 0
    changed: bool = False  # False: unchanged since the last refresh (304, same signed file)
    error: str | None = None


@dataclass(frozen=True)
class Item:
    """One item in full: ``content`` is sanitised HTML whose images are ``news-image:KEY``."""

    row: ItemRow
    author: str
    content: str
    store: str  # the store whose feed it is, or ""
    guid: str

    @property
    def text(self) -> str:
        from appstore.core.news.sanitize import html_to_text

        return html_to_text(self.content)


@dataclass(frozen=True)
class Share:
    """What Share puts on the clipboard."""

    text: str
    link: str
    event: ActivityEvent | None = None  # the forward recorded

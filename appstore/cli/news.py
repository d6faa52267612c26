"""``news``: the stores' news and the user's own feeds from a terminal (docs/cli.md#news).

    news [--json] [--unread] [--lang LANG]   list items, newest first (LANG: each story once)
    news read ID [--json]        show one (sanitised text, or JSON with ``content``); marks it read
    news add URL / remove URL    follow or stop following a feed (http, https, file)
    news refresh                 fetch every feed now
    news feeds [--json]          the feeds, each with its own error
    news mark-all-read           every item read
"""

from __future__ import annotations

import argparse
from typing import Any

from appstore.cli.output import note, print_json
from appstore.core.news import Feed, ItemRow, News
from appstore.core.services import Services

COMMANDS = ("news",)


def add_parsers(sub: Any) -> None:
    news = sub.add_parser("news", help="news from the stores and your own feeds")
    news.add_argument("--json", action="store_true", help="a JSON list (docs/cli.md)")
    news.add_argument("--unread", action="store_true", help="only items not read yet")
    news.add_argument("--lang", metavar="LANG", help="each story once, in LANG (en, zh_CN) when "
                      "its feed has it, else in English (default: every item, translations too)")
    news_sub = news.add_subparsers(dest="news_command", metavar="SUBCOMMAND")
    read = news_sub.add_parser("read", help="show an item (and mark it read)")
    read.add_argument("item_id", type=int, metavar="ID")
    read.add_argument("--json", action="store_true", dest="read_json")
    add = news_sub.add_parser("add", help="follow an RSS or Atom feed (http, https or file URL)")
    add.add_argument("url", metavar="URL")
    remove = news_sub.add_parser("remove", help="stop following a feed you added")
    remove.add_argument("url", metavar="URL")
    news_sub.add_parser("refresh", help="fetch every feed now")
    feeds = news_sub.add_parser("feeds", help="list the feeds and how their last refresh went")
    feeds.add_argument("--json", action="store_true", dest="feeds_json")
    news_sub.add_parser("mark-all-read", help="mark every item read")


def row_json(row: ItemRow) -> dict[str, Any]:
    return {"id": row.id, "feed": row.feed, "title": row.title, "link": row.link,
            "published": row.published, "read": row.read, "summary": row.summary,
            "lang": row.lang or None}


def feed_json(feed: Feed) -> dict[str, Any]:
    return {"url": feed.url, "title": feed.name, "store": feed.store or None,
            "items": feed.items, "unread": feed.unread, "last_success": feed.last_success,
            "last_attempt": feed.last_attempt, "error": feed.error, "warning": feed.warning}


def _refresh(news: News, urls: list[str] | None = None) -> int:
    failed = 0
    for outcome in news.refresh(urls):
        if outcome.error:
            failed += 1
            note(f"error: {outcome.url}: {outcome.error} (its saved items are still listed)")
    return failed


def run(args: argparse.Namespace, services: Services) -> int:
    news = services.news
    cmd = args.news_command
    if cmd == "add":
        feed = news.add_feed(args.url)
        if _refresh(news, [feed.url]):
            print(f"added {feed.url}; it could not be fetched yet (`news refresh` tries again)")
            return 1
        feed = news.feed(feed.url)
        print(f"added {feed.name} ({feed.items} items)")
        return 0
    if cmd == "remove":
        news.remove_feed(args.url)
        print(f"removed {args.url.strip()}")
        return 0
    if cmd == "refresh":
        failed = _refresh(news)
        for f in news.feeds():
            if not f.error:
                print(f"{f.name}: up to date ({f.items} items, {f.unread} unread)")
        return 1 if failed else 0
    if cmd == "feeds":
        feeds = news.feeds()
        if args.feeds_json:
            print_json([feed_json(f) for f in feeds])
        else:
            for f in feeds:
                status = f"failing: {f.error}" if f.error else "ok"
                print(f"{f.url}\t{f.name}\t{f.items} items, {f.unread} unread\t{status}")
        return 0
    if cmd == "mark-all-read":
        print(f"marked {news.mark_all_read()} items read")
        return 0
    if cmd == "read":
        item = news.item(args.item_id)
        news.mark_read(item.row.id)
        if args.read_json:
            out = row_json(item.row)
            out.update(read=True, author=item.author, content=item.content, text=item.text)
            print_json(out)
        else:
            r = item.row
            print(r.title or "(untitled)")
            print(f"{r.feed} · {r.published}" + (f" · {item.author}" if item.author else ""))
            if r.link:
                print(r.link)
            print()
            print(item.text)
        return 0
    # the list: the first time, fetch before listing
    if not any(f.last_attempt for f in news.feeds()):
        _refresh(news)
    rows = news.items(unread=args.unread, lang=args.lang)
    if args.json:
        print_json([row_json(r) for r in rows])
    else:
        for r in rows:
            mark = " " if r.read else "•"
            print(f"{r.id}\t{r.published[:10]}\t{mark} {r.feed}: {r.title}")
    return 0

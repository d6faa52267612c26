"""News at 10,000 items across 50 feeds, served by a real HTTP server on 127.0.0.1.

    python -m bench.news [ITEMS] [FEEDS]

* start: the News page from the cache (open the database, list every item, show the page and
  paint it) against a bare ``sqlite3`` SELECT of the same titles shown in a plain ``QListView``;
* search: search-as-you-type, each prefix of some queries (Latin and Chinese) as the page does
  it: the matching ids (the ``search`` lane), the loaded list filtered by them, the model reset
  and the list repainted; p50 / p95 per keystroke, end to end (target: p95 at most 16 ms);
* refresh: 50 unchanged feeds (every answer a 304) against the same number of bare
  ``requests.get`` calls of the same feeds.

Prints one JSON line.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from html import escape
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

WORDS = ["joint", "loan", "clearing", "syndicate", "repayment", "share", "bank", "ledger", "verify",
         "supply", "chain", "bill", "supplier", "tier", "split", "provenance", "part", "factory",
         "trace", "charity", "donation", "payout", "project", "authentic", "code", "clone",
         "serial", "dice", "seed", "commit", "reveal", "wallet", "reward", "forward"]
CHINESE = ("银团贷款清算", "供应链票据", "零部件溯源", "透明慈善", "正品验证", "公平骰子", "钱包奖励",
           "分享转发", "哈希链账本", "最大余数法")
QUERIES = ("clearing", "supply chain", "provenance", "charity donation", "清算", "供应链票据", "溯源",
           "reveal seed")


def feed_bytes(f: int, per_feed: int) -> bytes:
    entries = []
    for i in range(per_feed):
        n = f * per_feed + i
        words = " ".join(WORDS[(n * 7 + k * 3) % len(WORDS)] for k in range(40))
        zh = "，".join(CHINESE[(n + k) % len(CHINESE)] for k in range(6))
        title = (f"{WORDS[n % len(WORDS)].title()} {WORDS[(n * 5) % len(WORDS)]} "
                 f"{CHINESE[n % len(CHINESE)]} #{n}")
        body = (f"<p>{words}.</p><p>{zh}。</p><p><a href=\"https://example.org/{n}\">more</a> "
                f"<b>{WORDS[n % 7]}</b></p>")
        day = 1 + n % 28
        entries.append(
            f"<entry><id>urn:bench:{f}:{i}</id><title>{escape(title)}</title>"
            f"<link href=\"https://example.org/{f}/{i}\"/><updated>2026-10-{day:02d}T{n % 24:02d}:"
            f"{n % 60:02d}:00Z</updated><summary>{escape(words[:200])}</summary>"
            f"<content type=\"html\">{escape(body)}</content></entry>")
    return ('<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
            f"<title>Bench feed {f}</title><id>urn:bench:{f}</id>"
            "<updated>2026-10-28T00:00:00Z</updated>" + "".join(entries) + "</feed>").encode()


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main(items: int, feeds: int) -> dict[str, object]:
    import sqlite3

    import requests
    from PySide6.QtCore import QStringListModel
    from PySide6.QtWidgets import QApplication, QListView

    from appstore.core.news import News, matches
    from appstore.core.paths import Paths
    from appstore.ui import theme
    from appstore.ui.controller import Controller
    from appstore.ui.newsmodel import NewsController
    from appstore.ui.newspage import NewsPage
    from tests.newskit import FeedServer

    per_feed = items // feeds
    tmp = Path(tempfile.mkdtemp(prefix="bench-news-"))
    paths = Paths(tmp / "data")
    paths.ensure()
    (paths.root / "stores.json").write_text('{"schema": 1, "stores": []}')
    result: dict[str, object] = {"items": per_feed * feeds, "feeds": feeds}
    with FeedServer({f"/{f}.xml": feed_bytes(f, per_feed) for f in range(feeds)},
                    keep_alive=True) as srv:
        news = News(paths, None, None)
        news.retain = per_feed
        for f in range(feeds):
            news.add_feed(srv.url(f"/{f}.xml"))
        t = time.perf_counter()
        outcomes = news.refresh(images=False)
        result["first_refresh_s"] = round(time.perf_counter() - t, 3)
        assert all(o.error is None for o in outcomes), [o.error for o in outcomes if o.error]
        assert len(news.items()) == per_feed * feeds

        # -- refresh of unchanged feeds (all 304) against bare requests.get ---------------------
        runs = []
        for _ in range(3):
            t = time.perf_counter()
            outcomes = news.refresh(images=False)
            runs.append(time.perf_counter() - t)
            assert not any(o.changed or o.error for o in outcomes)
        ours = min(runs)
        assert sum(s.not_modified for s in srv.files.values()) >= 3 * feeds
        bare_runs = []
        for _ in range(3):
            t = time.perf_counter()
            for f in range(feeds):
                requests.get(srv.url(f"/{f}.xml"), timeout=10).raise_for_status()
            bare_runs.append(time.perf_counter() - t)
        bare = min(bare_runs)
        result.update(refresh_304_s=round(ours, 4), bare_requests_get_s=round(bare, 4),
                      refresh_vs_requests=round(ours / bare, 2))
        news.close()

    app = QApplication(sys.argv[:1])
    theme.apply(app, "light")

    # -- the page from the cache against a bare SELECT in a plain list view ---------------------
    t = time.perf_counter()
    db = sqlite3.connect(paths.root / "news" / "news.sqlite3")
    titles = [r[0] for r in db.execute("SELECT title FROM items ORDER BY published DESC")]
    model = QStringListModel(titles)
    view = QListView()
    view.setModel(model)
    view.resize(1000, 760)
    view.show()
    view.repaint()
    app.processEvents()
    bare_start = time.perf_counter() - t
    db.close()
    view.close()

    t = time.perf_counter()
    controller = Controller(str(paths.root))
    from appstore.core.services import Services

    controller.services = Services.open(str(paths.root), demo=False)
    news_ctl = NewsController(controller, refresh_on_open=False)  # the server is gone
    page = NewsPage(news_ctl, "en")
    page.resize(1000, 760)
    page.show()
    while page.reader.opened is None and time.perf_counter() - t < 30:
        app.processEvents()
    page.repaint()
    app.processEvents()
    start = time.perf_counter() - t
    result.update(page_start_s=round(start, 3), bare_start_s=round(bare_start, 3),
                  start_vs_bare=round(start / bare_start, 2))

    # -- search as you type: query + model + repaint, per keystroke ----------------------------
    while news_ctl.texts is None and time.perf_counter() - t < 30:
        app.processEvents()  # the search texts load after the list is on screen
    everything = news_ctl.all_rows or []
    texts = news_ctl.texts or {}
    assert len(everything) == per_feed * feeds
    per_key: list[float] = []
    query_only: list[float] = []
    apply: list[float] = []
    for q in QUERIES:
        for n in range(1, len(q) + 1):
            prefix = q[:n]
            t = time.perf_counter()
            ids = matches(texts, prefix)  # the search lane's part
            q_done = time.perf_counter()
            rows = everything if ids is None else [r for r in everything if r.id in ids]
            page.model.set_items(rows)
            page.view.repaint()
            per_key.append((time.perf_counter() - t) * 1000)
            query_only.append((q_done - t) * 1000)
            apply.append((time.perf_counter() - q_done) * 1000)
    result.update(keystrokes=len(per_key),
                  search_p50_ms=round(percentile(per_key, 50), 2),
                  search_p95_ms=round(percentile(per_key, 95), 2),
                  search_match_p95_ms=round(percentile(query_only, 95), 2),
                  search_apply_p95_ms=round(percentile(apply, 95), 2),
                  search_target_ms=16)
    t = time.perf_counter()
    core = controller.services.news
    for q in QUERIES:
        core.items(query=q)
    result["sql_search_full_rows_ms"] = round((time.perf_counter() - t) * 1000 / len(QUERIES), 1)
    controller.jobs.shutdown()
    controller.services.close()
    return result


if __name__ == "__main__":
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    f = int(sys.argv[2]) if len(sys.argv) > 2 else 50
    print(json.dumps(main(n, f)))

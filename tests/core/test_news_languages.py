"""A story in several languages (docs/news.md, "Languages"): parsed with its language and story
key, listed once in the reader's language (else English, else its first), counted once, read
once; an old database is upgraded and its feeds read again; the publisher refuses a story with
two entries in one language; the demo store's news is one story per pair."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from appstore.core.activity import ActivityLog
from appstore.core.news import News
from appstore.core.news.parse import STORY_SCHEME, language, parse
from appstore.core.paths import Paths
from appstore.core.services import Services
from tests.conftest import Published
from tests.newskit import FeedServer, atom, entry_xml


def _story(guid: str, title: str, lang: str, story: str, day: int) -> str:
    extra = f'<category scheme="{STORY_SCHEME}" term="{story}"/>' if story else ""
    e = entry_xml(guid, title, content=f"<p>{title}</p>", link=f"https://example.org/{story or guid}",
                  updated=f"2026-10-{day:02d}T10:00:00Z", extra=extra)
    return e.replace("<entry>", f'<entry xml:lang="{lang}">', 1) if lang else e


FEED = atom("Stories", [
    _story("1", "Welcome", "en", "welcome", 10), _story("2", "欢迎", "zh-CN", "welcome", 10),
    _story("3", "Only in Chinese", "", "", 9).replace("<entry>", '<entry xml:lang="zh-CN">'),
    _story("4", "仅有中文的故事", "zh-CN", "zh-only", 8),
    _story("5", "Dice", "en-GB", "dice", 7), _story("6", "骰子", "zh-Hans-CN", "dice", 7),
    _story("7", "Dés", "fr", "dice", 7),
    _story("8", "No story key", "en", "", 6), _story("9", "没有故事键", "zh-CN", "", 5),
    _story("10", "Français seulement", "fr", "fr-only", 4), _story("11", "Deutsch", "de", "fr-only", 4),
])


@pytest.fixture
def news(tmp_path: Path) -> Iterator[News]:
    paths = Paths(tmp_path / "data")
    paths.ensure()
    n = News(paths, None, ActivityLog(paths.activity_db))
    with FeedServer({"/s.xml": FEED}) as srv:
        n.add_feed(srv.url("/s.xml"))
        [outcome] = n.refresh()
        assert outcome.error is None and outcome.new == 11
    yield n
    n.close()


def test_language_and_story_are_parsed() -> None:
    parsed = parse(FEED, url="https://example.org/s.xml")
    got = {e.guid: (e.lang, e.story) for e in parsed.entries}
    assert got["1"] == ("en", "welcome") and got["2"] == ("zh-cn", "welcome")
    assert got["6"] == ("zh-hans-cn", "dice") and got["8"] == ("en", "")
    rss = (b'<rss version="2.0"><channel><title>R</title><language>zh-CN</language><item><guid>a</guid>'
           b'<title>t</title><category domain="urn:imapp:story">s1</category></item></channel></rss>')
    [item] = parse(rss, url="https://example.org/r.xml").entries
    assert (item.lang, item.story) == ("zh-cn", "s1")  # the channel's language, the RSS category
    assert language("zh_CN") == "zh-cn" and language("<script>") == "" and language("x" * 40) == ""


def test_each_story_once_in_the_readers_language(news: News) -> None:
    english = [r.title for r in news.items(lang="en")]
    chinese = [r.title for r in news.items(lang="zh_CN")]
    assert english == ["Welcome", "Only in Chinese", "仅有中文的故事", "Dice", "No story key", "没有故事键",
                       "Français seulement"]
    assert chinese == ["欢迎", "Only in Chinese", "仅有中文的故事", "骰子", "No story key", "没有故事键",
                       "Français seulement"]
    assert [r.title for r in news.items(lang="fr")][3] == "Dés"
    assert len(news.items()) == 11  # no language given: every item, translations too
    assert {r.lang for r in news.items(lang="en")} >= {"en", "zh-cn", "fr"}
    assert news.unread_count("en") == 7 and news.unread_count("zh_CN") == 7 and news.unread_count() == 11
    [feed] = news.feeds("en")
    assert feed.items == 7 and feed.unread == 7


def test_a_story_is_read_in_every_language_at_once(news: News) -> None:
    welcome = news.items(lang="en")[0]
    news.mark_read(welcome.id)
    assert news.unread_count("en") == 6 and news.unread_count("zh_CN") == 6
    assert news.items(lang="zh_CN")[0].read  # 欢迎: the same story
    news.mark_read(welcome.id, False)
    assert news.unread_count("zh_CN") == 7
    lone = next(r for r in news.items(lang="en") if r.title == "No story key")
    news.mark_read(lone.id)
    assert not next(r for r in news.items(lang="en") if r.title == "没有故事键").read


def test_an_old_database_is_upgraded_and_its_feeds_read_again(tmp_path: Path) -> None:
    paths = Paths(tmp_path / "data")
    paths.ensure()
    with FeedServer({"/s.xml": FEED}) as srv:
        n = News(paths, None, None)
        n.add_feed(srv.url("/s.xml"))
        n.refresh()
        n.close()
        db = sqlite3.connect(paths.root / "news" / "news.sqlite3")  # as imapp before languages
        db.execute("DROP INDEX items_story")
        db.execute("ALTER TABLE items DROP COLUMN lang")
        db.execute("ALTER TABLE items DROP COLUMN story")
        db.execute("PRAGMA user_version = 1")
        db.commit()
        db.close()
        n = News(paths, None, None)
        try:
            assert len(n.items(lang="en")) == 11  # no story keys yet: everything shows
            [outcome] = n.refresh()
            assert outcome.changed and srv.files["/s.xml"].not_modified == 0  # read in full again
            assert len(n.items(lang="en")) == 7
        finally:
            n.close()


def test_the_publisher_refuses_one_story_twice_in_one_language(published: Published) -> None:
    from appstore.core.errors import SourceError
    from appstore.core.publish.source import load_source

    (published.src / "news").mkdir()
    doubled = atom("S", [_story("1", "A", "en", "same", 1), _story("2", "B", "en", "same", 2)])
    (published.src / "news" / "feed.xml").write_bytes(doubled)
    with pytest.raises(SourceError, match="story 'same' in en"):
        load_source(published.src)
    fine = atom("S", [_story("1", "A", "en", "same", 1), _story("2", "乙", "zh-CN", "same", 2)])
    (published.src / "news" / "feed.xml").write_bytes(fine)
    load_source(published.src)


def test_the_demo_stores_news_is_one_story_per_pair(tmp_path: Path) -> None:
    services = Services.open(str(tmp_path / "d"))
    try:
        news = services.news
        news.refresh(images=False)
        every = news.items()
        english, chinese = news.items(lang="en"), news.items(lang="zh_CN")
        assert len(english) == len(chinese) == len(every) // 2
        assert all(r.lang == "en" and r.title.isascii() for r in english)
        assert all(r.lang == "zh-cn" for r in chinese)
        assert news.unread_count("en") == len(english)
        welcome = english[-1] if "Welcome" in english[-1].title else next(
            r for r in english if r.title.startswith("Welcome"))
        text = news.item(welcome.id).text
        assert "Feeds…" in text and "Add feed" in text  # the buttons as the page names them
    finally:
        services.close()

"""News feeds: fetching (conditional, capped), parsing bad input, read state, search, retention,
the offline cache, pictures, a store's signed feed. Feeds come from a real HTTP server."""

from __future__ import annotations

import base64
import contextlib
import sqlite3
import time
from pathlib import Path

import pytest

from appstore.core.activity import Activity, ActivityLog
from appstore.core.errors import NotFound
from appstore.core.news import FeedLimits, News, NewsError, check_feed_url
from appstore.core.news.parse import parse
from appstore.core.paths import Paths
from appstore.core.services import Services
from tests.conftest import Published
from tests.newskit import FeedServer, atom, entry_xml, simple_feed
from tests.storekit import png

FAST = FeedLimits(connect=2.0, stall=2.0, deadline=3.0, feed_bytes=256 * 1024,
                  image_bytes=64 * 1024, image_deadline=3.0)


@pytest.fixture
def news(tmp_path: Path) -> News:
    paths = Paths(tmp_path / "data")
    paths.ensure()
    n = News(paths, None, ActivityLog(paths.activity_db), FAST)
    yield n  # type: ignore[misc]
    n.close()


def test_fetch_parse_store_and_list_newest_first(news: News) -> None:
    with FeedServer({"/a.xml": simple_feed("Alpha", 5)}) as srv:
        news.add_feed(srv.url("/a.xml"))
        [out] = news.refresh()
    assert out.error is None and out.new == 5
    rows = news.items()
    assert [r.title for r in rows][:2] == ["Alpha item 4", "Alpha item 3"]
    assert all(not r.read for r in rows)
    assert rows[0].feed == "Alpha" and rows[0].link == "https://example.org/e/4"
    assert news.unread_count() == 5
    [feed] = news.feeds()
    assert feed.title == "Alpha" and feed.items == 5 and feed.error is None


def test_unchanged_feed_is_a_304_and_keeps_everything(news: News) -> None:
    with FeedServer({"/a.xml": simple_feed("Alpha", 3)}) as srv:
        news.add_feed(srv.url("/a.xml"))
        news.refresh()
        news.mark_read(news.items()[0].id)
        [again] = news.refresh()
        served = srv.files["/a.xml"]
        assert served.not_modified == 1 and served.hits == 2
        assert served.headers_seen[1].get("If-None-Match", "").startswith('"')
    assert again.error is None and not again.changed and again.new == 0
    assert len(news.items()) == 3 and news.unread_count() == 2


def test_last_modified_alone_is_used(news: News) -> None:
    with FeedServer() as srv:
        srv.put("/a.xml", simple_feed("A", 2), etag=False)
        news.add_feed(srv.url("/a.xml"))
        news.refresh()
        news.refresh()
        served = srv.files["/a.xml"]
        assert served.headers_seen[1].get("If-Modified-Since") == srv.stamp
        assert served.not_modified == 1


def test_one_failing_feed_does_not_stop_the_others(news: News) -> None:
    with FeedServer({"/good.xml": simple_feed("Good", 2), "/bad.xml": b"<html>not a feed"}) as srv:
        srv.put("/500.xml", b"", status=500)
        for p in ("/good.xml", "/bad.xml", "/500.xml", "/missing.xml"):
            news.add_feed(srv.url(p))
        news.add_feed("http://127.0.0.1:9/refused.xml")
        outcomes = {o.url.rsplit("/", 1)[1]: o for o in news.refresh()}
    assert outcomes["good.xml"].error is None and outcomes["good.xml"].new == 2
    assert "500" in (outcomes["500.xml"].error or "")
    assert "404" in (outcomes["missing.xml"].error or "")
    assert outcomes["bad.xml"].error
    assert "could not connect" in (outcomes["refused.xml"].error or "")
    errors = {f.url.rsplit("/", 1)[1]: f.error for f in news.feeds()}
    assert errors["good.xml"] is None and errors["500.xml"] and errors["bad.xml"]
    assert len(news.items()) == 2


def test_a_feed_that_never_ends_is_cut_at_the_size_cap(news: News) -> None:
    with FeedServer() as srv:
        srv.put("/huge.xml", simple_feed("Huge", 1)[:-7], endless=True)
        news.add_feed(srv.url("/huge.xml"))
        started = time.monotonic()
        [out] = news.refresh()
    assert "MB" in (out.error or "") and time.monotonic() - started < 10


def test_a_declared_huge_feed_is_refused_before_reading(news: News) -> None:
    with FeedServer({"/big.xml": b"<feed>" + b" " * (300 * 1024) + b"</feed>"}) as srv:
        news.add_feed(srv.url("/big.xml"))
        [out] = news.refresh()
    assert "more than" in (out.error or "")


def test_a_trickling_feed_is_cut_at_the_deadline(tmp_path: Path) -> None:
    paths = Paths(tmp_path / "d")
    paths.ensure()
    slow = News(paths, None, None, FeedLimits(connect=2, stall=2, deadline=1.5))
    with FeedServer() as srv:
        srv.put("/slow.xml", simple_feed("Slow", 20), trickle=0.05)
        slow.add_feed(srv.url("/slow.xml"))
        started = time.monotonic()
        [out] = slow.refresh()
    assert "too slow" in (out.error or "") and time.monotonic() - started < 6
    slow.close()


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE feed [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<feed xmlns="http://www.w3.org/2005/Atom"><title>&lol9;</title>
<entry><id>1</id><title>&lol9;</title></entry></feed>"""

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<rss version="2.0"><channel><title>x</title><item><title>&xxe;</title></item></channel></rss>"""

XXE_PARAM = b"""<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY % p SYSTEM "http://127.0.0.1:9/evil.dtd"> %p;]>
<rss version="2.0"><channel><title>x</title></channel></rss>"""


@pytest.mark.parametrize("doc", [BILLION_LAUGHS, XXE, XXE_PARAM,
                                 BILLION_LAUGHS.decode().encode("utf-16")],
                         ids=["billion-laughs", "xxe", "xxe-parameter", "utf16-laughs"])
def test_entity_declarations_are_refused(doc: bytes) -> None:
    with pytest.raises(NewsError, match="entities"):
        parse(doc, url="https://example.org/f.xml")


# a DTD internal subset that declares no entity is refused all the same (docs/news.md)
SUBSET_ONLY = b"""<?xml version="1.0"?>
<!DOCTYPE rss [<!ELEMENT rss ANY><!ATTLIST item lang CDATA "en">]>
<rss version="2.0"><channel><title>x</title><item><title>One</title></item></channel></rss>"""

# not well-formed before the declarations: the strict reader stops at the first error, while
# feedparser's forgiving one would read on into them
BROKEN_THEN_LAUGHS = b"""<?xml version="1.0"?>
&broken; <<
<!DOCTYPE feed [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<feed xmlns="http://www.w3.org/2005/Atom"><title>&lol2;</title>
<entry><id>1</id><title>&lol2;</title></entry></feed>"""


@pytest.mark.parametrize("doc", [SUBSET_ONLY, BROKEN_THEN_LAUGHS],
                         ids=["subset-without-entities", "malformed-then-laughs"])
def test_subsets_and_declarations_past_an_error_are_refused(doc: bytes) -> None:
    with pytest.raises(NewsError, match="declares XML entities, which imapp refuses"):
        parse(doc, url="https://example.org/f.xml")


def test_the_words_of_a_declaration_in_text_are_only_text() -> None:
    """A story's HTML in CDATA may hold ``<!ENTITY``: nothing is declared, the story is read
    (the HTML sanitiser then drops that markup like any other it does not know)."""
    doc = (b'<?xml version="1.0"?><rss version="2.0"><channel><title>XML news</title><item>'
           b"<guid>1</guid><title>Entities explained</title><description><![CDATA[<p>Write "
           b"<code><!ENTITY lol \"lol\"></code> in a DTD.</p>]]></description></item>"
           b"</channel></rss>")
    parsed = parse(doc, url="https://example.org/f.xml")
    assert [e.title for e in parsed.entries] == ["Entities explained"]
    assert parsed.entries[0].summary == "Write in a DTD."


def test_entities_refused_over_http_and_others_carry_on(news: News) -> None:
    with FeedServer({"/lol.xml": BILLION_LAUGHS, "/ok.xml": simple_feed("Ok", 1)}) as srv:
        news.add_feed(srv.url("/lol.xml"))
        news.add_feed(srv.url("/ok.xml"))
        outcomes = news.refresh()
    assert sorted(bool(o.error) for o in outcomes) == [False, True]
    assert "passwd" not in repr(news.items()) and "lol" not in repr(news.items())


def test_external_dtd_reference_is_dropped_not_fetched() -> None:
    doc = (b'<?xml version="1.0"?><!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" '
           b'"http://127.0.0.1:9/rss-0.91.dtd"><rss version="0.91"><channel><title>N</title>'
           b"<item><title>One</title><link>https://example.org/1</link></item></channel></rss>")
    parsed = parse(doc, url="https://example.org/f.xml")
    assert [e.title for e in parsed.entries] == ["One"]


@pytest.mark.parametrize("doc", [
    b"", b"not xml at all", b"<html><body>a page</body></html>", b"\x00\x01\x02\xff\xfe",
    b'{"version": "https://jsonfeed.org/version/1.1"}',
], ids=["empty", "text", "html", "binary", "json"])
def test_not_a_feed(doc: bytes) -> None:
    with pytest.raises(NewsError):
        parse(doc, url="https://example.org/f.xml")


def test_malformed_xml_still_gives_what_it_can() -> None:
    doc = (b'<?xml version="1.0"?><rss version="2.0"><channel><title>Broken</title>'
           b"<item><title>First & only</title><link>https://example.org/1</link></item>"
           b"<item><title>Second <b>unclosed</title></item></channel>")
    parsed = parse(doc, url="https://example.org/f.xml")
    assert [e.title for e in parsed.entries][:1] == ["First & only"]
    assert parsed.warning


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16", "gb18030", "big5", "iso-8859-1",
                                      "windows-1252", "shift_jis"])
def test_declared_encodings(encoding: str) -> None:
    title = {"iso-8859-1": "Café déjà vu", "windows-1252": "Café “quoted”",
             "shift_jis": "ニュース", "big5": "聯合貸款清分"}.get(encoding, "联合贷款清分 news")
    text = (f'<?xml version="1.0" encoding="{encoding}"?><rss version="2.0"><channel>'
            f"<title>T</title><item><guid>1</guid><title>{title}</title></item></channel></rss>")
    parsed = parse(text.encode(encoding), url="https://example.org/f.xml")
    assert parsed.entries[0].title == title


def test_wrong_or_missing_encoding_does_not_fail() -> None:
    # declared UTF-8, sent as Latin-1: the text survives with replacement, never an error
    doc = ('<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>T</title>'
           "<item><guid>1</guid><title>Café</title></item></channel></rss>").encode("latin-1")
    parsed = parse(doc, url="https://example.org/f.xml")
    assert parsed.entries[0].title.startswith("Caf")
    # no declaration, charset only in the HTTP header
    doc2 = ('<rss version="2.0"><channel><title>T</title><item><guid>1</guid><title>供应链票据'
            "</title></item></channel></rss>").encode("gb18030")
    parsed2 = parse(doc2, url="https://example.org/f.xml", content_type="text/xml; charset=gb18030")
    assert parsed2.entries[0].title == "供应链票据"


def test_relative_links_resolve_against_the_feed_and_xml_base() -> None:
    doc = atom("Rel", [
        entry_xml("1", "One", link="/posts/1", content='<a href="../up">up</a><img src="pic.png">'),
        entry_xml("2", "Two", link="2.html"),
    ])
    parsed = parse(doc, url="https://news.example.org/blog/feed.xml")
    one, two = parsed.entries
    assert one.link == "https://news.example.org/posts/1"
    assert 'href="https://news.example.org/up"' in one.content
    assert list(one.images.values()) == ["https://news.example.org/blog/pic.png"]
    assert two.link == "https://news.example.org/blog/2.html"
    based = parse(atom("B", [entry_xml("1", "One", link="p/1")], base="https://other.example/x/"),
                  url="https://news.example.org/feed.xml")
    assert based.entries[0].link == "https://other.example/x/p/1"


def test_duplicate_guids_keep_the_first_and_updates_keep_read_state(news: News) -> None:
    first = atom("D", [entry_xml("same", "First"), entry_xml("same", "Second"),
                       entry_xml("other", "Other")])
    with FeedServer({"/d.xml": first}) as srv:
        news.add_feed(srv.url("/d.xml"))
        news.refresh()
        assert sorted(r.title for r in news.items()) == ["First", "Other"]
        news.mark_all_read()
        srv.put("/d.xml", atom("D", [entry_xml("same", "First (edited)"),
                                     entry_xml("new", "New")]))
        [out] = news.refresh()
    assert out.new == 1
    rows = {r.title: r for r in news.items()}
    assert rows["First (edited)"].read and not rows["New"].read and "Other" in rows


def test_future_and_missing_dates(news: News) -> None:
    doc = atom("Dates", [entry_xml("future", "Future", updated="2099-01-01T00:00:00Z"),
                         entry_xml("none", "Undated", updated=None),
                         entry_xml("old", "Old", updated="2020-01-01T00:00:00Z")])
    with FeedServer({"/d.xml": doc}) as srv:
        news.add_feed(srv.url("/d.xml"))
        before = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 5))
        news.refresh()
        first = {r.title: r.published for r in news.items()}
        # as if imapp first saw it long ago (times have one-second resolution: instead of waiting
        # a second, so that a new stamp could not carry the same time)
        seen = "2021-02-03T04:05:06Z"  # (after "Old", which stays last)
        with contextlib.closing(sqlite3.connect(news.dir / "news.sqlite3")) as db, db:
            db.execute("UPDATE items SET published = ? WHERE title = 'Undated'", (seen,))
        srv.put("/d.xml", doc + b" ")  # changed bytes: parsed again
        news.refresh()
    after = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 5))
    assert before <= first["Future"] <= after  # clamped to when it was fetched
    assert before <= first["Undated"] <= after  # the day imapp first saw it...
    assert {r.title: r.published for r in news.items()}["Undated"] == seen  # ...kept
    assert first["Old"] == "2020-01-01T00:00:00Z"
    assert [r.title for r in news.items()][-1] == "Old"


def test_retention_keeps_the_newest_per_feed(news: News) -> None:
    news.retain = 10
    with FeedServer({"/a.xml": simple_feed("A", 30), "/b.xml": simple_feed("B", 4, prefix="b")}) as srv:
        news.add_feed(srv.url("/a.xml"))
        news.add_feed(srv.url("/b.xml"))
        news.refresh()
    counts = {f.title: f.items for f in news.feeds()}
    assert counts == {"A": 10, "B": 4}
    assert len(news.items(query="item")) == 14


def test_read_unread_and_mark_all(news: News) -> None:
    with FeedServer({"/a.xml": simple_feed("A", 4), "/b.xml": simple_feed("B", 3, prefix="b")}) as srv:
        a, b = srv.url("/a.xml"), srv.url("/b.xml")
        news.add_feed(a)
        news.add_feed(b)
        news.refresh()
    first = news.items()[0]
    news.mark_read(first.id)
    assert news.item(first.id).row.read and news.unread_count() == 6
    assert first.id not in [r.id for r in news.items(unread=True)]
    news.mark_read(first.id, False)
    assert news.unread_count() == 7
    assert news.mark_all_read(feed=b) == 3 and news.unread_count() == 4
    assert news.mark_all_read() == 4 and news.items(unread=True) == []


def test_search_latin_and_chinese_substrings(news: News) -> None:
    doc = atom("S", [
        entry_xml("1", "联合贷款清分上线", content="<p>银行间的清分结果可以验证</p>"),
        entry_xml("2", "Supply-chain bills", summary="Bills of exchange on a chain"),
        entry_xml("3", "Charity report", content="<p>Every donation traced 可追溯</p>"),
    ])
    with FeedServer({"/s.xml": doc}) as srv:
        news.add_feed(srv.url("/s.xml"))
        news.refresh()

    def titles(q: str) -> list[str]:
        return sorted(r.title for r in news.items(query=q))

    assert titles("清分") == ["联合贷款清分上线"]  # two characters: below a trigram
    assert titles("贷款清分") == ["联合贷款清分上线"]
    assert titles("验证") == ["联合贷款清分上线"]  # in the body
    assert titles("BILLS") == ["Supply-chain bills"]
    assert titles("exchange") == ["Supply-chain bills"]
    assert titles("追溯") == ["Charity report"]
    assert titles("charity donation") == ["Charity report"]
    assert titles('"quote') == []
    assert titles("%") == [] and titles("_") == []
    assert len(titles("")) == 3


def test_offline_cache_stays_readable(tmp_path: Path) -> None:
    paths = Paths(tmp_path / "data")
    paths.ensure()
    n = News(paths, None, None, FAST)
    with FeedServer({"/a.xml": simple_feed("A", 3)}) as srv:
        url = srv.url("/a.xml")
        n.add_feed(url)
        n.refresh()
    [out] = n.refresh()  # the server is gone
    assert out.error and len(n.items()) == 3
    n.close()
    again = News(paths, None, None, FAST)  # a new start, still offline
    assert len(again.items()) == 3 and again.feeds()[0].error
    assert "Body 2" in again.item(again.items()[0].id).content
    again.close()


def test_pictures_are_fetched_into_the_cache_with_caps(news: News) -> None:
    picture = png(8, 8)
    inline = "data:image/png;base64," + base64.b64encode(png(2, 2)).decode()
    with FeedServer() as srv:
        srv.put("/p.png", picture, content_type="image/png")
        srv.put("/big.png", picture + b"\0" * (100 * 1024), content_type="image/png")
        srv.put("/fake.png", b"<script>alert(1)</script>", content_type="image/png")
        doc = atom("P", [entry_xml("1", "Pics", content=(
            f'<p><img src="{srv.url("/p.png")}" alt="a"><img src="/big.png"><img src="/fake.png">'
            f'<img src="{inline}"><img src="file:///etc/passwd"></p>'))])
        srv.put("/f.xml", doc)
        news.add_feed(srv.url("/f.xml"))
        news.refresh()
        assert srv.files["/p.png"].hits == 1
    item = news.item(news.items()[0].id)
    assert "http" not in item.content.split("<img", 1)[1]  # no address for the viewer to fetch
    assert "file:" not in item.content and "passwd" not in item.content
    keys = [part.split('"', 1)[0] for part in item.content.split("news-image:")[1:]]
    assert len(keys) == 4
    cached = [news.image_path(k) for k in keys]
    assert cached[0] is not None and cached[0].read_bytes() == picture
    assert cached[1] is None and cached[2] is None  # over the cap; not a picture
    assert cached[3] is not None and cached[3].read_bytes() == png(2, 2)
    errors = dict(news.db.query("SELECT url, error FROM images"))
    assert "MB" in errors[srv.url("/big.png")] and "not a PNG" in errors[srv.url("/fake.png")]
    assert news.image_path("../../etc/passwd") is None


def test_file_feeds_and_their_pictures(news: News, tmp_path: Path) -> None:
    (tmp_path / "pic.png").write_bytes(png(3, 3))
    feed = tmp_path / "feed.xml"
    feed.write_bytes(atom("Local", [entry_xml("1", "Local one", content='<img src="pic.png">')]))
    news.add_feed(feed.as_uri())
    [out] = news.refresh()
    assert out.error is None and out.new == 1
    row = news.items()[0]
    assert row.image and news.image_path(row.image) is not None
    [again] = news.refresh()
    assert not again.changed  # same size and time: not read again


def test_remove_feed_drops_items_and_pictures(news: News) -> None:
    with FeedServer() as srv:
        srv.put("/p.png", png(), content_type="image/png")
        srv.put("/a.xml", atom("A", [entry_xml("1", "One", content='<img src="/p.png">')]))
        url = srv.url("/a.xml")
        news.add_feed(url)
        news.refresh()
    key = news.items()[0].image
    assert news.image_path(key) is not None
    news.remove_feed(url)
    assert news.items() == [] and news.feeds() == [] and news.image_path(key) is None
    with pytest.raises(NotFound):
        news.remove_feed(url)


@pytest.mark.parametrize("url", ["", "ftp://example.org/f.xml", "javascript:alert(1)",
                                 "https://user:pw@example.org/f", "https:///nohost",
                                 "file://server/share/f.xml", "https://exa mple.org/",
                                 "data:text/xml,<rss/>"])
def test_bad_feed_addresses(news: News, url: str) -> None:
    with pytest.raises(NewsError):
        news.add_feed(url)


def test_adding_twice_is_refused(news: News) -> None:
    assert check_feed_url(" https://example.org/f.xml ") == "https://example.org/f.xml"
    news.add_feed("https://example.org/f.xml")
    with pytest.raises(NewsError, match="already"):
        news.add_feed("https://example.org/f.xml")


def test_share_copies_text_and_records_forward(news: News) -> None:
    with FeedServer({"/a.xml": simple_feed("A", 1)}) as srv:
        news.add_feed(srv.url("/a.xml"))
        news.refresh()
    row = news.items()[0]
    share = news.share(row.id)
    assert share.link == row.link and row.title in share.text and row.link in share.text
    assert news.activity is not None
    [event] = news.activity.events()
    assert event.kind is Activity.FORWARD and event.app_id.startswith("news:") and event.store == ""


def test_redirects_stay_on_the_feed_host(news: News) -> None:
    with FeedServer({"/a.xml": simple_feed("A", 1)}) as srv:
        srv.put("/moved.xml", b"", location="/a.xml")
        srv.put("/away.xml", b"", location=srv.url("/a.xml").replace("127.0.0.1", "localhost"))
        news.add_feed(srv.url("/moved.xml"))
        news.add_feed(srv.url("/away.xml"))
        outcomes = {o.url.rsplit("/", 1)[1]: o for o in news.refresh()}
    assert outcomes["moved.xml"].error is None and outcomes["moved.xml"].new == 1
    assert "redirects to http://localhost" in (outcomes["away.xml"].error or "")


# -- a store's signed feed ---------------------------------------------------------------

STORE_FEED = atom("Test store news", [
    entry_xml("s1", "Alpha 1.1 is out", link="imapp://app/teststore/org.test.alpha",
              content='<p>New: <img src="images/shot.png" alt="shot"> '
                      '<a href="imapp://app/teststore/org.test.alpha">open</a></p>'),
    entry_xml("s2", "Beta", content='<img src="../../../etc/passwd"><img src="//evil.example/x.png">'),
])


def test_store_feed_is_a_signed_target(served: Published, tmp_path: Path) -> None:
    (served.src / "news" / "images").mkdir(parents=True)
    (served.src / "news" / "feed.xml").write_bytes(STORE_FEED)
    (served.src / "news" / "images" / "shot.png").write_bytes(png(6, 6))
    served.republish()
    services = Services.open(str(tmp_path / "d"), demo=False)
    services.add_store([served.url], served.result.root_sha256)
    news = News(services.paths, services.stores, services.activity, FAST)
    [out] = news.refresh()
    assert out.error is None and out.new == 2 and out.url == "store:teststore"
    rows = {r.title: r for r in news.items()}
    alpha = news.item(rows["Alpha 1.1 is out"].id)
    assert alpha.row.link == "imapp://app/teststore/org.test.alpha"
    assert 'href="imapp://app/teststore/org.test.alpha"' in alpha.content
    assert alpha.row.image and news.image_path(alpha.row.image) is not None
    beta = news.item(rows["Beta"].id)
    assert "evil" not in beta.content  # another host: never fetched
    keys = [p.split('"', 1)[0] for p in beta.content.split("news-image:")[1:]]
    assert len(keys) == 1 and news.image_path(keys[0]) is None  # ".." stays inside the store
    assert dict(news.db.query("SELECT key, url FROM images"))[keys[0]] == "imapp-store://teststore/etc/passwd"
    [again] = news.refresh()
    assert not again.changed
    share = news.share(alpha.row.id)
    assert share.link.startswith("imapp://")
    assert services.activity.events()[-1].store == "teststore"
    services.remove_store("teststore")
    news.refresh()
    assert news.items() == [] and news.feeds() == []
    news.close()
    services.close()


def test_store_without_news_is_not_an_error(served: Published, tmp_path: Path) -> None:
    services = Services.open(str(tmp_path / "d"), demo=False)
    services.add_store([served.url], served.result.root_sha256)
    news = News(services.paths, services.stores, None, FAST)
    [out] = news.refresh()
    assert out.error is None and news.feeds()[0].error is None and news.items() == []
    news.close()
    services.close()


def test_publisher_refuses_a_bad_store_feed(published: Published) -> None:
    from appstore.core.errors import SourceError
    from appstore.core.publish.source import load_source

    (published.src / "news").mkdir()
    (published.src / "news" / "feed.xml").write_bytes(BILLION_LAUGHS)
    with pytest.raises(SourceError, match="entities"):
        load_source(published.src)
    (published.src / "news" / "feed.xml").write_bytes(b"<rss><channel><title>x</ti")
    with pytest.raises(SourceError):
        load_source(published.src)


def test_demo_store_has_news(tmp_path: Path) -> None:
    services = Services.open(str(tmp_path / "d"))
    news = services.news
    outcomes = news.refresh()
    assert [o.error for o in outcomes] == [None]
    rows = news.items()
    assert len(rows) >= 20
    assert any(any("\u4e00" <= c <= "\u9fff" for c in r.title) for r in rows)
    assert any(r.title.isascii() for r in rows)
    with_pictures = [r for r in rows if r.image]
    assert len(with_pictures) >= 3 and all(news.image_path(r.image) for r in with_pictures)
    services.close()

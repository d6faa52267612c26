"""Script injection in every field of a feed (title, summary, content, link, image URLs,
author, enclosure): none of the vectors leaves a script, an event handler or a ``javascript:``
URL in what is stored, listed or shown. The feeds come from a real HTTP server."""

from __future__ import annotations

from pathlib import Path

import pytest

from appstore.core.news import News
from appstore.core.news.parse import parse
from appstore.core.news.sanitize import Sanitizer, html_to_text, plain
from appstore.core.paths import Paths
from tests.newskit import (
    VECTORS,
    FeedServer,
    injection_feeds,
    unsafe_html,
    unsafe_link,
    unsafe_text,
)


def test_there_are_at_least_sixty_vectors() -> None:
    assert len(VECTORS) >= 60 and len(set(VECTORS)) == len(VECTORS)


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> News:
    paths = Paths(tmp_path_factory.mktemp("inj") / "data")
    paths.ensure()
    news = News(paths, None, None)
    with FeedServer(injection_feeds()) as srv:
        for path in sorted(srv.files):
            news.add_feed(srv.url(path))
        outcomes = news.refresh(images=False)
    assert [o.error for o in outcomes] == [None] * 7
    return news


def test_every_vector_was_stored(loaded: News) -> None:
    counts = {f.url.rsplit("/", 1)[1]: f.items for f in loaded.feeds()}
    assert counts == {f"{k}.xml": len(VECTORS) for k in
                      ("title", "summary", "content", "link", "image", "author", "enclosure")}


def test_nothing_unsafe_is_stored(loaded: News) -> None:
    rows = loaded.db.query("SELECT title, link, author, summary, content, image, guid FROM items")
    problems = []
    for title, link, author, summary, content, image, _guid in rows:
        problems += unsafe_text(title) + unsafe_text(author) + unsafe_text(summary)
        problems += unsafe_html(content) + unsafe_link(link)
        assert image == "" or image.isalnum()
    for (title,) in loaded.db.query("SELECT title FROM feeds"):
        problems += unsafe_text(title)
    for (url,) in loaded.db.query("SELECT url FROM images"):
        low = url.lower()
        assert low.startswith(("http://", "https://", "data:image/")), url
        assert "javascript" not in low and "svg" not in low
    assert problems == []


def test_nothing_unsafe_is_listed_or_shown(loaded: News) -> None:
    problems = []
    for row in loaded.items():
        problems += unsafe_text(row.title) + unsafe_text(row.summary) + unsafe_text(row.feed)
        problems += unsafe_link(row.link)
        item = loaded.item(row.id)
        problems += unsafe_html(item.content) + unsafe_text(item.author)
        problems += unsafe_text(item.text.replace("<", "‹"))  # the CLI's text: links in ()
        assert "javascript:" not in item.text.lower()
        share = loaded.share(row.id)
        problems += unsafe_link(share.link)
        assert "javascript:" not in share.text.lower() and "<script" not in share.text.lower()
    assert problems == []


def test_search_finds_no_script(loaded: News) -> None:
    for q in ("script", "alert", "onerror", "javascript"):
        for row in loaded.items(query=q):
            assert unsafe_text(row.title) == [] and unsafe_text(row.summary) == []


def test_the_link_text_cannot_pretend() -> None:
    cleaned = Sanitizer("https://example.org/").html(
        '<a href="https://evil.example/x">https://imapp.example/verified</a>')
    text = html_to_text(cleaned.html)
    assert "evil.example" in text  # the real target is shown beside the text


@pytest.mark.parametrize("vector", VECTORS)
def test_each_vector_in_each_field_directly(vector: str) -> None:
    s = Sanitizer("https://example.org/feed.xml")
    assert unsafe_html(s.html(vector).html) == []
    assert unsafe_html(s.html(f"<p>{vector}</p><p>after</p>").html) == []
    assert unsafe_text(plain(vector)) == []
    assert unsafe_html(s.text_html(vector)) == []


def test_atom_fields_too(tmp_path: Path) -> None:
    from html import escape

    entries = "".join(
        f"<entry><id>a{i}</id><title type=\"html\">{escape(v)}</title>"
        f"<link href=\"{escape(v, quote=True)}\"/><author><name>{escape(v)}</name>"
        f"<uri>{escape(v)}</uri></author><summary type=\"xhtml\"><div xmlns=\"http://www.w3.org/1999/xhtml\">"
        f"{escape(v)}</div></summary><content type=\"html\">{escape(v)}</content></entry>"
        for i, v in enumerate(VECTORS))
    doc = ('<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
           f"<title>{escape(VECTORS[5])}</title>{entries}</feed>").encode()
    parsed = parse(doc, url="https://example.org/atom.xml")
    assert len(parsed.entries) == len(VECTORS)
    assert unsafe_text(parsed.title) == []
    for e in parsed.entries:
        assert unsafe_text(e.title) + unsafe_text(e.author) + unsafe_text(e.summary) == []
        assert unsafe_html(e.content) + unsafe_link(e.link) == []

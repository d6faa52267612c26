"""``news`` as a real process: the demo store's signed feed, a user's feeds from a real HTTP
server (one failing), read state, the --json contracts (docs/cli.md), and the injection vectors
never reaching the output."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.e2e.test_cli import cli
from tests.newskit import FeedServer, injection_feeds, simple_feed, unsafe_html, unsafe_link, unsafe_text


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("news") / "data"


def test_demo_news_list_read_and_mark(data: Path) -> None:
    rows = json.loads(cli("news", "--json", data=data).stdout)  # first use: fetched, then listed
    assert len(rows) >= 20
    assert set(rows[0]) == {"id", "feed", "title", "link", "published", "read", "summary", "lang"}
    assert [r["published"] for r in rows] == sorted((r["published"] for r in rows), reverse=True)
    assert not any(r["read"] for r in rows)
    assert any("清算" in r["title"] for r in rows) and any(r["title"].isascii() for r in rows)

    first = rows[0]
    shown = json.loads(cli("news", "read", str(first["id"]), "--json", data=data).stdout)
    assert shown["id"] == first["id"] and shown["read"] is True and shown["content"]
    assert unsafe_html(shown["content"]) == []
    unread = json.loads(cli("news", "--json", "--unread", data=data).stdout)
    # read with its translation (the other language of the same story)
    assert first["id"] not in [r["id"] for r in unread] and len(unread) == len(rows) - 2
    english = json.loads(cli("news", "--json", "--lang", "en", data=data).stdout)
    chinese = json.loads(cli("news", "--json", "--lang", "zh_CN", data=data).stdout)
    assert len(english) == len(chinese) == len(rows) // 2  # each story once
    assert {r["lang"] for r in english} == {"en"} and {r["lang"] for r in chinese} == {"zh-cn"}

    text = cli("news", "read", str(rows[1]["id"]), data=data).stdout
    assert text.splitlines()[0] == rows[1]["title"] and "<p>" not in text

    listing = cli("news", data=data).stdout.splitlines()
    assert listing[0].startswith(f"{first['id']}\t") and "•" not in listing[0]
    assert "•" in listing[2]

    assert cli("news", "mark-all-read", data=data).stdout.startswith("marked ")
    assert json.loads(cli("news", "--json", "--unread", data=data).stdout) == []


def test_user_feeds_add_refresh_remove(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with FeedServer({"/a.xml": simple_feed("Alpha", 3)}) as srv:
        added = cli("news", "add", srv.url("/a.xml"), data=data)
        assert added.stdout.startswith("added Alpha (3 items)")
        bad = cli("news", "add", srv.url("/missing.xml"), data=data, check=False)
        assert bad.returncode == 1 and "404" in bad.stderr
        refreshed = cli("news", "refresh", data=data, check=False)
        assert refreshed.returncode == 1  # one feed fails...
        assert "Alpha: up to date (3 items" in refreshed.stdout  # ...the others carry on
        assert "missing.xml: " in refreshed.stderr
        assert srv.files["/a.xml"].not_modified >= 1
        feeds = json.loads(cli("news", "feeds", "--json", data=data).stdout)
        errors = {f["url"].rsplit("/", 1)[-1]: f["error"] for f in feeds}
        assert errors["a.xml"] is None and "404" in errors["missing.xml"]
        assert errors.get("demo") is None
    titles = [r["title"] for r in json.loads(cli("news", "--json", data=data).stdout)]
    assert "Alpha item 2" in titles  # offline now: still listed
    cli("news", "remove", srv.url("/a.xml"), data=data)
    titles = [r["title"] for r in json.loads(cli("news", "--json", data=data).stdout)]
    assert "Alpha item 2" not in titles
    gone = cli("news", "remove", srv.url("/a.xml"), data=data, check=False)
    assert gone.returncode == 1 and gone.stderr.startswith("error: ")
    wrong = cli("news", "add", "javascript:alert(1)", data=data, check=False)
    assert wrong.returncode == 1 and "not a feed address" in wrong.stderr
    missing = cli("news", "read", "999999", data=data, check=False)
    assert missing.returncode == 1 and "no news item" in missing.stderr


def test_injection_never_reaches_the_output(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with FeedServer(injection_feeds()) as srv:
        for path in sorted(srv.files):
            cli("news", "add", srv.url(path), data=data, check=False)
    rows = json.loads(cli("news", "--json", data=data).stdout)
    assert len(rows) > 7 * 60
    problems = []
    for r in rows:
        problems += unsafe_text(r["title"]) + unsafe_text(r["summary"]) + unsafe_text(r["feed"])
        problems += unsafe_link(r["link"])
    for r in rows[::25]:
        shown = json.loads(cli("news", "read", str(r["id"]), "--json", data=data).stdout)
        problems += unsafe_html(shown["content"])
        text = cli("news", "read", str(r["id"]), data=data).stdout
        assert "<script" not in text.lower() and "javascript:" not in text.lower()
    listing = cli("news", data=data).stdout
    assert "<script" not in listing.lower() and "javascript:" not in listing.lower()
    assert problems == []

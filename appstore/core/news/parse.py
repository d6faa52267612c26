"""Feeds parsed with feedparser, behind guards, into plain records whose every field is safe.

Before feedparser sees a byte: the document is converted to UTF-8 (feedparser's own detection:
the HTTP charset, a byte-order mark, the XML declaration, then fallbacks), and ``defusedxml``
reads it through: a document type with an internal subset, any entity declaration or external
entity is refused. Entities are how an XML document grows to gigabytes ("billion laughs") or
reads local files (external entities), and no feed needs them. A plain ``<!DOCTYPE …>`` without
a subset is removed. feedparser then runs with its own sanitiser off (ours, nh3, runs on every
field afterwards) and relative URLs are resolved by us, against the entry's ``xml:base`` or the
feed's address.
"""

from __future__ import annotations

import calendar
import hashlib
import io
import re
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from appstore.core.news.limits import NewsError
from appstore.core.news.sanitize import (
    MAX_SUMMARY,
    STORE_SCHEME,
    Sanitizer,
    image_key,
    image_source,
    plain,
    safe_link,
)

MAX_ENTRIES = 1000  # entries read from one document (the rest is ignored)
# Translations of one story share a key (docs/news.md, "Languages"): in Atom
# <category scheme="urn:imapp:story" term="KEY"/>, in RSS <category domain="urn:imapp:story">KEY
STORY_SCHEME = "urn:imapp:story"
_LANG = re.compile(r"[a-z]{2,3}(-[a-z0-9]{1,8})*")
_ENTITY = re.compile(rb"<!ENTITY", re.I)
_DOCTYPE_SUBSET = re.compile(rb"<!DOCTYPE[^>\[]*\[", re.I)
_DOCTYPE = re.compile(rb"<!DOCTYPE[^>\[]*>", re.I)
_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
_DECLARED = re.compile(r"^(\s*<\?xml[^>]*?)\sencoding=[\"'][^\"']*[\"']")
_BOMS = ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe\x00\x00", "utf-32-le"),
         (b"\x00\x00\xfe\xff", "utf-32-be"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))


@dataclass
class Entry:
    guid: str
    title: str
    link: str
    author: str
    published: str | None  # UTC, "YYYY-MM-DDTHH:MM:SSZ"; None: the feed gives no date
    summary: str  # plain text, for the list
    content: str  # sanitised HTML, images as news-image:KEY
    images: dict[str, str] = field(default_factory=dict)  # key -> address to fetch
    image: str = ""  # key of the picture that stands for the entry (first image), or ""
    lang: str = ""  # its language, lower case ("en", "zh-cn"): xml:lang, else the feed's; or ""
    story: str = ""  # the key its translations share (STORY_SCHEME), or ""


@dataclass
class Parsed:
    title: str
    link: str
    entries: list[Entry]
    warning: str | None = None  # the document was not well-formed, but entries were read


def iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def guard(data: bytes, content_type: str | None = None) -> bytes:
    """The document as UTF-8 with no document type; ``NewsError`` if it declares entities."""
    from feedparser.encodings import convert_to_utf8

    for bom, codec in _BOMS:  # a byte-order mark decides (feedparser trips on some)
        if data.startswith(bom):
            text = data[len(bom):].decode(codec, "replace")
            text = _DECLARED.sub(r"\1", text, count=1)
            data = b'<?xml version="1.0" encoding="utf-8"?>' + _DECLARATION.sub(
                "", text, count=1).encode("utf-8")
            content_type = "application/xml; charset=utf-8"
            break
    headers = {"content-type": content_type} if content_type else {}
    result: dict[str, Any] = {}
    try:
        utf8 = convert_to_utf8(headers, data, result)
    except (LookupError, ValueError, UnicodeError):
        raise NewsError("the feed's text encoding cannot be read") from None
    if not isinstance(utf8, bytes):
        utf8 = bytes(utf8)
    if _declares_entities(utf8):
        raise NewsError("the feed declares XML entities, which imapp refuses (they can make a "
                        "document expand without end or read files on this computer)")
    return _DOCTYPE.sub(b"", utf8, count=1)


def _declares_entities(utf8: bytes) -> bool:
    """Whether the document declares entities or a DTD internal subset, as ``defusedxml`` reads
    it. A document that is not well-formed stops ``defusedxml`` at its first error, yet
    feedparser's forgiving parser reads on: such a one is also searched for the declarations'
    bytes (UTF-16 that the conversion missed included: NULs between the letters)."""
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import DefusedXMLParser, ParseError

    class Guard(DefusedXMLParser):  # type: ignore[misc]  # (untyped)
        def defused_start_doctype_decl(self, name: str | None, sysid: str | None,
                                       pubid: str | None, has_internal_subset: bool) -> None:
            if has_internal_subset:  # a plain <!DOCTYPE x "…dtd"> is never read: it may stay
                super().defused_start_doctype_decl(name, sysid, pubid, has_internal_subset)

    # target=None would build the whole tree: an empty target only checks
    guard = Guard(target=_Discard(), forbid_dtd=True, forbid_entities=True, forbid_external=True)
    try:
        guard.feed(utf8)
        guard.close()
    except DefusedXmlException:
        return True
    except ParseError:
        head = utf8[:65536]
        return bool(_ENTITY.search(utf8) or _DOCTYPE_SUBSET.search(head)
                    or b"\0" in head and _ENTITY.search(head.replace(b"\0", b"")))
    return False


class _Discard:
    """An ``XMLParser`` target that keeps nothing (its handlers are only set for methods the
    target has)."""


def parse(data: bytes, *, url: str, base: str | None = None, content_type: str | None = None,
          store_links: bool = False, now: float | None = None) -> Parsed:
    """Parse one feed document; ``NewsError`` when it holds no feed at all.

    ``url``: where the feed came from; ``base``: what relative URLs resolve against (default
    ``url``); ``store_links``: a store's signed feed may link to ``imapp://`` app pages."""
    import feedparser

    base = base or url
    clean_bytes = guard(data, content_type)
    stripped = clean_bytes.lstrip()
    if not stripped.startswith(b"<"):
        raise NewsError("this is not an RSS or Atom feed (it does not start with XML)")
    result = feedparser.parse(
        io.BytesIO(clean_bytes), sanitize_html=False, resolve_relative_uris=False,
        response_headers={"content-type": "application/xml; charset=utf-8"})
    feed = result.get("feed", {})
    entries = result.get("entries", [])
    if not entries and not feed.get("title") and result.get("bozo"):
        problem = result.get("bozo_exception")
        raise NewsError(f"this is not a feed imapp can read ({_problem(problem)})")
    if not result.get("version") and not entries and not feed.get("title"):
        raise NewsError("this is not an RSS or Atom feed")
    allow_file = url.lower().startswith("file:")
    feed_base = _base(feed, base)
    sanitizer = Sanitizer(feed_base, allow_file=allow_file, store_links=store_links)
    now_ts = time.time() if now is None else now
    out: list[Entry] = []
    seen: set[str] = set()
    feed_lang = language(feed.get("language"))
    for raw in entries[:MAX_ENTRIES]:
        entry = _entry(raw, sanitizer, feed_base, now_ts, store_links)
        entry.lang = _entry_language(raw) or feed_lang
        entry.story = _story(raw)
        if entry.guid in seen:  # the same entry twice: the first one counts
            continue
        seen.add(entry.guid)
        out.append(entry)
    warning = None
    if result.get("bozo") and out:
        warning = f"the feed is not well-formed ({_problem(result.get('bozo_exception'))})"
    return Parsed(plain(feed.get("title"), 200), safe_link(feed.get("link", ""), feed_base),
                  out, warning)


def _problem(e: object) -> str:
    text = str(e or "unreadable")
    return text.splitlines()[0][:160] if text else type(e).__name__


_FEED_DETAILS = ("title_detail", "summary_detail", "subtitle_detail")
_ENTRY_DETAILS = ("summary_detail", "title_detail")


def _base(detail: Any, fallback: str, keys: tuple[str, ...] = _FEED_DETAILS) -> str:
    """An ``xml:base`` feedparser recorded, if it is an absolute http(s) address (never for a
    store's signed feed, whose addresses stay inside the store); else ``fallback``."""
    if fallback.startswith(STORE_SCHEME + ":") or not hasattr(detail, "get"):
        return fallback
    for key in keys:
        d = detail.get(key)
        b = d.get("base", "") if d else ""
        if b and b.lower().startswith(("http://", "https://")):
            return str(b)
    return fallback


def language(tag: object) -> str:
    """A language tag as imapp keeps it (``zh_CN`` → ``zh-cn``), or "" when it is not one."""
    text = str(tag or "").strip().lower().replace("_", "-")
    return text if len(text) <= 35 and _LANG.fullmatch(text) else ""


def _entry_language(raw: Any) -> str:
    """The entry's ``xml:lang`` (feedparser records it on each text it read), or ""."""
    details = [raw.get("title_detail"), raw.get("summary_detail"), *(raw.get("content") or [])[:1]]
    for d in details:
        found = language(d.get("language")) if hasattr(d, "get") else ""
        if found:
            return found
    return ""


def _story(raw: Any) -> str:
    for tag in (raw.get("tags") or [])[:20]:
        if hasattr(tag, "get") and str(tag.get("scheme") or "").strip() == STORY_SCHEME:
            return plain(str(tag.get("term") or ""), 200)
    return ""


def _date(raw: Any, now_ts: float) -> str | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        t = raw.get(key)
        if t:
            try:
                ts = float(calendar.timegm(t))
            except (TypeError, ValueError, OverflowError):
                continue
            if ts > now_ts + 300:  # in the future: it cannot pin itself to the top
                ts = now_ts
            if ts < 0:
                continue
            try:
                return iso(ts)
            except (OverflowError, OSError, ValueError):
                continue
    return None


def _entry(raw: Any, sanitizer: Sanitizer, feed_base: str, now_ts: float,
           store_links: bool) -> Entry:
    base = _base(raw, feed_base, _ENTRY_DETAILS)
    title = plain(raw.get("title"))
    link = safe_link(raw.get("link", ""), base, store_links=store_links)
    author = plain(raw.get("author"), 120)
    html_parts: list[str] = []
    contents = raw.get("content") or []
    for c in contents[:3]:
        value = c.get("value", "")
        if not value:
            continue
        kind = c.get("type", "text/html")
        if kind == "text/plain":
            html_parts.append(sanitizer.text_html(value))
        else:
            html_parts.append(value)
        break
    summary_raw = raw.get("summary", "") or ""
    summary_type = (raw.get("summary_detail") or {}).get("type", "text/html")
    if not html_parts and summary_raw:
        html_parts.append(sanitizer.text_html(summary_raw) if summary_type == "text/plain"
                          else summary_raw)
    cleaned = sanitizer.html("".join(html_parts), base)
    images = dict(cleaned.images)
    content = cleaned.html
    picture = next(iter(images), "")
    # Pictures given beside the text (media:thumbnail, media:content, image enclosures).
    extra: list[str] = []
    for t in (raw.get("media_thumbnail") or [])[:2]:
        extra.append(str(t.get("url", "")))
    for m in (raw.get("media_content") or [])[:2]:
        if str(m.get("medium", "")) == "image" or str(m.get("type", "")).startswith("image/"):
            extra.append(str(m.get("url", "")))
    attachments: list[str] = []
    for enc in (raw.get("enclosures") or [])[:5]:
        href = str(enc.get("href", ""))
        if str(enc.get("type", "")).startswith("image/"):
            extra.append(href)
        else:
            safe = safe_link(href, base)
            if safe:
                attachments.append(safe)
    for candidate in extra:
        source = image_source(candidate, base, allow_file=sanitizer.allow_file)
        if source:
            key = image_key(source)
            if not picture:
                picture = key
            if key not in images:
                images[key] = source
                if not cleaned.images:  # the text shows no picture: show this one first
                    content = f'<p><img src="news-image:{key}" alt=""></p>' + content
            break
    if attachments:
        import html as _html

        content += "<p>" + "<br>".join(
            f'<a href="{_html.escape(a)}" rel="noopener noreferrer">{_html.escape(a)}</a>'
            for a in attachments) + "</p>"
    summary = plain(summary_raw, MAX_SUMMARY) if summary_raw else plain(content, MAX_SUMMARY)
    guid = plain(raw.get("id") or raw.get("guid") or "", 1000) or link
    if not guid:
        guid = "sha256:" + hashlib.sha256(
            f"{title}\n{summary}\n{raw.get('published', '')}".encode()).hexdigest()
    return Entry(guid, title, link, author, _date(raw, now_ts), summary, content, images, picture)

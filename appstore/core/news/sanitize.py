"""Every piece of a feed made safe before it is stored (docs/news.md#sanitising).

Feed HTML goes through nh3 (the Ammonia sanitiser) with an allowlist: text structure, tables,
links and images only; no scripts, styles, forms, frames, objects or event handlers survive.
URLs are resolved against the entry's base and then checked: a link keeps only an absolute
``http``/``https``/``mailto`` target (and ``imapp://app/…`` in a store's signed feed); an image's
source is replaced by ``news-image:KEY``, a key into the data dir's image cache, and the real
address is handed back so that our own code fetches it (with size caps). The reader never sees
a network address for an image, so it can never fetch one by itself.

Every other field (titles, authors, summaries for the list, feed names) becomes plain text:
markup removed, entities decoded, control and bidi characters dropped.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import html
import posixpath
import re
import urllib.parse
from dataclasses import dataclass, field

import nh3

from appstore.core.catalog.models import clean, url_problem

IMAGE_SCHEME = "news-image"
STORE_SCHEME = "imapp-store"  # the base of a store's signed feed: imapp-store://STORE/news/feed.xml
MAX_TITLE = 300
MAX_SUMMARY = 400
MAX_CONTENT = 200_000  # characters of sanitised HTML per item
MAX_IMAGES_PER_ITEM = 20
MAX_DATA_IMAGE = 512 * 1024  # bytes of an inline data: image once decoded

TAGS = {
    "p", "br", "hr", "div", "span", "b", "strong", "i", "em", "u", "s", "small", "sub", "sup",
    "mark", "abbr", "cite", "q", "blockquote", "pre", "code", "kbd", "h1", "h2", "h3", "h4", "h5",
    "h6", "ul", "ol", "li", "dl", "dt", "dd", "a", "img", "figure", "figcaption", "table",
    "thead", "tbody", "tfoot", "tr", "th", "td", "caption",
}
ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "abbr": {"title"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
}
# Removed with everything inside them (not only the tags).
CONTENT_TAGS = {"script", "style", "iframe", "object", "embed", "form", "template", "noscript",
                "svg", "math", "select", "textarea", "button", "frameset", "frame", "applet"}
_IMAGE_TYPES = {"image/png", "image/jpeg", "image/gif", "image/webp"}
_TAGLIKE = re.compile(r"<\s*[A-Za-z/!?]")
_WS = re.compile(r"\s+")
_SPAN = re.compile(r"^\d{1,3}$")


_SCRIPT_SCHEME = re.compile(r"(?i)\b(java|vb|live)(\s*)(script)(\s*):")
_HANDLER = re.compile(r"(?i)\b(on[a-z]{3,})(\s*)=")


def defang(text: str) -> str:
    """Plain text that a careless consumer could still take for a script address or an event
    handler (``javascript:…``, ``onerror=…``) gets a full-width colon or equals sign instead:
    it reads the same and can never act as one."""
    text = _SCRIPT_SCHEME.sub(lambda m: "".join(m.groups()) + "\uff1a", text)
    return _HANDLER.sub(lambda m: m.group(1) + m.group(2) + "\uff1d", text)


def _defang_text_nodes(fragment: str) -> str:
    return re.sub(r">([^<]+)<", lambda m: ">" + defang(m.group(1)) + "<", f">{fragment}<")[1:-1]


def image_key(url: str) -> str:
    """The cache key of an image address: what ``news-image:KEY`` names."""
    return hashlib.sha256(url.encode("utf-8", "surrogatepass")).hexdigest()[:40]


def join(base: str, url: str) -> str:
    """``url`` resolved against ``base`` (urljoin, which also knows our store scheme)."""
    url = url.strip()
    if base.startswith(STORE_SCHEME + "://") and not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", url):
        parts = urllib.parse.urlsplit(base)
        if url.startswith("//"):
            return url  # a network-path reference: not inside the store
        path = url.split("#", 1)[0].split("?", 1)[0]
        joined = posixpath.normpath(posixpath.join(posixpath.dirname(parts.path), path)
                                    if not path.startswith("/") else path)
        return f"{STORE_SCHEME}://{parts.netloc}{joined}"
    try:
        return urllib.parse.urljoin(base, url) if base else url
    except ValueError:
        return ""


def safe_link(url: str, base: str = "", *, store_links: bool = False) -> str:
    """An address fit to be a link, or "": absolute http(s) without user@ (the catalogue's URL
    rules), ``mailto:``, and, in a store's signed feed, ``imapp://app/…`` and ``imapp://open/…``."""
    if not url:
        return ""
    url = clean(url).strip()
    if not url or len(url) > 2000:
        return ""
    full = join(base, url)
    low = full.lower()
    if low.startswith(("http://", "https://")):
        if url_problem(full) is not None:
            return ""
        full = _SCRIPT_SCHEME.sub(lambda m: "".join(m.groups()) + "%3A", full)
        path, mark, query = full.partition("?")  # "=" means the same encoded, in a path
        return _HANDLER.sub(lambda m: m.group(1) + m.group(2) + "%3D", path) + mark + query
    if low.startswith("mailto:") and re.fullmatch(r"mailto:[^\s\"'<>`\\]{3,300}", full, re.I):
        return full
    if store_links and re.fullmatch(r"imapp://(app|open)/[a-z0-9.-]+/[a-z0-9.-]+", full):
        return full
    return ""


def image_source(url: str, base: str, *, allow_file: bool) -> str:
    """The absolute address of an image, or "" when our code will not fetch it: http(s),
    ``data:image/…;base64`` (small), the store's own targets, and ``file:`` only for a feed
    that is itself a local file (a feed from the network never reads this computer's files)."""
    url = clean(url).strip()
    if not url or len(url) > 4000 and not url.lower().startswith("data:"):
        return ""
    low = url.lower()
    if low.startswith("data:"):
        return url if data_image(url) is not None else ""
    full = join(base, url)
    low = full.lower()
    if low.startswith(("http://", "https://")):
        return full if url_problem(full) is None else ""
    if low.startswith(STORE_SCHEME + "://") and base.startswith(STORE_SCHEME + "://"):
        same_store = urllib.parse.urlsplit(full).netloc == urllib.parse.urlsplit(base).netloc
        return full if same_store and ".." not in full else ""
    if low.startswith("file:") and allow_file:
        return full
    return ""


def data_image(url: str) -> bytes | None:
    """The bytes of a ``data:image/(png|jpeg|gif|webp);base64,…`` URL, or None."""
    m = re.fullmatch(r"data:([a-z/+-]+);base64,([A-Za-z0-9+/=\s]*)", url.strip(), re.I | re.S)
    if m is None or m.group(1).lower() not in _IMAGE_TYPES:
        return None
    if len(m.group(2)) > MAX_DATA_IMAGE * 4 // 3 + 8:
        return None
    try:
        return base64.b64decode(m.group(2), validate=False)
    except (binascii.Error, ValueError):
        return None


def plain(text: str | None, limit: int = MAX_TITLE) -> str:
    """Plain text from a feed string that may hold markup or entities: tags (and the content
    of scripts and styles) removed, entities decoded, control and bidi characters dropped,
    white space collapsed, at most ``limit`` characters."""
    if not text:
        return ""
    out = text
    for _ in range(3):  # "&lt;script&gt;" decodes into markup: clean what that reveals too
        out = html.unescape(nh3.clean(out, tags=set(), clean_content_tags=CONTENT_TAGS))
        if not _TAGLIKE.search(out):
            break
    else:
        out = _TAGLIKE.sub(lambda m: m.group(0).replace("<", "‹"), out)
    out = defang(_WS.sub(" ", clean(out, multiline=True)).strip())
    if len(out) > limit:
        out = out[: limit - 1].rstrip() + "…"
    return out


@dataclass
class Cleaned:
    """Sanitised HTML and the images it shows: key -> the address our code fetches."""

    html: str
    images: dict[str, str] = field(default_factory=dict)


class Sanitizer:
    """Cleans the HTML of one feed. ``base``: the address relative URLs resolve against;
    ``allow_file``: the feed is a local file (its images may be local files too);
    ``store_links``: a store's signed feed (may link to the store's apps)."""

    def __init__(self, base: str, *, allow_file: bool = False, store_links: bool = False) -> None:
        self.base = base
        self.allow_file = allow_file
        self.store_links = store_links

    def html(self, fragment: str | None, base: str | None = None) -> Cleaned:
        if not fragment:
            return Cleaned("")
        where = base or self.base
        images: dict[str, str] = {}

        def attribute(element: str, name: str, value: str) -> str | None:
            if element == "a" and name == "href":
                return safe_link(html.unescape(value), where, store_links=self.store_links) or None
            if element == "a" and name == "rel":
                return value
            if element == "img" and name == "src":
                source = image_source(html.unescape(value), where, allow_file=self.allow_file)
                if not source or len(images) >= MAX_IMAGES_PER_ITEM and image_key(source) not in images:
                    return None
                key = image_key(source)
                images[key] = source
                return f"{IMAGE_SCHEME}:{key}"
            if name in ("colspan", "rowspan"):
                return value if _SPAN.match(value.strip()) else None
            if name in ("alt", "title"):
                return plain(value, 300) or None
            return None

        text = fragment if len(fragment) <= 4 * MAX_CONTENT else fragment[: 4 * MAX_CONTENT]
        cleaned = nh3.clean(
            clean(text, multiline=True), tags=TAGS, attributes=ATTRIBUTES,
            clean_content_tags=CONTENT_TAGS,
            url_schemes={"http", "https", "mailto", "data", "file", "imapp", STORE_SCHEME},
            link_rel="noopener noreferrer", attribute_filter=attribute, strip_comments=True)
        cleaned = re.sub(r"<img(?![^>]*\bsrc=)[^>]*>", "", cleaned)  # an image we will not fetch
        if len(cleaned) > MAX_CONTENT:
            cleaned = nh3.clean(cleaned[:MAX_CONTENT], tags=TAGS, attributes=ATTRIBUTES,
                                url_schemes={"http", "https", "mailto", "imapp", IMAGE_SCHEME})
        cleaned = _defang_text_nodes(cleaned)
        kept = {k: v for k, v in images.items() if f"{IMAGE_SCHEME}:{k}" in cleaned}
        return Cleaned(cleaned, kept)

    def text_html(self, text: str | None) -> str:
        """Plain text (a ``text/plain`` content) as paragraphs of HTML."""
        if not text:
            return ""
        body = clean(text, multiline=True)
        paragraphs = [p.strip() for p in re.split(r"\n\s*\n", body) if p.strip()]
        return "".join(f"<p>{html.escape(defang(p)).replace(chr(10), '<br>')}</p>"
                       for p in paragraphs)


def html_to_text(fragment: str) -> str:
    """Readable plain text of sanitised HTML (the CLI's ``news read``): paragraphs kept apart,
    images as their alternative text, links followed by their address."""
    text = re.sub(r"(?i)<img[^>]*\balt=\"([^\"]*)\"[^>]*>", r"[\1]", fragment)
    text = re.sub(r"(?i)<img[^>]*>", "[image]", text)
    text = re.sub(r'(?is)<a [^>]*href="([^"]*)"[^>]*>(.*?)</a>',
                  lambda m: m.group(2) if html.unescape(m.group(1)) in m.group(2)
                  else f"{m.group(2)} ({m.group(1)})", text)
    text = re.sub(r"(?i)<br\s*/?>", "\n", text)
    text = re.sub(r"(?i)<li[^>]*>", "\n  • ", text)
    text = re.sub(r"(?i)</(p|div|h[1-6]|blockquote|pre|ul|ol|table|tr|figure|figcaption|dl)>",
                  "\n\n", text)
    text = re.sub(r"(?i)<(td|th)[^>]*>", " ", text)
    text = html.unescape(re.sub(r"<[^>]+>", "", text))
    text = clean(text, multiline=True)
    text = re.sub(r"[ \t]+\n", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()

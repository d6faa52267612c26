"""App descriptions as safe rich text (docs/store-format.md#text-shown-to-users).

A description is plain text (blank lines between paragraphs) or a small subset of HTML. Either
way what comes out is HTML that nh3 (the Ammonia sanitiser) has cleaned: only the tags below, only
http(s) links, no scripts, styles, images or event handlers. Every other store string (names,
summaries, developer, licence, changelogs) is shown as plain text, never as markup; a website or
link DApp URL passes ``models.url_problem`` before it becomes a link.
"""

from __future__ import annotations

import html
import re
import urllib.parse

import nh3

from appstore.core.catalog.models import url_problem

# No headings: a description must not be able to draw a section that looks like imapp's own
# ("Source", "✓ Signed by the store"); bold text serves for emphasis.
TAGS = {"p", "br", "b", "strong", "i", "em", "ul", "ol", "li", "a", "code"}
ATTRIBUTES = {"a": {"href"}}
# HTML only if it uses one of the tags we keep; "a <b> c" in plain prose stays text otherwise.
_LOOKS_LIKE_HTML = re.compile(r"</?(?:" + "|".join(sorted(TAGS)) + r")\b[^>]*>", re.IGNORECASE)


def _attribute(element: str, attribute: str, value: str) -> str | None:
    """Keep a link's ``href`` only if it passes the catalogue's URL rules (``models.url_problem``:
    http(s) with a host, no user@, quotes...), and ``rel``; drop every other attribute, also the
    ``lang`` and ``title`` nh3 would keep on any tag."""
    if element == "a" and attribute == "href":
        return value if url_problem(value) is None else None
    if element == "a" and attribute == "rel":
        return value
    return None


_LINK = re.compile(r'<a href="([^"]*)"[^>]*>(.*?)</a>', re.DOTALL)


def _show_target(m: re.Match[str]) -> str:
    """A link whose text is not its address also says where it goes: "imapp.org/verified"
    written over a link to another site shows that site."""
    href, inner = html.unescape(m.group(1)), html.unescape(re.sub(r"<[^>]+>", "", m.group(2)))
    if inner.strip().rstrip("/") == href.rstrip("/"):
        return m.group(0)
    host = urllib.parse.urlsplit(href).hostname or href
    return f"{m.group(0)} ({html.escape(host)})"


def to_html(text: str) -> str:
    if not _LOOKS_LIKE_HTML.search(text):
        paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
        text = "".join(f"<p>{html.escape(p).replace(chr(10), '<br>')}</p>" for p in paragraphs)
    clean = nh3.clean(text, tags=TAGS, attributes=ATTRIBUTES, url_schemes={"http", "https"},
                      link_rel="noopener noreferrer", attribute_filter=_attribute)
    return _LINK.sub(_show_target, clean)


"""App descriptions as safe rich text.

A description is plain text (blank lines between paragraphs) or a small subset of HTML. Either
way what comes out is HTML that nh3 (the Ammonia sanitiser) has cleaned: only the tags below, only
http(s) links, no scripts, styles, images or event handlers.
"""

from __future__ import annotations

import html
import re

import nh3

TAGS = {"p", "br", "b", "strong", "i", "em", "ul", "ol", "li", "a", "code", "h3", "h4"}
ATTRIBUTES = {"a": {"href"}}
# HTML only if it uses one of the tags we keep; "a <b> c" in plain prose stays text otherwise.
_LOOKS_LIKE_HTML = re.compile(r"</?(?:" + "|".join(sorted(TAGS)) + r")\b[^>]*>", re.IGNORECASE)


def to_html(text: str) -> str:
    if not _LOOKS_LIKE_HTML.search(text):
        paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
        text = "".join(f"<p>{html.escape(p).replace(chr(10), '<br>')}</p>" for p in paragraphs)
    return nh3.clean(text, tags=TAGS, attributes=ATTRIBUTES, url_schemes={"http", "https"},
                     link_rel="noopener noreferrer")

"""Article Markdown → safe HTML, a table of contents, and plain text for search and snippets.

Markdown is parsed with raw HTML disabled and the result sanitized with nh3 against an
allowlist, so an editor's (or an attacker's) `<script>`, `onerror=` or `javascript:` link
never reaches a reader's browser.
"""

import html
import re
from dataclasses import dataclass

import nh3
from markdown_it import MarkdownIt
from mdit_py_plugins.anchors import anchors_plugin

_md = (
    MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    .enable(["table", "strikethrough"])
    .use(anchors_plugin, min_level=2, max_level=3, permalink=False)
)

ALLOWED_TAGS = {
    "p",
    "h2",
    "h3",
    "h4",
    "ul",
    "ol",
    "li",
    "strong",
    "em",
    "del",
    "code",
    "pre",
    "blockquote",
    "hr",
    "br",
    "a",
    "img",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "h2": {"id"},
    "h3": {"id"},
    "th": {"align"},
    "td": {"align"},
    "ol": {"start"},
}
URL_SCHEMES = {"https", "mailto"}

_CALLOUT_RE = re.compile(
    r"<blockquote>\s*<p><strong>(Note|Warning|Tip|注意|警告|提示)[:：]?</strong>"
)
_CALLOUT_KIND = {
    "Note": "note",
    "注意": "note",
    "Tip": "tip",
    "提示": "tip",
    "Warning": "warning",
    "警告": "warning",
}
_HEADING_RE = re.compile(r'<h([23]) id="([^"]+)">(.*?)</h\1>', re.S)
_TAG_RE = re.compile(r"<[^>]+>")


@dataclass(frozen=True)
class TocEntry:
    level: int
    anchor: str
    title: str


@dataclass(frozen=True)
class Rendered:
    html: str
    toc: list[TocEntry]


def render(markdown: str) -> Rendered:
    raw = _md.render(markdown or "")
    safe = nh3.clean(
        raw,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )
    # Classes are added after sanitizing, from a fixed set: nothing user-controlled.
    safe = _CALLOUT_RE.sub(
        lambda m: (
            f'<blockquote class="callout callout-{_CALLOUT_KIND[m.group(1)]}">'
            f"<p><strong>{m.group(1)}{'：' if not m.group(1).isascii() else ':'}</strong>"
        ),
        safe,
    )
    toc = [
        TocEntry(level=int(level), anchor=anchor, title=html.unescape(_TAG_RE.sub("", inner)))
        for level, anchor, inner in _HEADING_RE.findall(safe)
    ]
    return Rendered(html=safe, toc=toc)


_MD_SYNTAX_RE = re.compile(r"!\[[^\]]*\]\([^)]*\)|\[([^\]]*)\]\([^)]*\)|[#>*_`|~]+|^-{3,}$", re.M)


def plain_text(markdown: str) -> str:
    """Readable text of the Markdown (link texts kept, images and markup dropped)."""
    text = _MD_SYNTAX_RE.sub(lambda m: m.group(1) or " ", markdown or "")
    text = re.sub(r"^\s*[-+]\s+|^\s*\d+[.)]\s+", " ", text, flags=re.M)
    text = re.sub(r":?-{3,}:?", " ", text)
    return " ".join(text.split())

"""User markdown to safe HTML: markdown-it renders, nh3 (ammonia) keeps only an allow-list.

Raw HTML in the source is not rendered (markdown-it's `html` option is off), and whatever
the renderer emits passes the sanitizer anyway, so a change of renderer cannot open a hole.
"""

from __future__ import annotations

from functools import cache

import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

TAGS = {
    "p", "br", "hr", "em", "strong", "code", "pre", "blockquote", "ul", "ol", "li",
    "h1", "h2", "h3", "h4", "h5", "h6", "a", "table", "thead", "tbody", "tr", "th", "td", "del",
}  # fmt: skip
ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}}
URL_SCHEMES = {"http", "https", "mailto"}


@cache
def _renderer() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")


def render(text: str) -> SafeString:
    """HTML for `text`, safe to put in a page as it is."""
    html = _renderer().render(text or "")
    clean = nh3.clean(
        html,
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="nofollow noopener noreferrer",
    )
    # reviewed: nh3 has just reduced the HTML to the allow-list above
    return mark_safe(clean)  # noqa: S308

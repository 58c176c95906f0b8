"""Markdown written by speakers (descriptions, biographies), rendered and sanitised.

Markdown passes raw HTML through, so its output always goes through nh3 with a small
allow-list: no scripts, no styles, no attributes beyond a link's href and title, and
every link gets rel="noopener noreferrer nofollow".
"""

from __future__ import annotations

import markdown as _markdown
import nh3
from markupsafe import Markup

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "b", "i", "code", "pre", "blockquote", "ul", "ol", "li", "a", "h2", "h3", "h4", "hr",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
URL_SCHEMES = {"http", "https", "mailto"}


def render_markdown(text: str | None) -> Markup:
    """Markdown -> safe HTML (a ``Markup``, so templates do not escape it twice)."""
    if not text or not text.strip():
        return Markup("")
    html = _markdown.markdown(text, extensions=["sane_lists"], output_format="html")
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )
    return Markup(clean.strip())  # noqa: S704 - sanitised by nh3 just above

"""The citizens' guide (docs/guides/cong-dan.md) as a page of the site, ``/huong-dan``.

The guide is written once, in Markdown, for the repository and the site alike; it is
turned into HTML once per process. Its screenshots (``../screenshots/…``) are served
from docs/screenshots by ``main.guide_image`` and load only when scrolled to.
"""

from __future__ import annotations

import re
from functools import lru_cache

from markupsafe import Markup

from ..config import BASE_DIR

GUIDES_DIR = BASE_DIR / "docs" / "guides"
SCREENSHOTS_DIR = BASE_DIR / "docs" / "screenshots"
CITIZEN_GUIDE = "cong-dan.md"
_IMAGE = re.compile(r'<img src="\.\./screenshots/([\w.-]+\.png)"')


@lru_cache(maxsize=4)
def guide_html(name: str, image_prefix: str) -> Markup:
    """The guide ``name`` as HTML, its images under ``image_prefix``. The guides are
    files of this repository (trusted), so their inline HTML (``<img>``) is kept."""
    from markdown_it import MarkdownIt

    text = (GUIDES_DIR / name).read_text(encoding="utf-8")
    title, _sep, body = text.partition("\n")  # the page has its own <h1>
    html = MarkdownIt("commonmark", {"html": True}).enable("table").render(body)
    html = _IMAGE.sub(lambda m: f'<img loading="lazy" src="{image_prefix}{m.group(1)}"', html)
    html = html.replace("<table>", '<div class="table-responsive"><table class="table">')
    html = html.replace("</table>", "</table></div>")
    return Markup(html)


def guide_title(name: str) -> str:
    first = (GUIDES_DIR / name).read_text(encoding="utf-8").split("\n", 1)[0]
    return first.lstrip("# ").strip()

"""The customer's pages (signing, quote, and the notices a browser gets instead of JSON):
Jinja2 templates in `templates/signing/`, laid out for a phone, in Chinese and English."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from fastapi.responses import HTMLResponse

from documents.templating import pages


@dataclass(frozen=True)
class Link:
    """A button on a notice page: where it goes (relative to the page) and what it says."""

    href: str
    text: str
    #: Offer the target as a file to save (`<a download>`).
    download: bool = False


def message_page(
    status: int,
    title: str,
    lines: Sequence[str],
    links: Sequence[Link] = (),
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    """A short notice: a title, a few lines, and maybe a button or two."""
    html = pages.get_template("message.html").render(title=title, lines=lines, links=links)
    return HTMLResponse(html, status_code=status, headers=headers)

"""`{% icon "film" %}`: an icon as inline SVG, from the vendored Lucide set (core/static/core/icons).

Emoji render as empty boxes on machines without an emoji font; these are drawn shapes in the page's
own colour (`currentColor`), so they show everywhere and need no request of their own. An icon with a
`label` is an image with that name (`role="img"`, `aria-label`, `<title>`); without one it is decoration
and hidden from screen readers (the words beside it say the thing).
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

ICON_DIR = Path(__file__).resolve().parent.parent / "static" / "core" / "icons"
_BODY = re.compile(r"<svg\b[^>]*>(?P<body>.*)</svg>", re.S)


class UnknownIcon(template.TemplateSyntaxError):
    """A name with no vendored file: add the icon under core/static/core/icons (from lucide-static)."""


def icon_names() -> set[str]:
    return {p.stem for p in ICON_DIR.glob("*.svg")}


@cache
def icon_body(name: str) -> str:
    """The shapes inside the icon's <svg> element, whitespace squeezed."""
    path = ICON_DIR / f"{name}.svg"
    if not re.fullmatch(r"[a-z0-9-]+", name) or not path.is_file():
        raise UnknownIcon(f"No icon named {name!r} in {ICON_DIR}")
    found = _BODY.search(path.read_text(encoding="utf-8"))
    if found is None:
        raise UnknownIcon(f"{path} is not an SVG icon")
    return " ".join(found["body"].split())


@register.simple_tag
def icon(name: str, label: str = "", size: int = 20, css: str = "") -> SafeString:
    """An inline SVG icon; `label` names it for screen readers (leave empty for a decorative one)."""
    body = icon_body(name)
    classes = f"icon icon-{name}" + (f" {css}" if css else "")
    if label:
        # The label is given text, escaped; the body is the vendored file's own markup.
        opening = format_html(
            '<svg class="{}" width="{}" height="{}" viewBox="0 0 24 24" role="img" aria-label="{}" '
            'xmlns="http://www.w3.org/2000/svg" fill="none" stroke="currentColor" stroke-width="2" '
            'stroke-linecap="round" stroke-linejoin="round"><title>{}</title>',
            classes,
            size,
            size,
            label,
            label,
        )
    else:
        opening = format_html(
            '<svg class="{}" width="{}" height="{}" viewBox="0 0 24 24" aria-hidden="true" focusable="false" '
            'xmlns="http://www.w3.org/2000/svg" fill="none" stroke="currentColor" stroke-width="2" '
            'stroke-linecap="round" stroke-linejoin="round">',
            classes,
            size,
            size,
        )
    return mark_safe(f"{opening}{body}</svg>")  # noqa: S308 — the body is our vendored file

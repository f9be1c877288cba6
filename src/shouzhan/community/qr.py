"""QR codes drawn on the server (segno, pure Python) as inline SVG — no script, allowed by the CSP."""

from __future__ import annotations

import segno
from django.utils.safestring import SafeString, mark_safe


def qr_svg(text: str, *, scale: int = 6) -> SafeString:
    # Always a full QR code: segno.make would pick a Micro QR for a short code, which phone cameras,
    # most scanner guns and the door page's decoder cannot read.
    code = segno.make_qr(text, error="m")
    # segno writes only the path and the given strings; the text is our own check-in code.
    return mark_safe(code.svg_inline(scale=scale, dark="#1d2733", light="#ffffff", title=text))  # noqa: S308

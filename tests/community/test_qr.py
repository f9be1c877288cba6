"""Tickets carry a full QR code: a Micro QR (what segno picks for a short code) is unreadable by phone
cameras, most scanner guns and the door page's own decoder."""

from __future__ import annotations

import pytest

from shouzhan.community.qr import qr_svg

pytestmark = pytest.mark.django_db  # the community tests' search-index fixture touches the database


def test_a_short_check_in_code_still_gets_a_full_qr_code() -> None:
    svg = qr_svg("SZABCDEFGH", scale=1)
    # Version 1 is 21 modules with a 4-module quiet zone on each side; a Micro QR M3 would be 15 + 2 × 2.
    assert svg.startswith('<svg width="29" height="29"')
    assert "<title>SZABCDEFGH</title>" in svg

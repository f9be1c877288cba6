"""A listing's seeking labels come from one table built once, in the language of the request."""

from __future__ import annotations

import pytest
from django.utils import translation

from shouzhan.community.models import SEEKING_LABELS, Listing, Seeking

pytestmark = pytest.mark.django_db


def test_seeking_labels_in_order_translated_and_unknown_values_skipped() -> None:
    listing = Listing(seeking=["sale", "licence", "bogus", "investment"])
    assert listing.seeking_labels() == ["转让", "许可", "投资"]
    with translation.override("en"):
        assert listing.seeking_labels() == ["Transfer", "Licence", "Investment"]
    assert set(SEEKING_LABELS) == set(Seeking.values)

"""The calculator reads the catalogue in force once a view, and works out its plain words once per
catalogue and language (they were rebuilt on every view, and the versions in force read twice)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import timezone, translation

from shouzhan.policies import present, selectors

pytestmark = pytest.mark.django_db


def test_anonymous_calculator_reads_the_versions_in_force_once(
    catalogue: Any, django_assert_num_queries: Any
) -> None:
    client = Client()
    client.get("/policies/calculator/")
    with django_assert_num_queries(1):
        response = client.get("/policies/calculator/")
    assert response.status_code == 200
    assert "可申报" in response.content.decode()


def test_plain_words_are_cached_per_language(catalogue: Any) -> None:
    cat = selectors.catalogue_in_force(on=timezone.localdate())
    with translation.override("zh-hans"):
        zh = present._leaf_words(cat)
        assert present._leaf_words(cat) is zh  # the second view reuses the first one's words
        assert zh == present._leaf_words_build(cat)
    with translation.override("en"):
        en = present._leaf_words(cat)
        assert en == present._leaf_words_build(cat)
    assert en != zh  # not the Chinese words served to an English page


def test_clause_views_carry_their_link_and_failed_reasons(catalogue: Any) -> None:
    from django.urls import reverse

    on = timezone.localdate()
    result = selectors.calculate(facts={"enterprise": {"district": "other"}, "project": {}}, on=on)
    views = present.present(result.results, result.catalogue or selectors.catalogue_in_force(on=on))
    assert views and any(v.failed for v in views)
    for v in views:
        assert v.url == reverse("policies:clause", args=[v.id]) == f"/policies/c/{v.id}/"
        assert v.failed == [r for r in v.reasons if r.value is False]
        assert [r.css for r in v.reasons] == [
            {True: "true", False: "false"}.get(r.value, str(r.value).lower()) for r in v.reasons
        ]
    body = Client().get("/policies/calculator/").content.decode()
    assert body.count('href="/policies/c/') == len(views)


def test_catalogue_in_force_reads_no_rule_text_once_cached(catalogue: Any) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    on = timezone.localdate()
    first = selectors.catalogue_in_force(on=on)
    with CaptureQueriesContext(connection) as captured:
        assert selectors.catalogue_in_force(on=on) is first
    assert len(captured) == 1 and '"text"' not in captured[0]["sql"]
    # The same versions as versions_in_force chooses (the latest published one of each document).
    chosen = selectors.versions_in_force(on=on)
    assert [p.id for p in first.policies] == [selectors.version_policy(v).id for v in chosen]

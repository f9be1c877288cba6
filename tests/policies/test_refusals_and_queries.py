"""The refusal rule on the policy pages, and the catalogue's and a clause's query counts pinned."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from shouzhan.core.roles import Role
from shouzhan.policies import services

HU8 = (Path(settings.CATALOGUE_DIR) / "hu8.yaml").read_text(encoding="utf-8")


@pytest.fixture
def draft(catalogue: Any, make_user: Any) -> Any:
    officer = make_user(role=Role.POLICY_OFFICER)
    return services.policy_version_upload(actor=officer, text=HU8 + "\n# 草稿\n", filename="hu8.yaml")


def test_upload_is_403_for_staff_without_the_role_and_asks_a_visitor_to_log_in(
    catalogue: Any, make_user: Any, login_client: Any
) -> None:
    refused = login_client(make_user(role=Role.CASEWORKER)).get("/policies/upload/")
    assert refused.status_code == 403 and "只有政策专员可以上传规则文件" in refused.content.decode()
    assert Client().get("/policies/upload/").status_code == 302
    assert login_client(make_user(role=Role.POLICY_OFFICER)).get("/policies/upload/").status_code == 200


def test_a_draft_is_404_to_an_enterprise_and_shown_to_staff(
    draft: Any, make_enterprise: Any, make_user: Any, login_client: Any
) -> None:
    _enterprise, owner = make_enterprise()
    assert login_client(owner).get(f"/policies/v/{draft.pk}/").status_code == 404
    assert Client().get(f"/policies/v/{draft.pk}/text/").status_code == 404
    assert login_client(make_user(role=Role.CASEWORKER)).get(f"/policies/v/{draft.pk}/").status_code == 200


def test_publishing_is_403_for_staff_who_may_see_the_draft(
    draft: Any, make_user: Any, login_client: Any
) -> None:
    client = login_client(make_user(role=Role.CASEWORKER))
    refused = client.post(f"/policies/v/{draft.pk}/publish/", {"effective_from": "2099-01-01"})
    assert refused.status_code == 403


def test_the_calculator_for_another_enterprise_is_404(
    catalogue: Any, make_enterprise: Any, login_client: Any
) -> None:
    mine, owner = make_enterprise()
    theirs, _ = make_enterprise()
    client = login_client(owner)
    assert client.get(f"/policies/calculator/?enterprise={theirs.pk}").status_code == 404
    assert client.get("/policies/calculator/?enterprise=x").status_code == 404
    assert client.get(f"/policies/calculator/?enterprise={mine.pk}").status_code == 200


# a caseworker's menu also reads their departments (frontline) and their chief's posts (patrols): 7 for them
@pytest.mark.parametrize(("who", "most"), [("anonymous", 2), ("caseworker", 7)])
def test_catalogue_and_clause_queries(
    who: str, most: int, catalogue: Any, make_user: Any, login_client: Any, django_assert_max_num_queries: Any
) -> None:
    client = Client() if who == "anonymous" else login_client(make_user(role=Role.CASEWORKER))
    for url, limit in (
        ("/policies/", most),
        ("/policies/?q=微短剧", most),
        ("/policies/c/hu8.agent_rd/", most - 1),
    ):
        client.get(url)
        with django_assert_max_num_queries(limit):
            assert client.get(url).status_code == 200

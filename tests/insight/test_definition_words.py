"""A target's definition is read in words wherever a leader reads it — the dashboard, the targets page — from
the same typed tree the count runs on; the rule text itself stays in the data file and the API."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import translation

from shouzhan.insight.figures import definition_lines, rule_words
from shouzhan.insight.selectors import target_list

pytestmark = pytest.mark.django_db


def test_each_target_in_words(insight_data: Any) -> None:
    lines = {t.key: definition_lines(t) for t in target_list()}
    assert lines["incubated_teams"] == [
        "「所在区」为“徐汇”",
        "「在中心空间累计租用月数」不少于3",
        "「孵化阶段」不为“创意”",
    ]
    assert lines["original_dramas"] == [
        "「备案类型」为“完成片上线备案”",
        "「备案通过」为“是”",
        "「AI 生成内容占比（%）」不少于30",
        "「所在区」为“徐汇”",
    ]
    assert lines["city_share"][-1] == (
        "「所属行业」属于 “AI 微短剧”、“智能体”、“IP 设计”、“直播电商”、“算力与模型服务”、“跨境出海”"
    )
    with translation.override("en"):
        assert definition_lines(target_list()[1])[1] == "“Months renting the centre's spaces” is at least 3"


def test_a_rule_that_no_longer_reads_stays_as_written() -> None:
    assert rule_words("enterprise.no_such_fact") == ["enterprise.no_such_fact"]


@pytest.mark.parametrize("url", ["/insight/", "/insight/targets/", "/insight/targets/incubated_teams/"])
def test_the_leader_reads_words_not_expressions(
    url: str, insight_data: Any, leader: Any, login_client: Any
) -> None:
    page = login_client(leader).get(url).content.decode()
    assert "「在中心空间累计租用月数」不少于3" in page
    assert "enterprise.tenancy_months" not in page and "==" not in page

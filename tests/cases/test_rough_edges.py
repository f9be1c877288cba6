"""Issue #13 item 9, the cases part: upload boxes name their formats; a filing's numbers have bounds."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from shouzhan.cases import workflow as wf
from shouzhan.cases.models import Case
from shouzhan.cases.services import case_submit, case_transition
from tests.cases.conftest import FILING

pytestmark = pytest.mark.django_db


def _hints(html: str) -> list[str]:
    """The upload boxes' hints as text (tags dropped, spaces collapsed)."""
    found = re.findall(r'<p class="muted small upload-hint">(.*?)</p>', html, re.S)
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", h)).strip() for h in found]


def test_the_upload_box_names_the_formats_and_the_limit(studio: Any, login_client: Any) -> None:
    enterprise, owner = studio
    case = case_submit(
        actor=owner, case_type="planning_filing", enterprise=enterprise, title="备案", data=FILING
    )
    html = login_client(owner).get(f"/cases/{case.pk}/").content.decode()
    assert _hints(html) == [
        "允许的格式：Word (.docx)、JPEG、PDF、PNG、ZIP · 上限 20.0 MB。同名材料再次上传即为新版本，旧版本保留。"
    ]
    assert "允许的格式：·" not in html


def test_the_resubmission_box_names_them_too(studio: Any, caseworker: Any, login_client: Any) -> None:
    """The second upload box (answering a request for more information) says the same."""
    enterprise, owner = studio
    case = case_submit(
        actor=owner, case_type="finished_film_filing", enterprise=enterprise, title="备案", data=FILING
    )
    case = case_transition(actor=caseworker, case=case, action="accept", expected_version=case.version)
    case_transition(
        actor=caseworker, case=case, action="request_info", expected_version=case.version, note="补样片"
    )
    html = login_client(owner).get(f"/cases/{case.pk}/").content.decode()
    film = "允许的格式：Word (.docx)、JPEG、MP4、PDF、PNG、ZIP · 上限 200.0 MB。同名材料再次上传即为新版本，旧版本保留。"
    assert _hints(html) == [film, film]


def test_every_case_type_has_words_for_its_formats() -> None:
    for ct in wf.case_types():
        assert ct.documents.formats_text and "、" in ct.documents.formats_text, ct.key


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("episodes", 0, "“集数”：请填写1到1000之间的整数。"),
        ("episodes", "0", "“集数”：请填写1到1000之间的整数。"),
        ("episodes", 1001, "“集数”：请填写1到1000之间的整数。"),
        ("episode_minutes", 0, "“单集时长（分钟）”：请填写1到240之间的整数。"),
        ("episode_minutes", 241, "“单集时长（分钟）”：请填写1到240之间的整数。"),
        ("episode_minutes", 2.5, "“单集时长（分钟）”：请填写1到240之间的整数。"),
        ("episode_minutes", True, "“单集时长（分钟）”：请填写1到240之间的整数。"),
        ("ai_share", -1, "“AI生成内容占比（%）”：请填写0到100之间的整数。"),
        ("ai_share", 101, "“AI生成内容占比（%）”：请填写0到100之间的整数。"),
    ],
)
def test_a_filing_outside_its_bounds_is_refused_in_words(
    studio: Any, field: str, value: Any, message: str
) -> None:
    enterprise, owner = studio
    with pytest.raises(ValidationError) as exc:
        case_submit(
            actor=owner,
            case_type="planning_filing",
            enterprise=enterprise,
            title="备案",
            data={**FILING, field: value},
        )
    assert exc.value.message_dict == {field: [message]}
    assert Case.objects.count() == 0


@pytest.mark.parametrize(
    ("field", "value"),
    [("episodes", 1), ("episodes", 1000), ("episode_minutes", 1), ("episode_minutes", 240), ("ai_share", 0)],
)
def test_the_bounds_themselves_are_accepted(studio: Any, field: str, value: int) -> None:
    enterprise, owner = studio
    case = case_submit(
        actor=owner,
        case_type="planning_filing",
        enterprise=enterprise,
        title="备案",
        data={**FILING, field: str(value)},
    )
    assert case.data[field] == value


def test_every_number_field_has_bounds() -> None:
    """An int field is at least 0 unless it says more; a percent 0 to 100."""
    for ct in wf.case_types():
        for f in ct.fields:
            if f.kind == "int":
                low, _high = f.bounds
                assert low >= 0, (ct.key, f.name)
            if f.kind == "percent":
                assert f.bounds == (0, 100), (ct.key, f.name)
    episodes = next(f for f in wf.FILING_FIELDS if f.name == "episodes")
    assert episodes.bounds == (1, 1000)


def test_the_page_shows_zero_episodes_as_a_field_error(studio: Any, login_client: Any) -> None:
    _enterprise, owner = studio
    client = login_client(owner)
    r = client.post("/cases/new/planning_filing/", {"title": "备案", **{**FILING, "episodes": "0"}})
    assert r.status_code == 400
    assert "“集数”：请填写1到1000之间的整数。" in r.content.decode()
    assert Case.objects.count() == 0


def test_the_api_answers_422_naming_the_field(studio: Any, login_client: Any) -> None:
    enterprise, owner = studio
    r = login_client(owner).post(
        "/api/v1/cases",
        json.dumps(
            {
                "case_type": "planning_filing",
                "enterprise_id": enterprise.pk,
                "title": "备案",
                "data": {**FILING, "episodes": 0, "episode_minutes": 0},
            }
        ),
        content_type="application/json",
    )
    assert r.status_code == 422
    assert r.json()["detail"] == {
        "episodes": ["“集数”：请填写1到1000之间的整数。"],
        "episode_minutes": ["“单集时长（分钟）”：请填写1到240之间的整数。"],
    }
    assert Case.objects.count() == 0

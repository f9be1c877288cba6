"""The assets part of the demo district (assets/demo.py): on a fresh database after the registry's district, the
exact works and versions, every version stamped and fingerprinted, one licence granted through its case, one
report whose match is the right episode at the right time, the case closed as removed — and loaded once."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from shouzhan.assets.demo import CLIP, SERIES, assets_demo
from shouzhan.assets.matching import index_forget
from shouzhan.assets.models import (
    AssetVersion,
    EvidencePack,
    InfringementReport,
    Licence,
    Provenance,
    Timestamp,
    Work,
)
from shouzhan.site.demo_data import load_demo

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 5, 15)  # a Friday


@pytest.fixture
def district(settings: Any, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SHOUZHAN_TSA_DIR = tmp_path_factory.mktemp("tsa")
    settings.SHOUZHAN_TSA_URL = ""
    index_forget()  # the video index of another test's database
    load_demo()
    lines = assets_demo(today=TODAY)
    yield lines
    index_forget()


def test_the_assets_demo(district: list[str]) -> None:
    assert district == [
        "数字资产：10 件作品，13 个版本（均已加盖时间戳、提取指纹），来源关系 1 条",
        f"数字资产：授权 3 项（已授权：{_peer_name()} 改编《梧桐来信》，经中心居间）",
        "数字资产：侵权线索 1 条（比对命中 梧桐来信 第2集），版权维权办件已结（已删除 / 已停止侵权），证据包 1 份",
    ]
    assert dict(Counter(Work.objects.values_list("kind", flat=True))) == {
        "script": 2, "character": 1, "series": 1, "episode": 4, "corpus": 1, "ai_model": 1,
    }  # fmt: skip
    assert Work.objects.filter(published=True).count() == 6  # the series, its 4 episodes, the model
    versions = AssetVersion.objects.all()
    assert versions.count() == 13
    assert set(versions.values_list("stamp_state", flat=True)) == {"stamped"}
    assert Timestamp.objects.count() == 13
    assert dict(Counter(versions.values_list("prints_state", flat=True))) == {"done": 7, "none": 6}
    assert Work.objects.get(title=SERIES).dci == "DCI0S2025SH0731A"
    link = Provenance.objects.get()
    assert (link.target.work.title, link.source.work.title, link.source.number, link.relation) == (
        "沪语配音模型 HuVoice", "沪语对白语料集", 2, "trained_on",
    )  # fmt: skip
    # the past is spread over the months before today
    created = sorted(v.created_at.date() for v in versions)
    assert created[0] == dt.date(2025, 12, 8) and created[-1] < TODAY

    _licences()
    _report()
    assert assets_demo(today=TODAY) == ["数字资产：已加载，跳过"]
    assert AssetVersion.objects.count() == 13


def _peer_name() -> str:
    return Licence.objects.get(state="granted").licensee.name  # type: ignore[union-attr]


def _licences() -> None:
    states = Counter(Licence.objects.values_list("state", flat=True))
    assert dict(states) == {"offered": 2, "granted": 1}
    granted = Licence.objects.get(state="granted")
    assert granted.case is not None and granted.case.state == "granted"
    assert granted.offer is not None and granted.offer.work.title == SERIES
    assert (granted.fee_fen, granted.scope) == (4_000_000, "adaptation")
    assert granted.case.events.filter(actor__mobile="13800000002").count() == 3


def _report() -> None:
    report = InfringementReport.objects.get()
    hit = report.matches.get(selected=True)
    episode, start_s, seconds = CLIP
    assert (hit.version.work.title, hit.version.number, hit.kind) == (f"{SERIES} 第{episode}集", 1, "video")
    assert abs(hit.ref_start_ms - start_s * 1000) <= 2000
    assert abs((hit.ref_end_ms - hit.ref_start_ms) - seconds * 1000) <= 2000
    assert report.case is not None and report.case.state == "removed"
    assert (report.outcome, report.platform) == ("removed", "douyin")
    assert EvidencePack.objects.filter(report=report).count() == 1

"""The patrol map: Web Mercator exactly, the fitted drawing, the scale bar, tracks thinned for drawing, the
district map page and who may see it, and the basemap's tiles read from an MBTiles file."""

from __future__ import annotations

import datetime as dt
import io
import math
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.template.loader import render_to_string
from PIL import Image

from shouzhan.cases.models import Case
from shouzhan.core.roles import Role
from shouzhan.patrols import basemap as basemaps
from shouzhan.patrols.mapping import (
    latitude_of,
    map_context,
    mercator_m,
    nice_metres,
    project,
    thin,
)
from shouzhan.patrols.models import Target, WarningSpell
from tests.patrols.conftest import LAT0, LENGTH_M, LON0, north

R = 6_378_137.0
MAP_URL = "/patrols/map/"


# ----------------------------------------------------------------------------- the projection
def test_web_mercator_of_known_points() -> None:
    assert project(0.0, 0.0) == (0.5, 0.5)
    assert project(0.0, 180.0) == (1.0, 0.5)
    assert project(0.0, -90.0) == (0.25, 0.5)
    x, y = project(85.0511287798066, -180.0)
    assert x == 0.0 and y == pytest.approx(0.0, abs=1e-12)
    assert mercator_m(0.0, 180.0) == pytest.approx((20_037_508.342789244, 0.0), abs=1e-6)
    assert mercator_m(45.0, 0.0)[1] == pytest.approx(5_621_521.486192066, abs=1e-6)
    # 徐家汇: tile x and y at zoom 0 as fractions of the world
    x, y = project(31.17, 121.44)
    assert x == pytest.approx((121.44 + 180) / 360, abs=1e-15)
    assert y == pytest.approx(0.5 - math.log(math.tan(math.pi / 4 + math.radians(31.17) / 2)) / (2 * math.pi))
    assert latitude_of(y) == pytest.approx(31.17, abs=1e-12)


def test_the_section_is_fitted_in_the_middle_with_its_margin(section: Target) -> None:
    # The section runs due north: its height fills the drawing less the margins (300 - 2 × 28 = 244 px)
    # and it stands in the middle (x = 200); south at the bottom.
    drawn = map_context(targets=[section], width=400, height=300)
    points = drawn["sections"][0]["points"].split(" ")
    assert (points[0], points[-1]) == ("200,272", "200,28")
    assert [(c["name"], c["x"], c["y"]) for c in drawn["checkpoints"]] == [
        ("漕溪北路桥", "200", "272"),
        ("中段泵站", "200", "150"),
        ("宜山路桥", "200", "28"),
    ]
    assert drawn["tiles"] == [] and drawn["attribution"] == ""  # no basemap configured


def test_the_scale_bar_is_in_metres_exact_from_the_projection(section: Target) -> None:
    drawn = map_context(targets=[section], width=400, height=300)
    # px per world fraction: the section's Mercator height fills 244 px
    south, north_end = project(LAT0, LON0)[1], project(north(LENGTH_M), LON0)[1]
    k = 244 / (south - north_end)
    centre = math.degrees(math.atan(math.sinh(math.pi * (1 - (south + north_end)))))
    per_px = 2 * math.pi * R * math.cos(math.radians(centre)) / k
    assert per_px == pytest.approx(9.847, abs=0.001)  # 2,400 m on geo.py's sphere is 2,402.7 m on WGS-84's
    # A quarter of the width is 98.5 m × 10 = 984.7 m: the bar is 500 m.
    assert drawn["scale"] == {
        "metres": 500,
        "label": "500 米",
        "px": round(500 / per_px, 1),
        "x": 16,
        "y": 284,
    }
    assert drawn["scale"]["px"] == 50.8


def test_round_lengths_for_the_scale_bar() -> None:
    assert [nice_metres(m) for m in (0.4, 1, 3, 9.99, 10, 19, 49, 984.7, 1999, 2000, 7300)] == [
        1, 1, 2, 5, 10, 10, 20, 500, 1000, 2000, 5000,
    ]  # fmt: skip


def test_a_long_track_is_thinned_to_500_points_for_drawing(record: Any, section: Target) -> None:
    track = [[i, 0, 0, 5] for i in range(1200)]
    thinned = thin(track)
    assert len(thinned) == 500
    assert thinned[:3] == [track[0], track[2], track[5]]  # round(i × 1199 / 499)
    assert thinned[-1] == track[-1]
    assert thin(track[:500]) == track[:500]
    patrol = record()
    patrol.track = [[north(2400 * i / 1199), LON0, 1.0 * i, 5.0] for i in range(1200)]
    drawn = map_context(patrols=[patrol], width=400, height=300)
    assert [(t["drawn"], t["recorded"], len(t["points"].split(" "))) for t in drawn["tracks"]] == [
        (500, 1200, 500)
    ]
    assert drawn["legend"] == [{"key": "track", "label": "巡查轨迹", "colour": "#6a3fb5", "shape": "track"}]


def test_sections_are_coloured_by_their_warning_on_the_day(section: Target) -> None:
    WarningSpell.objects.create(target=section, level="orange", from_on=dt.date(2026, 6, 1))
    before = map_context(targets=[section], on=dt.date(2026, 5, 31))["sections"][0]
    after = map_context(targets=[section], on=dt.date(2026, 6, 1))["sections"][0]
    assert (before["warning_words"], before["colour"]) == ("无预警", "#1d6fb8")
    assert (after["warning_words"], after["colour"]) == ("橙色预警", "#e0640b")


def test_nothing_with_coordinates_is_an_empty_map(db: Any) -> None:
    drawn = map_context()
    assert drawn["empty"] is True
    html = render_to_string("patrols/_map.html", {"map": drawn})
    assert "还没有可以画在地图上的坐标" in html and "<svg" not in html


# ----------------------------------------------------------------------------- the district map page
def _hazard(record: Any, description: str, lat: float | None) -> Any:
    where = {"latitude": lat, "longitude": LON0} if lat is not None else {}
    return record(hazards=[{"category": "water", "description": description, **where}]).hazards.get()


def test_the_district_map_draws_sections_checkpoints_and_this_months_hazards(
    record: Any, section: Target, supervisor: Any, login_client: Callable[..., Any]
) -> None:
    open_one = _hazard(record, "宜山路桥下有大量漂浮垃圾", north(2300))
    done = _hazard(record, "中段泵站护栏损坏", north(1200))
    Case.objects.filter(pk=done.demand.case_id).update(state="closed")
    _hazard(record, "河面油污，位置未定位", None)
    response = login_client(supervisor).get(MAP_URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="pt-section"' in html and "蒲汇塘（徐家汇段） · 无预警" in html
    for name in ("漕溪北路桥", "中段泵站", "宜山路桥"):
        assert f">{name}</text>" in html
    assert html.count('class="pt-hazard" data-open="1"') == 1
    assert html.count('class="pt-hazard" data-open="0"') == 1
    assert f"<title>{open_one.description} · 已派单·待签收</title>" in html
    assert "<title>中段泵站护栏损坏 · 已办结</title>" in html
    assert "1 处隐患没有坐标，未画在图上" in html
    assert "示意图：按坐标绘制，不含底图和行政边界。" in html
    assert "<image" not in html and "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")
    legend = [item["key"] for item in response.context["map"]["legend"]]
    assert legend == ["none", "checkpoint", "open", "done"]
    assert [(h.description, o) for h, o, _w in response.context["hazard_rows"]] == [
        ("河面油污，位置未定位", True),
        ("中段泵站护栏损坏", False),
        ("宜山路桥下有大量漂浮垃圾", True),
    ]


def test_last_months_hazards_are_not_on_the_map(
    record: Any, supervisor: Any, login_client: Callable[..., Any]
) -> None:
    hazard = _hazard(record, "上个月的隐患", north(100))
    type(hazard).objects.filter(pk=hazard.pk).update(reported_on=dt.date(2000, 1, 1))
    response = login_client(supervisor).get(MAP_URL)
    assert response.context["hazard_rows"] == [] and 'class="pt-hazard"' not in response.content.decode()
    assert "本月还没有上报隐患。" in response.content.decode()


def test_the_map_filters_by_street_and_river(
    section: Target, supervisor: Any, login_client: Callable[..., Any]
) -> None:
    Target.objects.create(
        code="park-1",
        kind="park",
        name="漕河泾园区",
        street="漕河泾街道",
        path=[[31.17, 121.40], [31.171, 121.40]],
    )
    client = login_client(supervisor)
    names = lambda r: [s["name"] for s in r.context["map"]["sections"]]  # noqa: E731
    assert names(client.get(MAP_URL)) == ["蒲汇塘（徐家汇段）", "漕河泾园区"]
    assert names(client.get(MAP_URL, {"street": "漕河泾街道"})) == ["漕河泾园区"]
    assert names(client.get(MAP_URL, {"river": section.river_id})) == ["蒲汇塘（徐家汇段）"]
    bad = client.get(MAP_URL, {"street": "没有这个街道"})
    assert bad.status_code == 400
    assert "选择一个有效的选项" in bad.content.decode()
    assert names(bad) == ["蒲汇塘（徐家汇段）", "漕河泾园区"]


def test_an_enterprise_member_may_not_see_the_map(
    section: Target, make_enterprise: Callable[..., Any], login_client: Callable[..., Any], client: Any
) -> None:
    _enterprise, owner = make_enterprise()
    response = login_client(owner).get(MAP_URL)
    assert response.status_code == 403
    assert "仅供河长、巡查员和工作人员使用。" in response.content.decode()
    assert login_client(owner).get("/patrols/tiles/0/0/0").status_code == 403
    anonymous = client.get(MAP_URL)
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]


def test_a_chief_sees_the_map(chief: Any, section: Target, login_client: Callable[..., Any]) -> None:
    assert login_client(chief).get(MAP_URL).status_code == 200


# ----------------------------------------------------------------------------- the basemap
def _png(colour: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (1, 1), colour).save(out, format="PNG")
    return out.getvalue()


def _mbtiles(path: Path, tiles: dict[tuple[int, int, int], bytes], fmt: str = "png") -> Path:
    """An MBTiles file with these tiles, keyed by XYZ (z, x, y) and stored in TMS rows as the format says."""
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE metadata (name text, value text)")
        db.execute(
            "CREATE TABLE tiles (zoom_level integer, tile_column integer, tile_row integer, tile_data blob)"
        )
        meta = {"name": "测试底图", "format": fmt, "attribution": "区规划资源局（测试）"}
        db.executemany("INSERT INTO metadata VALUES (?, ?)", list(meta.items()))
        db.executemany(
            "INSERT INTO tiles VALUES (?, ?, ?, ?)",
            [(z, x, (1 << z) - 1 - y, data) for (z, x, y), data in tiles.items()],
        )
    db.close()
    return path


@pytest.fixture
def staff_client(make_user: Callable[..., Any], login_client: Callable[..., Any]) -> Any:
    return login_client(make_user(Role.CASEWORKER))


def test_tiles_are_served_from_an_mbtiles_file_with_the_tms_row_flipped(
    tmp_path: Path, settings: Any, staff_client: Any
) -> None:
    red, blue = _png((255, 0, 0)), _png((0, 0, 255))
    settings.PATROLS_BASEMAP = str(_mbtiles(tmp_path / "district.mbtiles", {(3, 6, 1): red, (3, 6, 6): blue}))
    assert basemaps.tms_row(3, 1) == 6 and basemaps.tms_row(0, 0) == 0 and basemaps.tms_row(18, 0) == 262_143
    response = staff_client.get("/patrols/tiles/3/6/1")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Cache-Control"] == "private, max-age=86400"
    assert response.content == red
    assert staff_client.get("/patrols/tiles/3/6/6").content == blue
    again = staff_client.get("/patrols/tiles/3/6/1", HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304
    assert staff_client.get("/patrols/tiles/3/6/2").status_code == 404  # not in the file
    assert staff_client.get("/patrols/tiles/3/8/1").status_code == 404  # x beyond 2³ - 1
    assert staff_client.get("/patrols/tiles/3/0/8").status_code == 404
    assert staff_client.get("/patrols/tiles/25/0/0").status_code == 404
    assert staff_client.get("/patrols/tiles/99999999999999999999/0/0").status_code == 404
    assert staff_client.get("/patrols/tiles/3/-1/0").status_code == 404  # no such address


def test_no_basemap_is_404_and_a_vector_or_pmtiles_one_is_none(
    tmp_path: Path, settings: Any, staff_client: Any
) -> None:
    settings.PATROLS_BASEMAP = ""
    response = staff_client.get("/patrols/tiles/0/0/0")
    assert response.status_code == 404
    settings.PATROLS_BASEMAP = str(tmp_path / "missing.mbtiles")
    assert staff_client.get("/patrols/tiles/0/0/0").status_code == 404
    settings.PATROLS_BASEMAP = str(
        _mbtiles(tmp_path / "vector.mbtiles", {(0, 0, 0): b"\x1f\x8b..."}, fmt="pbf")
    )
    assert basemaps.basemap() is None
    assert staff_client.get("/patrols/tiles/0/0/0").status_code == 404
    settings.PATROLS_BASEMAP = str(tmp_path / "district.pmtiles")
    (tmp_path / "district.pmtiles").write_bytes(b"PMTiles\x03")
    assert basemaps.basemap() is None
    (tmp_path / "junk.mbtiles").write_bytes(b"not a database at all" * 10)
    settings.PATROLS_BASEMAP = str(tmp_path / "junk.mbtiles")
    assert basemaps.basemap() is None
    assert staff_client.get("/patrols/tiles/0/0/0").status_code == 404


def test_with_a_basemap_the_map_has_its_tiles_under_the_drawing(
    tmp_path: Path, settings: Any, section: Target
) -> None:
    # The section's drawing (400 × 300) is 244 px for 2.4 km, k ≈ 3.48 million px a world: 2^13.7 tiles of
    # 256 px, so zoom 14's tiles are drawn at about their own size.
    world_x, world_y = project(LAT0, LON0)
    north_y = project(north(LENGTH_M), LON0)[1]
    k = 244 / (world_y - north_y)
    z = round(math.log2(k / 256))
    assert z == 14
    n = 1 << z
    tx, ty = math.floor(world_x * n), math.floor(world_y * n)
    tiles = {(z, tx + dx, ty + dy): _png((0, 128, 0)) for dx in (-1, 0, 1) for dy in (-2, -1, 0, 1)}
    tiles[(z, tx + 40, ty)] = _png((0, 0, 0))  # far off the view: not drawn
    settings.PATROLS_BASEMAP = str(_mbtiles(tmp_path / "district.mbtiles", tiles))
    drawn = map_context(targets=[section], width=400, height=300)
    hrefs = sorted(t["href"] for t in drawn["tiles"])
    assert hrefs == sorted(f"/patrols/tiles/{z}/{x}/{y}" for (_z, x, y) in tiles if x != tx + 40)
    first = next(t for t in drawn["tiles"] if t["href"] == f"/patrols/tiles/{z}/{tx}/{ty}")
    cx, cy = world_x, (world_y + north_y) / 2
    assert float(first["x"]) == pytest.approx((tx / n - cx) * k + 200, abs=0.05)
    assert float(first["y"]) == pytest.approx((ty / n - cy) * k + 150, abs=0.05)
    assert float(first["size"]) == pytest.approx(k / n + 0.5, abs=0.05)
    assert drawn["attribution"] == "区规划资源局（测试）"
    html = render_to_string("patrols/_map.html", {"map": drawn})
    assert html.index('<g class="pt-tiles"') < html.index('<g class="pt-sections"')
    assert "底图：区规划资源局（测试）" in html

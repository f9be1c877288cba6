"""Browser: the district map and a patrol's page make no request outside the server. Every request the page
makes is recorded (page.on("request")) and must be to the live server on 127.0.0.1 / localhost — with a
district basemap configured too, whose tiles come from /patrols/tiles/. The map is zoomed with its buttons,
a section opens its target's page, and the page passes axe. Screenshot: /tmp/patrols_map.png."""

from __future__ import annotations

import io
import math
import sqlite3
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from PIL import Image
from playwright.sync_api import expect

from shouzhan.patrols.mapping import project
from shouzhan.patrols.models import Target
from tests.a11y import assert_accessible
from tests.browser_login import log_in
from tests.patrols.conftest import LAT0, LON0, north

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOT = Path("/tmp/patrols_map.png")
LOCAL_HOSTS = {"127.0.0.1", "localhost"}


def _basemap(path: Path) -> Path:
    """A raster MBTiles file: zoom 14's tiles around the section (pale squares with a darker edge)."""
    out = io.BytesIO()
    image = Image.new("RGB", (256, 256), (226, 236, 228))
    for i in range(256):
        image.putpixel((i, 0), (190, 205, 195))
        image.putpixel((0, i), (190, 205, 195))
    image.save(out, format="PNG")
    z, n = 14, 1 << 14
    wx, wy = project(LAT0, LON0)
    tx, ty = math.floor(wx * n), math.floor(wy * n)
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE metadata (name text, value text)")
        db.execute(
            "CREATE TABLE tiles (zoom_level integer, tile_column integer, tile_row integer, tile_data blob)"
        )
        db.executemany("INSERT INTO metadata VALUES (?, ?)", [("format", "png"), ("attribution", "测试底图")])
        db.executemany(
            "INSERT INTO tiles VALUES (?, ?, ?, ?)",
            [(z, x, n - 1 - y, out.getvalue()) for x in range(tx - 3, tx + 4) for y in range(ty - 3, ty + 4)],
        )
    db.close()
    return path


def test_the_map_pages_make_no_request_outside_the_server(
    browser: Any,
    live_server: Any,
    record: Any,
    section: Target,
    supervisor: Any,
    tmp_path: Path,
    settings: Any,
) -> None:
    settings.PATROLS_BASEMAP = str(_basemap(tmp_path / "district.mbtiles"))
    patrol = record(
        hazards=[
            {
                "category": "water",
                "description": "宜山路桥下有大量漂浮垃圾",
                "latitude": north(2300),
                "longitude": LON0,
            }
        ]
    )
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15000)
    page = context.new_page()
    page.base_url = live_server.url
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    tiles: list[int] = []
    page.on("response", lambda r: tiles.append(r.status) if "/patrols/tiles/" in r.url else None)
    log_in(page, supervisor.mobile)

    page.goto(page.base_url + "/patrols/map/")
    expect(page.locator("h1")).to_have_text("巡查地图")
    svg = page.locator("#district-map")
    expect(svg.locator("polyline.pt-section")).to_have_count(1)
    expect(svg.locator(".pt-checkpoint")).to_have_count(3)
    expect(svg.locator('.pt-hazard[data-open="1"]')).to_have_count(1)
    expect(page.locator("#district-map-legend")).to_contain_text("无预警")
    expect(page.locator("#district-map-figure")).to_contain_text("底图：测试底图")
    page.wait_for_load_state("networkidle")
    assert tiles and set(tiles) == {200}, tiles  # the basemap's tiles, from the app itself
    assert_accessible(page)
    page.screenshot(path=str(SHOT), full_page=True)

    # Zoom in with the button: the drawing grows 1.5 times, and so does the scale bar of the same 500 m.
    bar = svg.locator(".pt-scale path")
    before = float((bar.get_attribute("d") or "").split("H")[1].split()[0])
    expect(svg.locator(".pt-scale text")).to_have_text("500 米")
    page.get_by_role("button", name="放大").click()
    assert "scale(1.5)" in (svg.locator(".pt-pan").get_attribute("transform") or "")
    expect(svg.locator(".pt-scale text")).to_have_text("500 米")
    assert float((bar.get_attribute("d") or "").split("H")[1].split()[0]) == pytest.approx(
        before * 1.5, abs=0.1
    )
    # Dragging pans (and is no click on what it started over); 复位 puts the map back.
    box = svg.bounding_box()
    page.mouse.move(box["x"] + 300, box["y"] + 300)
    page.mouse.down()
    page.mouse.move(box["x"] + 400, box["y"] + 350, steps=5)
    page.mouse.up()
    assert "/patrols/map/" in page.url
    assert not (svg.locator(".pt-pan").get_attribute("transform") or "").startswith("translate(0 0)")
    page.get_by_role("button", name="复位").click()
    assert svg.locator(".pt-pan").get_attribute("transform") == "translate(0 0) scale(1)"

    # A click on the section opens its target's page.
    # (A line due north: its box has no width, so force; a quarter down, off the middle checkpoint's dot.)
    link = svg.locator(f'a[data-target="{section.pk}"]')
    link.click(force=True, position={"x": 0, "y": link.bounding_box()["height"] / 4})
    page.wait_for_url(f"**/patrols/targets/{section.pk}/")

    page.goto(page.base_url + f"/patrols/{patrol.pk}/")
    page.wait_for_load_state("networkidle")
    expect(page.locator("h1")).to_be_visible()

    outside = [url for url in requests if urlsplit(url).hostname not in LOCAL_HOSTS]
    assert requests and outside == [], outside
    context.close()

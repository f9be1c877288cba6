"""Browser: the chain map is drawn by the vendored ECharts from the server's layout, filtered to 徐汇, and a
click on a chain node's pixel on the canvas loads its panel (htmx) with its enterprises. The screenshot of the
map holds a drawn graph (many non-background pixels, the nodes' colours), the page passes axe, and every
request the page made went to the live server on 127.0.0.1 / localhost. Screenshots: /tmp/insight_map.png, /tmp/insight_map_panel.png."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from shouzhan.core.actors import system_actor
from shouzhan.core.models import AuditEntry
from shouzhan.insight.models import Placement
from shouzhan.insight.services.bulletins import bulletin_generate
from tests.a11y import assert_accessible
from tests.browser_login import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOT = Path("/tmp/insight_map.png")
PANEL_SHOT = Path("/tmp/insight_map_panel.png")
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
CHAIN = "ai_micro_drama"
NODES = [
    "compute",
    "models",
    "tools",
    "assets",
    "script",
    "production",
    "distribution",
    "overseas",
    "tourism",
]


def _node_pixel(page: Any, key: str) -> tuple[float, float]:
    """Where a chain node is drawn on the page: ECharts converts the server's x, y to the canvas' pixel."""
    x, y = page.evaluate(
        """(key) => {
          const n = window.insightMapData.nodes.find((n) => n.key === key);
          return window.insightMap.convertToPixel({seriesIndex: 0}, [n.x, n.y]);
        }""",
        key,
    )
    box = page.locator("#chain-map").bounding_box()
    return box["x"] + x, box["y"] + y


def test_the_leader_filters_the_map_to_xuhui_and_clicks_a_node(
    browser: Any,
    live_server: Any,
    insight_data: Any,
    leader: Any,
    make_enterprise: Callable[..., Any],
) -> None:
    film, _owner = make_enterprise(
        "光影微短剧", district="徐汇", in_cluster=True, annual_revenue_fen=5_000_000_00
    )
    Placement.objects.create(
        enterprise=film, chain=CHAIN, node="production", status="confirmed", confidence=95
    )
    # Outside the cluster, a compute provider: on 算力服务's 招商 list.
    make_enterprise("浦东智算云", district="浦东新区", in_cluster=False, sector="compute",
                    description="GPU 智算集群与推理服务")  # fmt: skip
    # Last month's bulletin, generated as the first working day's task would.
    last_month = (timezone.localdate().replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    bulletin_generate(actor=system_actor("insight"), month=last_month)
    far, _owner = make_enterprise("远山影业", district="杨浦", in_cluster=True)
    Placement.objects.create(
        enterprise=far, chain=CHAIN, node="production", status="confirmed", confidence=90
    )
    for i in range(36):  # dots around every node, some confirmed, some suggested
        e, _owner = make_enterprise(f"徐汇企业{i}", district="徐汇", in_cluster=i % 2 == 0)
        Placement.objects.create(
            enterprise=e, chain=CHAIN, node=NODES[i % 9], status="confirmed" if i % 3 else "suggested"
        )

    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15000)
    page = context.new_page()
    page.base_url = live_server.url
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    log_in(page, leader.mobile)

    page.goto(page.base_url + "/insight/map/")
    expect(page.locator("h1")).to_have_text("产业图谱")
    expect(page.locator("#chain-map")).to_have_attribute("data-drawn", "1")
    expect(page.locator("#map-counts")).to_contain_text("图上 38 家企业，共 38 家")

    page.select_option("#f-district", "徐汇")
    page.locator("#map-filters button[type=submit]").click()
    page.wait_for_url("**/insight/map/?*district=*")
    expect(page.locator("#chain-map")).to_have_attribute("data-drawn", "1")
    expect(page.locator("#map-counts")).to_contain_text("图上 37 家企业，共 37 家")
    expect(page.locator("#chain-map-legend")).to_contain_text("薄弱（不足目标的 30%）")
    page.wait_for_load_state("networkidle")

    # The map's screenshot holds a drawn graph, not an empty canvas.
    shot = page.locator("#chain-map").screenshot()
    page.screenshot(path=str(SHOT), full_page=True)
    image = Image.open(io.BytesIO(shot)).convert("RGB")
    background = (251, 252, 253)
    pixels = list(image.getdata())
    drawn = sum(1 for p in pixels if max(abs(a - b) for a, b in zip(p, background, strict=True)) > 24)
    assert drawn > 2000, drawn
    assert len(set(pixels)) > 50
    weak_red = sum(1 for r, g, b in pixels if r > 180 and g < 80 and b < 80)
    assert weak_red > 200, weak_red  # the weak nodes' colour (#c53030) is on the canvas

    # A click on the production node's pixel loads its panel: its 徐汇 enterprises, not 杨浦's.
    x, y = _node_pixel(page, "production")
    page.mouse.click(x, y)
    panel = page.locator("#node-panel-body")
    expect(panel).to_have_attribute("data-node", "production")
    expect(page.locator("#node-panel-title")).to_have_text("微短剧制作")
    expect(page.locator("#node-enterprises")).to_contain_text("光影微短剧")
    expect(page.locator("#node-enterprises")).not_to_contain_text("远山影业")
    expect(page.locator("#node-enterprises a", has_text="光影微短剧")).to_have_attribute(
        "href", reverse("registry:enterprise", kwargs={"pk": film.pk})
    )
    expect(page.locator("#node-clauses-empty, #node-clauses")).to_have_count(1)
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(PANEL_SHOT))
    assert_accessible(page)

    # The table's names load the panel too (without the canvas).
    page.locator("#map-nodes a", has_text="算力服务").click()
    expect(panel).to_have_attribute("data-node", "compute")

    # From the panel to the node's gap and its 招商 list (for 徐汇).
    page.locator("#node-gap-link").click()
    page.wait_for_url("**/insight/gaps/ai_micro_drama/compute/?district=*")
    expect(page.locator("h1")).to_contain_text("算力服务")
    expect(page.locator("#gap-prospects-title")).to_have_text("招商名单")
    expect(page.locator("#prospects-enterprise")).to_contain_text("浦东智算云")

    # The targets page, then the bulletin downloaded from the archive (and the download audited).
    page.goto(page.base_url + reverse("insight:targets"))
    expect(page.locator("h1")).to_have_text("目标进度")
    expect(page.locator("main")).to_contain_text("集聚优质企业")
    page.goto(page.base_url + reverse("insight:bulletins"))
    slug = f"{last_month:%Y-%m}"
    with page.expect_download() as download_info:
        page.locator(f"#bulletin-{slug} a", has_text="PDF").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".pdf")
    assert Path(download.path()).read_bytes().startswith(b"%PDF")
    entry = AuditEntry.objects.filter(action="insight.bulletin_download").get()
    assert entry.actor_id == leader.pk

    assert errors == [], errors
    outside = [url for url in requests if urlsplit(url).hostname not in LOCAL_HOSTS]
    assert requests and outside == [], outside
    assert any(url.endswith("/static/insight/vendor/echarts.min.js") for url in requests), requests
    context.close()

"""The service worker of the pages that work without a network (a visit form, a patrol's record page).

One script, `core/static/core/offline_sw.js`, served by each module under its own path (a service worker's
scope is the path it is served from) with the module's pages and assets above it; its version changes
when the script or the assets do, so a phone picks up a new release.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from pathlib import Path

from django.http import HttpResponse
from django.templatetags.static import static

SW_PATH = Path(__file__).parent / "static" / "core" / "offline_sw.js"
CORE_ASSETS = ("core/shouzhan.css", "core/htmx.min.js", "core/shouzhan.js")


def service_worker_response(
    *, name: str, scope: str, pages: Sequence[str], assets: Sequence[str]
) -> HttpResponse:
    """The worker for `scope` (e.g. "/patrols/"): keeps `pages` (URLs) and the static `assets` (names)."""
    urls = [static(a) for a in (*CORE_ASSETS, *assets)]
    source = SW_PATH.read_text(encoding="utf-8")
    version = hashlib.sha256("\n".join([source, *urls]).encode()).hexdigest()[:12]
    config = json.dumps(
        {"name": name, "version": version, "pages": list(pages), "assets": urls}, ensure_ascii=False
    )
    response = HttpResponse(
        f"self.SHOUZHAN = {config};\n{source}", content_type="application/javascript; charset=utf-8"
    )
    response["Service-Worker-Allowed"] = scope
    response["Cache-Control"] = "no-cache"
    return response

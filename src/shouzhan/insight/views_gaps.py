"""强链补链's pages: the gaps of every chain ranked, and one gap's figures with its 招商 list.

Thin: read the district, call insight.gaps (which checks who may read it), draw local against target as
inline SVG bars computed here (no JavaScript, nothing from the internet), render.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_GET

from shouzhan.core.limits import KEY_TEXT, BoundedForm
from shouzhan.core.money import format_wan, format_yuan
from shouzhan.insight import gaps as g
from shouzhan.insight.permissions import require_read
from shouzhan.registry.choices import DISTRICTS

BAR_W, BAR_H = 160, 12


class DistrictForm(BoundedForm):
    district = forms.CharField(
        label=_l("所在区"),
        required=False,
        max_length=KEY_TEXT,
        widget=forms.Select(choices=[(d, d) for d in DISTRICTS]),
    )

    def clean_district(self) -> str:
        district = self.cleaned_data.get("district") or g.DEFAULT_DISTRICT
        if district not in DISTRICTS:
            raise ValidationError(_("没有“%(d)s”这个区，请从列表中选择。") % {"d": district})
        return district


# ----------------------------------------------------------------------------- the bars (inline SVG)
@dataclass(frozen=True)
class Bar:
    """Local against target on one scale: the target pale, the local count over it, a tick at the target."""

    width: int
    height: int
    target_w: float
    local_w: float
    label: str
    colour: str


def bar(local: int, target: int, most: int) -> Bar:
    most = max(most, 1)
    local_w = round(BAR_W * min(local, most) / most, 1)
    target_w = round(BAR_W * target / most, 1)
    colour = "#17703d" if target and local >= target else ("#d84315" if local == 0 else "#0b57a4")
    label = _("本地 %(l)s 家 / 目标 %(t)s 家") % {"l": local, "t": target}
    return Bar(BAR_W + 2, BAR_H, target_w, local_w, label, colour)


def _revenue(gap: g.Gap) -> str:
    """In 万元, or in 元 below 1 万元 (so 300 fen is not shown as 0 万元); — with no local enterprise."""
    if not gap.local:
        return "—"
    return format_wan(gap.revenue_fen) if gap.revenue_fen >= 1_000_000 else format_yuan(gap.revenue_fen)


def _lines(gaps: list[g.Gap], district: str) -> list[dict[str, Any]]:
    most = max((max(x.target, x.local) for x in gaps), default=1)
    query = "" if district == g.DEFAULT_DISTRICT else "?" + urlencode({"district": district})
    return [
        {
            "gap": x,
            "bar": bar(x.local, x.target, most),
            "revenue": _revenue(x),
            "absence": g.fraction_text(x.absence),
            "support": g.fraction_text(x.support),
            "space": g.fraction_text(x.space),
            "score": g.fraction_text(x.score),
            "score_decimal": g.fraction_decimal(x.score),
            "score_exact": ""
            if Fraction(g.fraction_decimal(x.score)) == x.score
            else g.fraction_text(x.score),
            "url": reverse("insight:gap", args=[x.chain, x.node.key]) + query,
        }
        for x in gaps
    ]


def _district(request: HttpRequest) -> tuple[DistrictForm, str | None]:
    form = DistrictForm(request.GET)
    return form, (form.cleaned_data["district"] if form.is_valid() else None)


# ----------------------------------------------------------------------------- pages
@login_required
@require_GET
def gaps(request: HttpRequest) -> HttpResponse:
    require_read(request.user)
    form, district = _district(request)
    context: dict[str, Any] = {"form": form, "definitions": g.DEFINITIONS, "active_nav": "insight_gaps"}
    if district is None:
        return render(request, "insight/gaps.html", context, status=400)
    report = g.gap_report(actor=request.user, district=district)
    context.update({"report": report, "lines": _lines(report.rows, district)})
    return render(request, "insight/gaps.html", context)


@login_required
@require_GET
def gap(request: HttpRequest, chain: str, node: str) -> HttpResponse:
    require_read(request.user)
    form, district = _district(request)
    context: dict[str, Any] = {"form": form, "definitions": g.DEFINITIONS, "active_nav": "insight_gaps"}
    if district is None:
        return render(request, "insight/gap.html", context, status=400)
    report = g.gap_report(actor=request.user, district=district)
    found = [x for x in report.rows if x.chain == chain and x.node.key == node]
    if not found:
        raise Http404(_("没有找到该产业链环节。"))
    line = _lines(report.rows, district)[found[0].rank - 1]
    prospects = g.gap_prospects(actor=request.user, chain=chain, node=node, district=district)
    sections = [
        (g.ENTERPRISE, _("区外或集聚区外的企业"), _("名录中尚未在本区集聚区落户、但链位、行业或关键词与本环节相符的企业。")),
        (g.PATENT_OWNER, _("专利权人"), _("专利名称、技术领域或摘要含本环节关键词的专利（已授权或申请中）的权利人。")),
        (g.LISTING, _("技术成果"), _("技术市场上展示中的技术成果，名称、领域或摘要含本环节关键词。")),
    ]  # fmt: skip
    context.update(
        {
            "report": report,
            "line": line,
            "gap": found[0],
            "sections": [
                {"key": key, "title": title, "note": note, "rows": [p for p in prospects if p.kind == key]}
                for key, title, note in sections
            ],
            "per_kind": g.PER_KIND,
            "back_url": reverse("insight:gaps") + ("" if district == g.DEFAULT_DISTRICT else "?" + urlencode({"district": district})),
        }
    )  # fmt: skip
    return render(request, "insight/gap.html", context)


urlpatterns: list[URLPattern] = [
    path("gaps/", gaps, name="gaps"),
    path("gaps/<str:chain>/<str:node>/", gap, name="gap"),
]

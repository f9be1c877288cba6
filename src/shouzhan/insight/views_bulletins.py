"""The monthly bulletins (月度通报): the archive (GET /insight/bulletins/) with each month's PDF and workbook,
when and by whom it was generated and how often it was downloaded, the latest bulletin's key points; a
download (GET /insight/bulletins/<YYYY-MM>/<pdf|xlsx>/, audited with who took it); and the form with which
policy officers, leaders and administrators generate a past month by hand (POST /insight/bulletins/generate/)
— the background task does it on the first working day of each month."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_GET, require_POST

from shouzhan.core.forms import add_service_errors
from shouzhan.core.limits import BoundedForm
from shouzhan.insight.bulletin import bulletin_archive, bulletin_for_month, previous_month
from shouzhan.insight.permissions import can_manage, require_manage, require_read
from shouzhan.insight.services.bulletins import (
    KINDS,
    bulletin_download,
    bulletin_filename,
    bulletin_generate,
    month_parse,
)


class GenerateForm(BoundedForm):
    month = forms.CharField(
        label=_l("月份"),
        max_length=7,
        widget=forms.TextInput(attrs={"type": "month", "placeholder": "2026-09"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        last = previous_month(timezone.localdate())
        self.fields["month"].widget.attrs["max"] = f"{last.year}-{last.month:02d}"

    def clean_month(self) -> Any:
        month = month_parse(self.cleaned_data.get("month") or "")
        if month > previous_month(timezone.localdate()):
            raise ValidationError(_("只能生成已经结束的月份的通报。"))
        return month


def _page(request: HttpRequest, form: GenerateForm | None, status: int = 200) -> HttpResponse:
    rows = bulletin_archive(actor=request.user)
    manage = can_manage(request.user)
    if form is None and manage:
        last = previous_month(timezone.localdate())
        form = GenerateForm(initial={"month": f"{last.year}-{last.month:02d}"})
    latest = rows[0].bulletin if rows else None
    context = {
        "rows": rows,
        "latest": latest,
        "latest_summary": (latest.figures or {}).get("summary", []) if latest is not None else [],
        "form": form if manage else None,
        "now": timezone.localtime(),
    }
    return render(request, "insight/bulletins.html", context, status=status)


@login_required
@require_GET
def bulletins(request: HttpRequest) -> HttpResponse:
    require_read(request.user)
    return _page(request, None)


@login_required
@require_GET
def bulletin_file(request: HttpRequest, month: str, kind: str) -> HttpResponse:
    require_read(request.user)
    if kind not in KINDS:
        raise Http404(_("通报只有 PDF 和 Excel 两种格式。"))
    try:
        day = month_parse(month)
    except ValidationError:
        raise Http404(_("没有这个月份的通报。")) from None
    bulletin = bulletin_for_month(actor=request.user, month=day)
    data = bulletin_download(actor=request.user, bulletin=bulletin, kind=kind)
    response = HttpResponse(data, content_type=KINDS[kind])
    name = bulletin_filename(bulletin, kind)
    ascii_name = f"bulletin-{bulletin.month.year}-{bulletin.month.month:02d}.{kind}"
    response["Content-Disposition"] = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"
    response["Cache-Control"] = "private, no-store"  # every download is audited: never from a cache
    return response


@login_required
@require_POST
def bulletin_make(request: HttpRequest) -> HttpResponse:
    require_manage(request.user)
    form = GenerateForm(request.POST)
    if form.is_valid():
        month = form.cleaned_data["month"]
        existed = bulletin_archive_has(request, month)
        try:
            bulletin = bulletin_generate(actor=request.user, month=month)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            label = f"{bulletin.month.year}-{bulletin.month.month:02d}"
            if existed:
                messages.info(request, _("%(m)s 的月度通报已经生成过，未重新生成。") % {"m": label})
            else:
                messages.success(request, _("已生成 %(m)s 的月度通报。") % {"m": label})
            return redirect("insight:bulletins")
    return _page(request, form, status=400)


def bulletin_archive_has(request: HttpRequest, month: Any) -> bool:
    try:
        bulletin_for_month(actor=request.user, month=month)
    except Http404:
        return False
    return True


urlpatterns: list[URLPattern] = [
    path("bulletins/", bulletins, name="bulletins"),
    path("bulletins/generate/", bulletin_make, name="bulletin_generate"),
    path("bulletins/<str:month>/<str:kind>/", bulletin_file, name="bulletin_download"),
]

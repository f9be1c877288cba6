"""The public verification pages (存证核验), no login needed: upload a file and learn whether exactly this
content was registered and when; open a certificate's code (the QR code's target) and check its time-stamp
token; download the token (.tsr) and the authority's certificate to run `openssl ts -verify` yourself.

What a visitor learns: whether this content was registered, when, the time-stamp authority, the token's
verdict, and the certificate code. A published work's title and holder are shown; an unpublished work's are
not (see `selectors.registration_check`)."""

from __future__ import annotations

import hashlib
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from shouzhan.assets import selectors, tsa
from shouzhan.assets.certificates import stamp_times
from shouzhan.assets.forms import CodeForm, VerifyForm, max_mb_text
from shouzhan.assets.models import AssetVersion, Timestamp
from shouzhan.assets.nav import nav_key

ACTIVE = "assets_verify"
SHOWN_MAX = 10  # the same bytes registered in more works than this: the earliest are what counts


def _registration(request: HttpRequest, version: AssetVersion) -> dict[str, Any]:
    checked = selectors.registration_check(request.user, version)
    return {
        "version": version,
        "work": version.work,
        "disclosed": checked.disclosed,
        "stamp": checked.stamp,
        "times": stamp_times(checked.stamp.gen_time) if checked.stamp is not None else None,
        "verification": checked.verification,
        "url": reverse("assets:verify_code", args=[version.code]),
    }


def _page(request: HttpRequest, *, status: int = 200, **extra: Any) -> HttpResponse:
    context: dict[str, Any] = {
        "active_nav": nav_key(request.user, ACTIVE),
        "form": VerifyForm(auto_id="verify-%s"),
        "code_form": CodeForm(auto_id="code-%s"),
        "max_mb": max_mb_text(),
        **extra,
    }
    return render(request, "assets/verify.html", context, status=status)


@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        if "code" not in request.GET:
            return _page(request)
        code_form = CodeForm(request.GET, auto_id="code-%s")
        if code_form.is_valid():
            return redirect("assets:verify_code", code=code_form.cleaned_data["code"])
        return _page(request, status=400, code_form=code_form)
    form = VerifyForm(request.POST, request.FILES, auto_id="verify-%s")
    if not form.is_valid():
        return _page(request, status=400, form=form)
    upload = form.cleaned_data["file"]
    digest = hashlib.sha256()
    for chunk in upload.chunks():  # from the upload's temporary file, a chunk at a time
        digest.update(chunk)
    sha256 = digest.hexdigest()
    found = selectors.versions_by_digest(sha256)
    return _page(
        request,
        checked={
            "filename": upload.name,
            "size": upload.size,
            "sha256": sha256,
            "registrations": [_registration(request, v) for v in found[:SHOWN_MAX]],
            "more": max(0, len(found) - SHOWN_MAX),
        },
    )


def _version(code: str) -> AssetVersion:
    version = selectors.version_by_code(code)
    if version is None:
        raise Http404(_("没有找到该存证编号的登记记录，请核对证书上的编号。"))
    return version


@require_GET
def verify_code(request: HttpRequest, code: str) -> HttpResponse:
    version = _version(code)
    if version.code != code:  # typed in lower case or with spaces: one address per certificate
        return redirect("assets:verify_code", code=version.code)
    registration = _registration(request, version)
    context = {
        "active_nav": nav_key(request.user, ACTIVE),
        "r": registration,
        "command_data": tsa.verify_command_text(),
        "command_digest": tsa.verify_command_text(digest_hex=version.blob.sha256),
        "token_filename": tsa.TOKEN_FILENAME,
        "ca_filename": tsa.CERTIFICATE_FILENAME,
    }
    return render(request, "assets/verify_code.html", context)


@require_GET
def verify_token(request: HttpRequest, code: str) -> HttpResponse:
    """The time-stamp response as the authority returned it (what `openssl ts -verify -in` reads)."""
    version = _version(code)
    stamp = Timestamp.objects.filter(version=version).first()
    if stamp is None:
        raise Http404(_("该登记尚未取得时间戳，请稍后再试。"))
    response = HttpResponse(bytes(stamp.response_der), content_type="application/timestamp-reply")
    response["Content-Disposition"] = content_disposition_header(True, tsa.TOKEN_FILENAME) or ""
    return response


@require_GET
def verify_certificate(request: HttpRequest) -> HttpResponse:
    """The authority's certificates (root and TSA), the `-CAfile` of `openssl ts -verify`."""
    try:
        pem = tsa.tsa_certificate_pem()
    except tsa.TsaError as exc:
        return render(request, "core/error.html", {"status": 503, "message": str(exc)}, status=503)
    if not pem:
        raise Http404(_("时间戳服务尚未建立，暂无证书可下载。"))
    response = HttpResponse(pem, content_type="application/x-pem-file")
    response["Content-Disposition"] = content_disposition_header(True, tsa.CERTIFICATE_FILENAME) or ""
    return response

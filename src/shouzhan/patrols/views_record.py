"""Recording a patrol on a phone: the page, the phone's sync endpoint and the service worker.

The page (static/patrols/record.js) keeps the patrol being walked in IndexedDB as it goes (each GPS fix,
check-in, hazard and photo), so a reload or a flat battery loses nothing; Stop moves it to the outbox,
which is sent to `sync` as JSON with the patrol's own key, on load and whenever the network comes back —
so a patrol walked without a network is recorded once. The service worker keeps the page and its assets.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch, Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from shouzhan.core.offline import service_worker_response
from shouzhan.frontline.catalogue import dispatch_rules
from shouzhan.frontline.models import Demand
from shouzhan.patrols.forms_record import payload_parse
from shouzhan.patrols.honesty import flag_words
from shouzhan.patrols.models import Checkpoint, Chief, Patrol, Target
from shouzhan.patrols.observations import CHOICES
from shouzhan.patrols.rules import verdict_words
from shouzhan.patrols.services import patrol_record
from shouzhan.patrols.services.record import PHOTOS_MAX

SYNC_PHOTO_MAX = 2 * 1024 * 1024  # a photo sent from the phone, after decoding (it downscales to 1600 px)
# The whole patrol as JSON: 12 photos of 1600 px (about 0.5 MB each as base64) and 20,000 fixes (1.2 MB).
# Below DATA_UPLOAD_MAX_MEMORY_SIZE (10 MB), which core's input rules read every JSON body against first.
SYNC_BODY_MAX = 8 * 1024 * 1024
STATIC_FOR_OFFLINE = (
    "core/favicon.svg",
    "patrols/record.css",
    "patrols/record_outbox.js",
    "patrols/record.js",
    "community/scanner.js",
    "community/vendor/jsQR.js",
)


# ----------------------------------------------------------------------------------------------- the page
def _posts(user: Any, day: dt.date) -> list[Chief]:
    """The user's posts on the day, with their targets and checkpoints (one target once)."""
    posts = (
        Chief.objects.filter(user=user, from_on__lte=day, target__active=True)
        .filter(Q(to_on__isnull=True) | Q(to_on__gte=day))
        .select_related("target")
        .prefetch_related(Prefetch("target__checkpoints", queryset=Checkpoint.objects.order_by("order")))
        .order_by("target__name", "level")
    )
    seen: dict[int, Chief] = {}
    for post in posts:
        seen.setdefault(post.target_id, post)
    return list(seen.values())


def _target_data(post: Chief) -> dict[str, Any]:
    target: Target = post.target
    return {
        "id": target.pk,
        "name": target.name,
        "level": post.get_level_display(),
        "radius": target.checkin_radius_m,
        "start": target.start_label,
        "end": target.end_label,
        "checkpoints": [
            {"name": p.name, "code": p.code, "lat": float(p.latitude), "lon": float(p.longitude)}
            for p in target.checkpoints.all()
        ],
    }


@login_required
@require_GET
def record(request: HttpRequest) -> HttpResponse:
    """The phone page: choose a target, start, walk (track, check-ins, hazards), stop; works offline."""
    today = timezone.localdate()
    posts = _posts(request.user, today)
    if not posts:
        raise PermissionDenied(_("只有河长和巡查员可以登记巡查：您今天没有负责的巡查对象。"))
    categories = [
        (r.category, r.label, r.department.name if r.department is not None else "")
        for r in dispatch_rules(today)
    ]
    observations = [
        (key, str(label), [(value, str(words)) for value, words in values.items()])
        for key, (label, values) in CHOICES.items()
    ]
    response = render(
        request,
        "patrols/record.html",
        {
            "targets": [_target_data(p) for p in posts],
            "posts": posts,
            "categories": categories,
            "observations": observations,
            "photos_max": PHOTOS_MAX,
            "active_nav": "patrols_record",
        },
    )
    return response  # core's Permissions-Policy lets the site's own pages ask for the position and the camera


# ----------------------------------------------------------------------------------------------- sync
def _refuse(status: int, message: str, fields: dict[str, list[str]] | None = None) -> JsonResponse:
    return JsonResponse({"error": message, "fields": fields or {}}, status=status)


def _words(exc: ValidationError) -> tuple[str, dict[str, list[str]]]:
    fields = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    return " ".join(m for ms in fields.values() for m in ms), fields


def _body(request: HttpRequest) -> bytes | None:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > SYNC_BODY_MAX:
        return None
    body = request.read(SYNC_BODY_MAX + 1)
    return None if len(body) > SYNC_BODY_MAX else body


@require_http_methods(["POST"])
def sync(request: HttpRequest) -> JsonResponse:
    """A patrol sent from the phone's outbox (JSON), recorded once however often it is sent (its key)."""
    if not request.user.is_authenticated:
        return _refuse(401, _("登录已过期，请重新登录后再发送。"))
    body = _body(request)
    if body is None:
        return _refuse(413, _("这次巡查的记录太大（照片过多或过大），请减少照片后再发送。"))
    try:
        payload = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return _refuse(400, _("记录格式不正确，无法读取。"))
    try:
        fields = payload_parse(
            payload, idempotency_key=request.headers.get("Idempotency-Key", ""), photo_max=SYNC_PHOTO_MAX
        )
        target = Target.objects.filter(pk=fields.pop("target_id")).first()
        if target is None:
            raise ValidationError({"target": [_("没有找到这个巡查对象。")]})
        key = fields["client_key"]
        replay = bool(key) and Patrol.objects.filter(client_key=key).exists()
        patrol = patrol_record(actor=request.user, target=target, **fields)
    except PermissionDenied as exc:
        return _refuse(403, str(exc) or _("没有权限。"))
    except ValidationError as exc:
        message, errors = _words(exc)
        return _refuse(413 if "too_large" in errors else 400, message, errors)
    return JsonResponse(_answer(patrol, replay), status=200 if replay else 201)


def _hazard_row(demand: Demand) -> dict[str, Any]:
    return {
        "title": demand.case.title,
        "department": demand.department.name if demand.department is not None else "",
        "accept_due_on": demand.accept_due_on.isoformat() if demand.accept_due_on else None,
        "resolve_due_on": demand.resolve_due_on.isoformat() if demand.resolve_due_on else None,
        "url": reverse("frontline:demand", args=[demand.pk]),
    }


def _patrol_url(patrol: Patrol) -> str:
    return reverse("patrols:patrol", args=[patrol.pk])


def _answer(patrol: Patrol, replay: bool) -> dict[str, Any]:
    words = verdict_words(patrol)
    hazards = [
        _hazard_row(h.demand)
        for h in patrol.hazards.select_related("demand__case", "demand__department").order_by("pk")
    ]
    return {
        "id": patrol.pk,
        "url": _patrol_url(patrol),
        "replay": replay,
        "target": patrol.target.name,
        "meets_rules": patrol.meets_rules,
        "verdict": [text for _ok, text in words],
        "verdict_ok": [ok for ok, _text in words],
        "flags": [flag_words(f) for f in patrol.flags],
        "review": patrol.get_review_display(),
        "hazards": hazards,
        "message": (
            _("巡查已上报：达到巡查要求。") if patrol.meets_rules else _("巡查已上报：未达到巡查要求。")
        ),
    }


# ----------------------------------------------------------------------------------------------- service worker
@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    """The service worker, served under /patrols/ so that its scope covers the record page."""
    return service_worker_response(
        name="patrols", scope="/patrols/", pages=[reverse("patrols:record")], assets=STATIC_FOR_OFFLINE
    )


urlpatterns: list[URLPattern] = [
    path("record/", record, name="record"),
    path("sync/", sync, name="sync"),
    path("sw.js", service_worker, name="sw"),
]

"""Loading what is patrolled from data: rivers (一河一档), targets with checkpoints and chiefs, plans (一河一策),
and the frequency rules. Idempotent: records are saved by their codes, so loading twice changes nothing."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from shouzhan.core.actors import Actor
from shouzhan.core.audit import audit_record
from shouzhan.frontline.models import Department
from shouzhan.patrols import audit_actions as aa
from shouzhan.patrols.models import Checkpoint, Chief, FrequencyVersion, PlanMeasure, River, RiverPlan, Target
from shouzhan.patrols.permissions import require_manage
from shouzhan.patrols.services.manage import frequency_publish

DATA = Path(__file__).resolve().parent.parent / "data"


def checkpoint_code(target_code: str, order: int) -> str:
    """The code a checkpoint's QR carries: stable for an install, not guessable without its secret key."""
    digest = hashlib.sha256(f"{settings.SECRET_KEY}:patrol:{target_code}:{order}".encode()).hexdigest()
    return f"XC-{digest[:10].upper()}"


def frequency_load(*, actor: Actor, path: Path = DATA / "frequency.yaml") -> FrequencyVersion | None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return frequency_publish(actor=actor, data=data, source=path.name)


def _office(key: Any) -> Department | None:
    if not key:
        return None
    office = Department.objects.filter(key=str(key)).first()
    if office is None:
        raise ValidationError(_("没有代码为“%(k)s”的部门。") % {"k": key})
    return office


def _path(raw: Any) -> list[list[float]]:
    path = [[round(float(p[0]), 6), round(float(p[1]), 6)] for p in raw or []]
    if any(not (-90 <= lat <= 90 and -180 <= lon <= 180) for lat, lon in path):
        raise ValidationError(_("线路坐标超出范围。"))
    return path


@transaction.atomic
def patrols_data_load(*, actor: Actor, data: dict[str, Any]) -> dict[str, int]:
    """Rivers, targets (checkpoints, chiefs by mobile number) and plans from one mapping; what was new."""
    require_manage(actor)
    users = get_user_model().objects
    counts = {"rivers": 0, "targets": 0, "checkpoints": 0, "chiefs": 0, "plans": 0}
    rivers: dict[str, River] = {}
    for r in data.get("rivers", []):
        river, made = River.objects.update_or_create(
            code=r["code"],
            defaults={"name": r["name"], "level": r["level"], "length_m": int(r.get("length_m", 0)),
                      "description": r.get("description", ""), "office": _office(r.get("office"))},
        )  # fmt: skip
        rivers[river.code] = river
        counts["rivers"] += made
    for t in data.get("targets", []):
        target, made = Target.objects.update_or_create(
            code=t["code"],
            defaults={
                "kind": t.get("kind", Target.Kind.RIVER_SECTION), "name": t["name"],
                "river": rivers.get(t.get("river", "")) or River.objects.filter(code=t.get("river", "")).first(),
                "level": t.get("level", "street"), "street": t["street"], "start_label": t.get("start", ""),
                "end_label": t.get("end", ""), "length_m": int(t.get("length_m", 0)),
                "concerns": "\n".join(t.get("concerns", [])), "path": _path(t.get("path")),
                "checkin_radius_m": int(t.get("checkin_radius_m", 50)), "office": _office(t.get("office")),
            },
        )  # fmt: skip
        counts["targets"] += made
        for order, c in enumerate(t.get("checkpoints", []), start=1):
            _point, made = Checkpoint.objects.update_or_create(
                target=target, order=order,
                defaults={"name": c["name"], "latitude": c["lat"], "longitude": c["lon"],
                          "code": c.get("code") or checkpoint_code(target.code, order)},
            )  # fmt: skip
            counts["checkpoints"] += made
        for c in t.get("chiefs", []):
            user = users.filter(mobile=str(c["mobile"])).first()
            if user is None:
                raise ValidationError(_("没有手机号为 %(m)s 的用户。") % {"m": c["mobile"]})
            from_on = c.get("from") or dt.date(2026, 1, 1)
            _chief, made = Chief.objects.get_or_create(
                target=target, user=user, to_on=None,
                defaults={"level": c["level"], "title": c.get("title", ""), "from_on": from_on},
            )  # fmt: skip
            counts["chiefs"] += made
    for p in data.get("plans", []):
        river = rivers.get(p["river"]) or River.objects.get(code=p["river"])
        plan, made = RiverPlan.objects.update_or_create(
            river=river, title=p["title"],
            defaults={"period_from": p["from"], "period_to": p["to"], "goals": p["goals"]},
        )  # fmt: skip
        counts["plans"] += made
        if made:
            PlanMeasure.objects.bulk_create(
                [PlanMeasure(plan=plan, text=m["text"], responsible=m["responsible"], due_on=m["due"],
                             progress=int(m.get("progress", 0)), note=m.get("note", "")) for m in p["measures"]]
            )  # fmt: skip
    if any(counts.values()):
        audit_record(actor=actor, action=aa.DATA_LOAD, target_type="patrols.Target", after=counts)
    return counts

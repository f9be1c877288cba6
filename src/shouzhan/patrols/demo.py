"""The patrols part of the demo district (`shouzhan demo`): 徐汇's rivers (一河一档) with their sections,
checkpoints and chiefs, a flood wall and an incubation building, a plan per river (一河一策), two warning
spells, and the months before today patrolled through the services: honest walks along each section as often
as the rules of each day want, a handful of paper patrols (driven, too short, checkpoints missed, somewhere
else, pasted together, last time's photo) reviewed by 河长办 or waiting, two chiefs behind this month, and
hazards that became tickets in their departments' queues, the older ones accepted and answered.

Deterministic (random.Random(SEED) and the given `today`), idempotent (the data by its codes; the past once,
marked by the demo targets' patrols). The past moves the clock with time-machine like frontline's demo;
without it (a production install) only the district's files are loaded.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import math
import random
import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from django.db import transaction
from django.utils import timezone

from shouzhan.core.actors import system_actor
from shouzhan.core.roles import Role
from shouzhan.core.workdays import add_working_days, is_workday
from shouzhan.frontline import services as frontline
from shouzhan.frontline.models import Demand, Department, DepartmentMember
from shouzhan.patrols import services
from shouzhan.patrols.models import Checkpoint, Chief, Hazard, Patrol, Target, WarningSpell
from shouzhan.patrols.rules import RuleBook, Warnings, period_days

SEED = 16
PASSWORD = "shouzhan2026"
SYSTEM = system_actor("patrols-demo")
DATA = Path(__file__).resolve().parent / "data" / "demo_targets.yaml"
LEADER = "13800000005"  # the demo's leader: 区级河长 of 蒲汇塘 and 龙华港
SUPERVISOR = "13800000040"  # 河长办 at the water bureau: reviews flagged patrols
# (mobile, name, what the login is for): printed with the demo logins; the other chiefs only fill the tables.
LOGINS = [
    (SUPERVISOR, "周敏（河长办）", "区水务局河长办负责人：复核异常巡查、更新一河一策"),
    ("13800000041", "顾文华（副区长）", "区级河长：漕河泾港、张家塘港"),
    ("13800000042", "徐海涛（徐家汇街道）", "街镇级河长：蒲汇塘（徐家汇段）"),
    ("13800000043", "陈平（汇站居委）", "村居级河长：蒲汇塘（徐家汇段），手机巡河"),
]
CHIEFS = {
    "13800000060": "林燕", "13800000061": "马骏", "13800000062": "黄磊", "13800000063": "朱丽",
    "13800000064": "何斌", "13800000065": "宋佳", "13800000070": "杨红", "13800000071": "刘建",
    "13800000072": "许芳", "13800000073": "邵强", "13800000074": "彭丽", "13800000075": "曹军",
    "13800000076": "袁梅", "13800000077": "蒋涛", "13800000079": "沈建国",
}  # fmt: skip
LAX = {"13800000072", "13800000075"}  # have not patrolled this month: compliance shows them overdue
# Paper patrols: (chief, target, which of their patrols — negative from the last —, what was wrong).
FAKES = [
    ("13800000062", "caohejinggang-caohejing", 1, "driven"),
    ("13800000071", "longhuagang-west", 2, "short"),
    ("13800000073", "caohejinggang-caohejing", 4, "missed"),
    ("13800000070", "puhuitang-tianlin", 6, "far"),
    ("13800000076", "zhangjiatanggang-changqiao", 3, "jump"),
    ("13800000077", "shangaotang-longhua", 5, "photo"),
    ("13800000074", "caohejinggang-kangjian", -1, "driven"),
    ("13800000043", "puhuitang-xujiahui", -2, "missed"),
]
# The supervisor's decision on each kind: accepted with what was checked, or rejected with why.
DECISIONS = {
    "driven": (False, "轨迹时速约 30 公里，系乘车“巡河”，不予认可，请重新步行巡查。"),
    "short": (False, "巡查时长和距离明显不足，未走完全段，不予认可。"),
    "missed": (True, "打卡点二维码牌被遮挡，已电话核实当日在现场巡查，予以认可。"),
    "far": (False, "轨迹大部分不在本河段，不予认可。"),
    "jump": (True, "手机定位信号漂移造成跳点，其余轨迹完整，予以认可。"),
    "photo": (False, "照片与以前巡查上传的照片相同，请如实拍摄现场。"),
}
Found = tuple[str, str, bool, dict[str, str]]  # category, what was seen, urgent, the observations it adds
HAZARDS: dict[str, list[Found]] = {
    "river": [
        ("water", "河面漂浮垃圾较多，集中在桥下回水处", False, {"debris": "much"}),
        (
            "water",
            "沿岸排口有灰黑色污水排入河道，有明显异味",
            True,
            {"outfall": "abnormal", "odour": "strong"},
        ),
        ("water", "岸坡护栏松动倒伏约 5 米，存在落水隐患", True, {}),
        ("environment", "河岸绿地有人倾倒建筑垃圾", False, {"encroachment": "dumping"}),
        ("water", "水体发绿，疑似藻类滋生", False, {"colour": "green"}),
        ("water", "有人在禁钓区违规垂钓并架设地笼", False, {"encroachment": "fishing"}),
    ],
    "flood_wall": [("water", "防汛墙墙体出现长约 2 米的裂缝", True, {"wall": "cracked"})],
    "building": [("environment", "地下车库消防通道堆放杂物", False, {})],
}
REPLY = {
    "water": "已安排河道养护单位现场处置并复查，排口已溯源封堵，将纳入河长日常巡查。",
    "environment": "已现场检查并责令清理，相关单位已完成整改。",
}
M_PER_DEG = math.radians(1.0) * 6_371_008.8  # metres per degree of latitude on the sphere geo.py uses


def patrols_demo(*, today: dt.date, history: bool = True) -> list[str]:
    """The district's patrol files (always), and the months before today when asked and possible."""
    from shouzhan.accounts.models import User

    leader = User.objects.filter(mobile=LEADER).first()
    if leader is None:
        return ["巡河：未找到演示账号，已跳过"]
    frontline.frontline_data_load(actor=SYSTEM)
    services.frequency_load(actor=SYSTEM)
    _people()
    data = yaml.safe_load(DATA.read_text(encoding="utf-8"))
    services.patrols_data_load(actor=SYSTEM, data=data)
    codes = [t["code"] for t in data["targets"]]
    _warnings(today, codes)
    lines = [
        f"巡河：{Target.objects.filter(code__in=codes).count()} 个巡查对象，"
        f"{Checkpoint.objects.filter(target__code__in=codes).count()} 个打卡点，"
        f"{Chief.objects.filter(target__code__in=codes).values('user').distinct().count()} 名河长和巡查员"
    ]
    if history:
        lines.append(_history(today, codes))
    return lines


def logins() -> list[tuple[str, str, str]]:
    """(mobile, name, what for) of the river office's supervisor and three chiefs, for the demo's logins."""
    return list(LOGINS)


def _people() -> None:
    from shouzhan.accounts.models import User

    names = {**{m: n for m, n, _note in LOGINS}, **CHIEFS}
    for mobile, name in names.items():
        if not User.objects.filter(mobile=mobile).exists():
            User.objects.create_user(name=name, password=PASSWORD, mobile=mobile, role=Role.OFFICER)
    water = Department.objects.get(key="water")
    supervisor = User.objects.get(mobile=SUPERVISOR)
    role = DepartmentMember.Role.SUPERVISOR
    if not DepartmentMember.objects.filter(department=water, user=supervisor, role=role).exists():
        frontline.department_member_add(actor=SYSTEM, department=water, user=supervisor, role=role)


def _warnings(today: dt.date, codes: list[str]) -> None:
    """A yellow fortnight on 龙华港 six weeks ago, and one on 漕河泾港（康健段） now (set once)."""
    if WarningSpell.objects.filter(target__code__in=codes).exists():
        return
    past = today - dt.timedelta(days=45)
    reason = (
        "强降雨后龙华港水位接近警戒水位，加密巡查"
        if 6 <= past.month <= 9
        else "龙华港氨氮指标超标、局部水体发黑，加密巡查"
    )
    for code in ("longhuagang-west", "longhuagang-east"):
        services.warning_set(
            actor=SYSTEM, target=Target.objects.get(code=code), level="yellow", from_on=past,
            to_on=past + dt.timedelta(days=13), reason=reason,
        )  # fmt: skip
    services.warning_set(
        actor=SYSTEM, target=Target.objects.get(code="caohejinggang-kangjian"), level="yellow",
        from_on=today - dt.timedelta(days=9), to_on=today + dt.timedelta(days=5),
        reason="康健公园外侧岸坡出现裂缝，加密巡查",
    )  # fmt: skip


# ----------------------------------------------------------------------------- the months before today
@dataclass
class Trip:
    """One patrol of the past, planned before anything is recorded."""

    chief: Chief
    day: dt.date
    start: dt.datetime
    kind: str = "honest"
    hazard: Found | None = None
    photo: int | None = None  # the seed of a photo sent with it
    patrol: Patrol | None = None


def _history(today: dt.date, codes: list[str]) -> str:
    if importlib.util.find_spec("time_machine") is None:
        return "巡河历史：需要开发依赖 time-machine（make install 安装），已跳过"
    if Patrol.objects.filter(target__code__in=codes).exists():
        return "巡河历史：已加载，跳过"
    book = RuleBook.load()
    month = today.replace(day=1)
    first = (month - dt.timedelta(days=1)).replace(day=1)
    start = max((first - dt.timedelta(days=1)).replace(day=1), book.versions[0].valid_from)
    rng = random.Random(SEED)
    chiefs = list(
        Chief.objects.filter(target__code__in=codes, to_on=None)
        .select_related("target", "user")
        .order_by("target__code", "level", "user__mobile")
    )
    warnings = Warnings.load([c.target_id for c in chiefs])
    trips: list[Trip] = []
    for chief in chiefs:
        trips.extend(_plan_chief(rng, book, warnings, chief, start, today))
    _hazards_plan(rng, trips)
    events: list[tuple[dt.datetime, int, Callable[[], None]]] = []
    for trip in trips:
        sent, record = _record_event(rng, book, warnings, trip)
        events.append((sent, len(events), record))
        for at, run in _later(rng, trip, today):
            events.append((at, len(events), run))
    from shouzhan.cases.demo import travel

    with transaction.atomic():
        for at, _seq, run in sorted(events, key=lambda e: e[:2]):
            local = timezone.localtime(at)
            with travel(local.date(), local.hour, local.minute):
                run()
    patrols = Patrol.objects.filter(target__code__in=codes)
    reviews = {r: patrols.filter(review=r).count() for r in Patrol.Review.values}
    tickets = Hazard.objects.filter(patrol__target__code__in=codes).count()
    return (
        f"巡河历史：{start.isoformat()} 起巡查 {patrols.count()} 次（待复核 {reviews['flagged']} 次，"
        f"复核通过 {reviews['accepted']} 次，不通过 {reviews['rejected']} 次），隐患转工单 {tickets} 件"
    )


def _plan_chief(
    rng: random.Random, book: RuleBook, warnings: Warnings, chief: Chief, start: dt.date, today: dt.date
) -> list[Trip]:
    """As often as the rules of each day want (their share of a patrol a day, added up), a day or two
    early; now and then one is skipped; the lax chiefs have not been out this month."""
    days: list[dt.date] = []
    owed = rng.random()
    day = max(start, chief.from_on)
    while day < today:
        warning = warnings.on(chief.target_id, day)
        _v, rule, _s = book.rule_on(day, chief.level, warning)
        owed += rule.min_patrols / period_days(rule.period, day)
        if owed >= 1:
            owed -= 1
            if rng.random() < 0.92:
                days.append(max(start, day - dt.timedelta(days=rng.randint(0, 2))))
        day += dt.timedelta(days=1)
    if chief.user.mobile in LAX:
        days = [d for d in days if d < today.replace(day=1)]
    tz = timezone.get_current_timezone()
    trips = [
        Trip(chief, d, dt.datetime.combine(d, dt.time(rng.randint(8, 16), rng.randint(0, 59)), tzinfo=tz))
        for d in sorted(days)
    ]
    for mobile, code, index, kind in FAKES:
        if chief.user.mobile == mobile and chief.target.code == code and -len(trips) <= index < len(trips):
            trips[index].kind = kind
            if kind == "photo":
                trips[0].photo = 900  # an earlier patrol's photo, sent again
                trips[index].photo = 900
    return trips


def _hazards_plan(rng: random.Random, trips: list[Trip]) -> None:
    """About one honest patrol in fifteen on a working day finds a hazard, each with its photo."""
    seen: dict[str, int] = {}
    for trip in sorted(trips, key=lambda t: (t.start, t.chief.pk)):
        if trip.kind != "honest" or trip.photo is not None or not is_workday(trip.day):
            continue
        if rng.random() < 0.07:
            kind = "river" if trip.chief.target.kind == Target.Kind.RIVER_SECTION else trip.chief.target.kind
            choices = HAZARDS[kind]
            trip.hazard = choices[seen.get(kind, 0) % len(choices)]
            seen[kind] = seen.get(kind, 0) + 1
            trip.photo = 100 + sum(seen.values())


def _later(rng: random.Random, trip: Trip, today: dt.date) -> list[tuple[dt.datetime, Callable[[], None]]]:
    """What follows a patrol before today: the supervisor's review, the ticket accepted and answered."""
    tz = timezone.get_current_timezone()
    out: list[tuple[dt.datetime, Callable[[], None]]] = []
    recent = trip.day >= today - dt.timedelta(days=7)  # the supervisor has not come to last week's yet
    if trip.kind in DECISIONS:
        on = add_working_days(trip.day, rng.choice([1, 2])).date
        if not recent:
            out.append((dt.datetime.combine(on, dt.time(10, 30), tzinfo=tz), _review_event(trip)))
    if trip.hazard is not None:
        accept = add_working_days(trip.day, 1).date
        reply = add_working_days(accept, rng.randint(1, 3)).date
        if accept < today:
            out.append((dt.datetime.combine(accept, dt.time(9, 30), tzinfo=tz), _ticket_event(trip, accept)))
        if not recent:  # last week's are still being worked on
            out.append((dt.datetime.combine(reply, dt.time(15, 0), tzinfo=tz), _ticket_event(trip, reply)))
    return out


def _review_event(trip: Trip) -> Callable[[], None]:
    def run() -> None:
        from shouzhan.accounts.models import User

        assert trip.patrol is not None
        patrol = Patrol.objects.get(pk=trip.patrol.pk)
        if patrol.review != Patrol.Review.FLAGGED:
            return
        accept, note = DECISIONS[trip.kind]
        services.patrol_review(
            actor=User.objects.get(mobile=SUPERVISOR), patrol=patrol, accept=accept, note=note,
            expected_version=patrol.version,
        )  # fmt: skip

    return run


def _ticket_event(trip: Trip, on: dt.date) -> Callable[[], None]:
    def run() -> None:
        from shouzhan.accounts.models import User
        from shouzhan.frontline.demo import OFFICERS

        assert trip.patrol is not None and trip.hazard is not None
        demand = Demand.objects.select_related("case", "department").get(hazard__patrol=trip.patrol)
        key = demand.department.key if demand.department else ""
        mobile = next((m for m, _n, k, _r, _w in OFFICERS if k == key), None)
        officer = User.objects.filter(mobile=mobile).first() if mobile else None
        if officer is None:
            return
        if demand.case.state == "dispatched":
            frontline.ticket_accept(actor=officer, demand=demand, expected_version=demand.version, on=on)
        elif demand.case.state == "accepted":
            frontline.ticket_reply(
                actor=officer, demand=demand, answer=REPLY[trip.hazard[0]], expected_version=demand.version,
                on=on,
            )  # fmt: skip

    return run


# ----------------------------------------------------------------------------- one patrol's track
class Route:
    """A target's path in local metres, and where along it (arc length) each checkpoint lies."""

    def __init__(self, target: Target) -> None:
        self.lat0, self.lon0 = target.path[0]
        self.cos = math.cos(math.radians(self.lat0))
        self.xy = [self._xy(lat, lon) for lat, lon in target.path]
        self.arc = [0.0]
        for (x1, y1), (x2, y2) in zip(self.xy, self.xy[1:], strict=False):
            self.arc.append(self.arc[-1] + math.hypot(x2 - x1, y2 - y1))
        self.length = self.arc[-1]
        self.points = [
            (p, self.arc[min(range(len(self.xy)), key=lambda i: self._d(i, p))])
            for p in target.checkpoints.order_by("order")
        ]

    def _xy(self, lat: float, lon: float) -> tuple[float, float]:
        return (lon - self.lon0) * M_PER_DEG * self.cos, (lat - self.lat0) * M_PER_DEG

    def _d(self, i: int, point: Checkpoint) -> float:
        x, y = self._xy(float(point.latitude), float(point.longitude))
        return math.hypot(self.xy[i][0] - x, self.xy[i][1] - y)

    def at(self, s: float) -> tuple[float, float]:
        """The point `s` metres along a walk to the end and back, again and again."""
        s = s % (2 * self.length) if self.length else 0.0
        s = 2 * self.length - s if s > self.length else s
        i = max(1, next((k for k, a in enumerate(self.arc) if a >= s), len(self.arc) - 1))
        (x1, y1), (x2, y2) = self.xy[i - 1], self.xy[i]
        span = self.arc[i] - self.arc[i - 1] or 1.0
        f = (s - self.arc[i - 1]) / span
        return x1 + (x2 - x1) * f, y1 + (y2 - y1) * f

    def latlon(self, x: float, y: float) -> tuple[float, float]:
        return self.lat0 + y / M_PER_DEG, self.lon0 + x / (M_PER_DEG * self.cos)


def _shape(rng: random.Random, trip: Trip, route: Route, min_m: int) -> tuple[float, float]:
    """(metres, seconds) of the walk its kind makes: honest ones at 3.5–5 km/h for 30–60 minutes, at least
    the section and the rule's distance."""
    if trip.kind == "driven":
        speed = rng.uniform(28, 34) / 3.6
        return 2 * route.length, 2 * route.length / speed
    if trip.kind == "short":
        seconds = rng.uniform(11, 15) * 60
        return 4.0 / 3.6 * seconds, seconds
    speed = rng.uniform(3.5, 5.0) / 3.6
    metres = max(route.length, min_m + rng.uniform(150, 600))
    seconds = max(metres / speed, rng.uniform(30, 60) * 60 if metres / speed < 1800 else 0.0)
    return speed * seconds, seconds


def _track(rng: random.Random, trip: Trip, route: Route, metres: float, seconds: float) -> list[list[float]]:
    n = min(120, max(30, int(seconds // 25)))
    t0 = trip.start.timestamp()
    track = []
    for i in range(n):
        f = i / (n - 1)
        x, y = route.at(metres * f)
        if trip.kind == "far":
            y += 650.0  # a walk somewhere else, six hundred metres north
        if trip.kind == "jump" and f > 0.5:
            x += 1500.0  # the second half pasted from another walk
        lat, lon = route.latlon(x + rng.gauss(0, 3), y + rng.gauss(0, 3))
        track.append([round(lat, 6), round(lon, 6), round(t0 + seconds * f, 1), round(rng.uniform(5, 15), 1)])
    return track


def _record_event(
    rng: random.Random, book: RuleBook, warnings: Warnings, trip: Trip
) -> tuple[dt.datetime, Callable[[], None]]:
    """The patrol's track, check-ins, observations and hazards, and when it is sent (as it ends)."""
    target = trip.chief.target
    route = Route(target)
    _v, rule, _s = book.rule_on(trip.day, trip.chief.level, warnings.on(target.pk, trip.day))
    metres, seconds = _shape(rng, trip, route, rule.min_distance_m)
    track = _track(rng, trip, route, metres, seconds)
    end = trip.start + dt.timedelta(seconds=round(seconds))
    reached = [
        (p, trip.start + dt.timedelta(seconds=round(seconds * s / metres)))
        for p, s in route.points
        if s <= metres
    ]
    if trip.kind == "missed":
        reached = reached[:1]
    checkins = [{"code": p.code, "at": at.isoformat(), "method": "qr"} for p, at in reached]
    observations = _observations(rng, target, trip)
    hazards: list[dict[str, Any]] = []
    if trip.hazard is not None:
        category, text, urgent, _seen = trip.hazard
        lat, lon, t, _a = track[len(track) // 2]
        hazards.append({
            "category": category, "description": text, "urgent": urgent, "latitude": lat, "longitude": lon,
            "observed_at": dt.datetime.fromtimestamp(t, tz=dt.UTC).isoformat(), "photos": [0],
        })  # fmt: skip
    photos = [(f"巡查{trip.photo}.png", _png(trip.photo))] if trip.photo is not None else []

    def run() -> None:
        trip.patrol = services.patrol_record(
            actor=trip.chief.user, target=target, started_at=trip.start, ended_at=end, track=track,
            checkins=checkins, observations=observations, hazards=hazards, photos=photos,
            notes="沿线巡查，情况已记录。" if not hazards else "发现隐患，已拍照上报。",
        )  # fmt: skip

    return end + dt.timedelta(minutes=3), run


def _observations(rng: random.Random, target: Target, trip: Trip) -> dict[str, str]:
    if target.kind == Target.Kind.BUILDING:
        return {"note": "楼宇消防通道、外立面和设备间巡查"}
    if target.kind == Target.Kind.FLOOD_WALL:
        seen = {"wall": "intact", "encroachment": "none"}
    else:
        seen = {
            "colour": rng.choice(["normal", "normal", "normal", "turbid"]),
            "odour": rng.choice(["none", "none", "slight"]),
            "debris": rng.choice(["none", "none", "some"]),
            "outfall": rng.choice(["none", "normal"]),
            "encroachment": "none",
        }
        if rng.random() < 0.25:
            seen["quality"] = rng.choice(["III", "IV", "IV", "V"])
    if trip.hazard is not None:
        seen.update(trip.hazard[3])
    return seen


def _png(seed: int) -> bytes:
    """A small photo of a solid colour (a PNG), the same bytes for the same seed."""

    def chunk(tag: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)
        )

    colour = bytes([(37 * seed) % 256, (91 * seed) % 256, (173 * seed) % 256])
    raw = b"".join(b"\x00" + colour * 16 for _row in range(16))
    header = struct.pack(">IIBBBBB", 16, 16, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )

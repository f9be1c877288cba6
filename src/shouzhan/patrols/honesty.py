"""Honest patrols: the checks that put a patrol up for a supervisor's review, each with its reason.

Paper patrols (虚假巡河) look alike everywhere: driven rather than walked, too short, checkpoints skipped,
a track somewhere else, last week's photo again, a track pasted together from two walks. Each check below
looks for one of them in the numbers and says what it saw; none rejects anything by itself.

`measure()` turns a raw track into what the checks and the verdict need (length, duration, speeds), all
vectorised, so a thousand patrols of 200 points are judged in well under a second.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from django.utils.translation import gettext as _

from shouzhan.patrols import geo

WALK_OR_CYCLE_KMH = 25.0  # faster than this over a minute is a car, not a patrol
SPEED_WINDOW_S = 60.0
JUMP_KMH = 150.0  # one step faster than this, over more than JUMP_MIN_M, is an impossible jump
JUMP_MIN_M = 200.0
FAR_M = 200.0  # a point this far from the route is off the section …
FAR_SHARE = 0.2  # … and more than this share of points off it is a track somewhere else
ACCURACY_MAX_M = 100.0  # fixes less precise than this are kept in the track but not measured

CHECKS = ("speed", "jump", "short", "checkpoints", "far", "photo")


@dataclass(frozen=True)
class Measured:
    lat: geo.Array
    lon: geo.Array
    t: geo.Array
    steps_m: geo.Array  # length of each step between usable points
    jumps: npt.NDArray[np.intp]  # indexes of the steps that are impossible jumps
    distance_m: int  # the length walked, jumps left out
    points: int


def measure(track: Sequence[Sequence[Any]]) -> Measured:
    """Usable points (precise enough), their steps, the jumps among them and the distance walked."""
    lat, lon, t = _usable(track)
    steps = geo.segment_lengths_m(lat, lon)
    speeds = geo.segment_speeds_kmh(lat, lon, t)
    jumps = np.flatnonzero((speeds > JUMP_KMH) & (steps > JUMP_MIN_M))
    walked = steps.copy()
    walked[jumps] = 0.0
    return Measured(lat, lon, t, steps, jumps, round(float(walked.sum())), int(lat.size))


def _usable(track: Sequence[Sequence[Any]]) -> tuple[geo.Array, geo.Array, geo.Array]:
    """Latitudes, longitudes and times of the fixes precise enough to measure (no accuracy given: kept)."""
    empty = np.zeros(0, dtype=np.float64)
    if not len(track):
        return empty, empty, empty
    if all(len(p) == 4 for p in track):  # the usual shape: one array, no Python loop over the points
        data = np.asarray(track, dtype=np.float64)
        accuracy = np.nan_to_num(data[:, 3], nan=0.0)
    else:
        data = np.asarray([p[:3] for p in track], dtype=np.float64)
        accuracy = np.asarray([float(p[3]) if len(p) > 3 and p[3] is not None else 0.0 for p in track])
    keep = accuracy <= ACCURACY_MAX_M
    return data[keep, 0], data[keep, 1], data[keep, 2]


def fastest_minute_kmh(m: Measured) -> tuple[float, float]:
    """The highest average speed over any window of at least a minute (jumps left out), and when it began
    (seconds from the start)."""
    if m.t.size < 2:
        return 0.0, 0.0
    steps = m.steps_m.copy()
    steps[m.jumps] = 0.0
    covered = np.concatenate([[0.0], np.cumsum(steps)])
    ends = np.searchsorted(m.t, m.t + SPEED_WINDOW_S, side="left")
    valid = ends < m.t.size
    if not valid.any():  # the whole track is shorter than a minute: its average speed
        span = float(m.t[-1] - m.t[0]) or 1.0
        return float(covered[-1] / span * 3.6), 0.0
    starts = np.flatnonzero(valid)
    ends = ends[valid]
    speeds = (covered[ends] - covered[starts]) / (m.t[ends] - m.t[starts]) * 3.6
    worst = int(np.argmax(speeds))
    return float(speeds[worst]), float(m.t[starts[worst]] - m.t[0])


def checks_run(
    m: Measured,
    *,
    path: Sequence[Sequence[float]],
    duration_s: int,
    min_minutes: int,
    min_distance_m: int,
    checkpoints: Sequence[str],
    checked_in: Sequence[str],
    reused_photos: Sequence[str],
) -> list[dict[str, Any]]:
    """Every check's flag (empty when the patrol looks honest); stored as data, read by flag_words()."""
    flags: list[dict[str, Any]] = []
    speed, at = fastest_minute_kmh(m)
    if speed > WALK_OR_CYCLE_KMH:
        flags.append({"check": "speed", "kmh": round(speed, 1), "at_s": int(at), "limit": WALK_OR_CYCLE_KMH})
    if m.jumps.size:
        i = int(m.jumps[0])
        flags.append({"check": "jump", "count": int(m.jumps.size), "m": round(float(m.steps_m[i])),
                      "s": int(m.t[i + 1] - m.t[i])})  # fmt: skip
    if duration_s < min_minutes * 60 or m.distance_m < min_distance_m:
        flags.append({"check": "short", "s": duration_s, "m": m.distance_m, "min_minutes": min_minutes,
                      "min_m": min_distance_m})  # fmt: skip
    missed = [name for name in checkpoints if name not in set(checked_in)]
    if missed:
        flags.append({"check": "checkpoints", "missed": missed, "of": len(checkpoints)})
    if path and m.points:
        far = geo.distances_from_path_m(m.lat, m.lon, path) > FAR_M
        share = float(far.mean())
        if share > FAR_SHARE:
            flags.append({"check": "far", "share": round(share, 3), "limit_m": FAR_M})
    if reused_photos:
        flags.append({"check": "photo", "count": len(reused_photos), "where": list(reused_photos)[:5]})
    return flags


def kilometres(metres: int | float) -> str:
    """2400 → "2.4", 2000 → "2", as the verdict writes them (rules.kilometres; rules imports models, this not)."""
    return f"{metres / 1000:.2f}".rstrip("0").rstrip(".")


def flag_words(flag: dict[str, Any]) -> str:
    """A stored flag as a sentence in the reader's language."""
    check = flag.get("check")
    if check == "speed":
        return _("开始后第 %(min)s 分钟起的一分钟内平均时速 %(kmh)s 公里，超过步行或骑行的 %(limit)s 公里。") % {
            "min": int(flag["at_s"]) // 60 + 1, "kmh": flag["kmh"], "limit": int(flag["limit"]),
        }  # fmt: skip
    if check == "jump":
        return _("轨迹有 %(n)s 处跳点：相邻两个定位相距 %(m)s 米，只隔 %(s)s 秒。") % {
            "n": flag["count"], "m": flag["m"], "s": flag["s"],
        }  # fmt: skip
    if check == "short":
        return _("巡查 %(min)s 分钟、%(km)s 公里，不足规定的 %(rmin)s 分钟、%(rkm)s 公里。") % {
            "min": int(flag["s"]) // 60, "km": kilometres(flag["m"]),
            "rmin": flag["min_minutes"], "rkm": kilometres(flag["min_m"]),
        }  # fmt: skip
    if check == "checkpoints":
        return _("%(of)s 个打卡点漏了 %(n)s 个：%(names)s。") % {
            "of": flag["of"], "n": len(flag["missed"]), "names": "、".join(flag["missed"]),
        }  # fmt: skip
    if check == "far":
        return _("%(p)s%% 的轨迹点离巡查线路超过 %(m)s 米。") % {
            "p": round(float(flag["share"]) * 100), "m": int(flag["limit_m"]),
        }  # fmt: skip
    if check == "photo":
        return _("%(n)s 张照片与以前的巡查记录中的照片相同（%(where)s）。") % {
            "n": flag["count"], "where": "；".join(flag["where"]),
        }  # fmt: skip
    return _("其他异常。")

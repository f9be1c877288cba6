"""Synthetic media for the fingerprint tests, made by ffmpeg's own sources only (nothing downloaded).

Episodes: 20 videos of 45-75 s at 320x240, each three scenes of different generators (gradients, life,
cellauto, mandelbrot, a texture panned by crop) under a moving sprite, with a melody for sound.
Clips: 6 per episode, cut from inside (8-30 s) and transformed the ways pirated copies are: resized,
re-encoded at a low bitrate, watermarked, mirrored, padded with borders, and combinations.
Unrelated: 10 videos from generators and seeds no episode uses.

build_media_set() makes and fingerprints the whole set once per test session (about a minute on 2 cores).
"""

from __future__ import annotations

import os
import random
import subprocess
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from shouzhan.assets.fingerprints import VideoPrint, video_fingerprint

FFMPEG = "/usr/bin/ffmpeg"
W, H, FPS = 320, 240, 10
EPISODES = 20
CLIPS_PER_EPISODE = 6
UNRELATED = 10
CJK_FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
WORKERS = max(2, min(4, (os.cpu_count() or 2) + 1))

DARK = ["black", "navy", "purple", "darkgreen", "maroon"]
LIGHT = ["white", "yellow", "cyan", "orange", "pink"]
PALETTE = DARK + LIGHT + ["red", "blue", "green", "magenta"]
MANDEL_POINTS = [  # one per episode: two zooms into the same point would be the same footage
    (-0.743644, -0.131826),
    (-0.75, 0.1),
    (-1.25066, 0.02012),
    (-0.1011, 0.9563),
    (0.285, 0.01),
    (-1.7687788, -0.0017389),
    (-1.0, 0.2549),
    (-0.391, 0.587),
    (-0.722, 0.246),
    (-0.235125, 0.827215),
    (0.0016437, -0.8224676),
    (-1.62917, -0.0203968),
    (-1.0, -0.2549),
    (0.42884, -0.231345),
    (-0.045, 0.644),
    (0.2732263, 0.5951533),
    (-0.1385652, -0.6493599),
    (-1.4011551, 0.0),
    (-0.5577, 0.6355),
    (0.37, 0.1),
]
CA_RULES = [30, 45, 73, 90, 105, 110, 150, 22, 126, 60]
LIFE_RULES = ["B3/S23", "B36/S23", "B3678/S34678", "B35678/S5678", "B368/S245"]
TRANSFORMS = [
    "cut",
    "resize",
    "lowbitrate",
    "watermark",
    "mirror",
    "border",
    "mirror+border",
    "resize+watermark",
    "border+watermark+lowbitrate",
    "mirror+resize+lowbitrate",
]


@dataclass
class Clip:
    path: Path
    episode: int  # index into MediaSet.episodes
    start_ms: int
    transform: str


@dataclass
class MediaSet:
    episodes: list[Path]
    clips: list[Clip]
    unrelated: list[Path]
    prints: dict[Path, VideoPrint] = field(default_factory=dict)


def ffmpeg(*args: str) -> None:
    subprocess.run([FFMPEG, "-nostdin", "-v", "error", "-y", *args], check=True, timeout=120)


def _scene(rng: random.Random, family: str, seed: int, episode: int) -> str:
    """A filter-graph source of one scene (before scaling to W x H)."""
    contrast = [rng.choice(DARK), rng.choice(LIGHT)]
    if family == "gradients":
        colors = [*contrast, *rng.sample(PALETTE, 3)]
        named = ":".join(f"c{i}={c}" for i, c in enumerate(colors))
        return (
            f"gradients=s={W // 2}x{H // 2}:r={FPS}:n=5:{named}:type={rng.randint(0, 3)}"
            f":speed={rng.uniform(0.008, 0.016):.4f}:seed={seed}"
        )
    if family == "life":
        dead, live = contrast
        return (
            f"life=s=80x60:r=3:seed={seed}:ratio={rng.uniform(0.35, 0.5):.2f}:rule={rng.choice(LIFE_RULES[:3])}"
            f":mold=25:life_color={live}:death_color={dead}:mold_color={rng.choice(PALETTE)}"
        )
    if family == "cellauto":
        return f"cellauto=s=64x48:r=3:rule={rng.choice(CA_RULES[:6])}:seed={seed}"
    if family == "mandelbrot":
        x, y = MANDEL_POINTS[episode % len(MANDEL_POINTS)]
        return (
            f"mandelbrot=s={W}x{H}:r={FPS}:maxiter=120:start_x={x}:start_y={y}"
            f":start_scale={rng.uniform(0.04, 0.06):.3f}:end_scale=0.005:end_pts={rng.randint(300, 500)}"
        )
    # "pan": a large still texture (a spiral of 8 colours) looked at through a moving crop window
    colors = ":".join(f"c{i}={c}" for i, c in enumerate([*contrast, *rng.sample(PALETTE, 6)]))
    return (
        f"gradients=s={W // 2}x{H // 2}:r={FPS}:n=8:{colors}:type=3:speed=0.00001:seed={seed},scale=640:480,"
        f"crop={W}:{H}:x='160+150*sin(t*{rng.uniform(0.2, 0.5):.2f})':y='120+110*cos(t*{rng.uniform(0.2, 0.5):.2f})'"
    )


def _sprite(rng: random.Random, label: str) -> str:
    """A coloured box moving over the picture ([bg] in, [v] out): the moving object of the scene."""
    color = rng.choice(PALETTE)
    a, b = rng.uniform(0.3, 0.9), rng.uniform(0.3, 0.9)
    return (
        f"color=c={color}:s=48x40:r={FPS}[{label}sp];"
        f"[{label}bg][{label}sp]overlay=x='(W-w)/2+(W-w)/2*sin(t*{a:.2f})':y='(H-h)/2+(H-h)/2*cos(t*{b:.2f})'"
        f":shortest=1"
    )


def melody(rng: random.Random, seconds: float) -> str:
    """A tune that does not repeat within minutes (three cycles of 13, 11 and 7 notes), its own tempo."""
    base, a, b, c = rng.randint(150, 260), rng.randint(15, 25), rng.randint(25, 35), rng.randint(10, 20)
    m13, m11, m7 = rng.randint(2, 12), rng.randint(2, 10), rng.randint(2, 6)
    note = f"floor(t*{rng.choice([3, 4, 5, 6])}+{rng.random():.2f})"
    freq = f"{base}+{a}*mod({note}*{m13}\\,13)+{b}*mod({note}*{m11}\\,11)+{c}*mod({note}*{m7}\\,7)"
    return f"aevalsrc=exprs='0.4*sin(2*PI*t*({freq}))':s=11025:d={seconds}"


def make_episode(path: Path, index: int) -> None:
    rng = random.Random(1000 + index)
    families = ["gradients", "life", "cellauto", "mandelbrot", "pan"]
    chosen = [families[index % 5], families[(index + 2) % 5], families[(index + 4) % 5]]
    lengths = [rng.randint(15, 25) for _ in chosen]
    parts = []
    for k, (family, seconds) in enumerate(zip(chosen, lengths, strict=True)):
        src = _scene(rng, family, seed=index * 10 + k, episode=index)
        parts.append(
            f"{src},scale={W}:{H}:flags=neighbor,setsar=1,fps={FPS},format=yuv420p,"
            f"trim=duration={seconds},setpts=PTS-STARTPTS[s{k}]"
        )
    graph = ";".join(parts) + ";" + "".join(f"[s{k}]" for k in range(len(chosen)))
    graph += f"concat=n={len(chosen)}:v=1:a=0[ebg];" + _sprite(rng, "e") + "[v]"
    total = sum(lengths)
    graph += f";{melody(rng, total)}[a]"
    ffmpeg(
        "-filter_complex", graph, "-map", "[v]", "-map", "[a]", "-t", str(total),
        "-c:v", "libx264", "-preset", "ultrafast", "-g", "50", "-c:a", "aac", "-b:a", "48k", str(path),
    )  # fmt: skip


def _watermark() -> str:
    logo = "drawbox=x=iw-70:y=ih-50:w=60:h=40:color=red@0.6:t=fill"
    if not Path(CJK_FONT).exists():
        return logo
    return (
        f"drawtext=fontfile={CJK_FONT}:text='盗版 PIRATED':x=10:y=10:fontsize=22:fontcolor=white@0.85"
        f":box=1:boxcolor=black@0.4,{logo}"
    )


def _transform_filters(transform: str, rng: random.Random) -> tuple[list[str], list[str]]:
    """(video filters, extra encoder options) of a transformation like 'mirror+border'."""
    filters: list[str] = []
    options: list[str] = []
    for step in transform.split("+"):
        if step == "resize":
            filters.append(rng.choice(["scale=480:360", "scale=176:144", "scale=640:360", "scale=256:192"]))
        elif step == "lowbitrate":
            filters.append("scale=240:180")
            options += ["-b:v", "40k", "-maxrate", "60k", "-bufsize", "60k"]
        elif step == "watermark":
            filters.append(_watermark())
        elif step == "mirror":
            filters.append("hflip")
        elif step == "border":
            filters.append(
                rng.choice(
                    [
                        "pad=w=ceil(ih*16/9/2)*2:h=ih:x=(ow-iw)/2:y=0:color=black",  # pillarbox to 16:9
                        "pad=w=iw:h=ceil(ih*1.4/2)*2:x=0:y=(oh-ih)/2:color=0x2040a0",  # coloured letterbox
                        "pad=w=iw+64:h=ih+48:x=32:y=24:color=white",  # a frame all around
                    ]
                )
            )
    return filters, options


def make_clip(source: Path, path: Path, start_ms: int, seconds: int, transform: str, seed: int) -> None:
    filters, options = _transform_filters(transform, random.Random(seed))
    vf = ",".join([*filters, "setsar=1"])
    ffmpeg(
        "-ss", f"{start_ms / 1000:.3f}", "-i", str(source), "-t", str(seconds), "-vf", vf,
        "-c:v", "libx264", "-preset", "ultrafast", *options, "-c:a", "copy", str(path),
    )  # fmt: skip


UNRELATED_SOURCES = [
    "sierpinski=s={W}x{H}:r={FPS}:seed=777:type=carpet",
    "sierpinski=s={W}x{H}:r={FPS}:seed=4242:type=triangle",
    "mptestsrc=r={FPS}:t=all,scale={W}:{H}",
    "testsrc2=s={W}x{H}:r={FPS}",
    "smptehdbars=s={W}x{H}:r={FPS},hue=h='t*20'",
    "rgbtestsrc=s={W}x{H}:r={FPS},rotate=a='t*0.3'",
    "life=s=40x30:r=3:seed=90001:ratio=0.4:rule=B35678/S5678:life_color=white:death_color=purple,"
    "scale={W}:{H}:flags=neighbor",
    "cellauto=s=64x48:r=3:rule=150:seed=90002,scale={W}:{H}:flags=neighbor,hue=h=90",
    "mandelbrot=s={W}x{H}:r={FPS}:maxiter=120:start_x=-0.16:start_y=1.0405:end_pts=400:outer=outz",
    "gradients=s={W}x{H}:r={FPS}:n=3:c0=white:c1=purple:c2=black:type=3:speed=0.012:seed=90003",
]


def make_unrelated(path: Path, index: int) -> None:
    src = UNRELATED_SOURCES[index % len(UNRELATED_SOURCES)].format(W=W, H=H, FPS=FPS)
    ffmpeg(
        "-f", "lavfi", "-i", f"{src},scale={W}:{H},setsar=1,fps={FPS},format=yuv420p",
        "-f", "lavfi", "-i", f"sine=f={300 + 40 * index}:sample_rate=22050",
        "-t", "20", "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac", "-b:a", "32k", "-shortest", str(path),
    )  # fmt: skip


def _episode_seconds(path: Path) -> float:
    out = subprocess.run(
        ["/usr/bin/ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", str(path)],
        capture_output=True,
        check=True,
        text=True,
    )
    return float(out.stdout.strip())


def generate(root: Path) -> MediaSet:
    root.mkdir(parents=True, exist_ok=True)
    episodes = [root / f"episode_{i:02d}.mp4" for i in range(EPISODES)]
    unrelated = [root / f"unrelated_{i:02d}.mp4" for i in range(UNRELATED)]
    with ThreadPoolExecutor(WORKERS) as pool:
        list(pool.map(make_episode, episodes, range(EPISODES)))
        list(pool.map(make_unrelated, unrelated, range(UNRELATED)))
        clips: list[Clip] = []
        jobs = []
        for e, source in enumerate(episodes):
            seconds_total = _episode_seconds(source)
            rng = random.Random(5000 + e)
            for k in range(CLIPS_PER_EPISODE):
                transform = TRANSFORMS[(e * CLIPS_PER_EPISODE + k) % len(TRANSFORMS)]
                seconds = rng.randint(8, 30)
                start_ms = rng.randint(10, int((seconds_total - seconds - 1) * 10)) * 100
                clip = Clip(root / f"clip_{e:02d}_{k}.mp4", e, start_ms, transform)
                clips.append(clip)
                jobs.append((source, clip.path, start_ms, seconds, transform, e * 100 + k))
        list(pool.map(lambda j: make_clip(*j), jobs))
    return MediaSet(episodes=episodes, clips=clips, unrelated=unrelated)


def fingerprint_all(media: MediaSet) -> None:
    paths = [*media.episodes, *(c.path for c in media.clips), *media.unrelated]
    with ThreadPoolExecutor(WORKERS) as pool:
        media.prints = dict(zip(paths, pool.map(video_fingerprint, paths), strict=True))


_CACHE: dict[str, MediaSet] = {}


def build_media_set(tmp_path_factory: pytest.TempPathFactory) -> MediaSet:
    """The generated and fingerprinted set, made once per test session."""
    if "set" not in _CACHE:
        media = generate(tmp_path_factory.mktemp("media_set"))
        fingerprint_all(media)
        _CACHE["set"] = media
    return _CACHE["set"]

"""Small media for the assets demo and its benchmark, made here (ffmpeg's synthetic sources, Pillow,
weasyprint, zipfile), never downloaded.

Each file is kept under var/demo_media, named by the hash of what made it (the generator's recipe and its
parameters), so a second `shouzhan demo` (or a second benchmark run) reads it back instead of encoding it
again. Every generator is deterministic: the same parameters give the same picture, sound and text.
"""

from __future__ import annotations

import hashlib
import io
import json
import random
import subprocess
import zipfile
from pathlib import Path

from django.conf import settings

RECIPE = 3  # bump when a generator changes what it makes: the cached files are then made again
WIDTH, HEIGHT, FPS = 320, 240, 10
FFMPEG_TIMEOUT = 120


def cache_dir() -> Path:
    path = Path(settings.VAR_DIR) / "demo_media"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _cached(kind: str, suffix: str, params: dict[str, object]) -> tuple[Path, bool]:
    """(path, present): the file of `kind` for these parameters, and whether it was made before."""
    key = hashlib.sha256(json.dumps([RECIPE, kind, params], sort_keys=True).encode()).hexdigest()[:20]
    path = cache_dir() / f"{kind}-{key}.{suffix}"
    return path, path.exists() and path.stat().st_size > 0


def _ffmpeg(args: list[str], out: Path) -> None:
    tmp = out.with_name(f".{out.name}.part{out.suffix}")
    command = ["ffmpeg", "-v", "error", "-y", *args, str(tmp)]
    subprocess.run(command, check=True, timeout=FFMPEG_TIMEOUT, capture_output=True)  # noqa: S603 (fixed argv)
    tmp.replace(out)  # a half-written file is never taken for a cached one


# The scenes an episode is cut from: a seeded moving gradient (what a perceptual hash sees: the picture's
# large shapes) under a seeded texture, so two episodes (and two scenes) look nothing alike to the
# fingerprints, with a scene cut every few seconds as in a real drama.
_GROUND = "gradients=s={w}x{h}:r={r}:seed={seed}:speed=0.02:nb_colors=3:type={kind}"
_TEXTURES = (
    "life=s={w}x{h}:r={r}:seed={seed}:ratio=0.3:mold=8:life_color=#D2643C:death_color=#1C2448",
    "cellauto=s={w}x{h}:r={r}:seed={seed}:rule={rule}:scroll=1",
    "mandelbrot=s={w}x{h}:r={r}:start_x=-{x}:start_y=0.{seed4}:start_scale=2.5:end_scale=0.5",
)
# The sound: a seeded tune (a note every 250 ms from a 19-step scale, a second voice an octave down)
# over quiet seeded noise; chromaprint tells two tunes apart, not two noises.
_TUNE = (
    "aevalsrc=exprs='0.35*sin(2*PI*{f}*pow(2,mod(floor(t*{k})*floor(t*{k})*{a}+floor(t*{k})*{b}+{c},23)/12)*t)"
    "+0.15*sin(2*PI*{f}*pow(2,mod(floor(t*{k}/2)*{c}+{a},17)/12-1)*t)':s=22050:d={d}"
)


def _boxes(rng: random.Random) -> str:
    """Three seeded blocks drifting slowly across the scene: the large shapes of its picture."""
    out = []
    for _ in range(3):
        w, h = rng.randint(60, 180), rng.randint(50, 150)
        x, y, speed = rng.randint(0, 240), rng.randint(0, 180), rng.choice([-6, -3, 3, 6])
        colour = "0x" + "".join(f"{rng.randrange(256):02X}" for _ in range(3))
        out.append(f"drawbox=x='{x}+{speed}*t':y={y}:w={w}:h={h}:color={colour}@0.85:t=fill,")
    return "".join(out)


def video(*, seed: int, seconds: int = 30, width: int = WIDTH, height: int = HEIGHT) -> Path:
    """An episode: scenes of 3 to 7 seconds (each its own seeded gradient and texture) with a seeded tune
    for sound (H.264 + AAC in MP4)."""
    path, present = _cached("video", "mp4", {"seed": seed, "s": seconds, "w": width, "h": height})
    if present:
        return path
    rng = random.Random(seed)
    graph: list[str] = []
    labels: list[str] = []
    left = seconds
    while left > 0:
        d = min(left, rng.randint(3, 7))
        left -= d
        s = rng.randrange(1, 10**6)
        values = {
            "w": width, "h": height, "r": FPS, "seed": s, "seed4": f"{s % 10000:04d}",
            "rule": rng.choice([18, 30, 90, 110]), "x": f"{0.5 + rng.random():.3f}",
            "kind": rng.choice(["linear", "radial", "circular", "spiral"]),
        }  # fmt: skip
        label = f"v{len(labels)}"
        ground, texture = _GROUND.format(**values), rng.choice(_TEXTURES).format(**values)
        graph.append(
            f"{ground}[g{label}];{texture},format=gbrp[t{label}];[g{label}]format=gbrp[h{label}];"
            f"[h{label}][t{label}]blend=all_mode=normal:all_opacity=0.3,trim=duration={d},"
            f"{_boxes(rng)}setpts=PTS-STARTPTS,format=yuv420p,setsar=1[{label}]"
        )
        labels.append(f"[{label}]")
    graph.append(f"{''.join(labels)}concat=n={len(labels)}:v=1:a=0[v]")
    a, b, c = rng.randrange(1, 23), rng.randrange(1, 23), rng.randrange(23)
    f, k = rng.randint(160, 420), rng.choice([2, 3, 4, 5])
    graph.append(
        f"{_TUNE.format(a=a, b=b, c=c, f=f, k=k, d=seconds)}[u];anoisesrc=d={seconds}:c=pink:seed={seed}:a=0.05[n];"
        "[u][n]amix=inputs=2:duration=shortest[a]"
    )
    _ffmpeg(
        ["-filter_complex", ";".join(graph), "-map", "[v]", "-map", "[a]", "-t", str(seconds),
         "-c:v", "libx264", "-preset", "ultrafast", "-crf", "28", "-pix_fmt", "yuv420p",
         "-c:a", "aac", "-b:a", "64k", "-movflags", "+faststart"],
        path,
    )  # fmt: skip
    return path


def clip(*, source: Path, start_s: float, seconds: float, width: int = 240, pad: int = 16) -> Path:
    """A pirated copy cut from inside `source`: resized, re-encoded at a low bitrate, with a black border
    added (as reposted clips are)."""
    params = {"src": source.name, "ss": start_s, "t": seconds, "w": width, "pad": pad}
    path, present = _cached("clip", "mp4", params)
    if present:
        return path
    vf = f"scale={width}:-2,pad=iw+{2 * pad}:ih+{2 * pad}:{pad}:{pad}:black,format=yuv420p"
    _ffmpeg(
        ["-ss", f"{start_s:.3f}", "-t", f"{seconds:.3f}", "-i", str(source), "-vf", vf,
         "-c:v", "libx264", "-preset", "ultrafast", "-b:v", "150k", "-c:a", "aac", "-b:a", "48k"],
        path,
    )  # fmt: skip
    return path


def character_png(*, seed: int, title: str = "") -> bytes:
    """A character design sheet: a figure drawn from seeded shapes on a tinted ground (PNG, 480x640)."""
    path, present = _cached("character", "png", {"seed": seed, "title": title})
    if present:
        return path.read_bytes()
    from PIL import Image, ImageDraw

    rng = random.Random(seed)
    ground = tuple(rng.randint(200, 245) for _ in range(3))
    ink = tuple(rng.randint(30, 120) for _ in range(3))
    image = Image.new("RGB", (480, 640), ground)
    draw = ImageDraw.Draw(image)
    for _ in range(24):  # the background's pattern
        x, y, r = rng.randrange(480), rng.randrange(640), rng.randint(8, 40)
        tint = tuple(min(255, c + rng.randint(-25, 10)) for c in ground)
        draw.ellipse((x - r, y - r, x + r, y + r), fill=tint)
    cx = 240
    draw.ellipse((cx - 70, 90, cx + 70, 230), fill=(250, 224, 200), outline=ink, width=4)
    hair = tuple(rng.randint(10, 90) for _ in range(3))
    draw.pieslice((cx - 80, 70, cx + 80, 200), 180, 360, fill=hair)
    for ex in (cx - 30, cx + 30):
        draw.ellipse((ex - 9, 150, ex + 9, 168), fill=ink)
    draw.arc((cx - 25, 170, cx + 25, 205), 20, 160, fill=ink, width=3)
    coat = tuple(rng.randint(60, 220) for _ in range(3))
    draw.polygon([(cx, 230), (cx - 120, 560), (cx + 120, 560)], fill=coat, outline=ink)
    draw.rectangle((cx - 100, 580, cx + 100, 600), fill=ink)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    path.write_bytes(out.getvalue())
    return out.getvalue()


def script_pdf(*, title: str, scenes: list[str]) -> bytes:
    """A short script (剧本) as a PDF, typeset by weasyprint with the site's CJK font."""
    path, present = _cached("script", "pdf", {"title": title, "scenes": scenes})
    if present:
        return path.read_bytes()
    from html import escape

    from weasyprint import HTML

    body = "".join(f"<h2>第 {i} 场</h2><p>{escape(text)}</p>" for i, text in enumerate(scenes, start=1))
    html = (
        "<html><head><meta charset='utf-8'><style>"
        "body{font-family:'Noto Sans CJK SC','Noto Sans CJK',sans-serif;font-size:11pt;line-height:1.7}"
        "h1{font-size:18pt}h2{font-size:12pt;margin-top:1.2em}</style></head>"
        f"<body><h1>《{escape(title)}》剧本</h1>{body}</body></html>"
    )
    data: bytes = HTML(string=html).write_pdf()
    path.write_bytes(data)
    return data


def archive_zip(*, seed: int, files: dict[str, str], payload_name: str, payload_kb: int) -> bytes:
    """A zip: text files as given and one seeded binary payload (a model's weights, a corpus shard).
    Fixed timestamps inside, so the same parameters give the same bytes (and the same SHA-256)."""
    out = io.BytesIO()
    rng = random.Random(seed)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, text in sorted(files.items()):
            archive.writestr(zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0)), text.encode())
        payload = rng.randbytes(payload_kb * 1024)
        archive.writestr(zipfile.ZipInfo(payload_name, date_time=(2026, 1, 1, 0, 0, 0)), payload)
    return out.getvalue()

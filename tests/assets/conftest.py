"""Every assets test stores its files in a fresh media directory and stamps with one test TSA made once per
session (making a CA and a TSA certificate takes a moment; tests that need their own make their own)."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(scope="session")
def _session_tsa_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("tsa")


@pytest.fixture(autouse=True)
def _assets_storage(settings: Any, tmp_path: Path, _session_tsa_dir: Path) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.SHOUZHAN_TSA_DIR = _session_tsa_dir
    settings.SHOUZHAN_TSA_URL = ""
    from shouzhan.assets.matching import index_forget

    index_forget()


@pytest.fixture
def make_video(tmp_path: Path) -> Callable[..., bytes]:
    """A small H.264 MP4 from one of ffmpeg's synthetic sources, with a tone: `make_video(seed=3, seconds=20)`."""

    def make(
        seed: int = 1, seconds: int = 20, size: str = "320x240", audio: bool = True, vf: str = ""
    ) -> bytes:
        out = tmp_path / f"v{seed}-{seconds}-{size}-{int(audio)}-{abs(hash(vf))}.mp4"
        cmd = [
            "ffmpeg",
            "-v",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            f"gradients=s={size}:r=10:d={seconds}:seed={seed}:speed=0.05",
        ]
        if audio:
            cmd += ["-f", "lavfi", "-i", f"sine=f={220 + 40 * seed}:d={seconds}", "-shortest", "-c:a", "aac"]
        if vf:
            cmd += ["-vf", vf]
        cmd += ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", str(out)]
        subprocess.run(cmd, check=True, timeout=120)
        return out.read_bytes()

    return make

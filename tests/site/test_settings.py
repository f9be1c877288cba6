"""DEBUG is off unless asked for, and without DEBUG the site refuses to start with no secret key of its own."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PRINT = "from django.conf import settings; print(settings.DEBUG, len(settings.SECRET_KEY))"


def _settings(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("SHOUZHAN_") and k != "SECRET_KEY"}
    clean.update(SHOUZHAN_VAR_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="shouzhan.settings", **env)
    return subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {PRINT}"],
        env={**clean, "PYTHONPATH": str(ROOT / "src")},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_without_a_key_and_without_debug_the_site_refuses_to_start(tmp_path: Path) -> None:
    run = _settings(tmp_path)
    assert run.returncode != 0
    assert "ImproperlyConfigured" in run.stderr
    assert "SHOUZHAN_SECRET_KEY is not set" in run.stderr


def test_debug_is_off_unless_asked_for(tmp_path: Path) -> None:
    assert _settings(tmp_path, SHOUZHAN_SECRET_KEY="k" * 50).stdout.split() == ["False", "50"]
    assert _settings(tmp_path, SHOUZHAN_DEBUG="1").stdout.split()[0] == "True"  # a development key


def test_the_key_from_a_file_as_make_writes_it(tmp_path: Path) -> None:
    (tmp_path / "secret_key").write_text("f" * 60 + "\n")
    assert _settings(tmp_path).stdout.split() == ["False", "60"]  # var/secret_key, the default file
    other = tmp_path / "elsewhere"
    other.write_text("e" * 55)
    assert _settings(tmp_path, SHOUZHAN_SECRET_KEY_FILE=str(other)).stdout.split() == ["False", "55"]

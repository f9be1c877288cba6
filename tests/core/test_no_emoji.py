"""Icons that show everywhere: no emoji in any template (they are empty boxes without an emoji font); every
`{% icon %}` a template names is a vendored SVG, rendered inline with its accessible name."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.template import Context, Template

from shouzhan.core.templatetags.icons import ICON_DIR, UnknownIcon, icon_names

SRC = Path(__file__).resolve().parents[2] / "src" / "shouzhan"
TEMPLATES = sorted(p for p in SRC.rglob("templates/**/*") if p.is_file())
# Pictographs, dingbats (✓ ✗ ✔ ✘ …), miscellaneous symbols (⚠ ☎ …) and the emoji presentation selector.
EMOJI = re.compile("[\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff\ufe0f]")
ICON_USE = re.compile(r"""\{%\s*icon\s+["']([^"']+)["']""")


def test_there_are_templates_to_check() -> None:
    assert len(TEMPLATES) > 50


def test_no_emoji_characters_in_any_template() -> None:
    found = [
        f"{path.relative_to(SRC)}:{n}: {''.join(EMOJI.findall(line))}"
        for path in TEMPLATES
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if EMOJI.search(line)
    ]
    assert found == []


def test_every_icon_a_template_names_is_vendored_with_its_licence() -> None:
    used = {name for path in TEMPLATES for name in ICON_USE.findall(path.read_text(encoding="utf-8"))}
    assert {"film", "building-2", "lock", "bell"} <= used
    assert used - icon_names() == set()
    assert "ISC License" in (ICON_DIR / "LICENSE").read_text(encoding="utf-8")


def test_an_icon_with_a_label_is_a_named_image() -> None:
    html = Template('{% load icons %}{% icon "lock" label="无权访问" %}').render(Context())
    assert html.startswith(
        '<svg class="icon icon-lock" width="20" height="20" viewBox="0 0 24 24" role="img"'
    )
    assert 'aria-label="无权访问"' in html and "<title>无权访问</title>" in html
    assert "<rect" in html and html.endswith("</svg>")
    assert "@license" not in html  # the file's comment stays in the file


def test_an_icon_without_a_label_is_hidden_from_screen_readers_and_labels_are_escaped() -> None:
    plain = Template('{% load icons %}{% icon "film" size=32 %}').render(Context())
    assert 'aria-hidden="true"' in plain and 'width="32"' in plain and "role=" not in plain
    tricky = Template('{% load icons %}{% icon "x" label=text %}').render(Context({"text": '"><script>'}))
    assert "<script>" not in tricky and "&quot;&gt;&lt;script&gt;" in tricky


def test_an_unknown_icon_fails_loudly() -> None:
    with pytest.raises(UnknownIcon):
        Template('{% load icons %}{% icon "no-such-icon" %}').render(Context())
    with pytest.raises(UnknownIcon):
        Template('{% load icons %}{% icon "../LICENSE" %}').render(Context())

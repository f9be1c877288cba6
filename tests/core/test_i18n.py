"""The English catalogue: complete, not fuzzy, compiled, and actually used by the pages.

The msgids are the Chinese interface text; English is the second language (make messages).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import polib
import pytest
from django.conf import settings

LC_MESSAGES = Path(settings.LOCALE_PATHS[0]) / "en" / "LC_MESSAGES"
PO_PATH = LC_MESSAGES / "django.po"
MO_PATH = LC_MESSAGES / "django.mo"
PLACEHOLDER = re.compile(r"%\(\w+\)[-#0 +]*\d*(?:\.\d+)?[sdif]")


def _po() -> polib.POFile:
    return polib.pofile(str(PO_PATH))


def _translations(catalogue: polib.POFile | polib.MOFile) -> dict[tuple[str, str], tuple[str, ...]]:
    """(msgctxt, msgid) → the translation(s) of every entry gettext would use."""
    table: dict[tuple[str, str], tuple[str, ...]] = {}
    for entry in catalogue:
        if entry.obsolete or getattr(entry, "fuzzy", False):
            continue
        if entry.msgid_plural:
            forms = tuple(entry.msgstr_plural[k] for k in sorted(entry.msgstr_plural))
        else:
            forms = (entry.msgstr,)
        table[(entry.msgctxt or "", entry.msgid)] = forms
    return table


def test_every_entry_is_translated_and_none_is_fuzzy() -> None:
    po = _po()
    entries = [e for e in po if not e.obsolete]
    assert len(entries) > 100, "the catalogue looks truncated"
    assert not po.metadata_is_fuzzy, "the header is marked fuzzy"
    assert po.metadata.get("Language") == "en"
    fuzzy = [e.msgid for e in entries if e.fuzzy]
    assert not fuzzy, f"fuzzy entries are not used by gettext: {fuzzy}"
    untranslated = []
    for e in entries:
        forms = list(e.msgstr_plural.values()) if e.msgid_plural else [e.msgstr]
        if not forms or any(not f.strip() for f in forms):
            untranslated.append(e.msgid)
    assert not untranslated, f"entries without an English msgstr: {untranslated}"


def test_placeholders_are_kept() -> None:
    wrong = []
    for e in _po():
        if e.obsolete:
            continue
        wanted = sorted(PLACEHOLDER.findall(e.msgid))
        forms = list(e.msgstr_plural.values()) if e.msgid_plural else [e.msgstr]
        for form in forms:
            if sorted(PLACEHOLDER.findall(form)) != wanted:
                wrong.append((e.msgid, form))
    assert not wrong, f"placeholders differ between msgid and msgstr: {wrong}"


def test_mo_is_compiled_from_the_current_po(tmp_path: Path) -> None:
    """The committed .mo is what `make run` serves without gettext: it must match the .po."""
    assert MO_PATH.exists(), "django.mo is missing: run `make messages`"
    compiled = tmp_path / "django.mo"
    compiled.write_bytes(_po().to_binary())
    expected = _translations(polib.mofile(str(compiled)))
    committed = _translations(polib.mofile(str(MO_PATH)))
    assert set(committed) == set(expected), (
        "django.mo is out of date (run `manage.py compilemessages -l en`): "
        f"missing {sorted(set(expected) - set(committed))[:10]}, "
        f"extra {sorted(set(committed) - set(expected))[:10]}"
    )
    changed = [k[1] for k in expected if expected[k] != committed[k]]
    assert not changed, f"django.mo has older translations for: {changed[:10]}"


@pytest.mark.django_db
def test_landing_page_in_english_and_in_chinese(client: Any) -> None:
    chinese = client.get("/").content.decode()
    assert "创业首站" in chinese
    assert "First Stop" not in chinese

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get("/")
    english = response.content.decode()
    assert response["Content-Language"] == "en"
    assert "First Stop" in english
    assert "创业首站" not in english


def test_one_chinese_word_gets_the_english_its_context_needs() -> None:
    """项目 is a project, a voucher programme or a statement's line item; 预约 is "Book" on a button and
    a booking as a thing; 空间 is one space in a table and Spaces in the menu."""
    from django.utils import translation

    from shouzhan.site.context_processors import group_nav
    from shouzhan.spaces.models import Booking

    with translation.override("en"):
        assert translation.gettext("项目") == "Project"
        assert translation.pgettext("voucher programme", "项目") == "Programme"
        assert translation.pgettext("statement line", "项目") == "Item"
        assert translation.gettext("预约") == "Book"
        assert (str(Booking._meta.verbose_name), str(Booking._meta.verbose_name_plural)) == (
            "Booking",
            "Bookings",
        )
        assert translation.gettext("空间") == "Space"
        menu = group_nav([("spaces", "空间预约", "/spaces/"), ("space_floors", "楼层", "/spaces/floors/")])
        assert str(menu[0]["label"]) == "Spaces"

"""core.importing.FirstRows: the one check every importer uses for a key named twice in one file (#13)."""

from __future__ import annotations

from django.utils import translation

from shouzhan.core.importing import FirstRows, RowError


def test_a_repeated_key_is_an_error_row_naming_the_first_row() -> None:
    first = FirstRows[str](column="专利号")
    assert first.claim(3, "ZL202310123456.7") is None
    assert first.claim(4, "ZL202310123457.5") is None
    repeat = first.claim(7, "ZL202310123456.7")
    assert repeat == RowError(7, "专利号", "专利号 ZL202310123456.7 与第 3 行重复，本行未导入")
    assert repeat.line == "第 7 行：专利号 ZL202310123456.7 与第 3 行重复，本行未导入"
    # A third naming still names the first row, not the second.
    assert first.claim(9, "ZL202310123456.7") == RowError(
        9, "专利号", "专利号 ZL202310123456.7 与第 3 行重复，本行未导入"
    )
    assert (first.first_row("ZL202310123456.7"), first.first_row("ZL202310123457.5")) == (3, 4)


def test_a_row_without_a_key_claims_nothing_and_a_row_read_again_is_not_its_own_repeat() -> None:
    first = FirstRows[str](column="统一社会信用代码", outcome="本行不发放")
    assert first.claim(2, None) is None
    assert first.claim(3, "") is None
    assert first.first_row("") is None
    assert first.claim(4, "91330100799655058B") is None
    assert first.claim(4, "91330100799655058B") is None  # a resumed import reads row 4 again
    assert first.claim(5, "91330100799655058B") == RowError(
        5, "统一社会信用代码", "统一社会信用代码 91330100799655058B 与第 4 行重复，本行不发放"
    )


def test_composite_keys_are_shown_as_the_importer_says() -> None:
    first = FirstRows[tuple[str, str]](column="名称", shown=lambda key: f"“{key[0]}”（{key[1]}）")
    assert first.claim(2, ("寻找保温材料", "甲公司")) is None
    assert first.claim(3, ("寻找保温材料", "乙公司")) is None
    assert first.claim(4, ("寻找保温材料", "甲公司")) == RowError(
        4, "名称", "名称 “寻找保温材料”（甲公司） 与第 2 行重复，本行未导入"
    )


def test_in_english() -> None:
    with translation.override("en"):
        first = FirstRows[str](column="专利号")
        first.claim(3, "ZL202310123456.7")
        repeat = first.claim(7, "ZL202310123456.7")
    assert repeat is not None
    assert repeat.reason == "专利号 ZL202310123456.7 repeats row 3; this row was not imported"

"""The steps every spreadsheet import shares (the registry's enterprises, community's patents …).

A file is read through the one reader (`core.spreadsheets`, with its limits); these steps turn its rows
into a table: the header row mapped to the importer's columns (unknown headers reported as ignored, a
missing required column or a blank header refusing the whole file) and the non-blank data rows with
their spreadsheet row numbers. An importer brings its columns and parses the cells itself.

A key (credit code, patent number …) named by a second row of the same file is that row's error, naming
the first row (`FirstRows`): nothing from the repeat is applied, and it is listed with the other bad rows
— never counted as an update that overwrites the first row's values.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from shouzhan.core.spreadsheets import SpreadsheetError, is_blank, read_rows, size_check

C = TypeVar("C")
T = TypeVar("T")
K = TypeVar("K", bound=Hashable)


@dataclass
class RowError:
    """A row that was not saved: its spreadsheet row number, the column's header and why."""

    row: int
    column: str
    reason: str

    @property
    def line(self) -> str:
        """The error as one sentence: 第 7 行：…"""
        return _("第 %(row)s 行：%(reason)s") % {"row": self.row, "reason": self.reason}


class FirstRows(Generic[K]):
    """Which row of one file first named each key. A later row naming the same key is an error row that
    names the first one; the importer applies nothing from it. A row whose key could not be read claims
    nothing (its own error says why). A file imported in parts keeps one FirstRows across the parts; a
    part read again (a resumed import) finds its own rows, not repeats."""

    def __init__(
        self,
        *,
        column: str,
        shown: Callable[[K], str] = str,
        outcome: str | None = None,
    ) -> None:
        self.column = column  # the key column's header, as the report names it
        self._shown = shown
        self._outcome = outcome
        self._first: dict[K, int] = {}

    def claim(self, row: int, key: K | None) -> RowError | None:
        """None when `row` is the first to name `key` (or names no key); else the repeat's error row."""
        if key is None or key == "":
            return None
        first = self._first.setdefault(key, row)
        if first == row:
            return None
        return RowError(
            row,
            self.column,
            _("%(column)s %(key)s 与第 %(first)s 行重复，%(outcome)s")
            % {
                "column": self.column,
                "key": self._shown(key),
                "first": first,
                "outcome": self._outcome or _("本行未导入"),
            },
        )

    def first_row(self, key: K) -> int | None:
        return self._first.get(key)


@dataclass
class Table(Generic[C]):
    columns: list[C | None]  # one per header cell; None for a header the importer does not know
    ignored: list[str]  # the headers of those columns, as written
    rows: list[tuple[int, list[Any]]]  # (row number, cells) of every non-blank data row


def table_read(
    data: bytes,
    filename: str,
    *,
    column_for: Callable[[Any], C | None],
    label: Callable[[C], str],
    required: Sequence[C],
    blank_header: str,
    refuse_repeated: bool = False,
    max_rows: int | None = None,
) -> Table[C]:
    """The header row and the data rows of a spreadsheet. Raises SpreadsheetError (its message is for the
    person importing) when the file cannot be read, is beyond the reader's limits, is empty, its first row
    is blank (`blank_header`), a required column is missing or — with `refuse_repeated` — a column is
    named twice."""
    table: Table[C] | None = None
    for number, values in read_rows(data, filename, max_rows=max_rows):
        if table is None:
            table = _header(values, column_for, label, required, blank_header, refuse_repeated)
        elif not all(is_blank(v) for v in values):
            table.rows.append((number, values))
    if table is None:
        raise SpreadsheetError(_("文件是空的"))
    return table


def _header(
    values: list[Any],
    column_for: Callable[[Any], C | None],
    label: Callable[[C], str],
    required: Sequence[C],
    blank_header: str,
    refuse_repeated: bool,
) -> Table[C]:
    if all(is_blank(v) for v in values):
        raise SpreadsheetError(blank_header)
    columns = [column_for(v) for v in values]
    ignored = [str(v).strip() for v, c in zip(values, columns, strict=True) if c is None and not is_blank(v)]
    missing = [label(c) for c in required if c not in columns]
    if missing:
        raise SpreadsheetError(_("缺少必需的列：%(cols)s") % {"cols": "、".join(missing)})
    known = [c for c in columns if c is not None]
    repeated = [c for i, c in enumerate(known) if c in known[i + 1 :] and c not in known[:i]]
    if refuse_repeated and repeated:
        labels = "、".join(label(c) for c in repeated)
        raise SpreadsheetError(_("表头中有重复的列：%(cols)s") % {"cols": labels})
    return Table(columns=columns, ignored=ignored, rows=[])


def upload_read(data: bytes, filename: str, read: Callable[[bytes, str], T]) -> T:
    """An uploaded file read whole by `read`: too large, empty or unreadable is one ValidationError with
    the reason (the whole file cannot be imported)."""
    try:
        size_check(len(data))
    except SpreadsheetError as exc:
        raise ValidationError(str(exc)) from exc
    if not data:
        raise ValidationError(_("文件是空的"))
    try:
        return read(data, filename)
    except SpreadsheetError as exc:
        raise ValidationError(str(exc)) from exc


def row_errors(row: int, exc: ValidationError, label: Callable[[str], str]) -> list[RowError]:
    """A service's refusal of one row as the report's lines: one per message, under its column's header."""
    items = exc.message_dict.items() if hasattr(exc, "error_dict") else [("", exc.messages)]
    return [RowError(row, label(key), message) for key, messages in items for message in messages]

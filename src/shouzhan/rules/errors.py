"""The one exception the rules engine raises for bad rule text or bad input."""

from __future__ import annotations


class RuleError(Exception):
    """A rule or input error, with where it is: file, clause, line/column or row.

    `offset` is the position inside an expression's text; the catalogue loader turns it
    into a file line/column with `locate()` before the error reaches a person.
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        clause: str | None = None,
        line: int | None = None,
        column: int | None = None,
        offset: int | None = None,
        row: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.clause = clause
        self.line = line  # 1-based
        self.column = column  # 1-based
        self.offset = offset  # 0-based, inside an expression
        self.row = row

    def located(self, **where: object) -> RuleError:
        """Fill in location fields not yet known (the innermost location wins)."""
        for key, value in where.items():
            if getattr(self, key) is None:
                setattr(self, key, value)
        return self

    def __str__(self) -> str:
        where = ""
        if self.file:
            where = self.file
            if self.line is not None:
                where += f":{self.line}"
                if self.column is not None:
                    where += f":{self.column}"
            where += ": "
        elif self.offset is not None:
            where = f"at character {self.offset + 1}: "
        if self.clause:
            where += f"clause {self.clause}: "
        if self.row is not None:
            where += f"row {self.row}: "
        return where + self.message

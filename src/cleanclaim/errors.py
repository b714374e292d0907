"""The exception tree of cleanclaim.

Every error the product raises on purpose derives from :class:`CleanclaimError`, so callers
(the CLI, the API) can tell a refused input from a bug.

- ``CleanclaimError``
  - ``InputError``: input that cannot be read or is not what it claims to be; says where.
    - ``BatchValidationError``: a canonical batch with invalid rows; carries every problem.
  - ``StoreError``: the database is unreachable, not migrated, or refused a write.
  - ``ConfigError``: a setting is missing or malformed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

__all__ = [
    "BatchValidationError",
    "CleanclaimError",
    "ConfigError",
    "InputError",
    "RowIssue",
    "RowProblem",
    "StoreError",
]


class CleanclaimError(Exception):
    """Base of every error cleanclaim raises on purpose."""


class InputError(CleanclaimError):
    """Input that cannot be read; the message names the source, the position and the cause."""


class StoreError(CleanclaimError):
    """The store cannot do what was asked (unreachable, not migrated, write refused)."""


class ConfigError(CleanclaimError):
    """A setting is missing or malformed."""


class RowIssue(StrEnum):
    """What sort of problem a :class:`RowProblem` is, for callers that treat kinds apart (the
    X12 batch reader places a value problem at its segment and element; the others it leaves
    to its record path). People read the cause."""

    VALUE = "value"  # a value refused: type, required, bounds, code, length
    ORDER = "order"  # two fields of a row in the wrong order (a date before the other)
    KEY = "key"  # a key repeated
    SIZE = "size"  # too few or too many list items or child rows
    LINK = "link"  # a child row without its parent
    TABLE = "table"  # the table itself: unknown table or column, missing column


@dataclass(frozen=True, slots=True)
class RowProblem:
    """One problem in one row of a batch table.

    ``row`` is the 1-based data row in the table (the header is not counted); ``field`` is the
    canonical field name, or None when the problem concerns the whole table.
    """

    source: str
    table: str
    row: int | None
    field: str | None
    cause: str
    value: str | None = None
    issue: RowIssue = RowIssue.VALUE

    def __str__(self) -> str:
        where = f"{self.source} ({self.table})"
        if self.row is not None:
            where += f", row {self.row}"
        if self.field is not None:
            where += f", field '{self.field}'"
        shown = "" if self.value is None else f" (value {self.value!r})"
        return f"{where}: {self.cause}{shown}"


class BatchValidationError(InputError):
    """A batch was refused: it holds at least one invalid row. Nothing of it was stored."""

    def __init__(self, problems: Sequence[RowProblem], *, shown: int = 20) -> None:
        self.problems = tuple(problems)
        lines = [str(p) for p in self.problems[:shown]]
        more = len(self.problems) - shown
        if more > 0:
            lines.append(f"... and {more} more")
        super().__init__(
            f"batch refused, {len(self.problems)} problem(s):\n  " + "\n  ".join(lines)
        )

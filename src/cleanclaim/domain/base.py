"""The one place a canonical record is declared.

A record is a pydantic model (the typed single-object form used by the API and real-time checks)
that also states how it lays out as a table: its table name, its key, the tables of its nested
lists, and its cross-field orderings. :mod:`cleanclaim.domain.schema` derives the Arrow and Polars
schemas, the flat batch tables and the vectorized checks from exactly these declarations, so there
is no second, hand-kept copy that can drift.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from itertools import pairwise
from typing import Annotated, Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

__all__ = ["Code", "DecimalSpec", "Money", "Quantity", "Record", "Text"]


@dataclass(frozen=True, slots=True)
class DecimalSpec:
    """Precision and scale of a decimal field, shared by pydantic, Arrow and SQL."""

    precision: int
    scale: int


Money = Annotated[Decimal, DecimalSpec(14, 2), Field(max_digits=14, decimal_places=2)]
"""An amount of US dollars, exact to the cent."""

Quantity = Annotated[Decimal, DecimalSpec(12, 3), Field(max_digits=12, decimal_places=3, ge=0)]
"""A count of service units (X12 allows fractions, e.g. 1.5 units of time)."""

Code = Annotated[str, StringConstraints(min_length=1, max_length=50)]
"""A short code or identifier as received; business validity is judged by the rules."""

Text = Annotated[str, StringConstraints(min_length=1, max_length=200)]
"""Free text such as a name."""


class Record(BaseModel):
    """Base of every canonical record.

    Class attributes a subclass declares:

    - ``__table__``: the batch/store table of a top-level record (empty for nested records).
    - ``__key__``: the fields that identify a row within its parent (or globally for a
      top-level record); a nested record with no key is ordered by an implicit ``seq``.
    - ``__children__``: nested list field -> table name of its rows.
    - ``__ordered__``: pairs ``(low, high)`` of fields where ``high`` may not precede ``low``.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, use_enum_values=False)

    __table__: ClassVar[str] = ""
    __key__: ClassVar[tuple[str, ...]] = ()
    __children__: ClassVar[dict[str, str]] = {}
    __ordered__: ClassVar[tuple[tuple[str, str], ...]] = ()

    @model_validator(mode="after")
    def _canonical(self) -> Record:
        if not self.__ordered__ and not self.__children__:
            return self  # the common case of small nested records: nothing to check
        for low, high in self.__ordered__:
            lo, hi = getattr(self, low), getattr(self, high)
            if lo is not None and hi is not None and hi < lo:
                raise ValueError(f"{high} ({hi}) is before {low} ({lo})")
        for name in self.__children__:
            # Keyed children have one canonical order (by key), so that a record read back
            # from its tables equals the record written. The model is frozen: set in place.
            self.__dict__[name] = _sorted_by_key(name, getattr(self, name))
        return self


def _sorted_by_key(name: str, items: list[Any]) -> list[Any]:
    if not items or not items[0].__key__:
        return items
    key = items[0].__key__
    ordered = sorted(items, key=lambda r: tuple(getattr(r, k) for k in key))
    keys = [tuple(getattr(r, k) for k in key) for r in ordered]
    for a, b in pairwise(keys):
        if a == b:
            raise ValueError(f"{name}: duplicate {'/'.join(key)} {', '.join(map(str, a))}")
    return ordered

"""Plumbing shared by the handlers of the X12 readers (837, 835, 999, 277, 276, 834, 270/271).

A handler keeps the rows of the record it is reading as plain dicts and, for each field, where
the value came from (segment, ordinal, element). :meth:`RecordHandler.build` validates the row
into its typed record once the record is complete; a validation error is reported at the
segment and element the offending value came from, so parse and validate give positions for
model errors as precise as for syntax errors.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from pydantic import ValidationError

from ...domain import Record
from .errors import ProblemKind, X12ParseError, X12Problem
from .reader import SegmentHandler, Transaction, parse_date, parse_period
from .tokenizer import Delimiters

__all__ = ["Origin", "Origins", "RecordHandler", "pad"]

Origin = tuple[str, int, int | None]
"""Where a value came from: segment id, segment ordinal, element (None: the whole segment)."""

Origins = dict[tuple[str | int, ...], Origin]
"""Field path (as pydantic reports it, e.g. ``("statuses", 0, "date")``) to its origin."""

R = TypeVar("R", bound=Record)


def pad(el: list[str], size: int) -> list[str]:
    """``el`` with empty elements appended up to ``size`` (element 0 being the id)."""
    return el if len(el) >= size else el + [""] * (size - len(el))


def _raise(problem: X12Problem) -> None:
    raise X12ParseError.from_problem(problem)


class RecordHandler:
    """Base of a :class:`~cleanclaim.standards.x12.reader.Handler`: state, errors, building.

    Subclasses fill ``table`` and implement :meth:`reset` (forget the transaction set's state)
    and :meth:`flush` (emit the record being read, if any).
    """

    def __init__(self) -> None:
        self.out: list[Record] = []
        self.table: dict[str, SegmentHandler] = {}
        self.source = "<x12>"
        self.delimiters = Delimiters()
        self.report: Callable[[X12Problem], None] = _raise
        self.collecting = False
        self.txn: Transaction | None = None
        self.broken = False

    # -- Handler protocol ---------------------------------------------------------------------

    def begin(self, txn: Transaction, report: Callable[[X12Problem], None]) -> None:
        self.source = txn.source
        self.delimiters = txn.delimiters
        self.report = report
        self.collecting = txn.collecting
        self.txn = txn
        self.broken = False
        self.reset()

    def end(self, pos: int) -> None:
        self.flush()
        self.reset()

    def abandon(self) -> None:
        self.broken = True

    def reset(self) -> None:
        """Forget everything of the transaction set."""

    def flush(self) -> None:
        """Emit the record being read (subclasses drop it instead when ``broken``)."""

    # -- values -------------------------------------------------------------------------------

    def error(
        self,
        cause: str,
        pos: int,
        seg: str,
        element: int | None = None,
        value: str | None = None,
        kind: ProblemKind = ProblemKind.VALUE,
    ) -> X12ParseError:
        return X12ParseError(
            cause,
            source=self.source,
            segment=pos,
            segment_id=seg,
            element=element,
            value=value,
            kind=kind,
        )

    def advise(self, pos: int, seg: str, element: int, cause: str, value: str) -> None:
        """A code value the guide does not allow but reading can live with: validation only."""
        if self.collecting:
            self.report(
                X12Problem(
                    self.source,
                    pos,
                    seg,
                    element,
                    cause,
                    ProblemKind.CODE,
                    value=value,
                    fatal=False,
                )
            )

    def require(self, found: Any, cause: str, pos: int, seg: str) -> None:
        """X12ParseError (structure) when ``found`` is None: a segment outside its loop."""
        if found is None:
            raise self.error(cause, pos, seg, None, kind=ProblemKind.STRUCTURE)

    def date(self, value: str, pos: int, seg: str, element: int) -> dt.date | None:
        return parse_date(value, self.source, pos, seg, element) if value else None

    def period(
        self, fmt: str, value: str, pos: int, seg: str, element: int
    ) -> tuple[dt.date, dt.date | None]:
        return parse_period(fmt, value, self.source, pos, seg, element)

    def integer(self, value: str, pos: int, seg: str, element: int) -> int:
        if not (value.isdigit() and value.isascii()):
            raise self.error("not a whole number", pos, seg, element, value)
        return int(value)

    def amount(self, value: str, pos: int, seg: str, element: int) -> Decimal | None:
        if not value:
            return None
        try:
            number = Decimal(value)
        except InvalidOperation:
            number = Decimal("NaN")
        if not number.is_finite():
            raise self.error("not a number", pos, seg, element, value)
        return number

    def components(self, value: str) -> list[str]:
        return value.split(self.delimiters.component)

    def repetitions(self, value: str) -> list[str]:
        rep = self.delimiters.repetition
        items = value.split(rep) if rep else [value]
        return [item for item in items if item]

    # -- records ------------------------------------------------------------------------------

    def build(
        self, model: type[R], data: dict[str, Any], origins: Origins, fallback: Origin
    ) -> R | None:
        """``data`` validated as ``model``; None after reporting each error at its origin."""
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            for error in exc.errors(include_url=False):
                self.report(self._locate(error, origins, fallback))
            return None

    def _locate(self, error: Any, origins: Origins, fallback: Origin) -> X12Problem:
        loc: tuple[str | int, ...] = tuple(error["loc"])
        origin = fallback
        for end in range(len(loc), 0, -1):
            found = origins.get(loc[:end])
            if found is not None:
                origin = found
                break
        else:
            # A check across fields (dates out of order) names them in its message: place it
            # at the first one named.
            message = str(error["msg"])
            named = [(message.find(k[-1]), k) for k in origins if isinstance(k[-1], str)]
            named = [(at, k) for at, k in named if at >= 0 and len(k) == len(loc) + 1
                     and k[:-1] == loc]
            if named:
                origin = origins[min(named)[1]]
        seg, pos, element = origin
        value = error.get("input")
        missing = error["type"] == "missing" or value == "" or value is None
        kind = ProblemKind.REQUIRED if missing else ProblemKind.VALUE
        field = ".".join(str(part) for part in loc) or "record"
        shown = None if value is None or isinstance(value, dict | list) else str(value)
        return X12Problem(
            self.source, pos, seg, element, f"{field}: {error['msg']}", kind, value=shown
        )

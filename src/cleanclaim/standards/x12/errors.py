"""Where an X12 file is wrong: the one exception parsing raises and the problems validation lists.

Both carry the same position: the source name, the 1-based ordinal of the segment in the file
(ISA is 1), the segment id and the 1-based element (and, inside a composite, component) position.
Parsing stops at the first problem and raises :class:`X12ParseError`; validation collects every
:class:`X12Problem` instead.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any

from ...errors import InputError

__all__ = ["ProblemKind", "X12ParseError", "X12Problem", "problem_kind"]


class ProblemKind(StrEnum):
    """What sort of problem: lets a caller route envelope faults apart from data faults."""

    SYNTAX = "syntax"
    ENVELOPE = "envelope"
    STRUCTURE = "structure"
    REQUIRED = "required"
    DATE = "date"
    CODE = "code"
    VALUE = "value"
    BALANCING = "balancing"


def problem_kind(error_type: str, value: object) -> ProblemKind:
    """The kind of a model validation error (pydantic's ``type``) on an element's value: an
    element sent empty is as missing as one not sent at all."""
    return ProblemKind.REQUIRED if error_type == "missing" or value == "" else ProblemKind.VALUE


@dataclass(frozen=True, slots=True)
class X12Problem:
    """One problem at one position of an X12 file."""

    source: str
    segment: int | None
    segment_id: str | None
    element: int | None
    cause: str
    kind: ProblemKind = ProblemKind.VALUE
    component: int | None = None
    value: str | None = None
    fatal: bool = True
    """False for what only validation reports and parsing reads past (a code value the guide
    does not allow, a hierarchy numbering slip, an 835 that does not balance): a 999 then
    accepts the transaction set with errors noted (IK5 E) instead of rejecting it."""

    def where(self) -> str:
        """The position in words, e.g. ``claims.x12: segment 12 (CLM), element 5-3``."""
        text = self.source
        if self.segment is not None:
            text += f": segment {self.segment}"
            if self.segment_id:
                text += f" ({self.segment_id})"
        elif self.segment_id:
            text += f": {self.segment_id}"
        if self.element is not None:
            text += f", element {self.element}"
            if self.component is not None:
                text += f"-{self.component}"
        return text

    def __str__(self) -> str:
        shown = "" if self.value is None else f" (value {self.value!r})"
        return f"{self.where()}: {self.cause}{shown}"

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready mapping of every field."""
        data = asdict(self)
        data["kind"] = self.kind.value
        return data


class X12ParseError(InputError):
    """An X12 input that cannot be parsed; names the source, segment, element and cause."""

    def __init__(
        self,
        cause: str,
        *,
        source: str = "<x12>",
        segment: int | None = None,
        segment_id: str | None = None,
        element: int | None = None,
        component: int | None = None,
        value: str | None = None,
        kind: ProblemKind = ProblemKind.SYNTAX,
    ) -> None:
        self.problem = X12Problem(
            source=source,
            segment=segment,
            segment_id=segment_id,
            element=element,
            cause=cause,
            kind=kind,
            component=component,
            value=value,
        )
        super().__init__(str(self.problem))

    @classmethod
    def from_problem(cls, problem: X12Problem) -> X12ParseError:
        """The exception that reports ``problem``."""
        return cls(
            problem.cause,
            source=problem.source,
            segment=problem.segment,
            segment_id=problem.segment_id,
            element=problem.element,
            component=problem.component,
            value=problem.value,
            kind=problem.kind,
        )

    @property
    def source(self) -> str:
        return self.problem.source

    @property
    def segment(self) -> int | None:
        return self.problem.segment

    @property
    def segment_id(self) -> str | None:
        return self.problem.segment_id

    @property
    def element(self) -> int | None:
        return self.problem.element

    @property
    def cause(self) -> str:
        return self.problem.cause

"""Where a FHIR input is wrong: the exception reading raises and the problems validation lists.

Both carry the same position: the source name, the 1-based line (the line of an NDJSON
resource, or where JSON syntax broke), the 0-based entry index of a Bundle, the resource type and
id, and the element path in FHIRPath style with 0-based indexes, e.g. ``Claim.item[2].quantity``.
Reading stops at the first resource with a problem and raises :class:`FhirInputError` (every
problem of that resource is on it); validation collects every :class:`FhirProblem` instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from ...errors import CleanclaimError, InputError

__all__ = ["FhirInputError", "FhirProblem", "FhirUnavailableError"]


@dataclass(frozen=True, slots=True)
class FhirProblem:
    """One problem at one place of a FHIR input."""

    source: str
    cause: str
    line: int | None = None
    entry: int | None = None
    resource_type: str | None = None
    resource_id: str | None = None
    path: str | None = None
    value: str | None = None

    def where(self) -> str:
        """The position in words, e.g. ``in.ndjson: line 3, Claim/c1, Claim.item[0].quantity``."""
        parts = [self.source]
        if self.line is not None:
            parts.append(f"line {self.line}")
        if self.entry is not None:
            parts.append(f"entry {self.entry}")
        if self.resource_type is not None:
            parts.append(
                self.resource_type
                if self.resource_id is None
                else f"{self.resource_type}/{self.resource_id}"
            )
        if self.path is not None:
            parts.append(self.path)
        return ", ".join(parts)

    def __str__(self) -> str:
        shown = "" if self.value is None else f" (value {self.value!r})"
        return f"{self.where()}: {self.cause}{shown}"

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready mapping of every field."""
        return asdict(self)


class FhirInputError(InputError):
    """A FHIR input that cannot be read or mapped; names source, resource, element and cause.

    ``problem`` is the first problem; ``problems`` every problem of the resource that failed.
    """

    def __init__(self, problems: Sequence[FhirProblem]) -> None:
        if not problems:
            raise ValueError("FhirInputError needs at least one problem")
        self.problems = tuple(problems)
        self.problem = self.problems[0]
        text = str(self.problem)
        if len(self.problems) > 1:
            text += f" (and {len(self.problems) - 1} more problem(s) in this resource)"
        super().__init__(text)

    @property
    def source(self) -> str:
        return self.problem.source

    @property
    def line(self) -> int | None:
        return self.problem.line

    @property
    def entry(self) -> int | None:
        return self.problem.entry

    @property
    def path(self) -> str | None:
        return self.problem.path

    @property
    def cause(self) -> str:
        return self.problem.cause


class FhirUnavailableError(CleanclaimError, ImportError):
    """fhir.resources is not installed: FHIR support is the optional ``fhir`` extra."""

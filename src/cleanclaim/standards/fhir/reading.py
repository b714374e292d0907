"""Reading FHIR JSON into canonical records: one resource, a Bundle, or NDJSON.

The layout is told from the content: when the first non-blank line is a whole JSON object (or
looks like one) the input is NDJSON and is streamed line by line, in constant memory; otherwise
it is one JSON document (a resource or a Bundle of type collection, transaction, batch or
searchset), read whole. Bundle entries (and a Bundle on an NDJSON line) resolve references to
each other by ``fullUrl`` and ``Type/id``; every resource resolves its contained resources.

:func:`parse` raises :class:`FhirInputError` at the first resource with problems (with every
problem of that resource); :func:`validate` checks the whole input and returns every problem.
fhir.resources is imported on first use, so importing this module does not need it.
"""

from __future__ import annotations

import io
import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from types import ModuleType
from typing import IO, Any, cast

from ...domain import Record
from .errors import FhirInputError, FhirProblem, FhirUnavailableError

__all__ = ["Source", "load_engine", "parse", "source_name", "validate"]

Source = str | bytes | os.PathLike[str] | IO[bytes] | IO[str]
"""A FHIR input: a path (``os.PathLike``), the content itself (``str`` or ``bytes``) or an open
file. A plain ``str`` is always content, never a file name: wrap names in ``Path``."""

_BUNDLE_TYPES = (
    "collection",
    "transaction",
    "batch",
    "searchset",
    "transaction-response",
    "batch-response",
    "message",
    "document",
    "history",
)


def load_engine() -> ModuleType:
    """The resource-level mapping module; FhirUnavailableError without fhir.resources."""
    try:
        from . import _engine
    except ImportError as exc:
        if (exc.name or "").split(".")[0] in ("fhir", "fhir_core"):
            raise FhirUnavailableError(
                "FHIR support needs the optional dependency fhir.resources: "
                "pip install 'cleanclaim[fhir]'"
            ) from exc
        raise
    return _engine


def source_name(source: Source) -> str:
    """A name for messages: the path, the open file's name, or ``<fhir>`` for content."""
    if isinstance(source, os.PathLike):
        return os.fspath(source)
    if isinstance(source, str | bytes):
        return "<fhir>"
    name = getattr(source, "name", None)
    return name if isinstance(name, str) else "<fhir>"


@dataclass(frozen=True, slots=True)
class _Where:
    line: int | None = None
    entry: int | None = None
    resource_type: str | None = None
    resource_id: str | None = None


class _Stop(Exception):
    """Raised inside the reader to stop at the first problem (parse mode)."""


class _Reader:
    def __init__(self, source: Source, problems: list[FhirProblem] | None) -> None:
        self.source = source
        self.name = source_name(source)
        self.problems = problems
        self.engine = load_engine()
        self.mapper = self.engine.Mapper()
        self.line = 0

    # Problems

    def report(self, where: _Where, found: Iterable[Any]) -> None:
        batch = [
            FhirProblem(
                source=self.name,
                cause=f.cause,
                line=where.line,
                entry=where.entry,
                resource_type=where.resource_type,
                resource_id=where.resource_id,
                path=f.path,
                value=f.value,
            )
            for f in found
        ]
        if not batch:
            return
        if self.problems is None:
            raise FhirInputError(batch)
        self.problems.extend(batch)

    def fail(self, where: _Where, path: str | None, cause: str, value: str | None = None) -> None:
        self.report(where, [_Found(path, cause, value)])

    # Input

    def _lines(self) -> Iterator[tuple[int, str]]:
        """Numbered lines of the source (1-based), read lazily from files."""
        source = self.source
        if isinstance(source, str):
            yield from self._numbered(io.StringIO(source))
        elif isinstance(source, bytes):
            yield from self._numbered(io.StringIO(source.decode("utf-8-sig")))
        elif isinstance(source, os.PathLike):
            with Path(source).open(encoding="utf-8-sig") as stream:
                yield from self._numbered(stream)
        elif isinstance(source.read(0), str):
            yield from self._numbered(cast(IO[str], source))
        else:
            binary = cast(IO[bytes], source)
            yield from self._numbered(io.TextIOWrapper(binary, encoding="utf-8-sig"))

    def _numbered(self, stream: Iterable[str]) -> Iterator[tuple[int, str]]:
        for number, text in enumerate(stream, start=1):
            self.line = number
            yield number, text

    def records(self) -> Iterator[Record]:
        lines = self._lines()
        try:
            first_no, first = self._first_line(lines)
            if first is None:
                return
            if _looks_like_ndjson(first):
                yield from self._ndjson(first_no, first, lines)
            else:
                text = "".join([first, *(text for _, text in lines)])
                yield from self._document(text, first_no - 1)
        except UnicodeDecodeError as exc:
            line = self.line + 1  # the line that failed to decode is the one after
            if isinstance(self.source, bytes):
                line = self.source[: exc.start].count(b"\n") + 1
            self.fail(_Where(line=line), None, f"not UTF-8 text: {exc.reason}")
        except OSError as exc:
            self.fail(_Where(line=1), None, f"cannot read: {exc.strerror or exc}")

    def _first_line(self, lines: Iterator[tuple[int, str]]) -> tuple[int, str | None]:
        for number, text in lines:
            if text.strip():
                return number, text
        return 0, None

    def _ndjson(
        self, first_no: int, first: str, rest: Iterator[tuple[int, str]]
    ) -> Iterator[Record]:
        for number, text in [(first_no, first)] if first else []:
            yield from self._line(number, text)
        for number, text in rest:
            if text.strip():
                yield from self._line(number, text)

    def _line(self, number: int, text: str) -> Iterator[Record]:
        where = _Where(line=number)
        data = self._json(text, where, line_offset=number - 1)
        if data is not None:
            yield from self._top(data, where)

    def _document(self, text: str, line_offset: int) -> Iterator[Record]:
        data = self._json(text, _Where(), line_offset=line_offset)
        if data is not None:
            yield from self._top(data, _Where())

    def _json(self, text: str, where: _Where, line_offset: int) -> dict[str, Any] | None:
        try:
            data = json.loads(text, parse_float=Decimal, parse_constant=_no_constant)
        except json.JSONDecodeError as exc:
            self.fail(
                _Where(line=exc.lineno + line_offset),
                None,
                f"invalid JSON: {exc.msg} (column {exc.colno})",
            )
            return None
        except (ValueError, RecursionError) as exc:
            self.fail(_Where(line=where.line or line_offset + 1), None, f"invalid JSON: {exc}")
            return None
        if not isinstance(data, dict):
            self.fail(
                _Where(line=where.line or line_offset + 1),
                None,
                "not a FHIR resource (a JSON object)",
            )
            return None
        return data

    # Resources

    def _top(self, data: dict[str, Any], where: _Where) -> Iterator[Record]:
        rtype = data.get("resourceType")
        where = _with_resource(where, data)
        if rtype == "Bundle":
            yield from self._bundle(data, where)
            return
        resource, found = self.mapper.check(data)
        if found:
            self.report(where, found)
            return
        if resource is not None:
            yield from self._map(resource, where, None)

    def _bundle(self, data: dict[str, Any], where: _Where) -> Iterator[Record]:
        kind = data.get("type")
        if kind not in _BUNDLE_TYPES:
            self.fail(where, "Bundle.type", "not a Bundle type", _scalar(kind))
        entries = data.get("entry", [])
        if not isinstance(entries, list):
            self.fail(where, "Bundle.entry", "entry is not a list")
            return
        checked: list[tuple[Any, str | None, _Where]] = []
        for i, entry in enumerate(entries):
            at = _Where(where.line, i)
            resource_data = entry.get("resource") if isinstance(entry, dict) else None
            if not isinstance(resource_data, dict):
                if not (isinstance(entry, dict) and "response" in entry):
                    self.fail(at, f"Bundle.entry[{i}]", "entry without a resource")
                continue
            at = _with_resource(at, resource_data)
            if resource_data.get("resourceType") == "Bundle":
                yield from self._bundle(resource_data, at)
                continue
            resource, found = self.mapper.check(resource_data)
            if found:
                self.report(at, found)
            elif resource is not None:
                full_url = entry.get("fullUrl")
                checked.append((resource, full_url if isinstance(full_url, str) else None, at))
        index = self.mapper.index([(r, url) for r, url, _ in checked])
        for resource, _, at in checked:
            yield from self._map(resource, at, index)

    def _map(self, resource: Any, where: _Where, index: Any) -> Iterator[Record]:
        records, found = self.mapper.records(resource, index)
        self.report(where, found)
        yield from records


@dataclass(frozen=True, slots=True)
class _Found:
    path: str | None
    cause: str
    value: str | None = None


def _scalar(value: object) -> str | None:
    return None if value is None or isinstance(value, dict | list) else str(value)[:80]


def _with_resource(where: _Where, data: dict[str, Any]) -> _Where:
    rtype, rid = data.get("resourceType"), data.get("id")
    return _Where(
        where.line,
        where.entry,
        rtype if isinstance(rtype, str) else None,
        rid if isinstance(rid, str) else None,
    )


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _looks_like_ndjson(first: str) -> bool:
    text = first.strip()
    return text.startswith("{") and text.endswith("}")


def parse(source: Source) -> Iterator[Record]:
    """Canonical records of ``source``, in input order: Claim, ClaimPayment, Coverage,
    Member, Payer, Plan, Provider, Authorization, :class:`EligibilityResult`, and the X12
    270's ``EligibilityInquiry`` for a CoverageEligibilityRequest.

    Raises FhirInputError at the first resource with problems, FhirUnavailableError when
    fhir.resources is not installed. Other resource types are skipped (see docs/fhir.md).
    """
    return _Reader(source, None).records()


def validate(source: Source) -> list[FhirProblem]:
    """Every problem of ``source`` in input order; an empty list means it maps cleanly."""
    problems: list[FhirProblem] = []
    for _ in _Reader(source, problems).records():
        pass
    return problems

"""837 straight into validated canonical batches (Arrow tables), for throughput.

:func:`iter_claim_batches` reads an 837P/837I with the same reader and handler as
:func:`~cleanclaim.standards.x12.api.parse_claims`, but keeps each claim as a row instead of
validating it as a pydantic record, and validates the rows of every ``claims_per_batch``
claims at once with :func:`cleanclaim.domain.conform.conform`, which checks what the record
declaration checks (types, required fields, enum values, lengths, bounds, date order, keys,
list sizes), with Polars. Per-claim validation is most of the cost of the record path; this
path skips it without skipping any check. Only one batch of rows is held at a time, so memory
does not grow with the file. :func:`parse_claim_batch` is the whole file as one batch.

Each batch is identical to ``batch_from_records(Claim, records)`` for the same claims of
``parse_claims(source)``. When conform refuses a value of a row, the error is raised at once
at the X12 position that value came from: each row the handler emits carries the segment
ordinals of its values (:class:`~cleanclaim.standards.x12.x837_origins.ClaimOrigins`, looked
up only then), which give the segment, segment id and element the record path would name, with
conform's wording of the cause (a date order problem, by its kind, at the record as pydantic
places it). Where the two checks could disagree, the record path
decides: when a batch holds a text value that conform would read differently from pydantic
(empty, or with leading or trailing blanks, which conform trims), or is refused for a reason
that is not a value of a row (a duplicate key), the file is read again through the
record path up to the end of that batch, which either raises :class:`X12ParseError` at the
segment and element of the first problem, or gives the records the batch is then made of.
Envelope and syntax errors raise on the first pass, with their position, as in the record
path.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from itertools import islice, pairwise
from operator import itemgetter
from typing import Any, Final

import polars as pl
import pyarrow as pa

from ...domain import Claim, ClaimType
from ...domain.conform import conform
from ...domain.schema import Batch, FieldSpec, TableSpec, batch_from_records, table_specs
from ...errors import BatchValidationError, RowIssue, RowProblem
from .errors import ProblemKind, X12ParseError, X12Problem
from .reader import Handler, HandlerFactory, Reader
from .tokenizer import Source, cyclic_gc_paused, rereadable, source_name
from .x837 import Claim837Handler
from .x837_origins import ORIGINS_KEY, ClaimOrigins

__all__ = ["CLAIMS_PER_BATCH", "iter_claim_batches", "parse_claim_batch"]

CLAIMS_PER_BATCH: Final = 10_000
"""Claims validated at a time by default: enough for Polars to amortise its fixed cost."""

_Row = dict[str, Any]
_line_number = itemgetter("line_number")


def _factory(rows: list[_Row]) -> HandlerFactory:
    def make(set_id: str, version: str) -> Handler | None:
        if set_id == "837" and version.startswith("005010X222"):
            return Claim837Handler(ClaimType.PROFESSIONAL, rows=rows)
        if set_id == "837" and version.startswith("005010X223"):
            return Claim837Handler(ClaimType.INSTITUTIONAL, rows=rows)
        return None

    return make


def _raw_type(col: FieldSpec) -> Any:
    # Decimals go in as text: conform refuses what a cast would round, as pydantic does.
    scalar = {"int": pa.int64(), "date": pa.date32()}.get(col.kind, pa.string())
    return pa.list_(scalar) if col.is_list else scalar


class _Layout:
    """How the rows of the handler turn into the three raw tables, computed once."""

    def __init__(self) -> None:
        self.claims, self.diagnoses, self.lines = table_specs(Claim)
        self.claim_names = [f.name for f in self.claims.fields]
        self.line_names = [f.name for f in self.lines.fields]
        # The handler's batch rows have a key for every field: one itemgetter call makes the
        # tuple of a row.
        self.claim_values = itemgetter(*self.claim_names)
        self.line_values = itemgetter(*self.line_names)
        diagnosis_names = [f.name for f in self.diagnoses.fields]
        # The handler keeps batch diagnoses as tuples in the field order of Diagnosis.
        assert diagnosis_names == ["sequence", "code", "qualifier", "present_on_admission"]
        # Where pydantic would list a problem among those of a claim: by field, then item.
        self.order = {
            spec.name: {name: i for i, name in enumerate(spec.model.model_fields)}
            for spec in (self.claims, self.diagnoses, self.lines)
        }

    def frames(self, rows: list[_Row]) -> dict[str, pl.DataFrame]:
        claim_rows: list[tuple[Any, ...]] = []
        line_rows: list[tuple[Any, ...]] = []
        line_parents: list[Any] = []
        diagnosis_rows: list[tuple[Any, ...]] = []
        diagnosis_parents: list[Any] = []
        claim_values, line_values = self.claim_values, self.line_values
        for row in rows:
            claim_id = row.get("claim_id")
            claim_rows.append(claim_values(row))
            lines = row["lines"]
            if len(lines) > 1 and any(
                a["line_number"] >= b["line_number"] for a, b in pairwise(lines)
            ):
                # A claim record keeps its lines in line number order, whatever the file's.
                lines = sorted(lines, key=_line_number)
            line_parents.extend([claim_id] * len(lines))
            line_rows.extend(map(line_values, lines))
            diagnoses = row["diagnoses"]
            diagnosis_parents.extend([claim_id] * len(diagnoses))
            diagnosis_rows.extend(diagnoses)
        return {
            self.claims.name: _frame(self.claims, None, claim_rows),
            self.diagnoses.name: _frame(self.diagnoses, diagnosis_parents, diagnosis_rows),
            self.lines.name: _frame(self.lines, line_parents, line_rows),
        }

    def placed(self, rows: list[_Row], problems: Sequence[RowProblem]) -> X12ParseError | None:
        """The error of the first problem, in the record path's order, at its X12 position.

        None when a problem is not one of a value in a row (a duplicate key, or one of the
        whole table): those the record path judges differently, so it decides.
        """
        placed: list[tuple[tuple[int, ...], X12Problem]] = []
        for problem in problems:
            if (
                problem.row is None
                or problem.field is None
                or problem.issue is RowIssue.KEY
            ):
                return None
            placed.append(self._place(rows, problem))
        if not placed:
            return None
        return X12ParseError.from_problem(min(placed, key=itemgetter(0))[1])

    def _place(self, rows: list[_Row], problem: RowProblem) -> tuple[tuple[int, ...], X12Problem]:
        """(The problem's rank among the batch's, the problem at the position of its value)."""
        assert problem.row is not None and problem.field is not None
        field, index = problem.field, problem.row - 1
        claim_order = self.order[self.claims.name]
        # pydantic checks the date order of a record only when its fields are valid, and
        # places the problem at the record, not at a field.
        ordered = problem.issue is RowIssue.ORDER
        loc: tuple[int | str, ...] = () if ordered else (field,)
        claim, rank = index, (len(claim_order) if ordered else claim_order.get(field, 0), 0, 0, 0)
        if problem.table != self.claims.name:
            children = "lines" if problem.table == self.lines.name else "diagnoses"
            claim, child = _child(rows, children, index)
            if field in self.order[problem.table]:  # not the claim id, which is the claim's
                order = self.order[problem.table]
                loc = (children, child) if ordered else (children, child, field)
                rank = (claim_order[children], child, ordered, 0 if ordered else order[field])
        value = None if ordered else problem.value
        kind = ProblemKind.REQUIRED if value is None and not ordered else ProblemKind.VALUE
        origins = ClaimOrigins.of(rows[claim][ORIGINS_KEY])
        return (claim, *rank), origins.locate(loc, problem.cause, value, kind)


def _child(rows: list[_Row], children: str, index: int) -> tuple[int, int]:
    """(Claim, item in file order) of row ``index`` of the lines or diagnoses table."""
    for claim, row in enumerate(rows):
        items = row[children]
        if index < len(items):
            if children == "lines":  # the table has a claim's lines in line number order
                index = sorted(range(len(items)), key=lambda i: items[i]["line_number"])[index]
            return claim, index
        index -= len(items)
    raise IndexError(f"row {index} is past the {children} of the batch")


def _frame(spec: TableSpec, parents: list[Any] | None, rows: list[tuple[Any, ...]]) -> pl.DataFrame:
    """The raw table of ``spec`` from row tuples (in field order) and their parent claim ids."""
    columns: list[Any] = list(zip(*rows, strict=True)) if rows else [()] * len(spec.fields)
    # The enums are str subclasses, which Arrow takes as text.
    arrays = [pa.array(c, _raw_type(f)) for c, f in zip(columns, spec.fields, strict=True)]
    names = [f.name for f in spec.fields]
    if spec.parent_key and parents is not None:
        key = spec.parent_key[0]
        arrays.insert(0, pa.array(parents, _raw_type(key)))
        names.insert(0, key.name)
    frame = pl.from_arrow(pa.Table.from_arrays(arrays, names=names))
    assert isinstance(frame, pl.DataFrame)
    return frame


def _trimmed_or_empty(frames: dict[str, pl.DataFrame]) -> bool:
    """Any text conform would read differently from pydantic (it trims, and '' is null)."""
    for frame in frames.values():
        checks: list[pl.Expr] = []
        for name, dtype in frame.schema.items():
            col = pl.col(name)
            if dtype == pl.String:
                checks.append(((col == "") | (col != col.str.strip_chars())).any())
            elif dtype == pl.List(pl.String):
                element = pl.element()
                bad = (element == "") | (element != element.str.strip_chars())
                checks.append(col.list.eval(bad).list.any().any())
        if checks and frame.height and any(v for v in frame.select(checks).row(0) if v):
            return True
    return False


def _conformed(layout: _Layout, rows: list[_Row], name: str) -> Batch | X12ParseError | None:
    """The rows as a validated batch, the error at the X12 position of the first value conform
    refuses, or None when the record path must decide."""
    try:
        frames = layout.frames(rows)
        if _trimmed_or_empty(frames):
            return None
        return conform(Claim, frames, dict.fromkeys(frames, name))
    except BatchValidationError as exc:
        return layout.placed(rows, exc.problems)
    except Exception:  # anything else: the record path decides
        return None


def _by_records(source: Source, first: int, count: int) -> Batch:
    """Claims ``first`` to ``first + count`` read again through the record path.

    It raises at the first problem of the file up to there (the batches before passed, so the
    problem is in this one), or vouches for the rows.
    """
    from .api import parse_claims  # the api module imports this one

    records = list(islice(parse_claims(source), first, first + count))
    return batch_from_records(Claim, records)


def iter_claim_batches(
    source: Source, *, claims_per_batch: int = CLAIMS_PER_BATCH
) -> Iterator[Batch]:
    """The claims of an 837P/837I file as validated canonical batches, in file order.

    Each batch holds ``claims_per_batch`` claims (the last one the rest; a file without
    claims gives one empty batch). Raises X12ParseError at the first problem (with its
    position), like ``parse_claims``. A stream source is read into memory first (it may be
    read twice); give a path to keep memory bounded.

    The C fast path (:mod:`.fast837`) reads the file when it is built and the file is of the
    shape it handles; the Python path reads it otherwise (or from the first batch the fast path
    could not vouch for), with the same batches and the same errors.
    """
    if claims_per_batch < 1:
        raise ValueError("claims_per_batch must be at least 1")
    source = rereadable(source)
    from . import fast837  # it imports this module's Python path lazily, as this one does it

    if fast837.enabled():
        yield from fast837.fast_claim_batches(source, claims_per_batch, _python_batches)
    else:
        yield from _python_batches(source, claims_per_batch)


def _python_batches(source: Source, claims_per_batch: int) -> Iterator[Batch]:
    """:func:`iter_claim_batches` through the Python reader and ``Claim837Handler`` (the
    fallback of the C fast path, and the whole path when it is not built or switched off)."""
    name = source_name(source)
    layout = _Layout()
    rows: list[_Row] = []
    done = 0
    for _ in Reader(source, _factory(rows)).steps():
        while len(rows) >= claims_per_batch:
            chunk = rows[:claims_per_batch]
            del rows[:claims_per_batch]
            first, done = done, done + len(chunk)
            yield _batch(layout, source, name, chunk, first)
    if rows or not done:
        yield _batch(layout, source, name, rows, done)


def _batch(layout: _Layout, source: Source, name: str, rows: list[_Row], first: int) -> Batch:
    # No cycles among the rows and no caller code inside: the collector would only rescan
    # them again and again.
    with cyclic_gc_paused():
        batch = _conformed(layout, rows, name)
        count = len(rows)
        rows.clear()  # freed while the collector is paused
    if isinstance(batch, X12ParseError):
        raise batch
    return batch if batch is not None else _by_records(source, first, count)


def parse_claim_batch(source: Source, *, claims_per_batch: int = CLAIMS_PER_BATCH) -> Batch:
    """The claims of an 837P/837I file as one validated canonical :class:`Batch`.

    Raises X12ParseError at the first problem (with its position), like ``parse_claims``.
    The file is validated ``claims_per_batch`` claims at a time (see
    :func:`iter_claim_batches`); the result, though, holds every claim.
    """
    batches = list(iter_claim_batches(source, claims_per_batch=claims_per_batch))
    if len(batches) == 1:
        return batches[0]
    tables = {
        table: pa.concat_tables([b.tables[table] for b in batches]).combine_chunks()
        for table in batches[0].tables
    }
    return Batch(Claim, tables)

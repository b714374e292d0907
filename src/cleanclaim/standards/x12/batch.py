"""837 straight into a validated canonical batch (Arrow tables), for throughput.

:func:`parse_claim_batch` reads an 837P/837I with the same reader and handler as
:func:`~cleanclaim.standards.x12.api.parse_claims`, but keeps each claim as a row instead of
validating it as a pydantic record, and validates all rows at once with
:func:`cleanclaim.domain.conform.conform`, which checks what the record declaration checks
(types, required fields, enum values, lengths, bounds, date order, keys, list sizes), with
Polars. Per-claim validation is most of the cost of the record path; this path skips it
without skipping any check.

The result is identical to ``batch_from_records(Claim, list(parse_claims(source)))``. Where
the two checks could disagree, the record path decides: when the batch is refused, or holds a
text value that conform would read differently from pydantic (empty, or with leading or
trailing blanks, which conform trims), the file is read again through the record path, which
either raises :class:`X12ParseError` at the segment and element of the first problem, or gives
the records the batch is then made of. Envelope and syntax errors raise on the first pass,
with their position, as in the record path.
"""

from __future__ import annotations

from typing import Any

import polars as pl
import pyarrow as pa

from ...domain import Claim, ClaimType
from ...domain.conform import conform
from ...domain.schema import Batch, FieldSpec, TableSpec, batch_from_records, table_specs
from .reader import Handler, HandlerFactory, Reader
from .tokenizer import Source, cyclic_gc_paused, rereadable, source_name
from .x837 import Claim837Handler

__all__ = ["parse_claim_batch"]

_Row = dict[str, Any]


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


def _table(spec: TableSpec, parents: list[Any], items: list[Any]) -> pl.DataFrame:
    """The raw table of ``spec`` from row dicts or records, with their parent claim ids."""
    # A missing key is a null; the enums are str subclasses, which Arrow takes as text.
    dicts = [item if isinstance(item, dict) else item.__dict__ for item in items]
    schema = pa.schema([(f.name, _raw_type(f)) for f in spec.fields])
    table = pa.Table.from_pylist(dicts, schema=schema)
    if spec.parent_key:
        key = spec.parent_key[0]
        table = table.add_column(0, key.name, pa.array(parents, _raw_type(key)))
    frame = pl.from_arrow(table)
    assert isinstance(frame, pl.DataFrame)
    return frame


def _frames(rows: list[_Row]) -> dict[str, pl.DataFrame]:
    claims, diagnoses, lines = table_specs(Claim)
    inputs: dict[str, tuple[list[Any], list[Any]]] = {
        claims.name: ([], rows),
        diagnoses.name: ([], []),
        lines.name: ([], []),
    }
    for row in rows:
        claim_id = row.get("claim_id")
        for spec, key in ((diagnoses, "diagnoses"), (lines, "lines")):
            parents, items = inputs[spec.name]
            children = row[key]
            parents.extend([claim_id] * len(children))
            items.extend(children)
    return {spec.name: _table(spec, *inputs[spec.name]) for spec in (claims, diagnoses, lines)}


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


def parse_claim_batch(source: Source) -> Batch:
    """The claims of an 837P/837I file as one validated canonical :class:`Batch`.

    Raises X12ParseError at the first problem (with its position), like ``parse_claims``.
    A stream source is read into memory first (it may be read twice).
    """
    source = rereadable(source)
    rows: list[_Row] = []
    # The rows pile up until the end, where they all go at once: no cycles among them, so the
    # collector, left on, would only rescan them again and again. No caller code runs inside.
    with cyclic_gc_paused():
        for _ in Reader(source, _factory(rows)).records():
            pass  # the handlers keep rows: no record comes out
        batch: Batch | None = None
        try:
            frames = _frames(rows)
            if not _trimmed_or_empty(frames):
                name = source_name(source)
                batch = conform(Claim, frames, {t: name for t in frames})
        except Exception:  # BatchValidationError or any other: the record path decides
            batch = None
        rows.clear()  # freed while the collector is paused
    if batch is not None:
        return batch
    # The record path places the problem at its segment, or vouches for the rows.
    from .api import parse_claims

    return batch_from_records(Claim, list(parse_claims(source)))

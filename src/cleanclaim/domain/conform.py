"""Vectorized validation of raw batch tables into the canonical typed layout.

Rows arrive from CSV (all text), Parquet or Arrow (already typed). :func:`conform` casts every
column to its canonical type and checks exactly what the pydantic declaration would check for one
record (required fields, types, enum values, lengths, bounds, patterns, date order, keys, parent
links, list sizes), for all rows at once with Polars, and collects every problem with its row and
field. A batch with any problem is refused whole.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import polars as pl

from ..errors import BatchValidationError, RowIssue, RowProblem
from .base import Record
from .schema import Batch, FieldSpec, TableSpec, table_specs

__all__ = ["LIST_SEPARATOR", "conform"]

LIST_SEPARATOR = "|"
"""Separator of list values in a text cell, e.g. modifiers ``25|59``."""

_ROW = "__row"
_TRUE = ("true", "t", "yes", "y", "1")
_FALSE = ("false", "f", "no", "n", "0")
_MAX_PROBLEMS = 1000


@dataclass(frozen=True, slots=True)
class _Check:
    """A row is bad where ``mask`` is true (null counts as fine)."""

    mask: pl.Expr
    field: str
    cause: str
    issue: RowIssue = RowIssue.VALUE


@dataclass
class _Problems:
    source: str
    table: str
    found: list[RowProblem]

    def table_level(self, field: str | None, cause: str) -> None:
        self.found.append(RowProblem(self.source, self.table, None, field, cause,
                                     issue=RowIssue.TABLE))

    def evaluate(self, frame: pl.DataFrame, checks: list[_Check]) -> None:
        """Run every check in one pass; look at rows only for the checks that fired."""
        if not checks or frame.height == 0:
            return
        fired = frame.select(
            c.mask.fill_null(False).any().alias(str(i)) for i, c in enumerate(checks)
        ).row(0)
        for check, hit in zip(checks, fired, strict=True):
            if hit:
                self.rows(frame, check.mask.fill_null(False), check.field, check.cause,
                          check.issue)

    def rows(self, frame: pl.DataFrame, mask: pl.Expr, field: str, cause: str,
             issue: RowIssue = RowIssue.VALUE) -> None:
        """Record one problem per row of ``frame`` where ``mask`` holds."""
        room = _MAX_PROBLEMS - len(self.found)
        if room <= 0:
            return
        bad = frame.filter(mask).head(room)
        shown = field if field in bad.columns else None
        for row in bad.iter_rows(named=True):
            value = row.get(f"__raw_{field}", row.get(shown)) if shown else None
            self.found.append(
                RowProblem(
                    self.source,
                    self.table,
                    row[_ROW],
                    field,
                    cause,
                    None if value is None else str(value),
                    issue,
                )
            )


def conform(
    model: type[Record],
    raw: Mapping[str, pl.DataFrame],
    sources: Mapping[str, str] | None = None,
) -> Batch:
    """Validate and type raw tables of ``model``; raise :class:`BatchValidationError` if any
    row is invalid. ``sources`` names where each table came from (a file path) for messages;
    a table absent from ``raw`` is taken as empty."""
    specs = table_specs(model)
    unknown = set(raw) - {s.name for s in specs}
    problems: list[RowProblem] = []
    for name in sorted(unknown):
        src = (sources or {}).get(name, name)
        problems.append(RowProblem(src, name, None, None, f"unknown table for {model.__name__}",
                                   issue=RowIssue.TABLE))
    typed: dict[str, pl.DataFrame] = {}
    for spec in specs:
        source = (sources or {}).get(spec.name, spec.name)
        frame = raw.get(spec.name)
        if frame is None:
            frame = pl.DataFrame(schema={c.name: c.polars_type() for c in spec.columns})
        found = _Problems(source, spec.name, problems)
        typed[spec.name] = _conform_table(spec, frame, found)
    if not problems:
        for spec in specs:
            _check_links(spec, typed, sources or {}, problems)
    if problems:
        raise BatchValidationError(problems)
    return Batch(
        model,
        {
            s.name: typed[s.name].select(c.name for c in s.columns).to_arrow().cast(
                s.arrow_schema()
            )
            for s in specs
        },
    )


def _conform_table(spec: TableSpec, frame: pl.DataFrame, found: _Problems) -> pl.DataFrame:
    names = {c.name for c in spec.columns}
    for extra in sorted(set(frame.columns) - names):
        found.table_level(extra, "unknown column")
    schema = frame.schema
    present = [c for c in spec.columns if c.name in schema]
    absent = [c for c in spec.columns if c.name not in schema]
    for col in absent:
        if col.required:
            found.table_level(col.name, "required column is missing")
    # A few wide steps rather than one step per column: each step is one pass over the frame.
    frame = frame.with_row_index(_ROW, offset=1).with_columns(
        pl.col(_ROW).cast(pl.Int64),
        *(_default(c).alias(c.name) for c in absent),
        *(pl.col(c.name).alias(_raw(c)) for c in present),
    )
    frame = frame.with_columns(_cast(c, schema[c.name]).alias(c.name) for c in present)
    checks = [check for c in present for check in _cell_checks(c, schema[c.name])]
    checks += [
        _Check(pl.col(high) < pl.col(low), high, f"{high} is before {low}", RowIssue.ORDER)
        for low, high in spec.model.__ordered__
    ]
    found.evaluate(frame, checks)
    frame = frame.with_columns(
        pl.col(c.name).fill_null(_default(c)) for c in present if c.has_default
    )
    _check_keys(spec, frame, found)
    return frame.select(_ROW, *(c.name for c in spec.columns))


def _raw(col: FieldSpec) -> str:
    return f"__raw_{col.name}"


def _default(col: FieldSpec) -> pl.Expr:
    return pl.lit(col.default if col.has_default else None, dtype=col.polars_type())


def _cast(col: FieldSpec, source: pl.DataType) -> pl.Expr:
    if col.is_list:
        return _list_expr(col, source)
    return _scalar_expr(pl.col(col.name), col, source)


def _cell_checks(col: FieldSpec, source: pl.DataType) -> list[_Check]:
    if _null_only_when_absent(col, source):
        # The typed cell cannot be invalid, and is null exactly where the raw cell holds no
        # value: the raw text need not be stripped again (two thirds of the checks' time on a
        # claims table, where most columns are text).
        missing = [_Check(pl.col(col.name).is_null(), col.name, "required field is missing")]
        return (missing if col.required else []) + _constraint_checks(col)
    given = _given(pl.col(_raw(col)), source)
    kind = f"list of {_kind_name(col)}" if col.is_list else _kind_name(col)
    checks = [_Check(given & pl.col(col.name).is_null(), col.name, f"not a valid {kind}")]
    if col.required:
        checks.append(_Check(~given, col.name, "required field is missing"))
    return checks + _constraint_checks(col)


def _null_only_when_absent(col: FieldSpec, source: pl.DataType) -> bool:
    """Whether :func:`_cast` of a ``source`` column can neither fail nor drop a value, so its
    result is null exactly where the cell holds none: free text read as text (blank cells
    become null), or a scalar already of its canonical type (Parquet, Arrow)."""
    if col.is_list:
        return False
    if col.kind == "str":
        return source == pl.String or source == pl.Null
    return source == col.polars_type() and source != pl.String


def _given(expr: pl.Expr, dtype: pl.DataType) -> pl.Expr:
    """A cell holds a value: not null, and not an empty text cell."""
    if dtype == pl.String:
        return expr.is_not_null() & (expr.str.strip_chars() != "")
    return expr.is_not_null()


def _kind_name(col: FieldSpec) -> str:
    if col.kind == "enum":
        return "value (one of " + ", ".join(col.enum_values) + ")"
    if col.decimal is not None:
        return f"decimal with at most {col.decimal.scale} decimals"
    return {"str": "text", "int": "integer", "float": "number", "date": "date (YYYY-MM-DD)",
            "bool": "true/false"}[col.kind]


def _scalar_expr(expr: pl.Expr, col: FieldSpec, source: pl.DataType) -> pl.Expr:
    target = col.polars_type()
    if source == pl.String or source == pl.Null:
        text = expr.cast(pl.String).str.strip_chars()
        text = pl.when(text == "").then(None).otherwise(text)
        return _from_text(text, col, target)
    if source == target:
        return expr
    if col.kind in ("str", "enum"):
        return _enum_or_str(expr.cast(pl.String), col)
    if col.kind == "int" and source.is_float():
        return pl.when(expr == expr.round(0)).then(expr.cast(pl.Int64, strict=False))
    if col.kind == "date" and isinstance(source, pl.Datetime):
        return expr.dt.date()
    return expr.cast(target, strict=False)


def _from_text(text: pl.Expr, col: FieldSpec, target: pl.DataType) -> pl.Expr:
    if col.kind in ("str", "enum"):
        return _enum_or_str(text, col)
    if col.kind == "date":
        return text.str.strptime(pl.Date, "%Y-%m-%d", strict=False)
    if col.kind == "bool":
        low = text.str.to_lowercase()
        return pl.when(low.is_in(_TRUE)).then(True).when(low.is_in(_FALSE)).then(False)
    if col.decimal is not None:
        # Refuse what a cast would round away: more decimals than the scale allows.
        scale = col.decimal.scale
        ok = text.str.contains(rf"^[+-]?(\d+(\.\d{{0,{scale}}}0*)?|\.\d{{1,{scale}}}0*)$")
        # Cast wide first so that a value with too many digits is reported as such below.
        return pl.when(ok).then(text.cast(pl.Decimal(38, scale), strict=False))
    if col.kind == "int":
        return pl.when(text.str.contains(r"^[+-]?\d+$")).then(text.cast(pl.Int64, strict=False))
    return text.cast(target, strict=False)


def _enum_or_str(text: pl.Expr, col: FieldSpec) -> pl.Expr:
    if col.kind == "enum":
        return pl.when(text.is_in(col.enum_values)).then(text)
    return text


def _list_expr(col: FieldSpec, source: pl.DataType) -> pl.Expr:
    item = FieldSpec(col.name, col.kind, nullable=True, decimal=col.decimal,
                     enum_values=col.enum_values)
    if source == pl.String or source == pl.Null:
        text = pl.col(col.name).cast(pl.String).str.strip_chars()
        parts = pl.when(text == "").then(pl.lit([], dtype=pl.List(pl.String))).otherwise(
            text.str.split(LIST_SEPARATOR)
        )
        inner: pl.DataType = pl.String()
    elif isinstance(source, pl.List):
        parts = pl.col(col.name)
        inner = source.inner if isinstance(source.inner, pl.DataType) else source.inner()
    else:
        return pl.lit(None, dtype=col.polars_type())
    converted = parts.list.eval(_scalar_expr(pl.element(), item, inner))
    # A list with an item that failed to convert is invalid as a whole.
    bad = converted.list.eval(pl.element().is_null()).list.any()
    return pl.when(bad.fill_null(False)).then(None).otherwise(converted)


def _constraint_checks(col: FieldSpec) -> list[_Check]:
    c = pl.col(col.name)
    if not col.is_list:
        mask = _violations(c, col)
        return [] if mask is None else [_Check(mask, col.name, _bounds_text(col))]
    checks: list[_Check] = []
    if col.list_max is not None:
        checks.append(_Check(c.list.len() > col.list_max, col.name,
                             f"more than {col.list_max} values", RowIssue.SIZE))
    if col.list_min is not None:
        checks.append(_Check(c.list.len() < col.list_min, col.name,
                             f"fewer than {col.list_min} values", RowIssue.SIZE))
    item = _violations(pl.element(), col)
    if item is not None:
        checks.append(_Check(c.list.eval(item).list.any(), col.name, "a value is out of bounds"))
    return checks


def _violations(c: pl.Expr, col: FieldSpec) -> pl.Expr | None:
    masks: list[pl.Expr] = []
    if col.kind == "str":
        if col.min_length is not None:
            masks.append(c.str.len_chars() < col.min_length)
        if col.max_length is not None:
            masks.append(c.str.len_chars() > col.max_length)
        if col.pattern is not None:
            masks.append(~c.str.contains(col.pattern))
    if col.ge is not None:
        masks.append(c < col.ge)
    if col.le is not None:
        masks.append(c > col.le)
    if col.decimal is not None:
        masks.append(c.abs() >= 10 ** (col.decimal.precision - col.decimal.scale))
    if not masks:
        return None
    out = masks[0]
    for m in masks[1:]:
        out = out | m
    return out


def _bounds_text(col: FieldSpec) -> str:
    parts: list[str] = []
    if col.min_length is not None or col.max_length is not None:
        parts.append(f"length must be {col.min_length or 0} to {col.max_length or 'any'}")
    if col.pattern is not None:
        parts.append(f"must match {col.pattern}")
    if col.ge is not None:
        parts.append(f"must be at least {col.ge}")
    if col.le is not None:
        parts.append(f"must be at most {col.le}")
    if col.decimal is not None:
        parts.append(f"must have at most {col.decimal.precision - col.decimal.scale} digits")
    return "; ".join(parts) or "out of bounds"


def _check_keys(spec: TableSpec, frame: pl.DataFrame, found: _Problems) -> None:
    key = list(spec.key)
    dup = frame.with_columns(pl.col(_ROW).min().over(key).alias("__first")).filter(
        pl.col(_ROW) != pl.col("__first")
    )
    for row in dup.iter_rows(named=True):
        if len(found.found) >= _MAX_PROBLEMS:
            return
        shown = ", ".join(f"{k}={row[k]!r}" for k in key)
        found.found.append(
            RowProblem(found.source, found.table, row[_ROW], key[-1],
                       f"duplicate key {shown} (first at row {row['__first']})",
                       issue=RowIssue.KEY)
        )


def _check_links(
    spec: TableSpec,
    typed: Mapping[str, pl.DataFrame],
    sources: Mapping[str, str],
    problems: list[RowProblem],
) -> None:
    """Child rows must belong to a parent row; list sizes per parent must hold."""
    if spec.parent is None:
        return
    parent_key = [k.name for k in spec.parent_key]
    child, parent = typed[spec.name], typed[spec.parent]
    found = _Problems(sources.get(spec.name, spec.name), spec.name, problems)
    orphans = child.join(parent.select(parent_key), on=parent_key, how="anti", nulls_equal=True)
    found.rows(orphans, pl.lit(True), parent_key[-1], f"no matching row in {spec.parent}",
               RowIssue.LINK)
    counts = parent.join(
        child.group_by(parent_key).agg(pl.len().alias("__n")), on=parent_key, how="left"
    ).with_columns(pl.col("__n").fill_null(0))
    up = _Problems(sources.get(spec.parent, spec.parent), spec.parent, problems)
    if spec.list_min:
        up.rows(counts, pl.col("__n") < spec.list_min, str(spec.field_name),
                f"needs at least {spec.list_min} row(s) in {spec.name}", RowIssue.SIZE)
    if spec.list_max is not None:
        up.rows(counts, pl.col("__n") > spec.list_max, str(spec.field_name),
                f"more than {spec.list_max} rows in {spec.name}", RowIssue.SIZE)

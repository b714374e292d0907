"""Tabular form of the canonical records, derived from their pydantic declarations.

A top-level record (``Claim``) lays out as one table of its scalar fields plus one table per
nested list (``claim_lines``, ``claim_diagnoses``), each child row carrying its parent's key.
Lists of scalars (modifiers, pointers) stay list columns. Everything here is computed from the
model classes, so the typed and the tabular form cannot drift apart.
"""

from __future__ import annotations

import datetime as dt
import types
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import Enum
from functools import cache
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import polars as pl
import pyarrow as pa
from pydantic.fields import FieldInfo

from .base import DecimalSpec, Record

__all__ = [
    "Batch",
    "FieldSpec",
    "Kind",
    "TableSpec",
    "batch_from_records",
    "records_from_batch",
    "table_specs",
]

Kind = Literal["str", "int", "float", "decimal", "date", "datetime", "bool", "enum"]
_SEQ = "seq"


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """One column: its kind, whether it may be null, its default and its constraints."""

    name: str
    kind: Kind
    nullable: bool
    is_list: bool = False
    default: Any = None
    has_default: bool = False
    enum_values: tuple[str, ...] = ()
    decimal: DecimalSpec | None = None
    min_length: int | None = None
    max_length: int | None = None
    pattern: str | None = None
    ge: float | None = None
    le: float | None = None
    list_min: int | None = None
    list_max: int | None = None

    @property
    def required(self) -> bool:
        """A value must be given: not nullable and no default to fall back on."""
        return not self.nullable and not self.has_default

    def arrow_type(self) -> pa.DataType:
        scalar = _ARROW[self.kind] if self.decimal is None else pa.decimal128(*_dec(self))
        return pa.list_(scalar) if self.is_list else scalar

    def polars_type(self) -> pl.DataType:
        if self.decimal is not None:
            scalar: pl.DataType = pl.Decimal(*_dec(self))
        else:
            scalar = _POLARS[self.kind]
        return pl.List(scalar) if self.is_list else scalar


def _dec(spec: FieldSpec) -> tuple[int, int]:
    assert spec.decimal is not None
    return spec.decimal.precision, spec.decimal.scale


_ARROW: dict[str, pa.DataType] = {
    "str": pa.string(),
    "enum": pa.string(),
    "int": pa.int64(),
    "float": pa.float64(),
    "date": pa.date32(),
    "datetime": pa.timestamp("us", tz="UTC"),
    "bool": pa.bool_(),
}
_POLARS: dict[str, pl.DataType] = {
    "str": pl.String(),
    "enum": pl.String(),
    "int": pl.Int64(),
    "float": pl.Float64(),
    "date": pl.Date(),
    "datetime": pl.Datetime("us", "UTC"),
    "bool": pl.Boolean(),
}
_SCALAR_KIND: dict[type, Kind] = {
    str: "str",
    int: "int",
    float: "float",
    Decimal: "decimal",
    dt.date: "date",
    dt.datetime: "datetime",
    bool: "bool",
}
_CONSTRAINTS = ("min_length", "max_length", "pattern", "ge", "le")


@dataclass(frozen=True, slots=True)
class TableSpec:
    """One table of a record type: where it hangs in the tree and its columns."""

    name: str
    model: type[Record]
    parent: str | None
    parent_key: tuple[FieldSpec, ...]
    fields: tuple[FieldSpec, ...]
    key: tuple[str, ...]
    field_name: str | None = None
    children: tuple[TableSpec, ...] = field(default=())
    list_min: int | None = None
    list_max: int | None = None

    @property
    def has_seq(self) -> bool:
        return _SEQ in self.key and _SEQ not in {f.name for f in self.fields}

    @property
    def columns(self) -> tuple[FieldSpec, ...]:
        """Parent key, then the implicit ordinal of a keyless child, then the record's fields."""
        seq = (FieldSpec(_SEQ, "int", nullable=False, ge=1),) if self.has_seq else ()
        return self.parent_key + seq + self.fields

    def column(self, name: str) -> FieldSpec:
        return next(c for c in self.columns if c.name == name)

    def arrow_schema(self) -> pa.Schema:
        return pa.schema(
            [pa.field(c.name, c.arrow_type(), nullable=c.nullable) for c in self.columns]
        )

    def polars_schema(self) -> pl.Schema:
        return pl.Schema({c.name: c.polars_type() for c in self.columns})


def _field_spec(name: str, info: FieldInfo) -> FieldSpec:
    annotation: Any = info.annotation
    metadata: list[Any] = list(info.metadata)
    nullable = False
    origin = get_origin(annotation)
    if origin in (Union, types.UnionType):
        args = [a for a in get_args(annotation) if a is not type(None)]
        nullable = len(args) < len(get_args(annotation))
        (annotation,) = args
    list_meta: dict[str, Any] = {}
    is_list = get_origin(annotation) is list
    if is_list:
        list_meta = _constraints(metadata)
        metadata = []
        (annotation,) = get_args(annotation)
    while get_origin(annotation) is Annotated:
        annotation, *extra = get_args(annotation)
        metadata.extend(extra)
    for item in list(metadata):
        if isinstance(item, FieldInfo):
            metadata.extend(item.metadata)
    decimal = next((m for m in metadata if isinstance(m, DecimalSpec)), None)
    enum_values: tuple[str, ...] = ()
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        kind: Kind = "enum"
        enum_values = tuple(str(m.value) for m in annotation)
    elif annotation in _SCALAR_KIND:
        kind = _SCALAR_KIND[annotation]
    else:
        raise TypeError(f"{name}: no tabular form for {annotation!r}")
    has_default = not info.is_required()
    default = info.get_default(call_default_factory=True) if has_default else None
    if isinstance(default, Enum):
        default = default.value
    return FieldSpec(
        name=name,
        kind=kind,
        nullable=nullable,
        is_list=is_list,
        default=default,
        has_default=has_default and default is not None,
        enum_values=enum_values,
        decimal=decimal,
        list_min=list_meta.get("min_length"),
        list_max=list_meta.get("max_length"),
        **_constraints(metadata),
    )


def _constraints(metadata: Iterable[Any]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for item in metadata:
        for attr in _CONSTRAINTS:
            value = getattr(item, attr, None)
            if value is not None:
                found[attr] = value
    return found


def _child_model(info: FieldInfo) -> type[Record]:
    (item,) = get_args(info.annotation)
    assert isinstance(item, type) and issubclass(item, Record)
    return item


def _build(
    model: type[Record],
    name: str,
    parent: str | None,
    parent_key: tuple[FieldSpec, ...],
    field_name: str | None = None,
    list_bounds: dict[str, Any] | None = None,
) -> TableSpec:
    fields = tuple(
        _field_spec(n, info)
        for n, info in model.model_fields.items()
        if n not in model.__children__
    )
    clash = {f.name for f in fields} & {k.name for k in parent_key}
    if clash:
        raise TypeError(f"{model.__name__}: fields {clash} clash with its parent's key")
    own_key = model.__key__ or (_SEQ,)
    key = tuple(k.name for k in parent_key) + own_key
    spec = TableSpec(name, model, parent, parent_key, fields, key, field_name)
    key_specs = tuple(spec.column(k) for k in key)
    children = tuple(
        _build(
            _child_model(model.model_fields[fname]),
            tname,
            name,
            key_specs,
            fname,
            _constraints(model.model_fields[fname].metadata),
        )
        for fname, tname in model.__children__.items()
    )
    bounds = list_bounds or {}
    return TableSpec(
        name,
        model,
        parent,
        parent_key,
        fields,
        key,
        field_name,
        children,
        bounds.get("min_length"),
        bounds.get("max_length"),
    )


@cache
def table_specs(model: type[Record]) -> tuple[TableSpec, ...]:
    """The tables of a top-level record type, parents before children."""
    if not model.__table__:
        raise TypeError(f"{model.__name__} is not a top-level record (no __table__)")
    root = _build(model, model.__table__, None, ())

    def walk(spec: TableSpec) -> Iterator[TableSpec]:
        yield spec
        for child in spec.children:
            yield from walk(child)

    return tuple(walk(root))


@dataclass(frozen=True)
class Batch:
    """A canonical batch of one record type: one Arrow table per table spec."""

    model: type[Record]
    tables: dict[str, pa.Table]

    @property
    def root(self) -> pa.Table:
        return self.tables[self.model.__table__]

    def __len__(self) -> int:
        return int(self.root.num_rows)

    def frames(self) -> dict[str, pl.DataFrame]:
        """The same tables as Polars frames (zero-copy where Arrow allows)."""
        return {name: _as_frame(t) for name, t in self.tables.items()}


def _as_frame(table: pa.Table) -> pl.DataFrame:
    frame = pl.from_arrow(table)
    assert isinstance(frame, pl.DataFrame)
    return frame


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def batch_from_records(model: type[Record], records: Sequence[Record]) -> Batch:
    """Lay typed records out as the tables of a batch."""
    specs = table_specs(model)
    columns: dict[str, dict[str, list[Any]]] = {
        s.name: {c.name: [] for c in s.columns} for s in specs
    }

    def emit(spec: TableSpec, record: Record, inherited: dict[str, Any], seq: int) -> None:
        out = columns[spec.name]
        for k, v in inherited.items():
            out[k].append(v)
        if spec.has_seq:
            out[_SEQ].append(seq)
        for f in spec.fields:
            out[f.name].append(_plain(getattr(record, f.name)))
        key = {k: (seq if k == _SEQ else getattr(record, k, None)) for k in spec.key}
        key.update(inherited)
        for child in spec.children:
            assert child.field_name is not None
            for i, item in enumerate(getattr(record, child.field_name), start=1):
                emit(child, item, {k: _plain(key[k]) for k in spec.key}, i)

    for i, record in enumerate(records, start=1):
        if not isinstance(record, model):
            raise TypeError(f"record {i} is a {type(record).__name__}, not a {model.__name__}")
        emit(specs[0], record, {}, i)
    tables = {
        s.name: pa.table(columns[s.name], schema=s.arrow_schema()) for s in specs
    }
    return Batch(model, tables)


def _row_key(key: tuple[str, ...]) -> Callable[[dict[str, Any]], tuple[Any, ...]]:
    return lambda row: tuple(row[k] for k in key)


def records_from_batch(batch: Batch) -> list[Record]:
    """Rebuild typed records from the tables of a batch (the inverse of batch_from_records)."""
    specs = table_specs(batch.model)
    by_name = {s.name: s for s in specs}
    rows = {s.name: batch.tables[s.name].to_pylist() for s in specs}

    grouped: dict[str, dict[tuple[Any, ...], list[dict[str, Any]]]] = {}
    for spec in specs[1:]:
        assert spec.parent is not None
        parent_key = tuple(k.name for k in spec.parent_key)
        groups: dict[tuple[Any, ...], list[dict[str, Any]]] = defaultdict(list)
        for row in rows[spec.name]:
            groups[tuple(row[k] for k in parent_key)].append(row)
        for members in groups.values():
            members.sort(key=_row_key(spec.key))
        grouped[spec.name] = groups

    def build(spec: TableSpec, row: dict[str, Any]) -> dict[str, Any]:
        data = {f.name: row[f.name] for f in spec.fields}
        key = tuple(row[k] for k in spec.key)
        for child in spec.children:
            assert child.field_name is not None
            kids = grouped[child.name].get(key, [])
            data[child.field_name] = [build(by_name[child.name], r) for r in kids]
        return data

    root = specs[0]
    return [batch.model.model_validate(build(root, row)) for row in rows[root.name]]

"""The database tables.

Record tables are derived from the canonical record declarations (one table per table spec of
:mod:`cleanclaim.domain.schema`), so the store cannot drift from the model: a field added to a
record appears here and in the next migration, and the migration-drift test fails until that
migration exists. Bookkeeping tables of the store itself are declared as typed ORM classes.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from ..domain import ROOT_RECORDS, SCRUB_RECORDS, Finding, Record
from ..domain.schema import FieldSpec, TableSpec, table_specs
from .types import ExactDecimal

__all__ = [
    "STORED_RECORDS",
    "Base",
    "IngestBatch",
    "metadata",
    "record_table",
]

STORED_RECORDS: tuple[type[Record], ...] = tuple(r for r in ROOT_RECORDS if r is not Finding)
"""Records the store loads from input. Findings are kept with their scrub runs
(:data:`~cleanclaim.domain.SCRUB_RECORDS`, written by :mod:`cleanclaim.store.scrubs`)."""

BATCH_COLUMN = "batch_id"


class Base(DeclarativeBase):
    """Declarative base; its metadata holds every table of the store."""


metadata = Base.metadata


class IngestBatch(Base):
    """One loaded batch, identified by the checksum of its canonical content."""

    __tablename__ = "ingest_batches"

    batch_id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    record_type: Mapped[str] = mapped_column(sa.String(50))
    source: Mapped[str] = mapped_column(sa.Text)
    rows: Mapped[int] = mapped_column(sa.BigInteger)
    inserted: Mapped[int] = mapped_column(sa.BigInteger)
    skipped_existing: Mapped[int] = mapped_column(sa.BigInteger)
    loaded_at: Mapped[dt.datetime] = mapped_column(sa.DateTime(timezone=True))


def _column_type(col: FieldSpec) -> sa.types.TypeEngine[Any]:
    if col.is_list:
        return sa.JSON()
    if col.decimal is not None:
        return ExactDecimal(col.decimal.precision, col.decimal.scale)
    if col.kind in ("str", "enum"):
        return sa.String(col.max_length or (32 if col.kind == "enum" else 200))
    scalar: dict[str, sa.types.TypeEngine[Any]] = {
        "int": sa.BigInteger(),
        "float": sa.Float(),
        "date": sa.Date(),
        "datetime": sa.DateTime(timezone=True),
        "bool": sa.Boolean(),
    }
    return scalar[col.kind]


def _table(spec: TableSpec) -> sa.Table:
    columns: list[sa.schema.SchemaItem] = [
        sa.Column(c.name, _column_type(c), nullable=c.nullable and c.name not in spec.key)
        for c in spec.columns
    ]
    if spec.parent is None:
        columns.append(
            sa.Column(
                BATCH_COLUMN,
                sa.String(64),
                sa.ForeignKey("ingest_batches.batch_id"),
                nullable=False,
                index=True,
            )
        )
    else:
        parent_key = [k.name for k in spec.parent_key]
        columns.append(
            sa.ForeignKeyConstraint(
                parent_key,
                [f"{spec.parent}.{k}" for k in parent_key],
                name=f"fk_{spec.name}_{spec.parent}",
                ondelete="CASCADE",
            )
        )
    columns.append(sa.PrimaryKeyConstraint(*spec.key, name=f"pk_{spec.name}"))
    return sa.Table(spec.name, metadata, *columns)


_TABLES: dict[str, sa.Table] = {
    spec.name: _table(spec)
    for record in (*STORED_RECORDS, *SCRUB_RECORDS)
    for spec in table_specs(record)
}
# "The latest findings for claim Y" finds the claim's runs through their decisions.
sa.Index("ix_scrub_decisions_claim_id", _TABLES["scrub_decisions"].c.claim_id)


def record_table(name: str) -> sa.Table:
    """The table of one table spec, by name."""
    return _TABLES[name]

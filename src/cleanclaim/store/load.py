"""Bulk loading of canonical batches: fast, idempotent and transactional.

A batch is identified by the checksum of its canonical content. Loading goes through temporary
staging tables inside one transaction: rows are bulk-copied in (COPY on PostgreSQL, executemany on
SQLite), then the records whose key is not stored yet are inserted with their children. Loading
the same batch again adds nothing; records already stored by an earlier batch are skipped and
counted; any failure rolls the whole batch back.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from collections.abc import Iterable
from dataclasses import dataclass, field

import polars as pl
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from ..domain.schema import Batch, TableSpec, table_specs
from ..errors import StoreError
from .tables import BATCH_COLUMN, IngestBatch, record_table

__all__ = [
    "LoadResult", "batch_checksum", "begin_ingest", "copy_rows", "load_batch", "wire_frame",
]


@dataclass(frozen=True)
class LoadResult:
    """What a load did."""

    batch_id: str
    record_type: str
    rows: int
    inserted: int
    skipped_existing: int
    already_loaded: bool
    table_rows: dict[str, int] = field(default_factory=dict)


def wire_frame(spec: TableSpec, frame: pl.DataFrame) -> pl.DataFrame:
    """The batch table as text-or-number columns every driver takes as is.

    Decimals and dates become their canonical text, lists become JSON arrays. The same form
    feeds PostgreSQL's COPY, SQLite's executemany and the batch checksum.
    """
    exprs: list[pl.Expr] = []
    for col in spec.columns:
        c = pl.col(col.name)
        if col.is_list:
            quoted = col.kind in ("str", "enum", "date")
            exprs.append(_json_array(c, quoted=quoted).alias(col.name))
        elif col.decimal is not None or col.kind in ("date", "datetime"):
            exprs.append(c.cast(pl.String))
        else:
            exprs.append(c)
    return frame.select(exprs)


def _json_array(c: pl.Expr, *, quoted: bool) -> pl.Expr:
    if quoted:
        items = c.list.eval(
            pl.concat_str(
                pl.lit('"'),
                pl.element()
                .cast(pl.String)
                .str.replace_all("\\", "\\\\", literal=True)
                .str.replace_all('"', '\\"', literal=True),
                pl.lit('"'),
            )
        )
    else:
        items = c.list.eval(pl.element().cast(pl.String))
    return pl.concat_str(pl.lit("["), items.list.join(","), pl.lit("]"))


def batch_checksum(batch: Batch) -> str:
    """SHA-256 of the batch's canonical content, independent of row order."""
    digest = hashlib.sha256(batch.model.__table__.encode())
    frames = batch.frames()
    for spec in table_specs(batch.model):
        wire = wire_frame(spec, frames[spec.name]).sort(list(spec.key))
        digest.update(spec.name.encode())
        digest.update(wire.write_csv().encode())
    return digest.hexdigest()


def begin_ingest(conn: Connection, batch_id: str, *, record_type: str, source: str,
                 rows: int, inserted: int = 0) -> bool:
    """Record batch ``batch_id`` in ``ingest_batches`` inside the caller's transaction;
    False, and nothing done, when it is recorded already."""
    done = conn.execute(
        sa.select(IngestBatch.batch_id).where(IngestBatch.batch_id == batch_id)
    ).first()
    if done is not None:
        return False
    # The bookkeeping row first: on SQLite it also opens the write transaction.
    conn.execute(sa.insert(IngestBatch).values(
        batch_id=batch_id, record_type=record_type, source=source, rows=rows,
        inserted=inserted, skipped_existing=0, loaded_at=dt.datetime.now(dt.UTC)))
    return True


def load_batch(engine: Engine, batch: Batch, *, source: str) -> LoadResult:
    """Store ``batch`` in one transaction; see the module docstring for the semantics."""
    specs = table_specs(batch.model)
    root = specs[0]
    batch_id = batch_checksum(batch)
    frames = batch.frames()
    try:
        with engine.begin() as conn:
            if not begin_ingest(conn, batch_id, record_type=root.name, source=source,
                                rows=len(batch)):
                return LoadResult(batch_id, root.name, len(batch), 0, 0, True)
            stages = {s.name: _stage(conn, s, frames[s.name]) for s in specs}
            counts = _insert_new(conn, specs, stages, batch_id)
            inserted = counts[root.name]
            conn.execute(
                sa.update(IngestBatch)
                .where(IngestBatch.batch_id == batch_id)
                .values(inserted=inserted, skipped_existing=len(batch) - inserted)
            )
            for stage in [*stages.values(), _NEW_KEYS]:
                conn.exec_driver_sql(f"DROP TABLE IF EXISTS {stage}")
    except sa.exc.SQLAlchemyError as exc:
        raise StoreError(f"batch from {source} not stored (nothing was written): {exc}") from exc
    return LoadResult(
        batch_id, root.name, len(batch), inserted, len(batch) - inserted, False, counts
    )


_NEW_KEYS = "stage_new_keys"


def _stage(conn: Connection, spec: TableSpec, frame: pl.DataFrame) -> str:
    """Create a temporary copy of the table's columns and bulk-copy the batch rows into it."""
    target = record_table(spec.name)
    name = f"stage_{spec.name}"
    cols = [c.name for c in spec.columns]
    ddl = ", ".join(
        f"{c} {target.c[c].type.compile(dialect=conn.dialect)}" for c in cols
    )
    conn.exec_driver_sql(f"DROP TABLE IF EXISTS {name}")
    conn.exec_driver_sql(f"CREATE TEMPORARY TABLE {name} ({ddl})")
    copy_rows(conn, name, wire_frame(spec, frame))
    return name


def copy_rows(conn: Connection, table: str, wire: pl.DataFrame) -> None:
    """Bulk-copy the rows of a wire frame (see :func:`wire_frame`) into ``table``, whose
    columns are named like the frame's: COPY on PostgreSQL, executemany on SQLite."""
    if wire.height == 0:
        return
    cols = ", ".join(wire.columns)
    raw = conn.connection.driver_connection
    assert raw is not None
    dbapi_error = conn.dialect.loaded_dbapi.Error
    try:
        if conn.dialect.name == "postgresql":
            buffer = io.BytesIO()
            wire.write_csv(buffer, include_header=False, null_value="\\N",
                           quote_style="necessary")
            sql = f"COPY {table} ({cols}) FROM STDIN WITH (FORMAT csv, NULL '\\N')"
            with raw.cursor() as cursor, cursor.copy(sql) as copy:
                copy.write(buffer.getvalue())
        else:
            sql = f"INSERT INTO {table} ({cols}) VALUES ({', '.join('?' for _ in wire.columns)})"
            cursor = raw.cursor()
            try:
                cursor.executemany(sql, wire.iter_rows())
            finally:
                cursor.close()
    except dbapi_error as exc:
        # The driver is used directly: raise its error as SQLAlchemy would have.
        raise sa.exc.DBAPIError.instance(sql, None, exc, dbapi_error) from exc


def _key_match(alias: str, other: str, key: Iterable[str]) -> str:
    return " AND ".join(f"{alias}.{k} = {other}.{k}" for k in key)


def _insert_new(
    conn: Connection, specs: tuple[TableSpec, ...], stages: dict[str, str], batch_id: str
) -> dict[str, int]:
    root = specs[0]
    key = list(root.key)
    keys = ", ".join(key)
    root_ddl = ", ".join(
        f"{k} {record_table(root.name).c[k].type.compile(dialect=conn.dialect)}" for k in key
    )
    conn.exec_driver_sql(f"DROP TABLE IF EXISTS {_NEW_KEYS}")
    conn.exec_driver_sql(f"CREATE TEMPORARY TABLE {_NEW_KEYS} ({root_ddl})")
    conn.exec_driver_sql(
        f"INSERT INTO {_NEW_KEYS} ({keys}) SELECT {keys} FROM {stages[root.name]} s "
        f"WHERE NOT EXISTS (SELECT 1 FROM {root.name} t WHERE {_key_match('t', 's', key)})"
    )
    counts: dict[str, int] = {}
    for spec in specs:
        cols = [c.name for c in spec.columns]
        select = ", ".join(f"s.{c}" for c in cols)
        extra_col, extra_val = ("", "")
        if spec.parent is None:
            extra_col, extra_val = f", {BATCH_COLUMN}", ", :batch_id"
        sql = (
            f"INSERT INTO {spec.name} ({', '.join(cols)}{extra_col}) "
            f"SELECT {select}{extra_val} FROM {stages[spec.name]} s "
            f"JOIN {_NEW_KEYS} n ON {_key_match('n', 's', key)}"
        )
        result = conn.execute(sa.text(sql), {"batch_id": batch_id})
        counts[spec.name] = result.rowcount
    return counts

"""Reference tables in the database: a copy of the refdata store's lookups, for SQL joins.

The refdata store (:mod:`cleanclaim.refdata`) keeps code sets and edit tables as Parquet; the
engine joins those directly. Reports, analysts' SQL and the API sometimes need the same tables
inside the database, so :func:`load_reference` copies the lookup of one kind (``ptp-practitioner``)
or logical table (``ptp``, every setting) into a table ``ref_<name>``: every active release, each
row with ``valid_from`` / ``valid_before`` (inclusive / exclusive, null = open) and its
``release``, ``origin`` and ``version_id``, exactly as the engine sees it. A table
``ref_releases`` records which releases each ``ref_*`` table holds, with their checksums.

These tables are managed here, not by the Alembic migrations: their shape follows the kind
loaded (and changes when a kind gains a column), so each load creates the table from the Polars
schema with SQLAlchemy Core. A load is one transaction: create ``ref_<name>__new``, bulk-load it
(COPY in CSV format on PostgreSQL, executemany on SQLite), drop the old table, rename the new one
into place, index it, and replace its rows in ``ref_releases``. Readers see the old table or the
new one, never a half-loaded one; a failure leaves the old table and its bookkeeping as they were.
Loading releases already recorded (same version ids and checksums) does nothing.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import polars as pl
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from ..errors import InputError, StoreError
from ..refdata import KIND_SPECS, RefdataStore, RefKind

__all__ = [
    "RELEASES_TABLE",
    "ReferenceRelease",
    "drop_reference",
    "load_reference",
    "loaded_releases",
    "reference_table_name",
]

RELEASES_TABLE = "ref_releases"
_COPY_ROWS = 250_000
"""Rows per COPY chunk: bounds the CSV text held in memory for a 2M-row table."""

_KEYS: dict[str, tuple[str, ...]] = {
    "ptp": ("column1", "column2"),
    "mue": ("code",),
    "aoc": ("addon_code",),
    "icd10cm": ("code",),
    "hcpcs": ("code",),
    "cpt": ("code",),
    "taxonomy": ("code",),
}
"""Columns the engine joins on, indexed once the table is loaded."""

_releases_meta = sa.MetaData()
_releases = sa.Table(
    RELEASES_TABLE,
    _releases_meta,
    sa.Column("table_name", sa.String(63), primary_key=True),
    sa.Column("version_id", sa.String(200), primary_key=True),
    sa.Column("kind", sa.String(40), nullable=False),
    sa.Column("release", sa.String(200), nullable=False),
    sa.Column("origin", sa.String(20), nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("valid_from", sa.Date),
    sa.Column("valid_before", sa.Date),
    sa.Column("rows", sa.BigInteger, nullable=False),
    sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
)


@dataclass(frozen=True, slots=True)
class ReferenceRelease:
    """One release held by a ``ref_*`` table, as recorded in ``ref_releases``."""

    table_name: str
    version_id: str
    kind: str
    release: str
    origin: str
    sha256: str
    valid_from: dt.date | None
    valid_before: dt.date | None
    rows: int
    loaded_at: dt.datetime


def reference_table_name(name: RefKind | str, setting: str | None = None) -> str:
    """``ref_<kind>`` (``ref_ptp_practitioner``), or ``ref_<table>[_<setting>]``."""
    base = str(name).strip().lower()
    if setting is not None and base in {s.table for s in KIND_SPECS.values()}:
        base = f"{base}_{setting}"
    table = "ref_" + re.sub(r"[^a-z0-9]+", "_", base).strip("_")
    if len(table) > 55:  # leaves room for the "__new" suffix within PostgreSQL's 63 characters
        raise InputError(f"reference table name {table!r} is too long")
    return table


def _sql_type(dtype: pl.DataType) -> sa.types.TypeEngine[Any]:
    if dtype == pl.Boolean:
        return sa.Boolean()
    if dtype == pl.Date:
        return sa.Date()
    if dtype in (pl.Int8, pl.Int16, pl.UInt8):
        return sa.SmallInteger()
    if dtype in (pl.Int32, pl.UInt16):
        return sa.Integer()
    if dtype.is_integer():
        return sa.BigInteger()
    if dtype.is_float():
        return sa.Float()
    if dtype == pl.String:
        return sa.Text()
    raise StoreError(f"no SQL column type for Polars {dtype}")  # a new refdata column type


def _wire(frame: pl.DataFrame, dialect: str) -> pl.DataFrame:
    """Values every driver takes as they are: dates as ISO text; booleans as 0/1 on SQLite."""
    exprs = []
    for name, dtype in frame.schema.items():
        col = pl.col(name)
        if dtype == pl.Date:
            exprs.append(col.dt.strftime("%Y-%m-%d"))
        elif dtype == pl.Boolean and dialect == "sqlite":
            exprs.append(col.cast(pl.Int8))
        else:
            exprs.append(col)
    return frame.select(exprs)


def _slices(frame: pl.DataFrame, size: int) -> Iterator[pl.DataFrame]:
    for start in range(0, frame.height, size):
        yield frame.slice(start, size)


def _bulk_load(conn: Connection, table: str, frame: pl.DataFrame) -> None:
    if frame.height == 0:
        return
    dialect = conn.dialect.name
    wire = _wire(frame, dialect)
    quote = conn.dialect.identifier_preparer.quote
    cols = ", ".join(quote(c) for c in frame.columns)
    raw = conn.connection.driver_connection
    if raw is None:  # pragma: no cover - a connection is checked out inside begin()
        raise StoreError("no database connection")
    if dialect == "postgresql":
        with raw.cursor() as cursor, cursor.copy(
            f"COPY {table} ({cols}) FROM STDIN WITH (FORMAT csv, NULL '\\N')"
        ) as copy:
            for part in _slices(wire, _COPY_ROWS):
                buffer = io.BytesIO()
                part.write_csv(buffer, include_header=False, null_value="\\N",
                               quote_style="necessary")
                copy.write(buffer.getvalue())
        return
    placeholders = ", ".join("?" for _ in frame.columns)
    cursor = raw.cursor()
    try:
        cursor.executemany(f"INSERT INTO {table} ({cols}) VALUES ({placeholders})",
                           wire.iter_rows())
    finally:
        cursor.close()


def _releases_of(store: RefdataStore, kinds: Sequence[RefKind], table: str,
                 frame: pl.DataFrame, now: dt.datetime) -> list[dict[str, object]]:
    counts = dict(frame.group_by("version_id").len().iter_rows())
    shas = {v.version_id: v.sha256 for k in kinds for v in store.versions(k)}
    rows: list[dict[str, object]] = []
    for kind in kinds:
        for w in store.release_windows(kind).iter_rows(named=True):
            rows.append({
                "table_name": table, "version_id": w["version_id"], "kind": str(kind),
                "release": w["release"], "origin": w["origin"],
                "sha256": shas[w["version_id"]], "valid_from": w["valid_from"],
                "valid_before": w["valid_before"], "rows": int(counts.get(w["version_id"], 0)),
                "loaded_at": now,
            })
    return rows


def loaded_releases(engine: Engine, table: str | None = None) -> list[ReferenceRelease]:
    """What ``ref_releases`` records (for one ``ref_*`` table, or all); empty when none."""
    with engine.connect() as conn:
        if not sa.inspect(conn).has_table(RELEASES_TABLE):
            return []
        query = sa.select(_releases).order_by(
            _releases.c.table_name, _releases.c.valid_from.asc().nulls_first()
        )
        if table is not None:
            query = query.where(_releases.c.table_name == table)
        return [ReferenceRelease(**row._asdict()) for row in conn.execute(query)]


def load_reference(
    engine: Engine,
    kind: RefKind | str,
    *,
    setting: str | None = None,
    store: RefdataStore | None = None,
) -> int:
    """Copy the active releases of ``kind`` into ``ref_<kind>``; return the rows it now holds.

    ``kind`` is a refdata kind (``ptp-practitioner``) or a logical table (``ptp``, with
    ``setting`` or every setting); ``store`` defaults to the user's refdata store. See the
    module docstring for the transaction. Raises :class:`~cleanclaim.errors.InputError` for an
    unknown kind and :class:`~cleanclaim.errors.StoreError` when the database refuses.
    """
    store = store or RefdataStore()
    kinds = store.resolve(kind, setting)
    table = reference_table_name(kind, setting)
    logical = KIND_SPECS[kinds[0]].table
    frame = store.lookup(kind, setting).collect()
    now = dt.datetime.now(dt.UTC)
    releases = _releases_of(store, kinds, table, frame, now)
    wanted = {(str(r["version_id"]), str(r["sha256"])) for r in releases}
    try:
        with engine.begin() as conn:
            _releases_meta.create_all(conn, checkfirst=True)
            if _unchanged(conn, table, wanted):
                return int(conn.execute(
                    sa.select(sa.func.count()).select_from(sa.table(table))).scalar_one())
            _replace(conn, table, frame, _KEYS.get(logical, ()))
            conn.execute(sa.delete(_releases).where(_releases.c.table_name == table))
            if releases:
                conn.execute(sa.insert(_releases), releases)
    except sa.exc.SQLAlchemyError as exc:
        raise StoreError(f"{table} not loaded (the previous copy is unchanged): {exc}") from exc
    return frame.height


def _unchanged(conn: Connection, table: str, wanted: set[tuple[str, str]]) -> bool:
    if not sa.inspect(conn).has_table(table):
        return False
    held = conn.execute(
        sa.select(_releases.c.version_id, _releases.c.sha256).where(
            _releases.c.table_name == table)
    ).all()
    return {(v, s) for v, s in held} == wanted


def _replace(conn: Connection, table: str, frame: pl.DataFrame, keys: Sequence[str]) -> None:
    """Create, fill, swap in and index the new table, inside the caller's transaction."""
    staging = f"{table}__new"
    meta = sa.MetaData()
    new = sa.Table(staging, meta, *[sa.Column(n, _sql_type(t)) for n, t in frame.schema.items()])
    new.drop(conn, checkfirst=True)  # left over only by a crash outside any transaction
    new.create(conn)
    _bulk_load(conn, staging, frame)
    sa.Table(table, sa.MetaData()).drop(conn, checkfirst=True)
    conn.exec_driver_sql(f"ALTER TABLE {staging} RENAME TO {table}")
    index_cols = [k for k in keys if k in frame.columns]
    if index_cols:
        quote = conn.dialect.identifier_preparer.quote
        cols = ", ".join(quote(c) for c in [*index_cols, "valid_from"])
        conn.exec_driver_sql(f"CREATE INDEX ix_{table}_key ON {table} ({cols})")


def drop_reference(engine: Engine, kind: RefKind | str, *, setting: str | None = None) -> bool:
    """Drop ``ref_<kind>`` and its ``ref_releases`` rows; False when it was not loaded."""
    table = reference_table_name(kind, setting)
    with engine.begin() as conn:
        inspector = sa.inspect(conn)
        existed = inspector.has_table(table)
        sa.Table(table, sa.MetaData()).drop(conn, checkfirst=True)
        if inspector.has_table(RELEASES_TABLE):
            conn.execute(sa.delete(_releases).where(_releases.c.table_name == table))
    return existed

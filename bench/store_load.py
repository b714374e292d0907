"""Bulk load of canonical claims: cleanclaim's staged COPY/executemany path against a plain
SQLAlchemy bulk insert of the same rows (the usual way an application writes them).

``python -m bench store_load [--claims N] [--db URL]`` (default: both SQLite and the local
PostgreSQL). Each run starts from an empty, migrated database.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from cleanclaim.domain import Claim
from cleanclaim.domain.schema import Batch, table_specs
from cleanclaim.store import load_batch, make_engine, metadata, migrate
from cleanclaim.store.tables import BATCH_COLUMN, IngestBatch, record_table

from .data import claim_batch
from .harness import measure, report

PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def _reset(engine: Engine) -> None:
    with engine.begin() as conn:
        for table in reversed(metadata.sorted_tables):
            conn.execute(table.delete())


def _plain_insert(engine: Engine, batch: Batch) -> None:
    """The baseline: executemany of dict rows through SQLAlchemy Core, one table at a time."""
    with engine.begin() as conn:
        conn.execute(
            sa.insert(IngestBatch).values(
                batch_id="baseline", record_type="claims", source="bench", rows=len(batch),
                inserted=len(batch), skipped_existing=0, loaded_at=sa.func.now(),
            )
        )
        for spec in table_specs(Claim):
            rows = batch.tables[spec.name].to_pylist()
            if spec.parent is None:
                for row in rows:
                    row[BATCH_COLUMN] = "baseline"
            if rows:
                conn.execute(record_table(spec.name).insert(), rows)


def run(url: str, batch: Batch) -> str:
    engine = make_engine(url)
    migrate(engine)
    n = len(batch)
    ours = measure(
        "cleanclaim load_batch", lambda: load_batch(engine, batch, source="bench"),
        items=n, unit="claims", setup=lambda: _reset(engine),
    )
    base = measure(
        "SQLAlchemy executemany", lambda: _plain_insert(engine, batch),
        items=n, unit="claims", setup=lambda: _reset(engine),
    )
    _reset(engine)
    engine.dispose()
    return report(f"store_load on {engine.dialect.name}, {n:,} claims", ours, base)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench store_load")
    parser.add_argument("--claims", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--db", action="append", help="database URL (repeatable)")
    args = parser.parse_args(argv)
    batch = claim_batch(args.claims, args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        urls = args.db or [f"sqlite:///{Path(tmp) / 'bench.db'}", PG_URL]
        for url in urls:
            print(run(url, batch), end="\n\n")
    return 0

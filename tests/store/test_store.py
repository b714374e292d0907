"""The store on SQLite and PostgreSQL: round trips, refusal, idempotency, atomicity, drift."""

from __future__ import annotations

import polars as pl
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy.engine import Engine

from cleanclaim.domain import Claim, Record
from cleanclaim.domain.conform import conform
from cleanclaim.domain.schema import batch_from_records, records_from_batch, table_specs
from cleanclaim.errors import BatchValidationError, StoreError
from cleanclaim.store import (
    STORED_RECORDS,
    count_records,
    current_revision,
    head_revision,
    load_batch,
    metadata,
    read_batch,
)
from cleanclaim.store import load as load_module
from cleanclaim.store.tables import IngestBatch
from tests.records import full_claim, full_records


def _all_fields_set(record: Record) -> list[str]:
    """Names of fields left empty, so the fixture cannot silently miss a new field."""
    empty = []
    for name in type(record).model_fields:
        value = getattr(record, name)
        if value is None or value == []:
            empty.append(name)
        elif isinstance(value, list) and isinstance(value[0], Record):
            # The first nested item is the full one; later ones may be sparse on purpose.
            empty += [f"{name}.{n}" for n in _all_fields_set(value[0])]
    return empty


def test_fixture_sets_every_field_of_every_stored_record() -> None:
    records = full_records()
    assert set(STORED_RECORDS) <= set(records)
    for kind, items in records.items():
        assert _all_fields_set(items[0]) == [], kind.__name__


@pytest.mark.parametrize("kind", STORED_RECORDS, ids=lambda k: k.__name__)
def test_round_trip_preserves_every_field(engine: Engine, kind: type[Record]) -> None:
    records = full_records()[kind]
    result = load_batch(engine, batch_from_records(kind, records), source="test")
    assert result.inserted == len(records)
    back = records_from_batch(read_batch(engine, kind))
    assert back == records
    assert [r.model_dump() for r in back] == [r.model_dump() for r in records]


def test_same_batch_twice_is_stored_once(engine: Engine) -> None:
    batch = batch_from_records(Claim, [full_claim("A"), full_claim("B")])
    first = load_batch(engine, batch, source="one.csv")
    again = load_batch(engine, batch, source="one-again.csv")
    assert (first.inserted, first.already_loaded) == (2, False)
    assert (again.inserted, again.already_loaded, again.batch_id) == (0, True, first.batch_id)
    assert count_records(engine, Claim) == 2
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(IngestBatch)).scalar() == 1
        lines = conn.execute(sa.text("SELECT count(*) FROM claim_lines")).scalar()
    assert lines == 4


def test_row_order_does_not_change_the_batch_identity(engine: Engine) -> None:
    a, b = full_claim("A"), full_claim("B")
    one = load_batch(engine, batch_from_records(Claim, [a, b]), source="x")
    other = load_batch(engine, batch_from_records(Claim, [b, a]), source="y")
    assert other.already_loaded and other.batch_id == one.batch_id


def test_overlapping_batch_skips_stored_records_whole(engine: Engine) -> None:
    load_batch(engine, batch_from_records(Claim, [full_claim("A")]), source="x")
    # Same claim id with a changed line set: the stored claim is kept whole, not merged.
    changed = full_claim("A", lines=[{"line_number": 9, "units": 1, "charge": 1,
                                      "service_from": "2024-03-01"}])
    result = load_batch(engine, batch_from_records(Claim, [changed, full_claim("C")]), source="y")
    assert (result.inserted, result.skipped_existing) == (1, 1)
    stored = {c.claim_id: c for c in records_from_batch(read_batch(engine, Claim))}
    assert stored["A"] == full_claim("A")
    assert sorted(stored) == ["A", "C"]


def test_failure_mid_load_leaves_nothing(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    real = load_module._insert_new

    def insert_then_fail(conn, specs, stages, batch_id):  # type: ignore[no-untyped-def]
        real(conn, specs, stages, batch_id)
        conn.execute(sa.text("SELECT * FROM no_such_table"))

    monkeypatch.setattr(load_module, "_insert_new", insert_then_fail)
    with pytest.raises(StoreError, match="nothing was written"):
        load_batch(engine, batch_from_records(Claim, [full_claim("A")]), source="x")
    monkeypatch.undo()
    assert count_records(engine, Claim) == 0
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM claim_lines")).scalar() == 0
        assert conn.execute(sa.select(sa.func.count()).select_from(IngestBatch)).scalar() == 0
    # The store is still usable after the rollback.
    assert load_batch(engine, batch_from_records(Claim, [full_claim("A")]), source="x").inserted


def test_bad_rows_refuse_the_batch_and_store_nothing(engine: Engine) -> None:
    tables = batch_from_records(Claim, [full_claim("A"), full_claim("B")]).frames()
    claims = tables["claims"].with_columns(pl.col("total_charge").cast(pl.String))
    claims = claims.with_columns(
        pl.when(pl.col("claim_id") == "B").then(pl.lit("12,50")).otherwise(
            pl.col("total_charge")).alias("total_charge"),
        pl.col("statement_to").cast(pl.String),
    ).with_columns(
        pl.when(pl.col("claim_id") == "A").then(pl.lit("2024-02-30")).otherwise(
            pl.col("statement_to")).alias("statement_to")
    ).drop("payer_id")
    with pytest.raises(BatchValidationError) as info:
        conform(Claim, {**tables, "claims": claims}, {"claims": "in/claims.csv"})
    messages = [str(p) for p in info.value.problems]
    assert "in/claims.csv (claims), field 'payer_id': required column is missing" in messages
    assert any("row 1, field 'statement_to': not a valid date" in m for m in messages)
    assert any("row 2, field 'total_charge': not a valid decimal" in m for m in messages)
    assert count_records(engine, Claim) == 0


def test_schema_is_at_head_and_matches_the_model(engine: Engine) -> None:
    assert current_revision(engine) == head_revision()
    with engine.connect() as conn:
        diff = compare_metadata(
            MigrationContext.configure(conn, opts={"compare_type": True}), metadata
        )
    assert diff == [], "the model changed without a migration: " + repr(diff)


def test_every_record_table_is_in_the_migrations(engine: Engine) -> None:
    names = set(sa.inspect(engine).get_table_names())
    expected = {s.name for r in STORED_RECORDS for s in table_specs(r)} | {"ingest_batches"}
    assert expected <= names

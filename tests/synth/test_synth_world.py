"""The world as a whole: determinism, canonical layout, round trip, mix, writing and speed."""

from __future__ import annotations

import json
import re
import resource
import time
import tracemalloc
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from cleanclaim.domain import ProductLine
from cleanclaim.domain.schema import records_from_batch, table_specs
from cleanclaim.synth import (
    DEFECTS,
    DefectRates,
    World,
    WorldShape,
    generate_world,
    stream_world,
    write_world,
)


def _tables(world: World) -> dict[str, Any]:
    out: dict[str, Any] = {n: t for b in world.batches().values() for n, t in b.tables.items()}
    out["labels"] = world.labels
    return out


def test_same_seed_same_world() -> None:
    a, b = generate_world(3, 2000), generate_world(3, 2000)
    ta, tb = _tables(a), _tables(b)
    assert ta.keys() == tb.keys()
    for name in ta:
        assert ta[name].equals(tb[name]), name


def test_different_seed_different_world() -> None:
    a, b = generate_world(3, 2000), generate_world(4, 2000)
    for name in ("members", "claims", "claim_lines", "labels"):
        assert not _tables(a)[name].equals(_tables(b)[name]), name


def test_chunking_does_not_change_the_world_built_in_memory_or_streamed(tmp_path: Path) -> None:
    shape = WorldShape(chunk_claims=700)
    world = generate_world(8, 2500, shape=shape)
    write_world(world, tmp_path / "memory")
    stream_world(8, 2500, tmp_path / "stream", shape=shape)
    files = sorted(p.name for p in (tmp_path / "memory").glob("*.parquet"))
    assert files == sorted(p.name for p in (tmp_path / "stream").glob("*.parquet"))
    for name in files:
        a = pq.read_table(tmp_path / "memory" / name)
        b = pq.read_table(tmp_path / "stream" / name)
        assert a.equals(b), name
    manifests = [json.loads((tmp_path / d / "manifest.json").read_text())
                 for d in ("memory", "stream")]
    manifests[1].pop("seconds")
    assert manifests[0] == manifests[1]


def test_layout_is_canonical(small_world: World) -> None:
    for batch in small_world.batches().values():
        specs = table_specs(batch.model)
        assert set(batch.tables) == {s.name for s in specs}
        for spec in specs:
            table = batch.tables[spec.name]
            assert table.schema.equals(spec.arrow_schema()), spec.name
            table.validate(full=True)
            for f in table.schema:
                if not f.nullable:
                    assert table.column(f.name).null_count == 0, (spec.name, f.name)


def test_round_trip_into_valid_records(small_world: World) -> None:
    for batch in small_world.batches().values():
        records = records_from_batch(batch)
        assert len(records) == len(batch)
        assert all(isinstance(r, batch.model) for r in records)


def test_tables_pass_the_canonical_validator(small_world: World) -> None:
    conform_module = pytest.importorskip("cleanclaim.domain.conform")
    for batch in small_world.batches().values():
        checked = conform_module.conform(batch.model, batch.frames())
        assert len(checked) == len(batch)


def test_world_contents(small_world: World) -> None:
    payers = small_world.payers.root.to_pylist()
    assert 4 <= len(payers) <= 6
    plans = small_world.plans.root.to_pylist()
    assert {p["product_line"] for p in plans} == {v.value for v in ProductLine}
    patterns = {p["payer_id"]: re.compile(p["member_id_pattern"]) for p in payers}
    coverages = small_world.coverages.root.to_pylist()
    for c in coverages:
        assert patterns[c["payer_id"]].match(c["subscriber_id"]), c
    assert any(c["termination_date"] is not None for c in coverages)
    assert any(c["cob_order"] == 2 for c in coverages)
    network = set(small_world.providers.root.column("network_status").to_pylist())
    assert network == {"in_network", "out_of_network"}
    statuses = set(small_world.authorizations.root.column("status").to_pylist())
    assert {"approved", "denied"} <= statuses
    kinds = set(small_world.claims.root.column("claim_type").to_pylist())
    assert kinds == {"professional", "institutional"}


def test_category_mix(mix_world: World) -> None:
    summary = mix_world.summary()
    assert summary["denial_rate"] == pytest.approx(0.12, abs=0.01)
    cats = summary["categories"]
    assert cats["eligibility"] + cats["cob"] == pytest.approx(0.25, abs=0.035)
    assert cats["missing_information"] == pytest.approx(0.15, abs=0.03)
    assert cats["authorization"] == pytest.approx(0.12, abs=0.03)
    assert cats["medical_necessity"] == pytest.approx(0.06, abs=0.02)
    assert 0.85 <= summary["preventable_share"] <= 0.99
    unforeseeable = {d.name for d in DEFECTS if not d.preventable}
    assert unforeseeable <= set(summary["defects"])
    defects = set(mix_world.labels.column("defect").to_pylist()) - {"clean"}
    assert defects == {d.name for d in DEFECTS}


def test_rates_are_configurable() -> None:
    rates = DefectRates(denial_rate=0.3, weights={"late_filing": 1.0, "duplicate_claim": 0.0})
    world = generate_world(2, 3000, rates=rates)
    summary = world.summary()
    assert summary["denial_rate"] == pytest.approx(0.3, abs=0.04)
    assert "duplicate_claim" not in summary["defects"]
    assert summary["defects"]["late_filing"] > 0.5
    with pytest.raises(ValueError, match="unknown defect"):
        DefectRates(weights={"no_such_defect": 1.0})
    with pytest.raises(ValueError):
        DefectRates(denial_rate=1.5)


def test_manifest(tmp_path: Path, small_world: World) -> None:
    path = write_world(small_world, tmp_path)
    manifest = json.loads(path.read_text())
    assert manifest["seed"] == 11
    assert manifest["counts"]["claims"] == 6000
    assert manifest["counts"]["labels"] == 6000
    assert manifest["rates"]["denial_rate"] == 0.12
    for name in manifest["counts"]:
        assert (tmp_path / f"{name}.parquet").exists()


def test_empty_world_streams_every_file(tmp_path: Path) -> None:
    manifest = stream_world(1, 0, tmp_path)
    assert manifest["counts"]["claims"] == 0
    assert pq.read_table(tmp_path / "claim_lines.parquet").num_rows == 0
    assert pq.read_table(tmp_path / "labels.parquet").num_rows == 0


def test_generation_speed(timing: Any) -> None:
    """Reported, not asserted: the figures depend on the machine."""
    generate_world(0, 1000)
    began = time.perf_counter()
    world = generate_world(1, 100_000)
    seconds = time.perf_counter() - began
    assert len(world.claims) == 100_000
    del world
    tracemalloc.start()
    generate_world(1, 20_000)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    timing(f"generate_world: 100k claims in {seconds:.2f} s ({100_000 / seconds:,.0f} claims/s); "
           f"20k claims trace {peak / 2**20:.0f} MiB at peak; test process max RSS {rss:.0f} MiB")


def test_claims_chunks_stream_batches() -> None:
    from cleanclaim.synth import build_population, claims_chunks
    from cleanclaim.synth.inject import INJECTORS

    assert set(INJECTORS) == {d.name for d in DEFECTS}
    pop = build_population(6, 2500, DefectRates(), WorldShape(chunk_claims=1000))
    chunks = list(claims_chunks(pop))
    assert [len(c.claims) for c in chunks] == [1000, 1000, 500]
    assert [c.labels.num_rows for c in chunks] == [1000, 1000, 500]
    ids = [i for c in chunks for i in c.claims.root.column("claim_id").to_pylist()]
    assert len(set(ids)) == 2500

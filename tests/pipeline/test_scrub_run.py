"""A scrub run over a stream of batches: totals, rule set, saving all or nothing; the demo's run."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pytest
from sqlalchemy.engine import Engine

from cleanclaim import __version__
from cleanclaim.domain import Claim, RuleIssue
from cleanclaim.domain.schema import Batch, batch_from_records
from cleanclaim.errors import InputError
from cleanclaim.pipeline import run_demo
from cleanclaim.pipeline.scrub_run import rule_set_packs, run_scrub
from cleanclaim.rules import Context, Example, ScrubResult, default_registry, scrub
from cleanclaim.rules.examples import example_claim, example_context
from cleanclaim.rules.packs import bundled_packs
from cleanclaim.store import count_records, make_engine
from cleanclaim.store.scrubs import read_scrub_run, run_findings, scrub_runs


@pytest.fixture(autouse=True)
def _data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLEANCLAIM_DATA_DIR", str(tmp_path / "data"))


def _claims(*ids: str, bad: bool = False) -> Batch:
    change = {"billing_npi": "1234567890"} if bad else {}
    return batch_from_records(Claim, [example_claim(Example("x", bad, claim={
        "claim_id": i, **change})) for i in ids])


def test_rule_set_names_every_pack_with_its_version() -> None:
    registry = default_registry().extended(bundled_packs())
    packs = rule_set_packs(registry)
    assert packs and all(p.version and p.rules > 0 for p in packs)
    assert sum(p.rules for p in packs) == sum(1 for r in registry if r.pack is not None)
    assert rule_set_packs(default_registry()) == []


def test_totals_of_a_stream_equal_those_of_one_batch() -> None:
    context = example_context()
    registry = default_registry()
    chunks = [_claims("A1", "A2"), _claims("B1", bad=True), _claims("C1", "C2", bad=True)]
    seen: list[ScrubResult] = []
    outcome = run_scrub(chunks, context, registry=registry, sources=["a", "b"],
                        on_result=seen.append)
    assert len(seen) == 3 and outcome.saved is None
    joined = {n: pa.concat_tables([c.tables[n] for c in chunks]) for n in chunks[0].tables}
    whole = scrub(Batch(Claim, joined), context).summary()
    mine = outcome.summary
    for key in ("claims", "clean", "held", "findings_by_rule", "findings_by_severity",
                "rules_skipped", "missing_context", "rules_errored", "rules_run"):
        if key.startswith("findings_by"):
            # Duplicates are judged within a batch: C2 repeats C1 in both.
            assert mine[key].keys() <= whole[key].keys(), key
        else:
            assert mine[key] == whole[key], key
    run = outcome.run
    assert (run.claims, run.held, run.findings) == (5, mine["held"], mine["findings"])
    assert run.library_version == __version__ and run.sources == ["a", "b"]
    assert {i.rule_id for i in run.rule_issues if i.issue is RuleIssue.SKIPPED} == set(
        whole["rules_skipped"])


def test_a_stream_that_fails_stores_nothing(engine: Engine) -> None:
    def batches() -> Iterator[Batch]:
        yield _claims("A1", bad=True)
        raise InputError("claims.csv (claims), row 2: not a valid date")

    with pytest.raises(InputError, match="row 2"):
        run_scrub(batches(), Context(), registry=default_registry(), sources=["claims.csv"],
                  engine=engine)
    assert scrub_runs(engine) == []
    saved = run_scrub([_claims("A1", bad=True)], Context(), registry=default_registry(),
                      sources=["claims.csv"], engine=engine).saved
    assert saved is not None and saved.findings > 0 and saved.decisions == 1
    assert [r.run_id for r in scrub_runs(engine)] == [saved.run_id]


def test_the_demo_stores_its_scrub_run(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'demo.db'}"
    summary = run_demo(claims=150, seed=5, db_url=db, out=tmp_path / "out")
    assert summary == json.loads((tmp_path / "out" / "summary.json").read_text())
    stored = summary["scrub_run"]
    engine = make_engine(db)
    run = read_scrub_run(engine, stored["run_id"])
    assert run is not None
    scrubbed = summary["prevention"]["scrub"]
    assert (run.claims, run.held, run.findings) == (150, summary["prevention"]["held"],
                                                    scrubbed["findings"])
    assert stored["findings_stored"] == scrubbed["findings"] == len(
        run_findings(engine, run.run_id))
    assert stored["decisions_stored"] == 150
    assert count_records(engine, Claim) == 150
    engine.dispose()


def test_claim_ids_refuse_a_repeat_across_batches_only() -> None:
    import polars as pl

    from cleanclaim.errors import InputError
    from cleanclaim.pipeline.scrub_run import ClaimIds

    seen = ClaimIds(["in.csv"])
    for start in range(0, 1000, 100):  # ten batches, merged into fewer sorted runs
        seen.add(pl.Series([f"C{i}" for i in range(start, start + 100)]))
    seen.add(pl.Series([], dtype=pl.String))
    assert seen.count == 1000
    with pytest.raises(InputError, match=r"in.csv: claim ID 'C5' \(claim 1,002 of the input\)"):
        seen.add(pl.Series(["C1000", "C5", "C6"]))

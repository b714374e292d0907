"""Scrub runs in the store, on SQLite and PostgreSQL: saved whole or chunk by chunk, read back,
idempotent, all or nothing, and the latest findings of a claim."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from cleanclaim.domain import RuleIssue, ScrubFinding, ScrubRun
from cleanclaim.errors import InputError, StoreError
from cleanclaim.rules import OUTPUT_COLUMNS
from cleanclaim.store.scrubs import (
    latest_findings,
    read_scrub_run,
    run_findings,
    run_writer,
    save_scrub_run,
    scrub_runs,
)
from cleanclaim.store.tables import IngestBatch

T0 = dt.datetime(2026, 11, 27, 4, 0, 0, 123456, tzinfo=dt.UTC)
RUN_TABLES = ("scrub_runs", "scrub_run_packs", "scrub_run_rules", "scrub_findings",
              "scrub_decisions")


def _findings(*rows: tuple[str, str, str, int | None]) -> pl.DataFrame:
    """Engine-shaped findings: (claim_id, rule_id, severity, line)."""
    return pl.DataFrame(
        [{"claim_id": c, "rule_id": r, "severity": s, "category": "coding", "carc": "16",
          "rarc": None, "line": n, "message": f"{r} on {c}", "fix": "fix it",
          "repair": "units=1" if n else None} for c, r, s, n in rows],
        schema=OUTPUT_COLUMNS)


def _decisions(**held: int) -> pl.DataFrame:
    return pl.DataFrame({
        "claim_id": list(held),
        "decision": ["hold" if n else "submit" for n in held.values()],
        "stopping_findings": list(held.values()),
    })


def _run(run_id: str, *, minutes: int = 0, claims: int = 3, findings: int = 3) -> ScrubRun:
    return ScrubRun(
        run_id=run_id, started_at=T0 + dt.timedelta(minutes=minutes),
        finished_at=T0 + dt.timedelta(minutes=minutes, seconds=5), as_of=dt.date(2026, 11, 27),
        sources=["in/claims.parquet", "in/more.837"], library_version="1.2.3", rules_run=40,
        claims=claims, held=2, findings=findings,
        packs=[{"pack": "northwind", "version": "2025.1", "rules": 3}],
        rule_issues=[{"rule_id": "elig.inactive", "issue": "skipped",
                      "detail": "needs member coverage"},
                     {"rule_id": "cod.ptp", "issue": "errored", "detail": "ValueError: x"}])


FINDINGS = _findings(("A", "cod.mue", "deny", 2), ("A", "adm.npi", "reject", None),
                     ("B", "cod.mue", "warn", 1))
DECISIONS = _decisions(A=2, B=0, C=0)


def _count(engine: Engine, table: str) -> int:
    with engine.connect() as conn:
        return int(conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one())


def test_run_is_stored_and_read_back(engine: Engine) -> None:
    run = _run("SR-1")
    saved = save_scrub_run(engine, run, FINDINGS, DECISIONS)
    assert (saved.already_saved, saved.findings, saved.decisions) == (False, 3, 3)
    back = read_scrub_run(engine, "SR-1")
    assert back == run
    assert back is not None and back.started_at == T0 and back.started_at.tzinfo is not None
    assert {i.issue for i in back.rule_issues} == {RuleIssue.SKIPPED, RuleIssue.ERRORED}
    stored = run_findings(engine, "SR-1")
    # Keyed by (run, claim, seq): the claim-level finding (line None) has a key like the others.
    assert [(f.claim_id, f.seq, f.rule_id, f.line) for f in stored] == [
        ("A", 1, "cod.mue", 2), ("A", 2, "adm.npi", None), ("B", 1, "cod.mue", 1)]
    assert stored[0] == ScrubFinding(
        run_id="SR-1", claim_id="A", seq=1, rule_id="cod.mue", severity="deny",
        category="coding", carc="16", line=2, message="cod.mue on A", fix="fix it",
        repair="units=1")
    assert [f.claim_id for f in run_findings(engine, "SR-1", ["B"])] == ["B"]
    assert read_scrub_run(engine, "SR-missing") is None


def test_same_run_twice_is_stored_once(engine: Engine) -> None:
    run = _run("SR-1")
    save_scrub_run(engine, run, FINDINGS, DECISIONS)
    again = save_scrub_run(engine, run, FINDINGS, DECISIONS)
    assert (again.already_saved, again.findings, again.decisions) == (True, 0, 0)
    assert [_count(engine, t) for t in RUN_TABLES] == [1, 1, 2, 3, 3]
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(IngestBatch)).scalar() == 1


def test_failure_mid_save_leaves_nothing(engine: Engine) -> None:
    # The first chunk is written, then reading the input fails: the run is rolled back whole.
    with pytest.raises(InputError, match="row 9"), \
            run_writer(engine, "SR-1", source="in/claims.parquet") as writer:
        writer.add(FINDINGS, DECISIONS)
        raise InputError("in/claims.parquet (claims), row 9: not a valid date")
    # A database failure after some rows: a StoreError, and nothing either.
    with pytest.raises(StoreError, match="nothing was written"), \
            run_writer(engine, "SR-2", source="x") as writer:
        writer.add(FINDINGS, DECISIONS)
        writer.add(FINDINGS.head(1), _decisions(A=1))  # (SR-2, A, 1) again: key violation
    # A writer left without its run record stores nothing.
    with pytest.raises(StoreError, match="without its run record"), \
            run_writer(engine, "SR-3", source="x") as writer:
        writer.add(FINDINGS, DECISIONS)
    assert [_count(engine, t) for t in (*RUN_TABLES, "ingest_batches")] == [0] * 6
    # The store is still usable and the run can be saved afterwards.
    assert not save_scrub_run(engine, _run("SR-1"), FINDINGS, DECISIONS).already_saved


def test_chunks_of_a_run_add_up(engine: Engine) -> None:
    with run_writer(engine, "SR-1", source="in") as writer:
        writer.add(FINDINGS.filter(pl.col("claim_id") == "A"), _decisions(A=2))
        writer.add(FINDINGS.filter(pl.col("claim_id") == "B"), _decisions(B=0, C=0))
        saved = writer.finish(_run("SR-1"))
    assert (saved.findings, saved.decisions) == (3, 3)
    whole = [f.model_dump() for f in run_findings(engine, "SR-1")]
    assert [(f["claim_id"], f["seq"]) for f in whole] == [("A", 1), ("A", 2), ("B", 1)]


def test_latest_findings_of_a_claim(engine: Engine) -> None:
    assert latest_findings(engine, "A") == (None, [])
    save_scrub_run(engine, _run("SR-1"), FINDINGS, DECISIONS)
    run_id, found = latest_findings(engine, "A")
    assert run_id == "SR-1" and [f.rule_id for f in found] == ["cod.mue", "adm.npi"]
    # A later run that scrubbed A and found nothing: A's latest findings are none.
    later = _findings(("B", "cod.ptp", "deny", 1))
    save_scrub_run(engine, _run("SR-2", minutes=10, findings=1), later, _decisions(A=0, B=1))
    assert latest_findings(engine, "A") == ("SR-2", [])
    run_id, found = latest_findings(engine, "B")
    assert run_id == "SR-2" and [f.rule_id for f in found] == ["cod.ptp"]
    # C was only scrubbed by the first run.
    assert latest_findings(engine, "C") == ("SR-1", [])
    assert [r.run_id for r in scrub_runs(engine)] == ["SR-2", "SR-1"]
    assert [r.run_id for r in scrub_runs(engine, limit=1)] == ["SR-2"]


def test_run_record_rules() -> None:
    with pytest.raises(ValueError, match="finished_at"):
        ScrubRun.model_validate({**_run("X").model_dump(), "finished_at": T0 - dt.timedelta(1)})
    naive = _run("X").model_copy(update={}).model_dump() | {
        "started_at": dt.datetime(2026, 11, 27, 4), "finished_at": dt.datetime(2026, 11, 27, 5)}
    assert ScrubRun.model_validate(naive).started_at.tzinfo == dt.UTC

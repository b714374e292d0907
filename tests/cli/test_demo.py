"""``cleanclaim demo`` end to end on a small world."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
from typer.testing import CliRunner

from cleanclaim.cli.main import app
from cleanclaim.pipeline import PENDING_STAGES, STAGES

runner = CliRunner()


def test_demo_runs_every_built_stage_and_checks_itself(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'demo.db'}"
    out = tmp_path / "out"
    args = ["demo", "--claims", "400", "--seed", "3", "--db", db, "--out", str(out), "--json"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "summary.json").read_text())
    assert summary == json.loads(result.stdout)
    assert summary["claims"] == 400
    assert summary["world"]["counts"]["claims"] == 400
    assert summary["files"]["claims_equal_after_reading_back"] is True
    assert summary["x12"]["claims_parsed"] == 400
    assert summary["x12"]["validation_problems"] == 0
    differing = set(summary["x12"]["claims_differing"])
    assert summary["x12"]["claims_equal_after_round_trip"] == 400 - len(differing)
    labels = pl.read_parquet(out / "world" / "labels.parquet")
    defects = set(labels.filter(pl.col("claim_id").is_in(differing))["defect"].to_list())
    assert defects <= {"missing_required_field"}, defects
    assert summary["store"]["loaded"]["claims"] == 400
    assert summary["store"]["claims_equal_after_reading_back"] is True
    assert summary["stages"] == {"done": list(STAGES), "pending": list(PENDING_STAGES)}

    # Prevention, measured against the payer simulator.
    without = summary["denial_rate_without_prevention"]
    with_ = summary["denial_rate_with_prevention"]
    assert 0.05 < without < 0.25 and 0 <= with_ < without
    prevention = summary["prevention"]
    assert summary["denials_prevented"] == prevention["held_that_would_have_been_denied"] > 0
    assert summary["rework_cost_avoided"] == summary["denials_prevented"] * 50.0
    # Denials left after prevention are the ones the scrub did not hold.
    assert round(prevention["denials_not_caught"] / 400, 4) == with_
    assert summary["remittance"]["payments_parsed"] == summary["remittance"]["payments_stored"] > 0

    # A second run on the same database stores nothing new: every batch is known.
    again = json.loads(runner.invoke(app, args).stdout)
    assert again["store"]["loaded"] == {name: 0 for name in summary["store"]["loaded"]}
    assert again["store"]["second_load_already_loaded"] is True

    # The world's files load with the plain load command too (already stored: nothing added).
    loaded = json.loads(runner.invoke(app, ["load", str(out / "world"), "--db", db,
                                            "--json"]).stdout)
    assert {b["record"] for b in loaded["batches"]} >= {"claims", "members", "coverages"}
    assert all(b["already_loaded"] for b in loaded["batches"])

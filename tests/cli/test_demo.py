"""``cleanclaim demo`` end to end on a small world."""

from __future__ import annotations

import json
from pathlib import Path

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
    assert summary["x12"]["claims_equal_after_round_trip"] == 400
    assert summary["store"]["loaded"]["claims"] == 400
    assert summary["store"]["claims_equal_after_reading_back"] is True
    assert summary["stages"] == {"done": list(STAGES), "pending": list(PENDING_STAGES)}

    # A second run on the same database stores nothing new: every batch is known.
    again = json.loads(runner.invoke(app, args).stdout)
    assert again["store"]["loaded"] == {name: 0 for name in summary["store"]["loaded"]}
    assert again["store"]["second_load_already_loaded"] is True

    # The world's files load with the plain load command too (already stored: nothing added).
    loaded = json.loads(runner.invoke(app, ["load", str(out / "world"), "--db", db,
                                            "--json"]).stdout)
    assert {b["record"] for b in loaded["batches"]} >= {"claims", "members", "coverages"}
    assert all(b["already_loaded"] for b in loaded["batches"])

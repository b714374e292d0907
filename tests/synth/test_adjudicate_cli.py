"""``cleanclaim adjudicate`` as a user runs it: 837 or canonical input, a written world."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
import typer
from typer.testing import CliRunner

from cleanclaim.cli.adjudicate import adjudicate
from cleanclaim.domain import Claim
from cleanclaim.domain.schema import records_from_batch
from cleanclaim.standards.x12 import (
    balance_problems,
    parse_acks,
    parse_payments,
    parse_statuses,
    write_837,
)
from cleanclaim.synth import generate_world, write_world

runner = CliRunner()

# The lead registers the command in cli/main.py; the test mounts it on an app of its own.
app = typer.Typer()
app.command("adjudicate")(adjudicate)


@app.callback()
def _root() -> None:
    """Test root."""


@pytest.fixture(scope="module")
def world_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("world")
    world = generate_world(21, 1500)
    write_world(world, folder)
    claims = [c for c in records_from_batch(world.claims) if isinstance(c, Claim)]
    with (folder / "claims.837").open("w", encoding="ascii", newline="") as stream:
        write_837(claims, stream)
    return folder


def test_adjudicates_an_837_against_a_written_world(world_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = runner.invoke(app, ["adjudicate", str(world_dir / "claims.837"), "--world",
                                 str(world_dir), "--out", str(out), "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["claims"] == 1500
    assert 0.08 <= summary["denial_rate"] <= 0.16
    assert summary["rejected"] + summary["paid"] + summary["partly_paid"] + \
        summary["denied"] == 1500
    payments = list(parse_payments(out / "remittance.835"))
    assert len(payments) == 1500 - summary["rejected"]
    assert all(not balance_problems(p) for p in payments)
    acks = [json.loads(line) for line in (out / "277ca.jsonl").read_text().splitlines()]
    assert sum(not a["accepted"] for a in acks) == summary["rejected"]
    files = [json.loads(line) for line in (out / "999.jsonl").read_text().splitlines()]
    assert files == [{"source": str(world_dir / "claims.837"), "accepted": True,
                      "claims": 1500, "problems": []}]
    reports = list(parse_statuses(out / "277ca.x12"))
    assert len(reports) == 1500
    assert sum(r.rejected for r in reports) == summary["rejected"]
    groups = list(parse_acks(out / "claims.999"))
    assert groups and all(g.status.accepted for g in groups)
    # Same answers as from the canonical files (the 837 round trip loses nothing that counts).
    labels = pl.read_parquet(world_dir / "labels.parquet")
    outcomes = pl.read_parquet(out / "outcomes.parquet").join(labels, on="claim_id")
    hidden = outcomes.filter(pl.col("preventable").not_())
    assert hidden.height > 0 and (hidden["outcome"] == "denied").all()
    assert (outcomes.filter(pl.col("defect") == "clean")["outcome"] == "paid").all()


def test_canonical_input_and_a_broken_837(world_dir: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken.837"
    text = (world_dir / "claims.837").read_text()
    broken.write_text(text.replace("~\nSE*", "~\nXX*", 1))
    out = tmp_path / "out"
    result = runner.invoke(app, ["adjudicate", str(world_dir / "claims.parquet"), str(broken),
                                 "--world", str(world_dir), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "1,500" in result.stdout and "denial rate" in result.stdout
    files = [json.loads(line) for line in (out / "999.jsonl").read_text().splitlines()]
    assert [f["accepted"] for f in files] == [True, False]
    assert files[1]["problems"]
    groups = list(parse_acks(out / "broken.999"))
    assert any(not st.status.accepted for g in groups for st in g.transaction_sets)


def test_missing_world_is_an_input_error(tmp_path: Path, world_dir: Path) -> None:
    result = runner.invoke(app, ["adjudicate", str(world_dir / "claims.837"), "--world",
                                 str(tmp_path), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert "payers.parquet" in result.output

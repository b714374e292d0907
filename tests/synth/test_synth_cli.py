"""The ``synth world`` command: writes the files and prints a summary (or JSON)."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from cleanclaim.cli.synth import app


def test_world_json(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["world", "--claims", "300", "--seed", "4", "--out", str(tmp_path), "--json"]
    )
    assert result.exit_code == 0, result.output
    manifest = json.loads(result.stdout)
    assert manifest["counts"]["claims"] == 300
    assert (tmp_path / "claims.parquet").exists()
    assert json.loads((tmp_path / "manifest.json").read_text())["seed"] == 4


def test_world_summary(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["world", "-n", "200", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "claims" in result.output and "denied" in result.output


def test_help() -> None:
    result = CliRunner().invoke(app, ["world", "--help"])
    assert result.exit_code == 0
    assert "--claims" in result.output

"""The ``cleanclaim fhir`` sub-commands: parse to JSON Lines, validate with exit codes."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from cleanclaim.cli.fhir import app

from . import examples as ex

runner = CliRunner()


def _file(tmp_path: Path, text: str, name: str = "in.json") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_parse_prints_json_lines(tmp_path: Path) -> None:
    path = _file(tmp_path, json.dumps(ex.claim_bundle(), indent=2))
    result = runner.invoke(app, ["parse", str(path)])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["record"] for r in rows] == ["member", "coverage", "claim"]
    assert rows[2]["claim_id"] == "PCN-1001" and rows[2]["total_charge"] == "151.0"


def test_parse_to_file(tmp_path: Path) -> None:
    path = _file(tmp_path, ex.ndjson(ex.EOB, ex.ELIGIBILITY_RESPONSE), "in.ndjson")
    out = tmp_path / "out.jsonl"
    result = runner.invoke(app, ["parse", str(path), "--out", str(out)])
    assert result.exit_code == 0
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["record"] for r in rows] == ["claim_payment", "eligibility_result"]


def test_parse_error_exit_code_and_message(tmp_path: Path) -> None:
    path = _file(tmp_path, ex.ndjson(ex.EOB) + '{"resourceType": "Claim", "id": "c"}\n')
    result = runner.invoke(app, ["parse", str(path)])
    assert result.exit_code == 2
    assert f"{path}, line 2, Claim/c, Claim." in result.stderr
    missing = runner.invoke(app, ["parse", str(tmp_path / "nope.json")])
    assert missing.exit_code == 2 and "cannot read" in missing.stderr


def test_validate_clean_and_with_problems(tmp_path: Path) -> None:
    clean = _file(tmp_path, ex.ndjson(ex.EOB))
    result = runner.invoke(app, ["validate", str(clean)])
    assert result.exit_code == 0 and "no problems" in result.stdout
    bad = _file(tmp_path, ex.ndjson(ex.EOB) + "{oops\n", "bad.ndjson")
    result = runner.invoke(app, ["validate", str(bad)])
    assert result.exit_code == 1 and "line 2" in result.stdout
    result = runner.invoke(app, ["validate", str(bad), "--json"])
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["valid"] is False and report["problems"][0]["line"] == 2

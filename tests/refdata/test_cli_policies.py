"""``cleanclaim refdata`` with the age/sex and coverage-policy kinds."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from cleanclaim.cli.refdata import app

from .files import write_text

runner = CliRunner()


def test_status_shows_derived_and_example_tables(tmp_path: Path) -> None:
    data = tmp_path / "data"
    status = runner.invoke(app, ["status", "--json", "--data-dir", str(data)])
    assert status.exit_code == 0, status.output
    kinds = {k["kind"]: k["releases"] for k in json.loads(status.stdout)["kinds"]}
    assert kinds["icd10cm-agesex"][0]["origin"] == "derived"
    assert kinds["procedure-agesex"][0]["origin"] == "derived"
    assert kinds["coverage-policy"][0]["origin"] == "example"
    text = runner.invoke(app, ["status", "--data-dir", str(data)])
    assert text.exit_code == 0 and "derived" in text.stdout and "example" in text.stdout


def test_import_coverage_policy_and_refuse_a_bad_line(tmp_path: Path) -> None:
    data = tmp_path / "data"
    good = write_text(tmp_path / "lcd.csv", ["policy_id,procedure,diagnosis",
                                             "L1,72148-72149,M54.-"])
    result = runner.invoke(app, ["import", "coverage-policy", str(good), "--release", "2026",
                                 "--data-dir", str(data), "--json"])
    assert result.exit_code == 0, result.output
    prov = json.loads(result.stdout)["provenance"]
    assert (prov["origin"], prov["row_count"], prov["effective_from"]) == (
        "imported", 1, "2026-01-01")
    bad = write_text(tmp_path / "bad.csv", ["policy_id,procedure,diagnosis", "L1,72148,M54",
                                            "L1,7214,M54"])
    refused = runner.invoke(app, ["import", "coverage-policy", str(bad), "--data-dir",
                                  str(data)])
    assert refused.exit_code == 2
    assert "bad.csv, line 3" in refused.stderr and "procedure" in refused.stderr


def test_to_db_copies_the_age_sex_edits(tmp_path: Path) -> None:
    data = tmp_path / "data"
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    result = runner.invoke(app, ["to-db", "procedure-agesex", "--db", url, "--data-dir",
                                 str(data), "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["rows"] > 20 and out["releases"][0]["origin"] == "derived"

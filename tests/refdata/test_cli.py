"""``cleanclaim refdata`` as a user runs it."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from cleanclaim.cli.refdata import app

from .files import ptp_tab

runner = CliRunner()
EDIT = ["10060", "11401", "", "20240401", "20250101", "1", "Mutually exclusive procedures"]


def test_import_and_status(tmp_path: Path) -> None:
    data = tmp_path / "data"
    path = ptp_tab(tmp_path / "f1.txt", [EDIT])
    args = ["import", "ptp-practitioner", str(path), "--release", "2025Q1", "--data-dir",
            str(data), "--json"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["provenance"]["release"] == "2025Q1"
    again = runner.invoke(app, args)
    assert again.exit_code == 0 and json.loads(again.stdout)["unchanged"] is True
    status = runner.invoke(app, ["status", "--json", "--data-dir", str(data)])
    assert status.exit_code == 0
    kinds = {k["kind"]: k for k in json.loads(status.stdout)["kinds"]}
    assert kinds["ptp-practitioner"]["releases"][0]["origin"] == "imported"
    assert kinds["ptp-hospital"]["releases"][0]["origin"] == "synthetic"
    text = runner.invoke(app, ["status", "--data-dir", str(data)])
    assert text.exit_code == 0 and "2025Q1" in text.stdout


def test_bad_file_exits_2_naming_file_and_line(tmp_path: Path) -> None:
    path = ptp_tab(tmp_path / "broken.txt", [EDIT, ["10060", "11401", "", "x", "*", "1", "r"]])
    result = runner.invoke(app, ["import", "ptp-practitioner", str(path), "--data-dir",
                                 str(tmp_path / "data")])
    assert result.exit_code == 2
    assert "broken.txt, line 4" in result.stderr and "effective date" in result.stderr
    missing = runner.invoke(app, ["import", "hcpcs", str(tmp_path / "nope.csv"), "--data-dir",
                                  str(tmp_path / "data")])
    assert missing.exit_code == 2 and "no such file" in missing.stderr


def test_synthetic_command(tmp_path: Path) -> None:
    result = runner.invoke(app, ["synthetic", str(tmp_path), "--ptp-pairs", "200", "--json"])
    assert result.exit_code == 0, result.output
    written = json.loads(result.stdout)
    assert len(written["ptp-practitioner"]) == 4


def test_to_db_copies_a_kind_into_the_database(tmp_path: Path) -> None:
    data = tmp_path / "data"
    path = ptp_tab(tmp_path / "f1.txt", [EDIT])
    assert runner.invoke(app, ["import", "ptp-practitioner", str(path), "--release", "2025Q1",
                               "--data-dir", str(data)]).exit_code == 0
    url = f"sqlite:///{tmp_path / 'store.db'}"
    result = runner.invoke(app, ["to-db", "ptp-practitioner", "--db", url, "--data-dir",
                                 str(data), "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["table"] == "ref_ptp_practitioner" and out["rows"] == 1
    assert [r["release"] for r in out["releases"]] == ["2025Q1"]
    text = runner.invoke(app, ["to-db", "ptp", "--setting", "practitioner", "--db", url,
                               "--data-dir", str(data)])
    assert text.exit_code == 0 and "ref_ptp_practitioner: 1 rows" in text.stdout
    bad = runner.invoke(app, ["to-db", "ptp-dentist", "--db", url, "--data-dir", str(data)])
    assert bad.exit_code == 2 and "unknown reference table" in bad.stderr

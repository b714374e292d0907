"""The command line as a user runs it."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
from typer.testing import CliRunner

from cleanclaim import __version__
from cleanclaim.cli.main import app
from cleanclaim.domain import ROOT_RECORDS, Claim
from cleanclaim.domain.schema import batch_from_records, records_from_batch
from cleanclaim.standards.tabular import BatchFormat, read_batch_files, write_batch_files
from tests.records import full_records

runner = CliRunner()


def _write_all(folder: Path, fmt: BatchFormat = BatchFormat.CSV) -> None:
    for kind, records in full_records().items():
        if kind.__table__ != "findings":
            write_batch_files(batch_from_records(kind, records), folder, fmt)


def test_version_and_help() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and result.stdout.strip() == f"cleanclaim {__version__}"
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("demo", "load", "export", "db"):
        assert command in result.stdout


def test_load_export_round_trip_through_files(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'c.db'}"
    src, out = tmp_path / "in", tmp_path / "out"
    _write_all(src)
    result = runner.invoke(app, ["load", str(src), "--db", db, "--json"])
    assert result.exit_code == 0, result.output
    loaded = json.loads(result.stdout)
    assert {b["record"]: b["inserted"] for b in loaded["batches"]}["claims"] == 2
    again = json.loads(runner.invoke(app, ["load", str(src), "--db", db, "--json"]).stdout)
    assert all(b["already_loaded"] and b["inserted"] == 0 for b in again["batches"])
    status = json.loads(runner.invoke(app, ["db", "status", "--db", db, "--json"]).stdout)
    assert status["records"]["claims"] == 2 and status["revision"] == status["head"]
    result = runner.invoke(app, ["export", str(out), "--db", db, "--format", "parquet"])
    assert result.exit_code == 0, result.output
    for kind in ROOT_RECORDS:
        if kind.__table__ == "findings":
            continue
        back = records_from_batch(read_batch_files(out, kind))
        assert back == full_records()[kind], kind.__name__


def test_a_bad_row_is_refused_with_file_row_and_field(tmp_path: Path) -> None:
    db = tmp_path / "c.db"
    src = tmp_path / "in"
    write_batch_files(batch_from_records(Claim, full_records()[Claim]), src)
    lines = pl.read_csv(src / "claim_lines.csv", infer_schema=False)
    lines = lines.with_columns(
        pl.when(pl.int_range(pl.len()) == 2).then(pl.lit("2024-13-01"))
        .otherwise(pl.col("service_from")).alias("service_from")
    )
    lines.write_csv(src / "claim_lines.csv")
    result = runner.invoke(app, ["load", str(src), "--db", f"sqlite:///{db}"])
    assert result.exit_code == 2
    assert "claim_lines.csv (claim_lines), row 3, field 'service_from': not a valid date" in (
        result.stderr
    )
    status = json.loads(
        runner.invoke(app, ["db", "status", "--db", f"sqlite:///{db}", "--json"]).stdout
    )
    assert status["records"]["claims"] == 0


def test_check_only_stores_nothing(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'c.db'}"
    _write_all(tmp_path / "in", BatchFormat.PARQUET)
    result = runner.invoke(app, ["load", str(tmp_path / "in"), "--check", "--db", db, "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["checked_only"] is True
    status = json.loads(runner.invoke(app, ["db", "status", "--db", db, "--json"]).stdout)
    assert sum(status["records"].values()) == 0


def test_unreadable_input_exits_2(tmp_path: Path) -> None:
    result = runner.invoke(app, ["load", str(tmp_path / "nowhere")])
    assert result.exit_code == 2 and "not a folder" in result.stderr
    (tmp_path / "empty").mkdir()
    result = runner.invoke(app, ["load", str(tmp_path / "empty")])
    assert result.exit_code == 2 and "no canonical batch files" in result.stderr

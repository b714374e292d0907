"""``cleanclaim scrub``: JSON Lines findings, summary, context folder, exit codes."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from cleanclaim.cli.scrub import scrub
from cleanclaim.domain import Claim
from cleanclaim.domain.schema import batch_from_records
from cleanclaim.rules import Example
from cleanclaim.rules.examples import example_claim, example_context
from cleanclaim.standards.tabular import write_batch_files
from cleanclaim.standards.x12 import write_837

app = typer.Typer()
app.command()(scrub)
runner = CliRunner()

REQUIRED = {"claim_id", "rule_id", "severity", "category", "carc", "rarc", "line", "message",
            "fix"}


@pytest.fixture(autouse=True)
def _data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLEANCLAIM_DATA_DIR", str(tmp_path / "data"))


def _claims(folder: Path) -> Path:
    bad = example_claim(Example("x", True, claim={"claim_id": "EX-2",
                                                  "billing_npi": "1234567890"}))
    write_batch_files(batch_from_records(Claim, [example_claim(), bad]), folder)
    return folder


def _context(folder: Path) -> Path:
    ctx = example_context()
    from cleanclaim.domain import Coverage, Member, Payer

    for model, frame in ((Member, ctx.members), (Coverage, ctx.coverages),
                         (Payer, ctx.payers)):
        assert frame is not None
        (folder / f"{model.__table__}.parquet").parent.mkdir(parents=True, exist_ok=True)
        frame.write_parquet(folder / f"{model.__table__}.parquet")
    return folder


def test_csv_without_context(tmp_path: Path) -> None:
    out = tmp_path / "findings.jsonl"
    result = runner.invoke(app, [str(_claims(tmp_path / "in")), "--out", str(out), "--json"])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert rows and all(row.keys() >= REQUIRED for row in rows)
    ex2 = {r["rule_id"] for r in rows if r["claim_id"] == "EX-2"}
    assert "adm.npi_invalid" in ex2  # and a suspected duplicate of EX-1, a warning
    summary = json.loads(result.stdout)
    assert summary["claims"] == 2 and summary["held"] == 1 and summary["clean"] == 1
    assert "elig.coverage_inactive" in summary["rules_skipped"]


def test_context_folder_enables_eligibility(tmp_path: Path) -> None:
    expired = example_claim(Example("x", True, claim={"member_id": "ABC999999"}))
    write_batch_files(batch_from_records(Claim, [expired]), tmp_path / "in")
    result = runner.invoke(app, [str(tmp_path / "in" / "claims.csv"), "--context",
                                 str(_context(tmp_path / "ctx")), "--as-of", "2025-03-20"])
    assert result.exit_code == 0, result.output
    rules = {json.loads(line)["rule_id"] for line in result.stdout.splitlines()}
    assert "elig.member_unknown" in rules
    assert "skipped for lack of context" in result.stderr


def test_x12_input(tmp_path: Path) -> None:
    path = tmp_path / "claims.837"
    with path.open("w") as stream:
        write_837([example_claim()], stream)
    result = runner.invoke(app, [str(path), "--out", str(tmp_path / "f.jsonl")])
    assert result.exit_code == 0, result.output
    assert "1 claims: 1 clean" in result.stdout


def test_unreadable_input_exits_2_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.837"
    path.write_text("ISA*00*garbage~")
    result = runner.invoke(app, [str(path)])
    assert result.exit_code == 2
    assert "broken.837" in result.output


def test_bad_csv_names_file_and_row(tmp_path: Path) -> None:
    folder = _claims(tmp_path / "in")
    text = (folder / "claim_lines.csv").read_text().replace("2025-03-10", "2025-13-10", 1)
    (folder / "claim_lines.csv").write_text(text)
    result = runner.invoke(app, [str(folder)])
    assert result.exit_code == 2
    assert "claim_lines.csv" in result.output and "row 1" in result.output


def test_eligibility_from_an_834_in_the_context_folder(tmp_path: Path) -> None:
    from cleanclaim.domain import Coverage, Member
    from cleanclaim.rules.examples import _records
    from cleanclaim.standards.x12 import write_834

    recs = _records()
    members = [m for m in recs["members"] if isinstance(m, Member)]
    coverages = [c for c in recs["coverages"] if isinstance(c, Coverage)
                 and c.payer_id == "PAY01"]
    ctx = tmp_path / "ctx"
    ctx.mkdir()
    with (ctx / "enrolment.834").open("w") as stream:
        write_834(members, coverages, stream)
    late = example_claim(Example("x", True, lines=({"service_from": dt.date(2025, 7, 1)},),
                                 claim={"statement_from": dt.date(2025, 7, 1),
                                        "statement_to": dt.date(2025, 7, 1)}))
    write_batch_files(batch_from_records(Claim, [late]), tmp_path / "in")
    result = runner.invoke(app, [str(tmp_path / "in"), "--context", str(ctx), "--json",
                                 "--out", str(tmp_path / "f.jsonl")])
    assert result.exit_code == 0, result.output
    rules = {json.loads(x)["rule_id"] for x in (tmp_path / "f.jsonl").read_text().splitlines()}
    assert "elig.coverage_inactive" in rules


def test_fhir_input(tmp_path: Path) -> None:
    pytest.importorskip("fhir.resources")
    from cleanclaim.standards.fhir import write_ndjson

    path = tmp_path / "claims.ndjson"
    write_ndjson([example_claim()], path)
    result = runner.invoke(app, [str(path), "--format", "fhir", "--out",
                                 str(tmp_path / "f.jsonl")])
    assert result.exit_code == 0, result.output
    assert "1 claims" in result.stdout

"""The ``cleanclaim x12`` sub-commands: parse to JSON Lines, validate with exit codes."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from cleanclaim.cli.x12 import app

from .samples import sample

runner = CliRunner()


def _file(tmp_path: Path, text: str, name: str = "in.x12") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_parse_prints_json_lines(tmp_path: Path) -> None:
    path = _file(tmp_path, sample("837P") + sample("835"))
    result = runner.invoke(app, ["parse", str(path)])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["record"] for r in rows] == ["claim"] * 3 + ["claim_payment"] * 2
    assert rows[0]["claim_id"] == "PCLM001" and rows[0]["total_charge"] == "180.5"
    assert rows[3]["payment_id"] == "CHK12345-1"


def test_parse_to_file(tmp_path: Path) -> None:
    path = _file(tmp_path, sample("837I"))
    out = tmp_path / "out.jsonl"
    result = runner.invoke(app, ["parse", str(path), "--out", str(out)])
    assert result.exit_code == 0
    (row,) = [json.loads(line) for line in out.read_text().splitlines()]
    assert row["type_of_bill"] == "0111"


def test_parse_error_exit_code_and_message(tmp_path: Path) -> None:
    path = _file(tmp_path, sample("837P").replace("DMG*D8*19800215", "DMG*D8*19800299"))
    result = runner.invoke(app, ["parse", str(path)])
    assert result.exit_code == 2
    assert f"{path}: segment 22 (DMG), element 2" in result.stderr


def test_validate_clean_and_with_problems(tmp_path: Path) -> None:
    clean = _file(tmp_path, sample("835"))
    result = runner.invoke(app, ["validate", str(clean)])
    assert result.exit_code == 0 and "no problems" in result.stdout
    bad = _file(tmp_path, sample("835").replace("SE*29*0001", "SE*3*0001"), "bad.x12")
    result = runner.invoke(app, ["validate", str(bad)])
    assert result.exit_code == 1
    assert "segment 31 (SE), element 1: SE01 says 3 segments" in result.stdout
    result = runner.invoke(app, ["validate", str(bad), "--json"])
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["valid"] is False
    assert report["problems"][0]["segment"] == 31
    assert report["problems"][0]["kind"] == "envelope"


def test_unreadable_input_exits_2(tmp_path: Path) -> None:
    result = runner.invoke(app, ["validate", str(tmp_path / "missing.x12")])
    assert result.exit_code == 2 and "cannot read" in result.stderr
    text = _file(tmp_path, "hello, not x12", "text.txt")
    for command in ("validate", "parse"):
        result = runner.invoke(app, [command, str(text)])
        assert result.exit_code == 2 and "not an X12 interchange" in result.stderr


def test_parse_registers_every_transaction(tmp_path: Path) -> None:
    kinds = ["999", "277CA", "277", "834", "270", "271", "276"]
    path = _file(tmp_path, "".join(sample(kind) for kind in kinds))
    result = runner.invoke(app, ["parse", str(path)])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["record"] for r in rows] == [
        "functional_group_ack",
        *["status_summary"] * 2,
        *["claim_status"] * 4,
        "member",
        *["coverage"] * 3,
        "member",
        "coverage",
        "eligibility_inquiry",
        *["eligibility_response"] * 2,
        *["claim_status_inquiry"] * 2,
    ]
    assert (rows[1]["level"], rows[1]["trace_number"], rows[1]["accepted_quantity"]) == (
        "21",
        "BATCH1",
        1,
    )
    assert rows[3]["statuses"][0]["codes"][0] == {"category": "A2", "code": "20", "entity": "PR"}
    assert rows[7]["birth_date"] == "1980-02-15"
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 0 and "no problems" in result.stdout

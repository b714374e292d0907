"""Vectorized validation agrees with the declarations and names every bad cell."""

from __future__ import annotations

import polars as pl
import pytest
from pydantic import ValidationError

from cleanclaim.domain import Claim, Payer
from cleanclaim.domain.conform import conform
from cleanclaim.domain.schema import records_from_batch
from cleanclaim.errors import BatchValidationError

CLAIM = {
    "claim_id": "C1",
    "claim_type": "professional",
    "payer_id": "P1",
    "member_id": "M1",
    "billing_npi": "1234567893",
    "total_charge": "150.00",
}
LINE = {
    "claim_id": "C1",
    "line_number": "1",
    "procedure_code": "99213",
    "modifiers": "25|59",
    "units": "1",
    "charge": "150",
    "service_from": "2024-03-01",
    "diagnosis_pointers": "1|2",
}


def _raw(claim: dict[str, str] | None = None, line: dict[str, str] | None = None
         ) -> dict[str, pl.DataFrame]:
    return {
        "claims": pl.DataFrame([{**CLAIM, **(claim or {})}]),
        "claim_lines": pl.DataFrame([{**LINE, **(line or {})}]),
    }


def _problems(raw: dict[str, pl.DataFrame]) -> list[str]:
    with pytest.raises(BatchValidationError) as info:
        conform(Claim, raw, {"claims": "claims.csv", "claim_lines": "lines.csv"})
    return [str(p) for p in info.value.problems]


def test_text_cells_become_typed_records_with_defaults() -> None:
    (claim,) = records_from_batch(conform(Claim, _raw()))
    assert isinstance(claim, Claim)
    assert claim.frequency_code == "1" and claim.patient_relationship == "18"
    assert claim.lines[0].modifiers == ["25", "59"]
    assert claim.lines[0].diagnosis_pointers == [1, 2]
    assert str(claim.lines[0].charge) == "150.00"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ({"service_from": "2024-02-30"}, "row 1, field 'service_from': not a valid date"),
        ({"service_from": ""}, "row 1, field 'service_from': required field is missing"),
        ({"charge": "12.345"}, "field 'charge': not a valid decimal with at most 2 decimals"),
        ({"charge": "1e3"}, "field 'charge': not a valid decimal"),
        ({"units": "-1"}, "field 'units': must be at least 0"),
        ({"line_number": "1.5"}, "field 'line_number': not a valid integer"),
        ({"line_number": "0"}, "field 'line_number': must be at least 1"),
        ({"modifiers": "25|59|76|77|XU"}, "field 'modifiers': more than 4 values"),
        ({"diagnosis_pointers": "1|x"}, "field 'diagnosis_pointers': not a valid list"),
        ({"diagnosis_pointers": "13"}, "field 'diagnosis_pointers': a value is out of bounds"),
        ({"service_to": "2024-02-01"}, "field 'service_to': service_to is before service_from"),
        ({"claim_id": "C9"}, "row 1, field 'claim_id': no matching row in claims"),
    ],
)
def test_each_bad_line_cell_is_named(line: dict[str, str], expected: str) -> None:
    problems = _problems(_raw(line=line))
    assert any(expected in p for p in problems), problems
    assert all(p.startswith(("lines.csv", "claims.csv")) for p in problems)


@pytest.mark.parametrize(
    ("claim", "expected"),
    [
        ({"claim_type": "dental"}, "field 'claim_type': not a valid value"),
        ({"frequency_code": "6"}, "field 'frequency_code': not a valid value"),
        ({"total_charge": "ten"}, "field 'total_charge': not a valid decimal"),
        ({"total_charge": "1234567890123.00"}, "field 'total_charge': must have at most 12"),
        ({"member_id": "x" * 51}, "field 'member_id': length must be 1 to 50"),
        ({"nonsense": "1"}, "claims.csv (claims), field 'nonsense': unknown column"),
    ],
)
def test_each_bad_claim_cell_is_named(claim: dict[str, str], expected: str) -> None:
    problems = _problems(_raw(claim=claim))
    assert any(expected in p for p in problems), problems


@pytest.mark.parametrize(
    ("claim", "line"),
    [
        ({"claim_type": "dental"}, {}),
        ({"total_charge": "1234567890123.00"}, {}),
        ({}, {"charge": "12.345"}),
        ({}, {"units": "-1"}),
        ({}, {"modifiers": "25|59|76|77|XU"}),
        ({}, {"service_to": "2024-02-01"}),
    ],
)
def test_the_typed_model_refuses_the_same_values(claim: dict[str, str], line: dict[str, str]
                                                  ) -> None:
    data: dict[str, object] = {**CLAIM, **claim}
    row: dict[str, object] = {**LINE, **line}
    row["modifiers"] = str(row["modifiers"]).split("|")
    row["diagnosis_pointers"] = [int(p) for p in str(row["diagnosis_pointers"]).split("|")]
    del row["claim_id"]
    with pytest.raises(ValidationError):
        Claim.model_validate({**data, "lines": [row]})


def test_duplicate_keys_and_missing_children_are_refused() -> None:
    raw = _raw()
    raw["claims"] = pl.concat([raw["claims"], raw["claims"],
                               raw["claims"].with_columns(pl.lit("C2").alias("claim_id"))])
    problems = _problems(raw)
    assert any("row 2, field 'claim_id': duplicate key claim_id='C1' (first at row 1)" in p
               for p in problems), problems
    raw["claims"] = raw["claims"].unique(maintain_order=True)
    problems = _problems(raw)
    assert any("row 2, field 'lines': needs at least 1 row(s) in claim_lines" in p
               for p in problems), problems


def test_typed_parquet_columns_are_checked_too() -> None:
    payers = pl.DataFrame(
        {"payer_id": ["A", "B"], "name": ["Acme", "Beta"], "timely_filing_days": [90, 0],
         "appeal_window_days": [180.0, 180.5]}
    )
    with pytest.raises(BatchValidationError) as info:
        conform(Payer, {"payers": payers})
    text = "\n".join(map(str, info.value.problems))
    assert "row 2, field 'timely_filing_days': must be at least 1" in text
    assert "row 2, field 'appeal_window_days': not a valid integer" in text


def test_every_problem_is_reported_not_just_the_first() -> None:
    raw = _raw(claim={"claim_type": "x", "total_charge": "y"}, line={"charge": "z"})
    assert len(_problems(raw)) >= 3


def test_each_problem_says_what_kind_it_is() -> None:
    from cleanclaim.errors import RowIssue

    raw = _raw(claim={"statement_from": "2024-03-05", "statement_to": "2024-03-01",
                      "total_charge": "x"},
               line={"modifiers": "25|59|76|77|91"})
    raw["claims"] = pl.concat([raw["claims"], raw["claims"]]).with_columns(
        pl.lit("y").alias("surprise"))
    raw["claim_lines"] = pl.concat([raw["claim_lines"], raw["claim_lines"].with_columns(
        pl.lit("C9").alias("claim_id"))])
    with pytest.raises(BatchValidationError) as info:
        conform(Claim, raw)
    kinds = {(p.field, p.issue) for p in info.value.problems}
    assert {("surprise", RowIssue.TABLE), ("total_charge", RowIssue.VALUE),
            ("modifiers", RowIssue.SIZE)} <= kinds, kinds
    raw = _raw(claim={"statement_from": "2024-03-05", "statement_to": "2024-03-01"})
    raw["claims"] = pl.concat([raw["claims"], raw["claims"]])
    with pytest.raises(BatchValidationError) as info:
        conform(Claim, raw)
    kinds = {(p.field, p.issue) for p in info.value.problems}
    assert {("statement_to", RowIssue.ORDER), ("claim_id", RowIssue.KEY)} <= kinds, kinds
    raw = _raw()
    raw["claim_lines"] = pl.concat([raw["claim_lines"], raw["claim_lines"].with_columns(
        pl.lit("C9").alias("claim_id"))])
    with pytest.raises(BatchValidationError) as info:
        conform(Claim, raw)
    assert [(p.field, p.issue) for p in info.value.problems] == [("claim_id", RowIssue.LINK)]


def test_absent_values_in_text_and_typed_columns() -> None:
    # Blank text is no value: missing where required, null where optional.
    problems = _problems(_raw(claim={"member_id": "   "}))
    assert any("row 1, field 'member_id': required field is missing" in p for p in problems)
    batch = conform(Claim, _raw(claim={"payer_name": "  ", "member_id": " M1 "}))
    claim = records_from_batch(batch)[0]
    assert isinstance(claim, Claim)
    assert claim.payer_name is None and claim.member_id == "M1"
    # Columns already of their type (Parquet): a null is missing where required.
    raw = _raw()
    raw["claim_lines"] = raw["claim_lines"].with_columns(
        pl.lit(None, pl.Date).alias("service_from"), pl.lit(None, pl.Int64).alias("line_number"))
    problems = _problems(raw)
    assert any("row 1, field 'service_from': required field is missing" in p for p in problems)
    assert any("row 1, field 'line_number': required field is missing" in p for p in problems)

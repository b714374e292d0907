"""The administrative rules' one-claim kernels on the branches the examples and the synthetic
world leave out: several NPIs or frequency problems on one claim (whose first decides the
finding's fix and RARC), places of service not yet in force, corrected claims' filing limits,
line sums in cents, and duplicates among several history claims."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

import polars as pl
import pytest

from cleanclaim.domain import Claim
from cleanclaim.domain.schema import batch_from_records
from cleanclaim.rules import Context
from cleanclaim.rules.api import Example
from cleanclaim.rules.examples import OTHER_NPI, example_claim, example_context

from .equivalence import kernel_findings

DOS = dt.date(2025, 3, 10)
EARLY = dt.date(2023, 1, 5)
WIDE_NPI = "".join(chr(0xFF10 + int(d)) for d in "1234567893")
"""A valid NPI in full-width digits: digits to Python's ``isdigit``, not to the rule."""


def _findings(claim: Claim, context: Context, rule_id: str) -> list[dict[str, Any]]:
    """The rule's findings on the claim, after checking its kernel finds what its plan does."""
    return kernel_findings(claim, context, [rule_id])


def _claim(claim_id: str = "EX-1", lines: tuple[dict[str, Any], ...] | None = None,
           **header: Any) -> Claim:
    return example_claim(Example("case", True, claim={"claim_id": claim_id, **header},
                                 lines=lines))


def _with_history(*claims: Claim, lineless: tuple[str, ...] = ()) -> Context:
    """The example context with these claims (``lineless`` ones without lines) as history."""
    frames = batch_from_records(Claim, list(claims)).frames()
    lines = frames["claim_lines"].filter(~pl.col("claim_id").is_in(list(lineless)))
    return example_context().with_history(frames["claims"], lines)


def _payers(**changes: Any) -> Context:
    context = example_context()
    assert context.payers is not None
    return replace(context, payers=context.payers.with_columns(
        **{k: pl.lit(v) for k, v in changes.items()}))


def _one(findings: list[dict[str, Any]], line: int | None = None) -> dict[str, Any]:
    mine = [f for f in findings if f["line"] == line]
    assert len(mine) == 1, findings
    return mine[0]


def test_npis_claim_fields_first_decide_the_fix_and_rarc() -> None:
    claim = _claim(billing_npi="1234567890", rendering_npi="12345",
                   referring_npi="12345678a3", facility_npi=WIDE_NPI,
                   lines=({"rendering_npi": "1234567890"}, {"rendering_npi": OTHER_NPI}))
    found = _findings(claim, example_context(), "adm.npi_invalid")
    head = _one(found)
    assert head["fix"] == "Correct the billing npi from NPPES." and head["rarc"] is None
    assert head["message"].count("is not a valid NPI") == 4
    assert _one(found, 1)["rarc"] == "N290"
    assert not [f for f in found if f["line"] == 2]


def test_npis_rendering_first_gives_its_rarc() -> None:
    claim = _claim(rendering_npi="0123456789", facility_npi="1234567890")
    head = _one(_findings(claim, example_context(), "adm.npi_invalid"))
    assert head["fix"] == "Correct the rendering npi from NPPES." and head["rarc"] == "N290"


@pytest.mark.parametrize(("payer_id", "member_id", "fails"), [
    ("PAY01", "ABC123456\n", True),  # Polars' $ does not match before a final line break
    ("PAY02", "12345678X", True),
    ("PAY02", "123456789", False),
    ("PAY99", "anything", False),
])
def test_member_id_against_the_payers_pattern(payer_id: str, member_id: str,
                                              fails: bool) -> None:
    claim = _claim(payer_id=payer_id, member_id=member_id)
    assert bool(_findings(claim, example_context(), "adm.member_id_format")) == fails


def test_place_of_service_not_yet_in_force_and_unknown_on_a_line() -> None:
    # 27 took effect in October 2023; 10 in 2022.
    claim = _claim(place_of_service="27", statement_from=EARLY, statement_to=EARLY,
                   lines=({"service_from": EARLY, "place_of_service": "10"},
                          {"service_from": EARLY, "place_of_service": "98"}))
    found = _findings(claim, example_context(), "adm.place_of_service_invalid")
    assert _one(found)["message"] == "place of service 27 is not valid on 2023-01-05"
    assert _one(found, 2)["message"] == "line place of service 98 is not valid on 2023-01-05"
    assert len(found) == 2


def test_required_fields_of_an_institutional_claim() -> None:
    claim = example_claim(Example(
        "bare institutional", True,
        claim={"claim_type": "institutional", "place_of_service": None, "statement_from": None,
               "billing_tax_id": None, "patient_birth_date": None},
        lines=({"revenue_code": "0450"}, {"procedure_code": None}), diagnoses=()))
    found = _findings(claim, example_context(), "adm.required_fields")
    assert _one(found)["message"] == ("missing: patient_birth_date, billing_tax_id, "
                                      "type_of_bill, statement_from, discharge_status, "
                                      "diagnoses")
    assert _one(found, 2)["message"] == "institutional line has no revenue code"


def test_required_fields_of_a_professional_claim() -> None:
    claim = example_claim(Example(
        "bare professional", True, claim={"place_of_service": None},
        lines=({}, {"procedure_code": None}), diagnoses=()))
    found = _findings(claim, example_context(), "adm.required_fields")
    assert _one(found)["fix"] == "Fill in place_of_service, diagnoses and resubmit."
    assert _one(found, 2)["message"] == "service line has no procedure code"


@pytest.mark.parametrize(("header", "expected"), [
    # Institutional original whose type of bill ends in 7.
    ({"claim_type": "institutional", "type_of_bill": "0137", "place_of_service": None},
     ["type of bill 0137 does not end in frequency 1"]),
    # Void without the original's number, on a type of bill for an original.
    ({"frequency_code": "8", "type_of_bill": "0131"},
     ["frequency 8 without the original claim number",
      "type of bill 0131 does not end in frequency 8"]),
    # Interim code on a professional claim, with a type of bill for an original.
    ({"frequency_code": "2", "type_of_bill": "0131"},
     ["frequency 2 is not used on professional claims",
      "type of bill 0131 does not end in frequency 2"]),
    ({"claim_type": "institutional", "frequency_code": "0", "type_of_bill": "0130",
      "place_of_service": None}, []),
])
def test_frequency_code_problems_together(header: dict[str, Any], expected: list[str]) -> None:
    found = _findings(_claim(**header), example_context(), "adm.frequency_code")
    assert [m for f in found for m in f["message"].split("; ")] == expected


@pytest.mark.parametrize(("context", "header", "limit"), [
    # A replacement filed 205 days after the service: the corrected-claim limit is 180.
    (_payers(corrected_claim_days=180),
     {"frequency_code": "7", "original_claim_ref": "PCN-1",
      "submitted_on": dt.date(2025, 10, 1)}, 180),
    (_payers(corrected_claim_days=180),
     {"frequency_code": "7", "original_claim_ref": "PCN-1",
      "submitted_on": dt.date(2025, 9, 1)}, None),
    # No corrected-claim limit: the timely-filing one.
    (example_context(), {"frequency_code": "7", "original_claim_ref": "PCN-1",
                         "submitted_on": dt.date(2025, 9, 1)}, 90),
    # Not yet sent: judged on the as-of date, from the lines' last date without a statement.
    (replace(example_context(), as_of=dt.date(2025, 12, 1)),
     {"submitted_on": None, "statement_from": None, "statement_to": None}, 90),
])
def test_timely_filing_limits(context: Context, header: dict[str, Any],
                              limit: int | None) -> None:
    found = _findings(_claim(**header), context, "adm.timely_filing")
    if limit is None:
        assert not found
    else:
        assert _one(found)["message"].endswith(f"allows {limit}")


def test_impossible_units_and_charges_and_a_total_in_cents() -> None:
    claim = _claim(total_charge="0.35",
                   lines=({"units": 0, "charge": "0.10"}, {"charge": "0.20"}))
    found = _findings(claim, example_context(), "adm.charge_units_invalid")
    assert _one(found, 1)["message"] == "units 0.000 / charge 0.10 are impossible"
    assert _one(found)["repair"] == "total_charge=0.3"


def test_a_total_equal_to_the_lines_is_fine() -> None:
    claim = _claim(total_charge="0.30", lines=({"charge": "0.10"}, {"charge": "0.20"}))
    assert not _findings(claim, example_context(), "adm.charge_units_invalid")


_LINES = ({"procedure_code": "99213", "modifiers": ["25"], "line_number": 1},
          {"procedure_code": "20610", "charge": "260", "line_number": 2})


def _dupes(claim: Claim, context: Context) -> dict[str, list[str]]:
    """Per duplicate rule, the claims it says this one repeats."""
    out = {}
    for rule_id in ("adm.duplicate_claim", "adm.duplicate_suspected"):
        out[rule_id] = [f["message"].rsplit(" ", 1)[-1] for f in _findings(claim, context,
                                                                            rule_id)]
    return out


@pytest.mark.parametrize(("history", "lineless", "claim", "exact", "loose"), [
    # Of several originals, the earliest sent, then the lowest ID (one without lines is none).
    ([_claim("H-9"), _claim("H-3")], (), _claim(), ["H-3"], []),
    ([_claim("H-9"), _claim("H-3"), _claim("H-0")], ("H-0",), _claim(), ["H-3"], []),
    ([_claim("H-1", submitted_on=dt.date(2025, 2, 20)),
      _claim("H-9", submitted_on=dt.date(2025, 2, 12))], (), _claim(), ["H-9"], []),
    # A replacement in history is no original; nor is a claim under the same ID.
    ([_claim("H-7", frequency_code="7", original_claim_ref="P"), _claim("EX-1"),
      _claim("H-5")], (), _claim(), ["H-5"], []),
    # An exact repeat anywhere hides the loose one.
    ([_claim("H-8", lines=({"charge": "150"},)), _claim("H-2")], (), _claim(), ["H-2"], []),
    ([_claim("H-8", lines=({"charge": "150"},)), _claim("H-6", billing_npi=OTHER_NPI)], (),
     _claim(), [], ["H-6"]),
    # A corrected claim repeats nothing.
    ([_claim("H-1")], (), _claim(frequency_code="7", original_claim_ref="P"), [], []),
    # Lines compared in line order; modifiers in their order; codes in any order (loose).
    ([_claim("H-4", lines=(_LINES[1], _LINES[0]))], (), _claim(lines=_LINES), ["H-4"], []),
    ([_claim("H-4", lines=({**_LINES[1], "line_number": 1}, {**_LINES[0], "line_number": 2}))],
     (), _claim(lines=_LINES), [], ["H-4"]),
    ([_claim("H-4", lines=({**_LINES[0], "procedure_code": "20610"}, _LINES[1]))], (),
     _claim(lines=_LINES), [], []),
    ([_claim("H-4", lines=({**_LINES[0], "modifiers": ["25", "59"]}, _LINES[1]))], (),
     _claim(lines=({**_LINES[0], "modifiers": ["59", "25"]}, _LINES[1])), [], ["H-4"]),
    # Without a statement date, the first date of service stands in.
    ([_claim("H-1")], (), _claim(statement_from=None, statement_to=None), ["H-1"], []),
    # Another member, or a history claim without lines, is no original.
    ([_claim("H-1", member_id="XYZ000111"), _claim("H-2")], ("H-2",), _claim(), [], []),
])
def test_duplicates_among_several_history_claims(history: list[Claim], lineless: tuple[str, ...],
                                                 claim: Claim, exact: list[str],
                                                 loose: list[str]) -> None:
    found = _dupes(claim, _with_history(*history, lineless=lineless))
    assert found == {"adm.duplicate_claim": exact, "adm.duplicate_suspected": loose}

"""The coding rules' one-claim kernels on the branches the rule examples and the synthetic world
leave out: dated and system-limited procedure lists, open age bounds and unknown patient data,
coverage-policy ranges and pointer orders, repeated and unknown modifiers, and the refdata
store's own tables."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

import polars as pl
import pytest

from cleanclaim.domain import Claim
from cleanclaim.refdata import RefdataStore
from cleanclaim.rules import Context, Example, Reference
from cleanclaim.rules.examples import example_claim, example_context, example_reference

from .equivalence import kernel_findings

RULES = ["code.icd_invalid", "code.icd_not_billable", "code.procedure_invalid",
         "code.age_conflict", "code.sex_conflict", "code.dx_age_conflict",
         "code.dx_sex_conflict", "code.dx_pointer_invalid", "code.dx_not_supporting",
         "code.modifier_invalid", "code.modifier_unknown"]

DOS = dt.date(2025, 3, 10)
OLD = dt.date(2024, 6, 3)


def _dated(rows: list[tuple[Any, ...]], schema: dict[str, Any]) -> pl.LazyFrame:
    return pl.DataFrame(rows, schema=schema, orient="row").lazy()


def _reference() -> Reference:
    """The example reference with dated, system-tagged procedures, open age bounds and
    coverage policies of ranges, single codes and dates."""
    window = {"valid_from": pl.Date, "valid_before": pl.Date}
    procedures = _dated(
        [("J3301", "hcpcs", None, dt.date(2025, 1, 1)), ("J3301", "hcpcs", dt.date(2025, 6, 1),
                                                        None),
         ("A0425", "hcpcs", None, None), ("99213", "cpt", None, None)],
        {"code": pl.String, "system": pl.String, **window})
    restrictions = _dated(
        [("99386", None, None, 30, None, None), ("99387", None, 65, None, None, None),
         ("99385", None, 18, 39, None, None), ("77067", "F", 40, None, None, None),
         ("55700", "M", None, None, None, dt.date(2025, 1, 1)),
         ("55700", "M", None, None, dt.date(2025, 1, 1), None)],
        {"code": pl.String, "sex": pl.String, "min_age": pl.Int64, "max_age": pl.Int64,
         **window})
    support = _dated(
        [("P-RANGE", "72140", "72159", "M54", None, None),
         ("P-RANGE", "72140", "72159", "G834", None, None),
         ("P-ONE", "72148", "72148", "S32", None, None),
         ("P-OLD", "97110", "97110", "M6281", None, dt.date(2025, 1, 1)),
         ("P-WIDE", "7000", "7999", "C795", None, None)],
        {"policy_id": pl.String, "procedure_low": pl.String, "procedure_high": pl.String,
         "diagnosis": pl.String, **window})
    return replace(example_reference(), procedures=procedures,
                   procedure_systems=frozenset({"hcpcs"}), restrictions=restrictions,
                   dx_support=support)


def _context(reference: Reference) -> Context:
    return replace(example_context(), reference=reference)


def _found(claim: Claim, context: Context) -> list[dict[str, Any]]:
    """The findings of the coding rules, kernel and plan alike (asserted)."""
    return kernel_findings(claim, context, RULES)


def _mri(**line: Any) -> dict[str, Any]:
    return {"procedure_code": "72148", "charge": "1900", **line}


CASES: list[tuple[str, Example, set[tuple[str, int | None]]]] = [
    ("procedure unknown, out of its window, CPT not judged",
     Example("", True, lines=({"procedure_code": "J9999"}, {"procedure_code": "J3301"},
                              {"procedure_code": "99499"}, {"procedure_code": "A0425"})),
     {("code.procedure_invalid", 1), ("code.procedure_invalid", 2)}),
    ("age above an open-ended maximum", Example("", True, lines=({"procedure_code": "99386"},)),
     {("code.age_conflict", 1)}),
    ("age below an open-ended minimum", Example("", True, lines=({"procedure_code": "99387"},)),
     {("code.age_conflict", 1)}),
    ("40th birthday on the DOS", Example(
        "", True, claim={"patient_birth_date": dt.date(1985, 3, 10)},
        lines=({"procedure_code": "99385"},)), {("code.age_conflict", 1)}),
    ("a day before the 40th birthday", Example(
        "", True, claim={"patient_birth_date": dt.date(1985, 3, 11)},
        lines=({"procedure_code": "99385"},)), set()),
    ("leap-day birth", Example("", True, claim={"patient_birth_date": dt.date(1984, 2, 29)},
                               lines=({"procedure_code": "99386"},)), {("code.age_conflict", 1)}),
    ("unknown birth date and sex", Example(
        "", True, claim={"patient_birth_date": None, "patient_sex": None},
        diagnoses=("Z3400", "N400", "Z00110"),
        lines=({"procedure_code": "99385"}, {"procedure_code": "77067"})),
     {("code.icd_invalid", None)}),
    ("sex edit by the line's date", Example(
        "", True, lines=({"procedure_code": "55700", "service_from": OLD},
                         {"procedure_code": "55700"}),
        claim={"statement_from": OLD}), {("code.sex_conflict", 1), ("code.sex_conflict", 2)}),
    ("pointers in reverse, repeated, and past the list", Example(
        "", True, diagnoses=("E119", "I10"),
        lines=(_mri(diagnosis_pointers=[2, 1]), _mri(diagnosis_pointers=[1, 1]),
               _mri(diagnosis_pointers=[3]), _mri(diagnosis_pointers=[]))),
     {("code.dx_not_supporting", 1), ("code.dx_not_supporting", 2),
      ("code.dx_pointer_invalid", 3), ("code.dx_pointer_invalid", 4)}),
    ("a prefix of the range's list supports", Example(
        "", True, diagnoses=("E119", "G8340"),
        lines=(_mri(diagnosis_pointers=[1, 2]), _mri(procedure_code="72158"))),
     {("code.icd_invalid", None), ("code.dx_not_supporting", 2)}),
    ("single-code policy only", Example(
        "", True, diagnoses=("S3200",), lines=(_mri(procedure_code="72141"),)),
     {("code.icd_invalid", None), ("code.dx_not_supporting", 1)}),
    ("policy out of force, length-checked range", Example(
        "", True, diagnoses=("E119",),
        lines=({"procedure_code": "97110"}, {"procedure_code": "97110", "service_from": OLD},
               {"procedure_code": "7123"}, {"procedure_code": "71230"})),
     {("code.dx_not_supporting", 2), ("code.dx_not_supporting", 3)}),
    ("diagnosis outside the ICD-10-CM list, twice", Example("", True, diagnoses=(
        "X999", "E11", "X999")), {("code.icd_invalid", None), ("code.icd_not_billable", None)}),
    ("modifiers repeated, malformed, unknown", Example(
        "", True, lines=({"modifiers": ["25", "25"]}, {"modifiers": ["2a", "ZZ"]},
                         {"modifiers": ["ZZ", "59", "ZY", "ZZ"]}, {"modifiers": []})),
     {("code.modifier_invalid", 1), ("code.modifier_invalid", 2), ("code.modifier_unknown", 2),
      ("code.modifier_invalid", 3), ("code.modifier_unknown", 3)}),
]


@pytest.mark.parametrize(("example", "expected"), [pytest.param(ex, want, id=title)
                                                   for title, ex, want in CASES])
def test_kernels_equal_plans_on_the_branches(example: Example,
                                             expected: set[tuple[str, int | None]]) -> None:
    found = _found(example_claim(example), _context(_reference()))
    assert {(f["rule_id"], f["line"]) for f in found} == expected


def test_a_null_bound_gives_a_null_message_in_both() -> None:
    """An open bound makes the plan's message null (``pl.format``); the kernel's too, and
    both then read the same."""
    found = _found(example_claim(Example("", True, lines=({"procedure_code": "99386"},))),
                   _context(_reference()))
    assert [f["rule_id"] for f in found] == ["code.age_conflict"]


def test_an_institutional_claim_has_no_pointer_or_policy_finding() -> None:
    claim = example_claim(Example("", True, claim={"claim_type": "institutional"},
                                  lines=(_mri(diagnosis_pointers=[]),)))
    assert _found(claim, _context(_reference())) == []


@pytest.fixture(scope="module")
def store_context(tmp_path_factory: pytest.TempPathFactory) -> Context:
    reference = Reference.from_store(RefdataStore(tmp_path_factory.mktemp("data")))
    return Context(reference=reference, as_of=dt.date(2025, 4, 1))


STORE_CASES: list[tuple[str, Example, set[str], set[str]]] = [
    ("CPT not judged without a CPT list, unknown HCPCS",
     Example("", True, lines=({"procedure_code": "99213"}, {"procedure_code": "Z9999"})),
     {"code.procedure_invalid"}, set()),
    ("DOS before every ICD-10-CM release", Example("", True, diagnoses=("XX999", "E11")),
     set(), {"code.icd_invalid", "code.icd_not_billable"}),
    ("DOS in the loaded release", Example(
        "", True, diagnoses=("XX999", "E11", "E119"),
        lines=({"service_from": dt.date(2025, 11, 3)},),
        claim={"statement_from": dt.date(2025, 11, 3), "statement_to": dt.date(2025, 11, 3)}),
     {"code.icd_invalid", "code.icd_not_billable"}, set()),
    ("newborn and maternity edits", Example("", True, diagnoses=("Z3800", "Z3400")),
     {"code.dx_age_conflict"}, set()),
    ("sex edit before the MCE dropped it", Example(
        "", True, diagnoses=("N400",), lines=({"service_from": OLD},),
        claim={"statement_from": OLD, "statement_to": OLD}), {"code.dx_sex_conflict"}, set()),
    ("store policies", Example("", True, diagnoses=("E119", "M5450"),
                               lines=(_mri(), _mri(diagnosis_pointers=[2]))),
     {"code.dx_not_supporting"}, set()),
    ("store age band", Example("", True, lines=({"procedure_code": "99395"},)),
     {"code.age_conflict"}, set()),
]


@pytest.mark.parametrize(("example", "expected", "absent"), [
    pytest.param(ex, want, absent, id=title) for title, ex, want, absent in STORE_CASES])
def test_kernels_equal_plans_on_the_store_tables(store_context: Context, example: Example,
                                                 expected: set[str], absent: set[str]) -> None:
    fired = {f["rule_id"] for f in _found(example_claim(example), store_context)}
    assert expected <= fired
    assert not absent & fired

"""Payer pack rules' one-claim kernels: every operator on every kind of field, at both levels,
with member and MUE fields, nulls and message templates, the pack's payer and dates, found
by the kernel exactly as by the rule's plan. A condition whose value does not fit its field
(which Polars would reject or coerce in its own way) is refused when the pack loads."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from cleanclaim.domain import Claim, ClaimType
from cleanclaim.rules import Example, Registry, scrub_one
from cleanclaim.rules.examples import example_claim, example_context
from cleanclaim.rules.packs import PackError, load_pack

# id, level, conditions, message
RULES: list[tuple[str, str, str, str]] = [
    ("t.eq", "line", '{field: line.procedure_code, equals: "99213"}',
     "{line.procedure_code} x{line.units} by {line.rendering_npi} on {line.service_from}"),
    ("t.ne", "line", '{field: line.procedure_code, not_equals: "99213"}',
     "line {line.line_number} charge {line.charge}"),
    ("t.in", "line", '{field: line.procedure_code, in: ["20610", "J3301", null]}', "in"),
    ("t.not_in", "line", '{field: line.procedure_code, not_in: ["99213"]}, '
     '{field: line.revenue_code, is_null: true}', "not in {line.revenue_code}"),
    ("t.gt", "line", "{field: line.units, gt: 1}", "{line.units}"),
    ("t.ge", "line", "{field: line.charge, ge: 260.5}", "{line.charge}"),
    ("t.lt", "line", "{field: line.units, lt: 2.5}, {field: line.line_number, gt: 1}", "lt"),
    ("t.le", "line", "{field: line.charge, le: 140}", "le"),
    ("t.not_null", "line", "{field: line.service_to, is_null: false}", "{line.service_to}"),
    ("t.matches", "line", '{field: line.procedure_code, matches: "^2"}, '
     '{field: line.service_from, matches: "^2025-03"}', "matches"),
    ("t.matches_number", "line", '{field: line.units, matches: "\\\\.500$"}', "half"),
    ("t.contains", "line", '{field: line.modifiers, contains: "25"}', "contains"),
    ("t.contains_int", "line", "{field: line.diagnosis_pointers, contains: 2}", "pointer"),
    ("t.not_contains", "line", '{field: line.modifiers, not_contains: "59"}', "no 59"),
    ("t.any_matches", "line", '{field: line.modifiers, any_matches: "^X"}', "X"),
    ("t.none_match", "line", '{field: claim.diagnosis_codes, none_match: "^Z"}', "no Z"),
    ("t.mue", "line", "{field: ref.mue_value, le: 2}",
     "{line.procedure_code} MUE {ref.mue_value} age {claim.age}"),
    ("t.mue_null", "line", "{field: ref.mue_value, is_null: true}", "no MUE {ref.mue_value}"),
    ("t.member_line", "line", '{field: member.sex, equals: "F"}',
     "{member.first_name} {line.procedure_code}"),
    ("c.age", "claim", "{field: claim.age, ge: 45}",
     "age {claim.age} born {claim.patient_birth_date} total {claim.total_charge}"),
    ("c.total", "claim", "{field: claim.total_charge, gt: 300.0}", "{claim.total_charge}"),
    ("c.dates", "claim", "{field: claim.statement_from, ge: 2025-03-01}, "
     "{field: claim.statement_from, lt: 2025-04-01}", "{claim.statement_from}"),
    ("c.dx_contains", "claim", '{field: claim.diagnosis_codes, contains: "I10"}', "I10"),
    ("c.dx_any", "claim", '{field: claim.diagnosis_codes, any_matches: "^E11"}', "E11"),
    ("c.dx_null", "claim", "{field: claim.diagnosis_codes, is_null: true}", "no dx"),
    ("c.sex_in", "claim", '{field: claim.patient_sex, in: ["F"]}', "{claim.patient_sex}"),
    ("c.not_in_null", "claim", '{field: claim.rendering_npi, not_in: ["1"]}', "rendering"),
    ("c.pos", "claim", '{field: claim.place_of_service, matches: "^1"}',
     "pos {claim.place_of_service} ref {claim.referral_number}"),
    ("c.member", "claim", "{field: member.birth_date, lt: 1975-01-01}",
     "{member.first_name} {member.last_name} {member.birth_date}"),
    ("c.member_null", "claim", "{field: member.first_name, is_null: true}", "no member"),
    ("c.type", "claim", '{field: claim.claim_type, equals: "institutional"}',
     "{claim.claim_type} {claim.type_of_bill}"),
]

# id, level, conditions, message, what the refusal says
ILL_TYPED: list[tuple[str, str, str, str, str]] = [
    ("x.text_number", "claim", "{field: claim.place_of_service, equals: 11}", "pos",
     "is text"),
    ("x.text_bool", "claim", "{field: claim.place_of_service, equals: true}", "pos", "is text"),
    ("x.float_list", "line", "{field: line.units, in: [1.5]}", "units", "whole numbers"),
    ("x.list_equals", "line", '{field: line.modifiers, equals: "25"}', "mods", "is a list"),
    ("x.list_message", "line", '{field: line.procedure_code, equals: "99213"}',
     "{line.modifiers}", "message field"),
    ("x.date_text", "claim", '{field: claim.statement_from, equals: "2025-03-10"}', "date",
     "unquoted"),
    ("x.lookbehind", "line", '{field: line.procedure_code, matches: "(?<=9)9"}', "re",
     "not a supported pattern"),
    ("x.scalar_contains", "line", '{field: line.procedure_code, contains: "9"}', "c",
     "tests a list"),
    ("x.int_list_text", "line", '{field: line.diagnosis_pointers, contains: "1"}', "p",
     "whole numbers"),
    ("x.int_list_pattern", "line", '{field: line.diagnosis_pointers, any_matches: "1"}', "p",
     "holds numbers"),
]


def _pack(rules: list[tuple[str, str, str, str]], payer: str = "PAY01") -> str:
    items = "".join(f"""
  - id: {rule_id}
    title: {rule_id}
    category: coding
    severity: warn
    level: {level}
    when: [{conditions}]
    message: {message!r}
    fix: Check.
    examples: [{{title: a, fails: true}}, {{title: b, fails: false}}]
""" for rule_id, level, conditions, message in rules)
    return (f"pack: test\npayer_id: {payer}\nversion: '1'\neffective_from: 2025-01-01\n"
            f"effective_to: 2025-12-31\nrules:{items}")


REGISTRY = Registry(load_pack(_pack(RULES)))
JUNE = dt.date(2025, 6, 2)


def _claim(title: str, lines: tuple[dict[str, Any], ...] | None = None,
           diagnoses: tuple[str, ...] | None = None, **header: Any) -> Claim:
    return example_claim(Example(title, True, claim=header, lines=lines,
                                 diagnoses=diagnoses))


CLAIMS = [
    _claim("the example claim"),
    _claim("three lines", lines=(
        {"procedure_code": "20610", "units": "1.5", "charge": "260.50",
         "modifiers": ["25", "XS"], "diagnosis_pointers": [1, 2]},
        {"procedure_code": "99213", "modifiers": ["59"], "rendering_npi": "1003000126"},
        {"procedure_code": "J3301", "units": 12, "charge": "120", "revenue_code": "0636",
         "service_to": dt.date(2025, 3, 10)},
        {"procedure_code": "27447", "charge": "900"})),
    _claim("no diagnoses", diagnoses=()),
    _claim("routine exam", diagnoses=("Z0000",)),
    _claim("another payer", payer_id="PAY02"),
    _claim("after the pack", statement_from=dt.date(2026, 1, 5),
           statement_to=dt.date(2026, 1, 5),
           lines=({"service_from": dt.date(2026, 1, 5)},)),
    _claim("June", statement_from=JUNE, statement_to=JUNE, lines=({"service_from": JUNE},)),
    _claim("unknown member", member_id="ZZZ999999"),
    _claim("second member", member_id="XYZ000111", patient_birth_date=dt.date(1970, 2, 1)),
    _claim("45th birthday on the day", patient_birth_date=dt.date(1980, 3, 10)),
    _claim("45th birthday the day after", patient_birth_date=dt.date(1980, 3, 11)),
    _claim("institutional", claim_type=ClaimType.INSTITUTIONAL, type_of_bill="0131",
           rendering_npi="1003000126", referral_number="R-1"),
]


def _both(claim: Claim, only: list[str]) -> tuple[list[dict[str, Any]], dict[str, str]]:
    kernel = scrub_one(claim, example_context(), registry=REGISTRY, only=only)
    plan = scrub_one(claim, example_context(), registry=REGISTRY, only=only, plans=True)
    assert kernel.findings.to_dicts() == plan.findings.to_dicts(), claim.claim_id
    assert set(kernel.errors) == set(plan.errors)
    return kernel.findings.to_dicts(), kernel.errors


@pytest.mark.parametrize("rule_id", [r[0] for r in RULES])
def test_kernel_equals_plan_and_finds(rule_id: str) -> None:
    assert REGISTRY.get(rule_id).single is not None
    fired, clean = 0, 0
    for claim in CLAIMS:
        found, errors = _both(claim, [rule_id])
        assert not errors
        fired, clean = fired + bool(found), clean + (not found)
    assert fired and clean, (fired, clean)


def test_messages_write_values_as_polars_does() -> None:
    found, _ = _both(CLAIMS[0], ["t.eq", "c.pos"])
    assert {r["message"] for r in found} == {"99213 x1.000 by  on 2025-03-10", "pos 11 ref "}
    found, _ = _both(CLAIMS[9], ["c.age"])
    assert [r["message"] for r in found] == ["age 45 born 1980-03-10 total 140.00"]


def test_the_pack_payer_and_dates_bound_every_rule() -> None:
    ids = [r[0] for r in RULES]
    for claim in CLAIMS[4:6]:
        assert _both(claim, ids)[0] == []


@pytest.mark.parametrize("case", ILL_TYPED, ids=[r[0] for r in ILL_TYPED])
def test_a_condition_not_fitting_its_field_is_refused_at_load(
        case: tuple[str, str, str, str, str]) -> None:
    rule_id, level, conditions, message, says = case
    with pytest.raises(PackError, match=says) as info:
        load_pack(_pack([(rule_id, level, conditions, message)]), "ill.yaml")
    assert "ill.yaml" in str(info.value) and rule_id in str(info.value)


def test_without_the_context_a_field_needs_the_rule_is_skipped() -> None:
    from dataclasses import replace

    bare = replace(example_context(), members=None)
    claim = CLAIMS[0]
    kernel = scrub_one(claim, bare, registry=REGISTRY, only=["c.member", "t.mue"])
    plan = scrub_one(claim, bare, registry=REGISTRY, only=["c.member", "t.mue"], plans=True)
    assert kernel.findings.to_dicts() == plan.findings.to_dicts()
    assert kernel.skipped == plan.skipped == {"c.member": ("members",)}


def test_ref_mue_value_reads_the_claims_setting() -> None:
    from dataclasses import replace

    import polars as pl

    from cleanclaim.rules import Reference

    def table(value: int) -> pl.LazyFrame:
        return pl.DataFrame({"code": ["99213"], "mue_value": [value],
                             "adjudication_indicator": [1]}).lazy()

    pack = load_pack(_pack([("s.mue", "line", "{field: ref.mue_value, gt: 0}",
                             "{line.procedure_code} MUE {ref.mue_value}")]))
    registry = Registry(pack)
    base = example_context()
    context = replace(base, reference=base.reference.merged(
        Reference(mue=table(5), mue_institutional=table(9))))
    for claim, value in ((CLAIMS[0], "5"), (CLAIMS[-1], "9")):
        kernel = scrub_one(claim, context, registry=registry)
        plan = scrub_one(claim, context, registry=registry, plans=True)
        assert kernel.findings.to_dicts() == plan.findings.to_dicts()
        assert [r["message"] for r in kernel.findings.to_dicts()] == [f"99213 MUE {value}"]

"""The coding rules over the refdata store's tables (Reference.from_store): the derived age/sex
edits, the example coverage policies, and the NCCI setting chosen by claim type."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from cleanclaim.domain import ClaimType
from cleanclaim.refdata import RefdataStore, RefKind
from cleanclaim.rules import Context, Example, Reference, scrub_claim
from cleanclaim.rules.examples import example_claim

from ..refdata.files import ptp_tab, write_text

DOS = dt.date(2025, 3, 10)
OLD_DOS = dt.date(2024, 6, 3)


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> Reference:
    return Reference.from_store(RefdataStore(tmp_path_factory.mktemp("data")))


def _rules(reference: Reference, **example: Any) -> dict[str, list[int | None]]:
    claim = example_claim(Example("case", True, **example))
    found: dict[str, list[int | None]] = {}
    for f in scrub_claim(claim, Context(reference=reference, as_of=dt.date(2025, 4, 1))):
        found.setdefault(f.rule_id, []).append(f.line)
    return found


def _on(day: dt.date) -> dict[str, Any]:
    return {"statement_from": day, "statement_to": day}


def test_store_reference_carries_every_table(reference: Reference) -> None:
    for name in ("icd10cm", "procedures", "ptp", "ptp_institutional", "mue",
                 "mue_institutional", "restrictions", "dx_restrictions", "dx_support",
                 "addon"):
        assert reference.has(name), name
    assert {"restrictions", "dx_restrictions", "dx_support"} <= Context(
        reference=reference).available()


def test_maternity_diagnosis_for_a_70_year_old(reference: Reference) -> None:
    old = _rules(reference, diagnoses=("Z3400",), claim={"patient_birth_date": dt.date(
        1954, 6, 1)})
    assert "code.dx_age_conflict" in old
    assert "code.dx_age_conflict" not in _rules(reference, diagnoses=("Z3400",))


def test_newborn_diagnosis_for_an_adult(reference: Reference) -> None:
    assert "code.dx_age_conflict" in _rules(reference, diagnoses=("Z3800",))
    baby = _rules(reference, diagnoses=("Z3800",), claim={"patient_birth_date": DOS})
    assert "code.dx_age_conflict" not in baby


def test_sex_edit_applies_before_the_mce_dropped_it(reference: Reference) -> None:
    line = ({"service_from": OLD_DOS},)
    before = _rules(reference, diagnoses=("N400",), claim=_on(OLD_DOS), lines=line)
    assert "code.dx_sex_conflict" in before
    male = _rules(reference, diagnoses=("N400",), lines=line,
                  claim={**_on(OLD_DOS), "patient_sex": "M"})
    assert "code.dx_sex_conflict" not in male
    assert "code.dx_sex_conflict" not in _rules(reference, diagnoses=("N400",))


def test_procedure_age_band_from_the_store(reference: Reference) -> None:
    visit = ({"procedure_code": "99395", "charge": "220"},)
    assert _rules(reference, lines=visit)["code.age_conflict"] == [1]  # patient is 44
    assert "code.age_conflict" not in _rules(
        reference, lines=({"procedure_code": "99396", "charge": "220"},))


def test_procedure_sex_from_the_store_and_modifier_kx(reference: Reference) -> None:
    psa = {"procedure_code": "G0103", "charge": "40"}
    assert _rules(reference, lines=(psa,))["code.sex_conflict"] == [1]
    assert "code.sex_conflict" not in _rules(reference, lines=({**psa, "modifiers": ["KX"]},))


def test_example_coverage_policy(reference: Reference) -> None:
    mri = ({"procedure_code": "72148", "charge": "1900"},)
    found = _rules(reference, lines=mri)
    assert found["code.dx_not_supporting"] == [1]
    # A prefix of the policy (M54) covers the code pointed at (M54.50).
    assert "code.dx_not_supporting" not in _rules(reference, lines=mri, diagnoses=("M5450",))
    # 72149 is in the policy's range 72148-72149; 72150 is not.
    assert "code.dx_not_supporting" in _rules(
        reference, lines=({"procedure_code": "72149", "charge": "1900"},))
    assert "code.dx_not_supporting" not in _rules(
        reference, lines=({"procedure_code": "72150", "charge": "1900"},))


def test_policy_dates_and_messages(tmp_path: Path) -> None:
    store = RefdataStore(tmp_path)
    path = write_text(tmp_path / "lcd.csv", [
        "policy_id,procedure,diagnosis,effective_date,end_date",
        "L100,72148,M545,2025-01-01,2025-06-01",
    ])
    store.import_files(RefKind.COVERAGE_POLICY, [path])
    ref = Reference.from_store(store)
    mri = {"procedure_code": "72148", "charge": "1900"}
    claim = example_claim(Example("mri", True, lines=(mri,)))
    found = [f for f in scrub_claim(claim, Context(reference=ref))
             if f.rule_id == "code.dx_not_supporting"]
    assert [f.message for f in found] == [
        "72148 is not supported by diagnosis E119 (policy L100)"]
    later = dt.date(2025, 7, 1)
    claim = example_claim(Example("after", False, claim=_on(later),
                                  lines=({**mri, "service_from": later},)))
    assert not [f for f in scrub_claim(claim, Context(reference=ref))
                if f.rule_id == "code.dx_not_supporting"]


def _ptp_store(tmp_path: Path) -> RefdataStore:
    store = RefdataStore(tmp_path / "data")
    prac = ptp_tab(tmp_path / "prac.txt", [["20610", "99213", "", "20200101", "*", "1", "x"]])
    hosp = ptp_tab(tmp_path / "hosp.txt", [["20610", "97110", "", "20200101", "*", "0", "x"]])
    store.import_files(RefKind.PTP_PRACTITIONER, [prac], release="2025Q1")
    store.import_files(RefKind.PTP_HOSPITAL, [hosp], release="2025Q1")
    mue_header = "HCPCS/CPT Code,Practitioner Services MUE Values,MUE Adjudication Indicator"
    store.import_files(RefKind.MUE_PRACTITIONER, [write_text(
        tmp_path / "mue-p.csv", [mue_header, "97110,4,1 Line Edit"])], release="2025Q1")
    store.import_files(RefKind.MUE_FACILITY, [write_text(
        tmp_path / "mue-f.csv", [mue_header.replace("Practitioner", "Facility"),
                                 "97110,8,1 Line Edit"])], release="2025Q1")
    return store


INSTITUTIONAL = {"claim_type": ClaimType.INSTITUTIONAL, "type_of_bill": "0131"}


def test_hospital_pair_is_found_on_institutional_claims_only(tmp_path: Path) -> None:
    ref = Reference.from_store(_ptp_store(tmp_path))
    lines = ({"procedure_code": "20610", "charge": "260"},
             {"procedure_code": "97110", "charge": "90"})
    assert _rules(ref, lines=lines, claim=INSTITUTIONAL)["code.ptp_unbundled"] == [2]
    assert "code.ptp_unbundled" not in _rules(ref, lines=lines)
    # And the practitioner pair the other way round.
    visit = ({"procedure_code": "20610", "charge": "260"}, {"procedure_code": "99213"})
    assert _rules(ref, lines=visit)["code.ptp_unbundled"] == [2]
    assert "code.ptp_unbundled" not in _rules(ref, lines=visit, claim=INSTITUTIONAL)


def test_mue_setting_follows_the_claim_type(tmp_path: Path) -> None:
    ref = Reference.from_store(_ptp_store(tmp_path))
    lines = ({"procedure_code": "97110", "units": 6, "charge": "540"},)
    assert _rules(ref, lines=lines)["code.mue_exceeded"] == [1]
    assert "code.mue_exceeded" not in _rules(ref, lines=lines, claim=INSTITUTIONAL)


def test_a_batch_of_both_claim_types(tmp_path: Path) -> None:
    from cleanclaim.domain import Claim
    from cleanclaim.domain.schema import batch_from_records
    from cleanclaim.rules import scrub

    ref = Reference.from_store(_ptp_store(tmp_path))
    lines = ({"procedure_code": "20610", "charge": "260"},
             {"procedure_code": "97110", "charge": "90"})
    claims = [example_claim(Example("p", True, lines=lines, claim={"claim_id": "P"})),
              example_claim(Example("i", True, lines=lines,
                                    claim={"claim_id": "I", **INSTITUTIONAL}))]
    result = scrub(batch_from_records(Claim, claims), Context(reference=ref))
    ptp = result.findings.filter(pl.col("rule_id") == "code.ptp_unbundled")
    assert ptp["claim_id"].to_list() == ["I"]


def test_payer_tables_replace_both_settings(tmp_path: Path) -> None:
    ref = Reference.from_store(_ptp_store(tmp_path))
    payer = Reference.from_tables({"ref_ptp_edits": pl.DataFrame(
        {"column1": ["20610"], "column2": ["97110"]})})
    merged = ref.merged(payer)
    assert merged.ptp_institutional is None
    assert merged.mue_institutional is ref.mue_institutional  # no payer MUE table: kept
    policies = Reference.from_tables({"ref_dx_support": pl.DataFrame(
        {"procedure_code": ["72148"], "diagnosis_code": ["M5450"]})})
    assert ref.merged(policies).ptp_institutional is ref.ptp_institutional
    lines = ({"procedure_code": "20610", "charge": "260"},
             {"procedure_code": "97110", "charge": "90"})
    # The payer's own table serves both claim types.
    assert "code.ptp_unbundled" in _rules(merged, lines=lines)
    assert "code.ptp_unbundled" in _rules(merged, lines=lines, claim=INSTITUTIONAL)


def test_payer_coverage_table_is_one_policy_of_single_codes() -> None:
    ref = Reference.from_tables({"ref_dx_support": pl.DataFrame(
        {"procedure_code": ["72148"], "diagnosis_code": ["M5450"]})})
    mri = ({"procedure_code": "72148", "charge": "1900"},)
    assert "code.dx_not_supporting" not in _rules(ref, lines=mri, diagnoses=("M5450",))
    assert "code.dx_not_supporting" in _rules(ref, lines=mri, diagnoses=("M5451",))
    assert "code.dx_not_supporting" not in _rules(
        ref, lines=({"procedure_code": "72149", "charge": "1900"},), diagnoses=("M5451",))

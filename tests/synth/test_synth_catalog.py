"""The curated code lists hold what they claim: real, billable ICD-10-CM codes and sane tables."""

from __future__ import annotations

import re

from cleanclaim.synth import catalog as cat
from cleanclaim.synth.templates import Vocab

from .conftest import icd_lookup


def test_diagnoses_are_billable_icd10cm() -> None:
    icd = icd_lookup()
    for d in cat.DIAGNOSES:
        assert icd.is_valid_item(d.code), d.code
        assert icd.is_leaf(d.code), f"{d.code} is not billable"


def test_injected_icd_forms_are_wrong_in_the_right_way() -> None:
    icd = icd_lookup()
    voc = Vocab()
    for code, bad in voc.invalid_dx.items():
        assert not icd.is_valid_item(bad), f"{bad} (from {code}) exists"
    for code, parent in voc.parent_dx.items():
        assert icd.is_valid_item(parent) and not icd.is_leaf(parent), parent
        assert code.startswith(parent)
    assert icd.is_valid_item("M545") and not icd.is_leaf("M545")


def test_procedure_codes_are_code_numbers_only() -> None:
    pattern = re.compile(r"^([0-9]{5}|[A-Z][0-9]{4})$")
    codes = [p.code for p in cat.PROCEDURES]
    assert len(codes) == len(set(codes))
    for p in cat.PROCEDURES:
        assert pattern.match(p.code), p.code
        assert p.mue >= 1 and p.charge > 0 and p.min_age <= p.max_age
        assert p.family.islower() and " " not in p.family
    known = {d.code for d in cat.DIAGNOSES}
    for p in cat.PROCEDURES:
        assert p.support is None or set(p.support) <= known, p.code
    for old in cat.DELETED_PREDECESSOR.values():
        assert old not in codes


def test_age_edges_cover_every_restriction() -> None:
    edges = set(cat.AGE_EDGES)
    for item in [*cat.PROCEDURES, *cat.DIAGNOSES]:
        assert item.min_age in edges, item
        assert item.max_age >= 200 or item.max_age + 1 in edges, item


def test_payer_profiles() -> None:
    lines = {p.product_line for p in cat.PAYER_PROFILES[:4]}
    assert lines == {"commercial", "medicare_advantage", "medicaid", "aca_marketplace"}
    for p in cat.PAYER_PROFILES:
        re.compile(p.member_id_pattern)
        if p.product_line == "commercial":
            assert 90 <= p.timely_filing_days <= 180
    assert any(p.timely_filing_days == 365 for p in cat.PAYER_PROFILES)

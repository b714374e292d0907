"""Every label is true: injected defects are really there, clean claims really are clean."""

from __future__ import annotations

from collections import Counter

import pyarrow.compute as pc
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cleanclaim.domain import Claim, DenialCategory
from cleanclaim.domain.schema import records_from_batch
from cleanclaim.synth import DEFECTS, DefectRates, World, WorldShape, generate_world, is_valid_npi

from .conftest import Checker, Findings

_UNFORESEEABLE = {d.name for d in DEFECTS if not d.preventable}


def _labels(world: World) -> list[dict[str, object]]:
    return world.labels.to_pylist()


def test_every_claim_has_one_label(small_world: World) -> None:
    ids = small_world.claims.root.column("claim_id")
    assert small_world.labels.column("claim_id").equals(ids)
    assert pc.count_distinct(ids).as_py() == len(small_world.claims)


def test_every_defect_is_injected_somewhere(small_world: World) -> None:
    seen = set(small_world.labels.column("defect").to_pylist())
    missing = {d.name for d in DEFECTS} - seen
    assert not missing


def test_clean_claims_are_clean(small_world: World, findings: Findings) -> None:
    dirty = [
        (row["claim_id"], sorted(findings.by_claim[str(row["claim_id"])]))
        for row in _labels(small_world)
        if (row["defect"] == "clean" or row["defect"] in _UNFORESEEABLE)
        and findings.by_claim.get(str(row["claim_id"]))
    ]
    assert dirty == []


def test_injected_defects_are_present(small_world: World, findings: Findings) -> None:
    absent: list[tuple[object, object, object]] = []
    for row in _labels(small_world):
        name = row["defect"]
        if name == "clean" or name in _UNFORESEEABLE:
            continue
        found = findings.by_claim.get(str(row["claim_id"]), set())
        names = {n for n, _ in found}
        if name not in names:
            absent.append((row["claim_id"], name, sorted(found)))
            continue
        lines = {ln for n, ln in found if n == name}
        if row["line"] is not None and None not in lines:
            assert row["line"] in lines, (row, found)
    assert absent == []


def test_defects_rarely_overlap(small_world: World, findings: Findings) -> None:
    """A defective claim is wrong for its labelled reason; side findings stay rare."""
    extra = Counter()
    bad = 0
    for row in _labels(small_world):
        if row["defect"] == "clean":
            continue
        bad += 1
        names = findings.names(str(row["claim_id"])) - {row["defect"]}
        extra.update(names)
    assert sum(extra.values()) <= 0.05 * bad, extra


def test_labels_carry_category_carc_and_preventability(small_world: World) -> None:
    specs = {d.name: d for d in DEFECTS}
    for row in _labels(small_world):
        if row["defect"] == "clean":
            assert row["category"] is None and row["carc"] is None
            continue
        spec = specs[str(row["defect"])]
        assert row["category"] == spec.category.value
        assert DenialCategory(row["category"])
        assert row["preventable"] is spec.preventable
        assert row["carc"] and str(row["carc"]).isdigit()
        if spec.line_level:
            assert row["line"] is not None and int(str(row["line"])) >= 1


def test_terminated_coverage_precedes_service(small_world: World,
                                              small_claims: list[Claim]) -> None:
    cov = {(r["payer_id"], r["subscriber_id"]): r
           for r in small_world.coverages.root.to_pylist()}
    claims = {c.claim_id: c for c in small_claims}
    day_after = 0
    rows = [r for r in _labels(small_world) if r["defect"] == "coverage_terminated"]
    assert rows
    for row in rows:
        claim = claims[str(row["claim_id"])]
        term = cov[(claim.payer_id, claim.member_id)]["termination_date"]
        assert term is not None and claim.service_from > term
        day_after += (claim.service_from - term).days == 1
    assert day_after > 0, "the ended-the-day-before edge case is represented"


def test_npis(small_world: World, small_claims: list[Claim]) -> None:
    assert all(is_valid_npi(n) for n in small_world.providers.root.column("npi").to_pylist())
    bad = {str(r["claim_id"]) for r in _labels(small_world) if r["defect"] == "invalid_npi"}
    assert bad
    for claim in small_claims:
        valid = is_valid_npi(claim.billing_npi) and is_valid_npi(claim.rendering_npi or "")
        assert valid is (claim.claim_id not in bad)


@pytest.mark.parametrize("defect", ["non_billable_icd", "invalid_icd"])
def test_icd_defects_against_the_code_set(small_world: World, small_claims: list[Claim],
                                          defect: str) -> None:
    from .conftest import icd_lookup

    icd = icd_lookup()
    known = set(small_world.reference["ref_diagnoses"].column("code").to_pylist())
    ids = {str(r["claim_id"]) for r in _labels(small_world) if r["defect"] == defect}
    assert ids
    for claim in small_claims:
        if claim.claim_id in ids:
            odd = [d.code for d in claim.diagnoses if d.code not in known]
            assert len(odd) == 1
            if defect == "non_billable_icd":
                assert icd.is_valid_item(odd[0]) and not icd.is_leaf(odd[0])
            else:
                assert not icd.is_valid_item(odd[0])


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(min_value=0, max_value=2**32 - 1),
       claims=st.integers(min_value=1, max_value=400),
       chunk=st.integers(min_value=7, max_value=500),
       rate=st.floats(min_value=0.0, max_value=0.9))
def test_labels_hold_for_any_seed_size_and_rate(seed: int, claims: int, chunk: int,
                                                rate: float) -> None:
    world = generate_world(seed, claims, rates=DefectRates(denial_rate=rate),
                           shape=WorldShape(chunk_claims=chunk))
    records = [c for c in records_from_batch(world.claims) if isinstance(c, Claim)]
    found = Checker(world).run(records)
    for row in _labels(world):
        names = found.names(str(row["claim_id"]))
        if row["defect"] == "clean" or row["defect"] in _UNFORESEEABLE:
            assert not names, row
        else:
            assert row["defect"] in names, (row, names)

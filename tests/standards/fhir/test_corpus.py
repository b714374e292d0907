"""The official HL7 FHIR R4 examples (npm hl7.fhir.r4.examples 4.0.1, CC0) as a corpus.

They are not committed: ``scripts/fetch-fhir-examples`` puts them in ``.cache/fhir-examples``
(or ``$CLEANCLAIM_FHIR_EXAMPLES``). Without them these tests skip, unless
``CLEANCLAIM_REQUIRE_FHIR_EXAMPLES=1`` (as in CI), where a missing corpus fails.

Every example of a kind cleanclaim reads either maps to canonical records, or is refused with a
positioned FhirInputError, or (for kinds that are only sometimes a canonical record) maps to
nothing; nothing else escapes. The counts are pinned, with why examples are refused: the HL7
examples are international and dental/vision/pharmacy heavy, and mostly point to a Patient
that is not in the file, while cleanclaim maps US medical claims of an identified member.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path

import pytest

from cleanclaim.domain import Record
from cleanclaim.standards.fhir import FhirInputError, parse, validate

_ROOT = Path(__file__).resolve().parents[3]


def _corpus() -> Path:
    base = Path(os.environ.get("CLEANCLAIM_FHIR_EXAMPLES") or _ROOT / ".cache" / "fhir-examples")
    return base / "package"


def _require() -> Path:
    corpus = _corpus()
    if not (corpus / "package.json").is_file():
        message = f"the HL7 FHIR R4 examples are not in {corpus}: run scripts/fetch-fhir-examples"
        if os.environ.get("CLEANCLAIM_REQUIRE_FHIR_EXAMPLES") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return corpus


# kind -> (mapped, refused, mapped to nothing), and the refusals' causes by element path.
EXPECTED: dict[str, tuple[tuple[int, int, int], dict[str, int]]] = {
    # 13 are oral, vision or pharmacy claims (cleanclaim maps professional and institutional
    # claims); the other 4 name their patient only as Patient/1 (not in the file) or contain
    # a Patient without a member (MB) identifier, so no member id.
    "Claim": ((0, 17, 0), {"Claim.type": 13, "Claim.patient": 4}),
    # 4 answer oral claims with eligible/benefit amounts but no submitted charge; the
    # preauthorization response UR3503 names its patient only as Patient/1.
    "ClaimResponse": (
        (0, 5, 0),
        {
            "ClaimResponse.item[0].adjudication": 3,
            "ClaimResponse.total": 1,
            "ClaimResponse.patient": 1,
        },
    ),
    "ExplanationOfBenefit": ((2, 0, 0), {}),
    # 3 have no member id (beneficiary Patient/4 or /5 not in the file, no subscriberId);
    # 7546D has a subscriberId but its type (v3 EHCPOL) says no product line.
    "Coverage": ((0, 4, 0), {"Coverage.beneficiary": 3, "Coverage.type": 1}),
    # Both name their provider only as Organization/1 and their patient only as Patient/pat1
    # (neither in the file, no identifier on the reference), so no provider NPI (the first
    # problem) and no member id.
    "CoverageEligibilityRequest": ((0, 2, 0), {"CoverageEligibilityRequest.provider": 2}),
    "CoverageEligibilityResponse": ((4, 0, 0), {}),
    # None carries the cleanclaim payer extensions (R4 has no element for filing windows), so
    # each only serves references.
    "Organization": ((0, 0, 13), {}),
    # The one example has only a name: no payer (the first problem), no product line.
    "InsurancePlan": ((0, 1, 0), {"InsurancePlan.ownedBy": 1}),
    # Without a network-participation extension a role only serves references.
    "PractitionerRole": ((0, 0, 1), {}),
}


def _examples(corpus: Path, kind: str) -> list[Path]:
    found = []
    for path in sorted(corpus.glob(f"{kind}-*.json")):
        if json.loads(path.read_text(encoding="utf-8")).get("resourceType") == kind:
            found.append(path)
    return found


@pytest.mark.parametrize("kind", sorted(EXPECTED))
def test_official_examples_map_or_are_refused_with_a_position(kind: str) -> None:
    corpus = _require()
    outcomes: Counter[str] = Counter()
    causes: Counter[str] = Counter()
    for path in _examples(corpus, kind):
        try:
            records = list(parse(path))
        except FhirInputError as exc:
            outcomes["refused"] += 1
            problem = exc.problem
            assert problem.source == str(path)
            assert (
                problem.resource_type == kind and problem.resource_id == path.stem[len(kind) + 1 :]
            )
            assert problem.path is not None and problem.path.startswith(kind), str(exc)
            causes[problem.path] += 1
            # validate finds the same first problem, and does not stop there.
            assert validate(path)[0] == problem
            continue
        assert all(isinstance(r, Record) for r in records)
        assert validate(path) == []
        outcomes["mapped" if records else "nothing"] += 1
    counts, expected_causes = EXPECTED[kind]
    assert (outcomes["mapped"], outcomes["refused"], outcomes["nothing"]) == counts
    assert dict(causes) == expected_causes


def test_official_examples_together_in_one_bundle() -> None:
    """In one Bundle, references between the examples resolve; the outcome may change, but
    every refusal still names its entry and element."""
    corpus = _require()
    resources = [
        json.loads(path.read_text(encoding="utf-8"))
        for kind in sorted(EXPECTED)
        for path in _examples(corpus, kind)
    ]
    patients = [
        json.loads(p.read_text(encoding="utf-8")) for p in sorted(corpus.glob("Patient-*.json"))
    ]
    entries = [
        {"fullUrl": f"http://hl7.org/fhir/{r['resourceType']}/{r['id']}", "resource": r}
        for r in [*patients, *resources]
    ]
    bundle = json.dumps({"resourceType": "Bundle", "type": "collection", "entry": entries})
    problems = validate(bundle)
    assert problems
    assert all(p.entry is not None and p.resource_type and p.path for p in problems)
    assert {p.resource_type for p in problems} <= set(EXPECTED)

"""Round trips: canonical -> FHIR -> canonical is the identity on records covering every field,
and FHIR -> canonical -> FHIR keeps everything the canonical model holds."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal
from typing import Any

import pytest

from cleanclaim.domain import Claim, ClaimPayment, Coverage, Member, Record
from cleanclaim.standards.fhir import (
    iter_ndjson,
    parse,
    to_bundle_json,
    to_resource,
    to_resource_json,
    write_bundle,
    write_ndjson,
)
from tests.records import full_claim, full_records

from . import examples as ex


def _full(kind: type[Record]) -> list[Record]:
    return full_records()[kind]


def _minimal_claim() -> Claim:
    return Claim.model_validate(
        {
            "claim_id": "MIN_1 with spaces",
            "claim_type": "professional",
            "payer_id": "P1",
            "member_id": "M1",
            "billing_npi": "1234567893",
            "total_charge": "10",
            "lines": [
                {
                    "line_number": 1,
                    "units": "1",
                    "charge": "10",
                    "service_from": dt.date(2024, 1, 2),
                }
            ],
        }
    )


def _minimal_payment() -> ClaimPayment:
    return ClaimPayment.model_validate(
        {
            "payment_id": "X:1",
            "claim_id": "C1",
            "payer_id": "P1",
            "status": "22",
            "total_charge": "10",
            "paid": "-10",
            "adjustments": [{"group_code": "CR", "carc": "129", "amount": "20"}],
        }
    )


RECORDS: list[Record] = [
    *_full(Claim),
    full_claim("CLM-3", claim_type="professional", frequency_code="8", type_of_bill=None),
    _minimal_claim(),
    *_full(ClaimPayment),
    _minimal_payment(),
    *_full(Coverage),
    *_full(Member),
]


@pytest.mark.parametrize("record", RECORDS, ids=lambda r: f"{type(r).__name__}")
def test_one_resource_round_trip(record: Record) -> None:
    text = to_resource(record).model_dump_json()
    assert list(parse(text)) == [record]


def test_explanation_of_benefit_round_trip() -> None:
    payments = [*_full(ClaimPayment), _minimal_payment()]
    text = "".join(iter_ndjson(payments, payment_kind="ExplanationOfBenefit"))
    assert '"resourceType":"ExplanationOfBenefit"' in text
    assert list(parse(text)) == payments


@pytest.mark.parametrize("kind", ["collection", "transaction", "batch"])
def test_bundle_round_trip(kind: Any) -> None:
    out = io.StringIO()
    assert write_bundle(RECORDS, out, bundle_type=kind) == len(RECORDS)
    data = json.loads(out.getvalue())
    assert data["type"] == kind
    assert list(parse(out.getvalue())) == RECORDS


def test_ndjson_round_trip_through_a_file(tmp_path: Any) -> None:
    path = tmp_path / "out.ndjson"
    assert write_ndjson(RECORDS, path) == len(RECORDS)
    assert len(path.read_text().splitlines()) == len(RECORDS)
    assert list(parse(path)) == RECORDS


def test_coverage_with_contained_member() -> None:
    (coverage,) = _full(Coverage)
    (member,) = _full(Member)
    from cleanclaim.standards.fhir.coverage import coverage_to_fhir

    assert isinstance(coverage, Coverage) and isinstance(member, Member)
    resource = coverage_to_fhir(coverage, member)
    assert resource.contained and resource.beneficiary.reference == "#beneficiary"
    assert list(parse(resource.model_dump_json())) == [member, coverage]


def test_written_claim_uses_published_systems() -> None:
    data = to_resource_json(_full(Claim)[0])
    diagnoses = [d["diagnosisCodeableConcept"]["coding"][0] for d in data["diagnosis"]]
    assert {(d["system"], d["code"]) for d in diagnoses} == {
        (ex.ICD, "E11.65"),
        (ex.ICD, "I10"),
    }
    assert data["provider"]["identifier"] == {"system": ex.NPI, "value": "1234567893"}
    item = data["item"][0]
    assert item["productOrService"]["coding"][0] == {"system": ex.CPT, "code": "99213"}
    assert item["locationCodeableConcept"]["coding"][0]["system"] == ex.POS
    assert item["servicedPeriod"] == {"start": dt.date(2024, 2, 29), "end": dt.date(2024, 3, 1)}
    assert data["insurance"][0]["preAuthRef"] == ["PA-5544"]
    assert data["billablePeriod"] == {"start": dt.date(2024, 2, 27), "end": dt.date(2024, 3, 1)}
    roles = {m["role"]["coding"][0]["code"] for m in data["careTeam"]}
    assert roles == {"rendering", "referring"}


def test_written_resources_pass_the_fhir_models() -> None:
    for record in RECORDS:
        resource = to_resource(record)
        assert resource.get_resource_type() in {"Claim", "ClaimResponse", "Coverage", "Patient"}
    bundle = to_bundle_json(RECORDS, "transaction")
    from fhir.resources.R4B.bundle import Bundle

    assert len(Bundle.model_validate(bundle).entry or []) == len(RECORDS)


def _canonical_of(resource: dict[str, Any], *others: dict[str, Any]) -> list[Record]:
    return list(parse(json.dumps(ex.bundle(*others, resource))))


@pytest.mark.parametrize(
    ("resource", "context"),
    [
        (ex.PROFESSIONAL_CLAIM, (ex.PATIENT, ex.PAYER, ex.CLINIC, ex.DOCTOR, ex.COVERAGE)),
        (ex.INSTITUTIONAL_CLAIM, ()),
        (ex.EOB, ()),
        (ex.DENIAL_RESPONSE, ()),
        (ex.COVERAGE, (ex.PAYER,)),
    ],
    ids=["professional", "institutional", "eob", "claim-response", "coverage"],
)
def test_fhir_to_canonical_to_fhir_keeps_the_canonical_content(
    resource: dict[str, Any], context: tuple[dict[str, Any], ...]
) -> None:
    first = [r for r in _canonical_of(resource, *context) if not isinstance(r, Member)]
    record = first[-1]
    rewritten = to_resource(
        record, "ExplanationOfBenefit" if resource is ex.EOB else "ClaimResponse"
    )
    assert list(parse(rewritten.model_dump_json())) == [record]


def test_amounts_keep_their_value() -> None:
    claim = full_claim(total_charge=Decimal("123456789012.34"))
    (back,) = parse(to_resource(claim).model_dump_json())
    assert isinstance(back, Claim) and back.total_charge == Decimal("123456789012.34")


def test_unchecked_writing_gives_the_same_resources() -> None:
    checked = [json.loads(line) for line in iter_ndjson(RECORDS)]
    unchecked = [json.loads(line) for line in iter_ndjson(RECORDS, check=False)]
    assert unchecked == checked
    out = io.StringIO()
    write_bundle(RECORDS, out, check=False)
    assert list(parse(out.getvalue())) == RECORDS

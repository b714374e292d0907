"""Reading FHIR from other systems: layouts, reference resolution and the mapping fallbacks."""

from __future__ import annotations

import copy
import datetime as dt
import io
import json
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

import pytest

from cleanclaim.domain import Claim, ClaimPayment, Coverage, Member
from cleanclaim.standards.fhir import EligibilityResult, FhirInputError, parse, to_resource_json
from cleanclaim.standards.x12 import EligibilityInquiry
from tests.records import full_records

from . import examples as ex


def _claim(records: Sequence[object]) -> Claim:
    (claim,) = [r for r in records if isinstance(r, Claim)]
    return claim


@pytest.mark.parametrize("kind", ["collection", "transaction", "searchset"])
def test_bundle_resolves_references_between_entries(kind: str) -> None:
    records = list(parse(json.dumps(ex.claim_bundle(kind), indent=2)))
    assert [type(r) for r in records] == [Member, Coverage, Claim]
    claim = _claim(records)
    assert claim.claim_id == "PCN-1001" and claim.member_id == "W123456789"
    assert (claim.payer_id, claim.payer_name) == ("87726", "Example Payer")
    assert (claim.billing_npi, claim.billing_name, claim.billing_tax_id) == (
        "1234567893",
        "Good Health Clinic",
        "123456789",
    )
    assert (claim.rendering_npi, claim.referring_npi) == ("1245319599", "1003000126")
    assert (claim.patient_first_name, claim.patient_last_name) == ("John", "Doe")
    assert claim.patient_birth_date == dt.date(1980, 2, 15) and claim.patient_sex == "M"
    assert claim.prior_auth_number == "PA-1" and claim.submitted_on == dt.date(2024, 3, 2)
    assert [(d.sequence, d.code, d.qualifier) for d in claim.diagnoses] == [
        (1, "E119", "ABK"),
        (2, "I10", "ABF"),
    ]
    first, second = claim.lines
    assert (first.procedure_code, first.modifiers, first.place_of_service) == (
        "99213",
        ["25"],
        "11",
    )
    assert first.rendering_npi == "1245319599" and first.diagnosis_pointers == [1, 2]
    assert first.service_to is None
    # no net: unitPrice x quantity
    assert (second.procedure_code, second.units, second.charge) == (
        "J3420",
        Decimal(2),
        Decimal("31"),
    )
    assert second.service_to == dt.date(2024, 3, 1) and second.rendering_npi is None
    assert claim.total_charge == Decimal("151")


def test_rewritten_claim_carries_the_same_codes() -> None:
    claim = _claim(list(parse(json.dumps(ex.claim_bundle()))))
    out = to_resource_json(claim)
    assert [d["diagnosisCodeableConcept"]["coding"][0]["code"] for d in out["diagnosis"]] == [
        "E11.9",
        "I10",
    ]
    assert [i["productOrService"]["coding"][0]["code"] for i in out["item"]] == ["99213", "J3420"]
    assert out["item"][1]["productOrService"]["coding"][0]["system"] == ex.HCPCS
    assert [i["net"]["value"] for i in out["item"]] == [Decimal("120"), Decimal("31")]
    assert out["item"][1]["unitPrice"]["value"] == Decimal("15.50")


def test_institutional_claim_fallbacks() -> None:
    claim = _claim(list(parse(json.dumps(ex.INSTITUTIONAL_CLAIM))))
    assert claim.claim_id == "inst1"  # no identifier: the resource id
    assert claim.frequency_code == "7" and claim.original_claim_ref == "ICN-555"
    assert (claim.type_of_bill, claim.discharge_status) == ("0117", "01")
    assert claim.admission_date == dt.date(2024, 2, 27)
    assert claim.submitted_on == dt.date(2024, 3, 5)  # a dateTime keeps its written date
    assert claim.diagnoses[0].present_on_admission == "Y"
    (line,) = claim.lines
    assert line.procedure_code is None and line.revenue_code == "0120"
    assert line.service_from == dt.date(2024, 2, 27)  # no serviced[x]: billablePeriod.start
    assert claim.total_charge == Decimal("4500")  # no total: the sum of the lines


def test_related_claim_without_frequency_reads_as_replacement() -> None:
    data = copy.deepcopy(ex.INSTITUTIONAL_CLAIM)
    data["supportingInfo"] = data["supportingInfo"][1:]
    assert _claim(list(parse(json.dumps(data)))).frequency_code == "7"
    del data["related"]
    assert _claim(list(parse(json.dumps(data)))).frequency_code == "1"


def test_eob_with_standard_categories_only() -> None:
    (payment,) = parse(json.dumps(ex.EOB))
    assert isinstance(payment, ClaimPayment)
    assert (payment.claim_id, payment.payee_npi, payment.status) == ("PCN-1001", "1234567893", "1")
    assert (payment.total_charge, payment.paid) == (Decimal(120), Decimal(80))
    (line,) = payment.lines
    assert [(a.group_code.value, a.carc, a.amount) for a in line.adjustments] == [
        ("CO", "45", Decimal(20)),
        ("PR", "1", Decimal(20)),
    ]


def test_claim_response_denial() -> None:
    bundle = ex.claim_bundle()
    bundle["entry"].append({"resource": ex.DENIAL_RESPONSE})
    records = list(parse(json.dumps(bundle)))
    payment = records[-1]
    assert isinstance(payment, ClaimPayment)
    assert payment.claim_id == "PCN-1001"  # resolved through the Claim in the Bundle
    assert payment.status == "4"
    (line,) = payment.lines
    assert line.rarcs == ["N54"]
    assert [(a.group_code, a.carc) for a in line.adjustments] == [("CO", "197")]


def test_eligibility_responses() -> None:
    active, failed = parse(ex.ndjson(ex.ELIGIBILITY_RESPONSE, ex.ELIGIBILITY_ERROR))
    assert isinstance(active, EligibilityResult) and isinstance(failed, EligibilityResult)
    assert active.active is True and active.request_id == "req-1"
    assert (active.benefit_start, active.benefit_end) == (
        dt.date(2024, 1, 1),
        dt.date(2024, 12, 31),
    )
    assert failed.active is False and failed.errors == ["a001"] and failed.outcome == "error"


def test_eligibility_request_from_canonical() -> None:
    from cleanclaim.standards.fhir.coverage import eligibility_request

    records = full_records()
    (coverage,) = records[Coverage]
    (member,) = records[Member]
    assert isinstance(coverage, Coverage) and isinstance(member, Member)
    request = eligibility_request(
        coverage,
        provider_npi="1234567893",
        service_date=dt.date(2024, 3, 1),
        request_id="req-1",
        member=member,
    )
    data = json.loads(request.model_dump_json())
    assert data["patient"] == {"reference": "#patient"}
    assert data["provider"]["identifier"]["value"] == "1234567893"
    assert data["servicedDate"] == "2024-03-01" and data["purpose"] == ["validation", "benefits"]
    assert {c["resourceType"] for c in data["contained"]} == {"Coverage", "Patient"}
    # Read back, it is the question a 270 asks (tests/standards/fhir/test_eligibility_request.py).
    assert [type(r) for r in parse(request.model_dump_json())] == [EligibilityInquiry]


def test_ndjson_streams_line_by_line(tmp_path: Path) -> None:
    path = tmp_path / "claims.ndjson"
    good = json.dumps(to_resource_json(full_records()[Claim][0]), default=str)
    path.write_text(good + "\n\n" + good + "\n" + "{broken\n")
    records = parse(path)
    assert isinstance(next(records), Claim)  # read before the broken line is reached
    assert isinstance(next(records), Claim)
    with pytest.raises(FhirInputError) as info:
        next(records)
    assert info.value.line == 4 and info.value.source == str(path)


def test_open_files_and_bytes() -> None:
    text = ex.ndjson(ex.COVERAGE | {"payor": [{"identifier": {"value": "87726"}}]})
    from_bytes = list(parse(("\ufeff" + text).encode()))
    assert list(parse(io.BytesIO(text.encode()))) == from_bytes
    assert list(parse(io.StringIO(text))) == from_bytes
    assert [type(r) for r in from_bytes] == [Coverage]


def test_unmapped_resource_types_are_skipped() -> None:
    obs = {"resourceType": "Observation", "id": "o", "status": "final", "code": {"text": "x"}}
    assert list(parse(ex.ndjson(obs, ex.PAYER))) == []
    assert list(parse("")) == [] and list(parse("\n  \n")) == []


def test_facility_and_payee_resolve_through_the_bundle() -> None:
    location = {
        "resourceType": "Location",
        "id": "loc1",
        "identifier": [{"system": ex.NPI, "value": "1508869908"}],
    }
    claim = copy.deepcopy(ex.PROFESSIONAL_CLAIM) | {"facility": {"reference": "Location/loc1"}}
    eob = copy.deepcopy(ex.EOB) | {"provider": {"reference": "Organization/org1"}}
    records = list(
        parse(
            json.dumps(
                ex.bundle(
                    ex.PATIENT, ex.PAYER, ex.CLINIC, ex.DOCTOR, ex.COVERAGE, location, claim, eob
                )
            )
        )
    )
    assert _claim(records).facility_npi == "1508869908"
    payment = records[-1]
    assert isinstance(payment, ClaimPayment) and payment.payee_npi == "1234567893"

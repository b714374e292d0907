"""Names and addresses of the claim's parties and of a payment's payer, payee and patient, as
other systems write them: from the resources a Claim or ClaimResponse references in a Bundle."""

from __future__ import annotations

import copy
import json

from cleanclaim.domain import Claim, ClaimPayment
from cleanclaim.standards.fhir import parse, to_resource_json

from . import examples as ex

FACILITY = {
    "resourceType": "Location",
    "id": "loc1",
    "identifier": [{"system": ex.NPI, "value": "1508869908"}],
    "name": "Lakeside Surgery Center",
    "address": {"line": ["9 Lake Dr"], "city": "Columbus", "state": "OH", "postalCode": "43004"},
}


def _claim() -> Claim:
    claim = copy.deepcopy(ex.PROFESSIONAL_CLAIM)
    claim["facility"] = {"reference": "Location/loc1"}
    clinic = copy.deepcopy(ex.CLINIC)
    clinic["address"] = [{"line": ["400 Main St"], "city": "Columbus", "state": "OH"}]
    bundle = ex.bundle(ex.PATIENT, ex.PAYER, clinic, ex.DOCTOR, ex.COVERAGE, FACILITY, claim)
    (found,) = [r for r in parse(json.dumps(bundle)) if isinstance(r, Claim)]
    return found


def test_claim_parties_from_the_bundle() -> None:
    claim = _claim()
    assert (claim.patient_address_line, claim.patient_city, claim.patient_postal_code) == (
        "9 Elm St",
        "Columbus",
        "43004",
    )
    assert (claim.billing_name, claim.billing_address_line, claim.billing_postal_code) == (
        "Good Health Clinic",
        "400 Main St",
        None,
    )
    assert (claim.rendering_npi, claim.rendering_name, claim.rendering_first_name) == (
        "1245319599",
        "Rivera",
        "Luis",
    )
    # The referring provider is only an identifier: no name to read.
    assert (claim.referring_npi, claim.referring_name) == ("1003000126", None)
    assert claim.lines[0].rendering_name == "Rivera"
    assert (claim.facility_npi, claim.facility_name, claim.facility_state) == (
        "1508869908",
        "Lakeside Surgery Center",
        "OH",
    )


def test_claim_parties_are_written_contained_and_read_back() -> None:
    claim = _claim()
    data = to_resource_json(claim)
    contained = {c["id"]: c for c in data["contained"]}
    assert contained["facility"]["resourceType"] == "Location"
    assert contained["care-1"]["name"] == [{"family": "Rivera", "given": ["Luis"]}]
    assert data["facility"]["reference"] == "#facility"
    assert list(parse(json.dumps(data, default=str))) == [claim]


def test_a_line_naming_the_claims_rendering_npi_otherwise_keeps_its_name() -> None:
    claim = _claim()
    assert claim.rendering_npi is not None
    first = claim.lines[0].model_copy(update={
        "rendering_npi": claim.rendering_npi, "rendering_name": "Rivera-Diaz",
        "rendering_first_name": None})
    claim = claim.model_copy(update={"lines": [first, *claim.lines[1:]]})
    data = to_resource_json(claim)
    assert [m["role"]["coding"][0]["code"] for m in data["careTeam"]][-1] == "performing"
    (read,) = parse(json.dumps(data, default=str))
    assert read == claim
    assert read.lines[0].rendering_name == "Rivera-Diaz"


def test_payment_parties_from_the_bundle() -> None:
    response = copy.deepcopy(ex.DENIAL_RESPONSE)
    response["insurer"] = {"reference": "Organization/payer1"}
    response["requestor"] = {"reference": "Organization/org1", "display": "Good Health"}
    response["patient"] = {"reference": "Patient/pat1"}
    bundle = ex.bundle(ex.PATIENT, ex.PAYER, ex.CLINIC, response)
    (payment,) = [r for r in parse(json.dumps(bundle)) if isinstance(r, ClaimPayment)]
    assert (payment.payer_id, payment.payer_name) == ("87726", "Example Payer")
    assert (payment.payee_npi, payment.payee_name) == ("1234567893", "Good Health")
    assert (payment.member_id, payment.patient_last_name, payment.patient_first_name) == (
        "W123456789",
        "Doe",
        "John",
    )
    data = to_resource_json(payment)
    assert {c["id"] for c in data["contained"]} == {"insurer", "patient"}
    assert list(parse(json.dumps(data, default=str))) == [payment]

"""CoverageEligibilityRequest read into the X12 270's EligibilityInquiry: what cleanclaim
writes comes back, other systems' requests read through the fallbacks, and a request without
what a 270 needs is refused at the element it lacks."""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from fhir.resources.R4B.coverageeligibilityrequest import CoverageEligibilityRequest
from typer.testing import CliRunner

from cleanclaim.cli.fhir import app
from cleanclaim.domain import Coverage, Member, Sex
from cleanclaim.standards import x12
from cleanclaim.standards.fhir import FhirInputError, parse, validate
from cleanclaim.standards.fhir.coverage import eligibility_request
from cleanclaim.standards.fhir.systems import ID_PAYER, ID_REQUEST, SERVICE_TYPE
from cleanclaim.standards.x12 import EligibilityInquiry
from tests.records import full_records

from . import examples as ex

SERVICE_DATE = dt.date(2024, 3, 1)

REQUEST: dict[str, Any] = {
    "resourceType": "CoverageEligibilityRequest",
    "id": "req1",
    "status": "active",
    "purpose": ["validation"],
    "patient": {"reference": "Patient/pat1"},
    "servicedDate": "2024-03-01",
    "created": "2024-02-28",
    "provider": {"reference": "Organization/org1"},
    "insurer": {"reference": "Organization/payer1"},
    "insurance": [{"focal": True, "coverage": {"reference": "Coverage/cov1"}}],
}
"""A request of another system: everything by reference, nothing of cleanclaim's own."""


def _request(**changes: Any) -> dict[str, Any]:
    return copy.deepcopy(REQUEST) | changes


def _read(request: dict[str, Any], *others: dict[str, Any]) -> EligibilityInquiry:
    records = list(parse(json.dumps(ex.bundle(*others, request))))
    inquiries = [r for r in records if isinstance(r, EligibilityInquiry)]
    assert len(inquiries) == 1, records
    return inquiries[0]


def _alone(request: dict[str, Any]) -> EligibilityInquiry:
    (inquiry,) = parse(json.dumps(request))
    assert isinstance(inquiry, EligibilityInquiry)
    return inquiry


def _refused(request: dict[str, Any]) -> FhirInputError:
    with pytest.raises(FhirInputError) as info:
        list(parse(json.dumps(request)))
    return info.value


def _canonical() -> tuple[Coverage, Member]:
    records = full_records()
    (coverage,) = records[Coverage]
    (member,) = records[Member]
    assert isinstance(coverage, Coverage) and isinstance(member, Member)
    return coverage, member


def _category(system: str, code: str) -> dict[str, Any]:
    return {"category": {"coding": [{"system": system, "code": code}]}}


# What cleanclaim writes


def _request_with_member() -> tuple[Coverage, Member, CoverageEligibilityRequest]:
    coverage, member = _canonical()
    request = eligibility_request(
        coverage,
        provider_npi="1234567893",
        service_date=SERVICE_DATE,
        request_id="req-1",
        member=member,
    )
    return coverage, member, request


def test_written_request_with_its_member_reads_back() -> None:
    coverage, member, request = _request_with_member()
    (inquiry,) = parse(request.model_dump_json())
    assert inquiry == EligibilityInquiry(
        trace_number="req-1",
        payer_id=coverage.payer_id,
        provider_npi="1234567893",
        member_id=member.member_id,
        first_name=member.first_name,
        last_name=member.last_name,
        birth_date=member.birth_date,
        sex=member.sex,
        service_date=SERVICE_DATE,
        service_types=["30"],
    )


def test_written_request_without_member_names_it_by_identifier() -> None:
    coverage, _ = _canonical()
    request = eligibility_request(
        coverage, provider_npi="1245319599", service_date=SERVICE_DATE, request_id="req 2"
    )
    (inquiry,) = parse(request.model_dump_json())
    assert isinstance(inquiry, EligibilityInquiry)
    assert (inquiry.trace_number, inquiry.payer_id, inquiry.provider_npi) == (
        "req 2",
        coverage.payer_id,
        "1245319599",
    )
    assert (inquiry.member_id, inquiry.service_date) == (coverage.member_id, SERVICE_DATE)
    assert inquiry.first_name is None and inquiry.birth_date is None and inquiry.sex is None


def test_inquiry_read_from_fhir_is_written_as_a_270() -> None:
    *_, request = _request_with_member()
    data = json.loads(request.model_dump_json())
    data["item"] = [_category(SERVICE_TYPE, "30"), _category(SERVICE_TYPE, "98")]
    (inquiry,) = parse(json.dumps(data))
    assert isinstance(inquiry, EligibilityInquiry)
    text = x12.format_270([inquiry], x12.WriteOptions(created=dt.datetime(2024, 3, 1, 9, 0)))
    assert x12.validate(text) == []
    assert list(x12.parse_eligibility(text)) == [inquiry]


# Other systems' requests: each fallback


def test_request_by_reference_resolves_through_the_bundle() -> None:
    inquiry = _read(REQUEST, ex.PATIENT, ex.PAYER, ex.CLINIC, ex.COVERAGE)
    assert inquiry == EligibilityInquiry(
        trace_number="req1",
        payer_id="87726",
        payer_name="Example Payer",
        provider_npi="1234567893",
        provider_name="Good Health Clinic",
        member_id="W123456789",
        first_name="John",
        last_name="Doe",
        birth_date=dt.date(1980, 2, 15),
        sex=Sex.MALE,
        service_date=SERVICE_DATE,
        service_types=["30"],
    )


def test_trace_number_prefers_the_request_id_system_then_any_identifier_then_id() -> None:
    others = (ex.PATIENT, ex.PAYER, ex.CLINIC)
    both = [{"system": "urn:other", "value": "OTHER-1"}, {"system": ID_REQUEST, "value": "R-1"}]
    assert _read(_request(identifier=both), *others).trace_number == "R-1"
    assert _read(_request(identifier=both[:1]), *others).trace_number == "OTHER-1"
    assert _read(_request(), *others).trace_number == "req1"


def test_payer_identifier_display_and_organization() -> None:
    others = (ex.PATIENT, ex.CLINIC)
    insurer = {"identifier": {"value": "ANY-1"}, "display": "Shown Payer"}
    by_any = _read(_request(insurer=insurer), *others)
    assert (by_any.payer_id, by_any.payer_name) == ("ANY-1", "Shown Payer")
    own = {"identifier": {"system": ID_PAYER, "value": "OWN-1"}}
    assert _read(_request(insurer=own), *others).payer_id == "OWN-1"
    resolved = _read(_request(), ex.PAYER, *others)
    assert (resolved.payer_id, resolved.payer_name) == ("87726", "Example Payer")
    # Not in the Bundle: the id at the end of the reference, as for a Claim's insurer.
    assert _read(_request(), *others).payer_id == "payer1"


def test_provider_npi_on_the_reference_or_what_it_resolves_to() -> None:
    others = (ex.PATIENT, ex.PAYER)
    on_ref = {"identifier": {"system": ex.NPI, "value": "1508869908"}, "display": "Dr. Who"}
    found = _read(_request(provider=on_ref), *others)
    assert (found.provider_npi, found.provider_name) == ("1508869908", "Dr. Who")
    doctor = _read(_request(provider={"reference": "Practitioner/prac1"}), ex.DOCTOR, *others)
    assert (doctor.provider_npi, doctor.provider_name) == ("1245319599", "Rivera")
    role = {
        "resourceType": "PractitionerRole",
        "id": "role1",
        "practitioner": {"reference": "Practitioner/prac1"},
        "organization": {"reference": "Organization/org1"},
    }
    by_role = _read(
        _request(provider={"reference": "PractitionerRole/role1"}),
        role,
        ex.DOCTOR,
        ex.CLINIC,
        *others,
    )
    assert (by_role.provider_npi, by_role.provider_name) == ("1245319599", "Rivera")
    clinic = _read(_request(), ex.CLINIC, *others)
    assert (clinic.provider_npi, clinic.provider_name) == ("1234567893", "Good Health Clinic")


def test_member_id_fallbacks() -> None:
    parties = (ex.PAYER, ex.CLINIC)
    on_ref = _request(patient={"identifier": {"value": "REF-1"}})
    assert _read(on_ref, ex.PATIENT, ex.COVERAGE, *parties).member_id == "REF-1"
    assert _read(_request(), ex.PATIENT, *parties).member_id == "W123456789"
    no_mb = copy.deepcopy(ex.PATIENT)
    no_mb["identifier"] = no_mb["identifier"][:1]
    coverage_mb = copy.deepcopy(ex.COVERAGE) | {
        "identifier": [copy.deepcopy(ex.PATIENT["identifier"][1]) | {"value": "COV-MB-1"}]
    }
    assert _read(_request(), no_mb, coverage_mb, *parties).member_id == "COV-MB-1"
    assert _read(_request(), no_mb, ex.COVERAGE, *parties).member_id == "W123456789"


def test_member_id_comes_from_the_focal_coverage() -> None:
    other = copy.deepcopy(ex.COVERAGE) | {"id": "cov2", "subscriberId": "OTHER-SUB"}
    insurance = [
        {"coverage": {"reference": "Coverage/cov2"}},
        {"focal": True, "coverage": {"reference": "Coverage/cov1"}},
    ]
    request = _request(patient={"display": "someone"}, insurance=insurance)
    inquiry = _read(request, ex.COVERAGE, other, ex.PAYER, ex.CLINIC)
    assert inquiry.member_id == "W123456789" and inquiry.first_name is None


def test_service_date_from_the_date_or_the_period_start() -> None:
    parties = (ex.PATIENT, ex.PAYER, ex.CLINIC)
    period = _request(servicedPeriod={"start": "2024-04-02", "end": "2024-04-30"})
    del period["servicedDate"]
    assert _read(period, *parties).service_date == dt.date(2024, 4, 2)
    undated = _request()
    del undated["servicedDate"]
    assert _read(undated, *parties).service_date is None


def test_service_types_from_item_categories() -> None:
    parties = (ex.PATIENT, ex.PAYER, ex.CLINIC)
    items = [
        _category(SERVICE_TYPE, "98"),
        _category("http://terminology.hl7.org/CodeSystem/ex-benefitcategory", "69"),
        _category("urn:local", "VISIT"),
        _category(SERVICE_TYPE, "98"),
        {"productOrService": {"coding": [{"system": ex.CPT, "code": "99213"}]}},
    ]
    assert _read(_request(item=items), *parties).service_types == ["98", "69"]
    assert _read(_request(item=items[2:3]), *parties).service_types == ["30"]


# Refused requests


def test_request_without_provider_npi_or_member_is_refused_at_the_element() -> None:
    request = _request(provider={"display": "A clinic"}, patient={"display": "someone"})
    del request["insurance"]
    err = _refused(request)
    assert (err.problem.resource_type, err.problem.resource_id) == (
        "CoverageEligibilityRequest",
        "req1",
    )
    assert err.path == "CoverageEligibilityRequest.provider" and "NPI" in err.cause
    assert [p.path for p in validate(json.dumps(request))] == [
        "CoverageEligibilityRequest.provider",
        "CoverageEligibilityRequest.patient",
    ]


def test_insurer_without_identifier_or_reference_is_refused() -> None:
    request = _request(
        insurer={"display": "Some payer"},
        provider={"identifier": {"system": ex.NPI, "value": "1234567893"}},
        patient={"identifier": {"value": "M-1"}},
    )
    err = _refused(request)
    assert err.path == "CoverageEligibilityRequest.insurer" and "no payer" in err.cause


def test_canonical_rule_is_placed_on_the_fhir_element() -> None:
    request = _request(
        patient={"identifier": {"value": "M" * 60}},
        provider={"identifier": {"system": ex.NPI, "value": "1234567893"}},
    )
    err = _refused(request)
    assert err.path == "CoverageEligibilityRequest.patient" and "at most 50" in err.cause


def test_structural_problem_names_the_element() -> None:
    err = _refused(_request(servicedDate="yesterday"))
    assert err.path == "CoverageEligibilityRequest.servicedDate"


# Layouts and the command line


def test_ndjson_of_requests_reads_line_by_line() -> None:
    coverage, member = _canonical()
    lines = [
        eligibility_request(
            coverage,
            provider_npi="1234567893",
            service_date=SERVICE_DATE + dt.timedelta(days=day),
            request_id=f"req-{day}",
            member=member,
        ).model_dump_json()
        for day in range(3)
    ]
    inquiries = list(parse("\n".join(lines) + "\n"))
    assert [i.trace_number for i in inquiries if isinstance(i, EligibilityInquiry)] == [
        "req-0",
        "req-1",
        "req-2",
    ]


def test_cli_parse_writes_eligibility_inquiry_lines(tmp_path: Path) -> None:
    path = tmp_path / "requests.json"
    path.write_text(json.dumps(ex.bundle(ex.PATIENT, ex.PAYER, ex.CLINIC, REQUEST)))
    result = CliRunner().invoke(app, ["parse", str(path)])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["record"] for r in rows] == ["member", "eligibility_inquiry"]
    assert rows[1]["member_id"] == "W123456789" and rows[1]["service_types"] == ["30"]

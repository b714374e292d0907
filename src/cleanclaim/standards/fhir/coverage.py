"""FHIR R4 ``Coverage`` and ``Patient`` to and from canonical :class:`Coverage` and
:class:`Member`; ``CoverageEligibilityRequest`` from canonical data and read into the X12
270's :class:`EligibilityInquiry`; ``CoverageEligibilityResponse`` read into an
:class:`EligibilityResult`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, Final

from fhir.resources.R4B.codeableconcept import CodeableConcept
from fhir.resources.R4B.coverage import Coverage as FhirCoverage
from fhir.resources.R4B.coverageeligibilityrequest import CoverageEligibilityRequest
from fhir.resources.R4B.coverageeligibilityresponse import CoverageEligibilityResponse
from fhir.resources.R4B.organization import Organization
from fhir.resources.R4B.patient import Patient
from fhir.resources.R4B.practitioner import Practitioner
from fhir.resources.R4B.practitionerrole import PractitionerRole
from fhir.resources.R4B.reference import Reference

from ...domain import Coverage, Member, ProductLine
from ..x12.records import EligibilityInquiry
from ._common import (
    Context,
    Origin,
    codes,
    coding,
    concept,
    fhir_id,
    first_code,
    head,
    identifier,
    member_identifier,
    npi_of,
    payer_id_of,
    person_name,
    prune,
    relationship_json,
    relationship_of,
    to_date,
    typed_identifier,
)
from .result import EligibilityResult
from .systems import (
    BENEFIT_CATEGORY,
    ID_COVERAGE,
    ID_PAYER,
    ID_REQUEST,
    NPI,
    PRODUCT_LINE,
    SERVICE_TYPE,
    fhir_gender,
    sex_from_fhir,
)

__all__ = [
    "coverage_from_fhir",
    "coverage_to_fhir",
    "coverage_to_fhir_json",
    "eligibility_from_fhir",
    "eligibility_request",
    "inquiry_from_fhir",
    "member_from_patient",
    "member_to_fhir_json",
    "member_to_patient",
    "product_line_json",
    "product_line_of",
]

_SOPT: Final = "https://nahdo.org/sopt"
# Source of payment typology codes written next to the exact product line, for other readers;
# read back (by prefix) only when the product line coding is absent.
_PRODUCT_TO_SOPT: Final[dict[str, str]] = {
    "commercial": "5",
    "medicare_advantage": "11",
    "medicaid": "2",
    "aca_marketplace": "5",
}
_COVERAGE_ORIGIN: Final = Origin(
    "Coverage",
    {
        "coverage_id": "identifier",
        "member_id": "identifier",
        "payer_id": "payor",
        "plan_id": "class",
        "group_number": "class",
        "product_line": "type",
        "subscriber_id": "subscriberId",
        "relationship": "relationship",
        "effective_date": "period.start",
        "termination_date": "period.end",
        "cob_order": "order",
    },
)
_MEMBER_ORIGIN: Final = Origin(
    "Patient",
    {
        "member_id": "identifier",
        "first_name": "name.given",
        "last_name": "name.family",
        "birth_date": "birthDate",
        "sex": "gender",
        "address_line": "address.line",
        "city": "address.city",
        "state": "address.state",
        "postal_code": "address.postalCode",
    },
)


# Patient <-> Member


def member_from_patient(
    patient: Patient, ctx: Context, member_id: str | None = None
) -> Member | None:
    """The member a Patient describes, or None when it lacks what a Member needs.

    Only a Patient with a member id (an identifier typed MB, or ``member_id`` from its
    Coverage), a name, a birth date and a gender is a Member; other Patients only serve to
    resolve references, so they are not problems.
    """
    member_id = typed_identifier(patient.identifier, "MB") or member_id
    name = head(patient.name)
    if not (
        member_id and name and name.family and name.given and patient.birthDate and patient.gender
    ):
        return None
    address = head(patient.address)
    data: dict[str, Any] = {
        "member_id": member_id,
        "first_name": name.given[0],
        "last_name": name.family,
        "birth_date": to_date(patient.birthDate),
        "sex": sex_from_fhir(patient.gender),
    }
    if address is not None:
        data["address_line"] = head(address.line)
        data["city"], data["state"], data["postal_code"] = (
            address.city,
            address.state,
            address.postalCode,
        )
    member: Member | None = ctx.canonical(Member.model_validate, data, _MEMBER_ORIGIN)
    return member


def member_to_fhir_json(member: Member, resource_id: str | None = None) -> dict[str, Any]:
    """A Patient of a canonical member, as a JSON-ready mapping."""
    address = prune(
        {
            "line": [member.address_line] if member.address_line else None,
            "city": member.city,
            "state": member.state,
            "postalCode": member.postal_code,
        }
    )
    return prune(
        {
            "resourceType": "Patient",
            "id": resource_id or fhir_id(member.member_id),
            "identifier": [member_identifier(member.member_id)],
            "name": [{"family": member.last_name, "given": [member.first_name]}],
            "birthDate": member.birth_date,
            "gender": fhir_gender(member.sex.value),
            "address": [address] if address else None,
        }
    )


def member_to_patient(member: Member) -> Patient:
    """The FHIR R4 Patient of a canonical member."""
    return Patient.model_validate(member_to_fhir_json(member))


# Coverage <-> Coverage (+ Member)


def coverage_from_fhir(
    resource: FhirCoverage, ctx: Context
) -> tuple[Coverage | None, Member | None]:
    """The canonical coverage and, when the beneficiary is contained, its member."""
    data: dict[str, Any] = {}
    data["coverage_id"] = identifier(resource.identifier, ID_COVERAGE) or resource.id
    if data["coverage_id"] is None:
        ctx.problem("Coverage.identifier", "no coverage id (identifier or id)")
    patient = ctx.resolve(resource.beneficiary, Patient)
    member_id = _member_id(resource, patient)
    if member_id is None:
        ctx.problem("Coverage.beneficiary", "no member id (MB identifier or subscriberId)")
    data["member_id"] = member_id
    data["subscriber_id"] = resource.subscriberId or member_id
    data["payer_id"] = payer_id_of(head(resource.payor), ctx)
    if data["payer_id"] is None:
        ctx.problem("Coverage.payor", "no payer (payor identifier or reference)")
    classes = {first_code(c.type): c.value for c in reversed(resource.class_fhir or [])}
    data["plan_id"], data["group_number"] = classes.get("plan"), classes.get("group")
    data["product_line"] = product_line_of(
        [resource.type] if resource.type else [], "Coverage.type", ctx
    )
    relationship = relationship_of(resource.relationship)
    if relationship is not None:
        data["relationship"] = relationship
    if resource.period is not None:
        data["effective_date"] = to_date(resource.period.start)
        data["termination_date"] = to_date(resource.period.end)
    if data.get("effective_date") is None:
        ctx.problem("Coverage.period.start", "no effective date")
    if resource.order is not None:
        data["cob_order"] = resource.order
    if ctx.problems:
        return None, None
    coverage: Coverage | None = ctx.canonical(Coverage.model_validate, data, _COVERAGE_ORIGIN)
    member = None
    if patient is not None and (resource.beneficiary.reference or "").startswith("#"):
        member = member_from_patient(patient, ctx, member_id)
    return coverage, member


def _member_id(resource: FhirCoverage, patient: Patient | None) -> str | None:
    return (
        typed_identifier(resource.identifier, "MB")
        or identifier(resource.beneficiary.identifier)
        or (typed_identifier(patient.identifier, "MB") if patient else None)
        or resource.subscriberId
    )


def product_line_of(concepts: Sequence[CodeableConcept], path: str, ctx: Context) -> str | None:
    """The product line of a Coverage or InsurancePlan ``type``; a problem at ``path`` if none.

    The exact cleanclaim code first, else a payment typology (SOPT) code by its prefix.
    """
    for concept_ in concepts:
        exact = first_code(concept_, PRODUCT_LINE)
        if exact is not None:
            return exact
    for concept_ in concepts:
        sopt = first_code(concept_, _SOPT) or ""
        if sopt.startswith("11"):
            return ProductLine.MEDICARE_ADVANTAGE
        if sopt.startswith("2"):
            return ProductLine.MEDICAID
        if sopt[:1] in ("5", "6"):
            return ProductLine.COMMERCIAL
    ctx.problem(path, f"no product line (system {PRODUCT_LINE}, or a payment typology code)")
    return None


def product_line_json(product: ProductLine) -> dict[str, Any]:
    """A type concept with the exact product line and its payment typology (SOPT) code."""
    return {
        "coding": [
            coding(PRODUCT_LINE, product.value),
            coding(_SOPT, _PRODUCT_TO_SOPT[product.value]),
        ]
    }


def coverage_to_fhir_json(coverage: Coverage, member: Member | None = None) -> dict[str, Any]:
    """A FHIR Coverage of a canonical coverage; the member, when given, is contained."""
    classes = []
    if coverage.plan_id:
        classes.append({"type": concept(_CLASS, "plan"), "value": coverage.plan_id})
    if coverage.group_number:
        classes.append({"type": concept(_CLASS, "group"), "value": coverage.group_number})
    beneficiary: dict[str, Any] = {"identifier": member_identifier(coverage.member_id)}
    contained = None
    if member is not None:
        contained = [member_to_fhir_json(member, "beneficiary")]
        beneficiary = {"reference": "#beneficiary"}
    return prune(
        {
            "resourceType": "Coverage",
            "id": fhir_id(coverage.coverage_id),
            "contained": contained,
            "identifier": [
                {"system": ID_COVERAGE, "value": coverage.coverage_id},
                member_identifier(coverage.member_id),
            ],
            "status": "active",
            "type": product_line_json(coverage.product_line),
            "subscriberId": coverage.subscriber_id,
            "beneficiary": beneficiary,
            "relationship": relationship_json(coverage.relationship),
            "period": prune({"start": coverage.effective_date, "end": coverage.termination_date}),
            "payor": [{"identifier": {"system": ID_PAYER, "value": coverage.payer_id}}],
            "class": classes or None,
            "order": coverage.cob_order,
        }
    )


_CLASS: Final = "http://terminology.hl7.org/CodeSystem/coverage-class"


def coverage_to_fhir(coverage: Coverage, member: Member | None = None) -> FhirCoverage:
    """The FHIR R4 Coverage of a canonical coverage (with its member contained when given)."""
    return FhirCoverage.model_validate(coverage_to_fhir_json(coverage, member))


# Eligibility


def eligibility_request(
    coverage: Coverage,
    *,
    provider_npi: str,
    service_date: dt.date,
    request_id: str,
    created: dt.date | None = None,
    member: Member | None = None,
) -> CoverageEligibilityRequest:
    """A CoverageEligibilityRequest asking whether ``coverage`` is in force on ``service_date``.

    The coverage (and the member, when given) travel contained, so the request stands alone.
    """
    contained = [coverage_to_fhir_json(coverage, None) | {"id": "coverage"}]
    if member is not None:
        contained.append(member_to_fhir_json(member, "patient"))
        contained[0]["beneficiary"] = {"reference": "#patient"}
    patient = (
        {"reference": "#patient"}
        if member is not None
        else {"identifier": member_identifier(coverage.member_id)}
    )
    data = {
        "resourceType": "CoverageEligibilityRequest",
        "id": fhir_id(request_id),
        "identifier": [{"system": ID_REQUEST, "value": request_id}],
        "contained": contained,
        "status": "active",
        "purpose": ["validation", "benefits"],
        "patient": patient,
        "servicedDate": service_date,
        "created": created or service_date,
        "provider": {"identifier": {"system": NPI, "value": provider_npi}},
        "insurer": {"identifier": {"system": ID_PAYER, "value": coverage.payer_id}},
        "insurance": [{"focal": True, "coverage": {"reference": "#coverage"}}],
    }
    return CoverageEligibilityRequest.model_validate(data)


def eligibility_from_fhir(
    resource: CoverageEligibilityResponse, ctx: Context
) -> EligibilityResult | None:
    """The answer of a CoverageEligibilityResponse: in force or not, benefit period, errors."""
    insurances = resource.insurance or []
    focal = insurances[0] if insurances else None
    coverage = ctx.resolve(focal.coverage, FhirCoverage) if focal else None
    patient = ctx.resolve(resource.patient, Patient)
    member_id = _eligibility_member_id(resource.patient, patient, coverage)
    request_id = None
    if resource.request is not None:
        request_id = identifier(resource.request.identifier, ID_REQUEST) or identifier(
            resource.request.identifier
        )
        if request_id is None and resource.request.reference:
            request_id = resource.request.reference.rsplit("/", 1)[-1]
    errors: list[str] = []
    for err in resource.error or []:
        found = codes(err.code)
        errors.append(found[0].code or "" if found else (err.code.text or "unspecified"))
    active = None
    if focal is not None and focal.inforce is not None:
        active = bool(focal.inforce)
    if errors:
        active = False if active is None else active
    period = focal.benefitPeriod if focal else None
    data = {
        "response_id": identifier(resource.identifier) or resource.id,
        "request_id": request_id,
        "outcome": resource.outcome,
        "payer_id": identifier(resource.insurer.identifier, ID_PAYER)
        or identifier(resource.insurer.identifier)
        if resource.insurer
        else None,
        "member_id": member_id,
        "service_date": to_date(resource.servicedDate),
        "active": active,
        "benefit_start": to_date(period.start) if period else None,
        "benefit_end": to_date(period.end) if period else None,
        "errors": errors,
        "disposition": resource.disposition,
    }
    result: EligibilityResult | None = ctx.canonical(
        EligibilityResult.model_validate,
        data,
        Origin(
            "CoverageEligibilityResponse",
            {
                "benefit_start": "insurance.benefitPeriod",
                "benefit_end": "insurance.benefitPeriod",
                "disposition": "disposition",
            },
        ),
    )
    return result


def _eligibility_member_id(
    ref: Reference | None, patient: Patient | None, coverage: FhirCoverage | None
) -> str | None:
    """The member id of an eligibility request or response: the identifier on its patient
    reference, else the Patient's MB identifier, else the focal Coverage's MB identifier or
    subscriberId."""
    member_id = identifier(ref.identifier) if ref is not None else None
    if member_id is None and patient is not None:
        member_id = typed_identifier(patient.identifier, "MB")
    if member_id is None and coverage is not None:
        member_id = typed_identifier(coverage.identifier, "MB") or coverage.subscriberId
    return member_id


_INQUIRY_ORIGIN: Final = Origin(
    "CoverageEligibilityRequest",
    {
        "trace_number": "identifier",
        "payer_id": "insurer",
        "payer_name": "insurer.display",
        "provider_npi": "provider",
        "provider_name": "provider",
        "member_id": "patient",
        "first_name": "patient",
        "last_name": "patient",
        "birth_date": "patient",
        "sex": "patient",
        "service_date": "servicedDate",
        "service_types": "item.category",
    },
)


def inquiry_from_fhir(
    resource: CoverageEligibilityRequest, ctx: Context
) -> EligibilityInquiry | None:
    """The 270 question a CoverageEligibilityRequest asks; None when ``ctx`` noted problems.

    The same record the X12 270 reader makes, so a request read from FHIR can be asked as a
    270 (and checked like one).
    """
    data: dict[str, Any] = {
        "trace_number": identifier(resource.identifier, ID_REQUEST)
        or identifier(resource.identifier)
        or resource.id
    }
    if data["trace_number"] is None:
        ctx.problem("CoverageEligibilityRequest.identifier", "no request id (identifier or id)")
    _inquiry_parties(resource, ctx, data)
    _inquiry_member(resource, ctx, data)
    period = resource.servicedPeriod
    data["service_date"] = to_date(resource.servicedDate) or (
        to_date(period.start) if period else None
    )
    data["service_types"] = _service_types(resource) or ["30"]
    if ctx.problems:
        return None
    inquiry: EligibilityInquiry | None = ctx.canonical(
        EligibilityInquiry.model_validate, data, _INQUIRY_ORIGIN
    )
    return inquiry


def _inquiry_parties(
    resource: CoverageEligibilityRequest, ctx: Context, data: dict[str, Any]
) -> None:
    """The payer (``insurer``) and the provider asking (``provider``), ids and names."""
    insurer = resource.insurer
    data["payer_id"] = payer_id_of(insurer, ctx)
    if data["payer_id"] is None:
        ctx.problem(
            "CoverageEligibilityRequest.insurer", "no payer (insurer identifier or reference)"
        )
    org = ctx.resolve(insurer, Organization)
    data["payer_name"] = insurer.display or (org.name if org else None)
    provider = resource.provider
    data["provider_npi"] = npi_of(provider, ctx)
    if data["provider_npi"] is None:
        ctx.problem(
            "CoverageEligibilityRequest.provider",
            f"no provider NPI (identifier system {NPI}, on the reference or what it resolves to)",
        )
    data["provider_name"] = _party_name(provider, ctx)


def _party_name(ref: Reference | None, ctx: Context) -> str | None:
    """The reference's display, else the name of the Organization or Practitioner (family
    name) it resolves to; a PractitionerRole is named by its practitioner, else organization."""
    if ref is None or ref.display:
        return ref.display if ref else None
    org = ctx.resolve(ref, Organization)
    if org is not None:
        return org.name
    person = ctx.resolve(ref, Practitioner)
    if person is not None:
        return person_name(person)[0]
    role = ctx.resolve(ref, PractitionerRole)
    if role is not None:
        return _party_name(role.practitioner, ctx) or _party_name(role.organization, ctx)
    return None


def _inquiry_member(
    resource: CoverageEligibilityRequest, ctx: Context, data: dict[str, Any]
) -> None:
    """The member id, and the name, birth date and sex of the Patient when it resolves."""
    insurances = resource.insurance or []
    focal = head([i for i in insurances if i.focal] or insurances)
    coverage = ctx.resolve(focal.coverage, FhirCoverage) if focal else None
    patient = ctx.resolve(resource.patient, Patient)
    data["member_id"] = _eligibility_member_id(resource.patient, patient, coverage)
    if data["member_id"] is None:
        ctx.problem(
            "CoverageEligibilityRequest.patient",
            "no member id (on the patient reference, the Patient or the focal Coverage)",
        )
    if patient is not None:
        data["last_name"], data["first_name"] = person_name(patient)
        data["birth_date"] = to_date(patient.birthDate)
        data["sex"] = sex_from_fhir(patient.gender) if patient.gender else None


def _service_types(resource: CoverageEligibilityRequest) -> list[str]:
    """X12 service type codes of ``item[].category``, in order, each once; HL7's example
    benefit categories count too, their codes being X12 service type codes."""
    found: list[str] = []
    for item in resource.item or []:
        code = first_code(item.category, SERVICE_TYPE) or first_code(
            item.category, BENEFIT_CATEGORY
        )
        if code is not None and code not in found:
            found.append(code)
    return found

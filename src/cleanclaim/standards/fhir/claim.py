"""FHIR R4 ``Claim`` (professional and institutional) to the canonical :class:`Claim`.

The element-by-element mapping is in ``docs/fhir.md``. Reading resolves references to contained
resources and to Bundle entries, and falls back to the identifier on the reference; writing is
in :mod:`.claim_json`.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Final

from fhir.resources.R4B.claim import Claim as FhirClaim
from fhir.resources.R4B.claim import ClaimCareTeam, ClaimItem
from fhir.resources.R4B.coverage import Coverage as FhirCoverage
from fhir.resources.R4B.location import Location
from fhir.resources.R4B.organization import Organization
from fhir.resources.R4B.patient import Patient
from fhir.resources.R4B.practitioner import Practitioner
from fhir.resources.R4B.practitionerrole import PractitionerRole
from fhir.resources.R4B.relatedperson import RelatedPerson

from ...domain import Claim, ClaimType, FrequencyCode
from ._common import (
    ADDRESS_FIELDS,
    Context,
    Origin,
    address_of,
    codes,
    ext,
    first_code,
    head,
    identifier,
    npi_of,
    payer_id_of,
    person_name,
    procedure_of,
    relationship_of,
    to_date,
    typed_identifier,
)
from .claim_json import QUALIFIER_TO_FHIR
from .systems import (
    CLAIM_TYPE,
    EXT_CLAIM_PLACE_OF_SERVICE,
    EXT_FREQUENCY_CODE,
    EXT_LINE_PRIOR_AUTH,
    FILING_INDICATOR,
    ICD10CM,
    ID_CLAIM,
    NDC,
    NPI,
    NUBC_DISCHARGE_STATUS,
    NUBC_REVENUE,
    NUBC_TYPE_OF_BILL,
    NUCC_TAXONOMY,
    PLACE_OF_SERVICE,
    TAX_ID,
    icd10_from_fhir,
    sex_from_fhir,
)

__all__ = ["claim_from_fhir"]

_QUALIFIER_FROM_FHIR: Final[dict[str, str]] = {v: k for k, v in QUALIFIER_TO_FHIR.items()}
_RENDERING_ROLES: Final = ("rendering", "performing", "primary")

_CLAIM_ORIGIN: Final = Origin(
    "Claim",
    {
        "claim_id": "identifier",
        "claim_type": "type",
        "frequency_code": "extension",
        "original_claim_ref": "related",
        "payer_id": "insurer",
        "payer_name": "insurer.display",
        "filing_indicator": "insurance.coverage",
        "member_id": "patient",
        "patient_first_name": "patient",
        "patient_last_name": "patient",
        "patient_birth_date": "patient",
        "patient_sex": "patient",
        "patient_relationship": "insurance.coverage",
        "subscriber_first_name": "insurance.coverage",
        "subscriber_last_name": "insurance.coverage",
        "billing_npi": "provider",
        "billing_name": "provider",
        "billing_tax_id": "provider",
        "billing_taxonomy": "provider",
        **{f"patient_{f}": "patient.address" for f in ADDRESS_FIELDS},
        **{f"billing_{f}": "provider.address" for f in ADDRESS_FIELDS},
        **{f"facility_{f}": "facility.address" for f in ADDRESS_FIELDS},
        "rendering_npi": "careTeam",
        "rendering_name": "careTeam.provider",
        "rendering_first_name": "careTeam.provider",
        "referring_npi": "careTeam",
        "referring_name": "careTeam.provider",
        "referring_first_name": "careTeam.provider",
        "facility_npi": "facility",
        "facility_name": "facility",
        "place_of_service": "extension",
        "type_of_bill": "supportingInfo",
        "statement_from": "billablePeriod.start",
        "statement_to": "billablePeriod.end",
        "admission_date": "supportingInfo",
        "discharge_status": "supportingInfo",
        "total_charge": "total",
        "prior_auth_number": "insurance.preAuthRef",
        "referral_number": "referral",
        "submitted_on": "created",
    },
    {
        "diagnoses": (
            "diagnosis",
            {
                "sequence": "sequence",
                "code": "diagnosisCodeableConcept",
                "qualifier": "type",
                "present_on_admission": "onAdmission",
            },
        ),
        "lines": (
            "item",
            {
                "line_number": "sequence",
                "procedure_code": "productOrService",
                "modifiers": "modifier",
                "revenue_code": "revenue",
                "units": "quantity",
                "charge": "net",
                "service_from": "servicedDate",
                "service_to": "servicedPeriod.end",
                "diagnosis_pointers": "diagnosisSequence",
                "place_of_service": "locationCodeableConcept",
                "rendering_npi": "careTeamSequence",
                "rendering_name": "careTeamSequence",
                "rendering_first_name": "careTeamSequence",
                "ndc": "detail",
                "prior_auth_number": "extension",
            },
        ),
    },
)


def claim_from_fhir(resource: FhirClaim, ctx: Context) -> Claim | None:
    """The canonical claim of ``resource``; None when ``ctx`` noted problems."""
    data: dict[str, Any] = {}
    data["claim_id"] = identifier(resource.identifier, ID_CLAIM) or (
        identifier(resource.identifier) or resource.id
    )
    if data["claim_id"] is None:
        ctx.problem("Claim.identifier", "no claim id (identifier or id)")
    claim_type = first_code(resource.type, CLAIM_TYPE) or first_code(resource.type)
    if claim_type not in (ClaimType.PROFESSIONAL, ClaimType.INSTITUTIONAL):
        ctx.problem("Claim.type", "type is neither professional nor institutional", claim_type)
    data["claim_type"] = claim_type
    if resource.use not in (None, "claim"):
        # A prior-authorization request or a predetermination is not a billed claim.
        ctx.problem("Claim.use", "only a Claim with use 'claim' is a billed claim", resource.use)
    _read_payer(resource, ctx, data)
    _read_patient(resource, ctx, data)
    _read_providers(resource, ctx, data)
    _read_dates_and_info(resource, ctx, data)
    _read_frequency(resource, data)
    if resource.total is not None and resource.total.value is not None:
        data["total_charge"] = resource.total.value
    data["diagnoses"] = _read_diagnoses(resource, ctx)
    data["lines"] = _read_items(resource, ctx, data)
    if "total_charge" not in data:
        # total is optional in FHIR; the sum of the lines is what the 837 would carry.
        data["total_charge"] = sum(
            (line.get("charge") or Decimal(0) for line in data["lines"]), Decimal(0)
        )
    if ctx.problems:
        return None
    claim: Claim | None = ctx.canonical(Claim.model_validate, data, _CLAIM_ORIGIN)
    return claim


def _read_payer(resource: FhirClaim, ctx: Context, data: dict[str, Any]) -> None:
    insurer = resource.insurer
    org = ctx.resolve(insurer, Organization)
    payer_id = payer_id_of(insurer, ctx)
    if payer_id is None:
        ctx.problem("Claim.insurer", "no payer (insurer identifier or reference)")
    data["payer_id"] = payer_id
    data["payer_name"] = (insurer.display if insurer else None) or (org.name if org else None)


def _focal_insurance(resource: FhirClaim) -> Any:
    insurances = resource.insurance or []
    focal = [i for i in insurances if i.focal]
    return head(focal or insurances)


def _read_patient(resource: FhirClaim, ctx: Context, data: dict[str, Any]) -> None:
    patient = ctx.resolve(resource.patient, Patient)
    insurance = _focal_insurance(resource)
    coverage = ctx.resolve(insurance.coverage, FhirCoverage) if insurance else None
    member_id = identifier(resource.patient.identifier) if resource.patient else None
    if member_id is None and patient is not None:
        member_id = typed_identifier(patient.identifier, "MB")
    if member_id is None and coverage is not None:
        member_id = typed_identifier(coverage.identifier, "MB") or coverage.subscriberId
    if member_id is None and insurance is not None:
        member_id = identifier(insurance.coverage.identifier)
    if member_id is None:
        ctx.problem(
            "Claim.patient",
            "no member id (on the patient reference, the Patient or the focal Coverage)",
        )
    data["member_id"] = member_id
    if patient is not None:
        _person(patient, data, "patient_")
        data["patient_birth_date"] = to_date(patient.birthDate)
        address_of(patient, data, "patient_")
        if patient.gender:
            data["patient_sex"] = sex_from_fhir(patient.gender)
    if insurance is not None and insurance.preAuthRef:
        data["prior_auth_number"] = insurance.preAuthRef[0]
    if coverage is not None:
        _read_coverage(coverage, resource, ctx, data)


def _read_coverage(
    coverage: FhirCoverage, resource: FhirClaim, ctx: Context, data: dict[str, Any]
) -> None:
    data["filing_indicator"] = first_code(coverage.type, FILING_INDICATOR)
    relationship = relationship_of(coverage.relationship)
    if relationship is not None:
        data["patient_relationship"] = relationship
    # Subscriber names are kept only when the subscriber is someone else than the patient.
    sub_ref = coverage.subscriber
    if sub_ref is not None and sub_ref.reference != (
        resource.patient.reference if resource.patient else None
    ):
        subscriber = ctx.resolve(sub_ref, Patient) or ctx.resolve(sub_ref, RelatedPerson)
        if subscriber is not None:
            _person(subscriber, data, "subscriber_")


def _person(
    person: Patient | RelatedPerson | Practitioner, data: dict[str, Any], prefix: str
) -> None:
    for name in person.name or []:
        data[f"{prefix}last_name"] = name.family
        data[f"{prefix}first_name"] = name.given[0] if name.given else None
        return


def _read_providers(resource: FhirClaim, ctx: Context, data: dict[str, Any]) -> None:
    provider = resource.provider
    data["billing_npi"] = npi_of(provider, ctx)
    if data["billing_npi"] is None:
        ctx.problem("Claim.provider", f"no billing provider NPI (identifier system {NPI})")
    org = ctx.resolve(provider, Organization)
    person = ctx.resolve(provider, Practitioner)
    role = ctx.resolve(provider, PractitionerRole)
    data["billing_name"] = (org.name if org else None) or (provider.display if provider else None)
    if person is not None and data["billing_name"] is None and person.name:
        data["billing_name"] = person.name[0].family
    for target in (org, person, role):
        if target is not None and data.get("billing_tax_id") is None:
            data["billing_tax_id"] = identifier(target.identifier, TAX_ID) or typed_identifier(
                target.identifier, "TAX"
            )
    address_of(org or person, data, "billing_")
    if org is not None:
        data["billing_taxonomy"] = first_code(head(org.type), NUCC_TAXONOMY)
    if role is not None and role.specialty:
        data["billing_taxonomy"] = first_code(role.specialty[0], NUCC_TAXONOMY)
    _read_care_team(resource, ctx, data)
    data["facility_npi"] = npi_of(resource.facility, ctx)
    facility = ctx.resolve(resource.facility, Location) or ctx.resolve(
        resource.facility, Organization
    )
    if facility is not None:
        data["facility_name"] = facility.name
        address_of(facility, data, "facility_")
    if resource.facility is not None and data.get("facility_name") is None:
        data["facility_name"] = resource.facility.display
    if resource.referral is not None:
        data["referral_number"] = identifier(resource.referral.identifier)


def _read_care_team(resource: FhirClaim, ctx: Context, data: dict[str, Any]) -> None:
    # The claim-level rendering provider is the "rendering" member, else the base FHIR
    # "primary" one; "performing" members belong to lines only (see _care_team).
    for field, wanted in (
        ("referring_npi", "referring"),
        ("rendering_npi", "rendering"),
        ("rendering_npi", "primary"),
    ):
        for i, member in enumerate(resource.careTeam or []):
            if data.get(field) is None and wanted in {c.code for c in codes(member.role)}:
                data[field] = _care_teamnpi_of(member, ctx, i)
                prefix = field.removesuffix("npi")
                data[f"{prefix}name"], data[f"{prefix}first_name"] = _member_name(member, ctx)


def _member_name(member: ClaimCareTeam, ctx: Context) -> tuple[str | None, str | None]:
    family, given = person_name(ctx.resolve(member.provider, Practitioner))
    if family is None and member.provider is not None:
        family = member.provider.display
    return family, given


def _care_teamnpi_of(member: ClaimCareTeam, ctx: Context, index: int) -> str | None:
    npi = npi_of(member.provider, ctx)
    if npi is None:
        ctx.problem(f"Claim.careTeam[{index}].provider", f"no NPI (identifier system {NPI})")
    return npi


def _read_dates_and_info(resource: FhirClaim, ctx: Context, data: dict[str, Any]) -> None:
    if resource.billablePeriod is not None:
        data["statement_from"] = to_date(resource.billablePeriod.start)
        data["statement_to"] = to_date(resource.billablePeriod.end)
    data["submitted_on"] = to_date(resource.created)
    pos = ext(resource, EXT_CLAIM_PLACE_OF_SERVICE)
    if pos is not None and pos.valueCoding is not None:
        data["place_of_service"] = pos.valueCoding.code
    for info in resource.supportingInfo or []:
        category = {c.code for c in codes(info.category)}
        if "typeofbill" in category:
            data["type_of_bill"] = first_code(info.code, NUBC_TYPE_OF_BILL) or first_code(info.code)
        elif category & {"admissionperiod", "hospitalized"}:
            start = info.timingPeriod.start if info.timingPeriod else info.timingDate
            data["admission_date"] = to_date(start)
        elif category & {"discharge-status", "discharge"}:
            data["discharge_status"] = first_code(info.code, NUBC_DISCHARGE_STATUS) or first_code(
                info.code
            )


def _read_frequency(resource: FhirClaim, data: dict[str, Any]) -> None:
    prior = [
        r for r in resource.related or [] if "prior" in {c.code for c in codes(r.relationship)}
    ] or list(resource.related or [])
    if prior and prior[0].claim is not None:
        data["original_claim_ref"] = identifier(prior[0].claim.identifier) or (
            prior[0].claim.reference
        )
    found = ext(resource, EXT_FREQUENCY_CODE)
    if found is not None and (found.valueCode or found.valueString):
        data["frequency_code"] = found.valueCode or found.valueString
    elif data.get("type_of_bill"):
        data["frequency_code"] = str(data["type_of_bill"])[-1]
    elif data.get("original_claim_ref"):
        data["frequency_code"] = FrequencyCode.REPLACEMENT


def _read_diagnoses(resource: FhirClaim, ctx: Context) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for i, dx in enumerate(resource.diagnosis or []):
        path = f"Claim.diagnosis[{i}]"
        if dx.diagnosisCodeableConcept is None:
            ctx.problem(f"{path}.diagnosisReference", "only coded diagnoses can be mapped")
            continue
        code = first_code(dx.diagnosisCodeableConcept, ICD10CM)
        if code is None:
            ctx.problem(f"{path}.diagnosisCodeableConcept", f"no coding of system {ICD10CM}")
            continue
        qualifier = "ABF"
        for kind in dx.type or []:
            for c in codes(kind):
                qualifier = _QUALIFIER_FROM_FHIR.get(c.code or "", qualifier)
        poa = first_code(dx.onAdmission)
        out.append(
            {
                "sequence": dx.sequence,
                "code": icd10_from_fhir(code),
                "qualifier": qualifier,
                "present_on_admission": poa.upper() if poa else None,
            }
        )
    return out


def _read_items(resource: FhirClaim, ctx: Context, claim: dict[str, Any]) -> list[dict[str, Any]]:
    team = {m.sequence: m for m in resource.careTeam or []}
    default_day = claim.get("statement_from")
    return [
        _read_item(item, f"Claim.item[{i}]", ctx, team, default_day)
        for i, item in enumerate(resource.item or [])
    ]


def _read_item(
    item: ClaimItem,
    path: str,
    ctx: Context,
    team: dict[int | None, ClaimCareTeam],
    default_day: dt.date | None,
) -> dict[str, Any]:
    line: dict[str, Any] = {"line_number": item.sequence}
    line["procedure_code"] = procedure_of(item.productOrService, f"{path}.productOrService", ctx)
    line["modifiers"] = [first_code(m) for m in item.modifier or []]
    line["revenue_code"] = first_code(item.revenue, NUBC_REVENUE) or first_code(item.revenue)
    quantity = item.quantity.value if item.quantity is not None else None
    line["units"] = Decimal(1) if quantity is None else quantity
    line["charge"] = _charge(item, line["units"])
    if line["charge"] is None:
        ctx.problem(f"{path}.net", "no charge (net, or unitPrice and quantity)")
    if item.servicedPeriod is not None:
        line["service_from"] = to_date(item.servicedPeriod.start)
        line["service_to"] = to_date(item.servicedPeriod.end)
    else:
        line["service_from"] = to_date(item.servicedDate) or default_day
    if line["service_from"] is None:
        ctx.problem(f"{path}.serviced[x]", "no date of service (item or billablePeriod)")
    line["diagnosis_pointers"] = list(item.diagnosisSequence or [])
    line["place_of_service"] = first_code(item.locationCodeableConcept, PLACE_OF_SERVICE) or (
        first_code(item.locationCodeableConcept)
    )
    for seq in item.careTeamSequence or []:
        member = team.get(seq)
        if member is None:
            ctx.problem(f"{path}.careTeamSequence", "points to no careTeam entry", seq)
        elif {c.code for c in codes(member.role)} & set(_RENDERING_ROLES):
            line["rendering_npi"] = npi_of(member.provider, ctx)
            line["rendering_name"], line["rendering_first_name"] = _member_name(member, ctx)
    for detail in item.detail or []:
        ndc = first_code(detail.productOrService, NDC)
        if ndc:
            line["ndc"] = ndc
            break
    auth = ext(item, EXT_LINE_PRIOR_AUTH)
    if auth is not None:
        line["prior_auth_number"] = auth.valueString
    return line


def _charge(item: ClaimItem, units: Decimal) -> Decimal | None:
    if item.net is not None and item.net.value is not None:
        return item.net.value
    if item.unitPrice is not None and item.unitPrice.value is not None:
        return item.unitPrice.value * units * (item.factor or Decimal(1))
    return None

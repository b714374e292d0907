"""FHIR R4 ``Claim`` (professional and institutional) to and from the canonical :class:`Claim`.

The element-by-element mapping is in ``docs/fhir.md``. In short: the patient, the focal
coverage, the subscriber and the billing organization are written as contained resources, so a
Claim stands alone (one NDJSON line); reading resolves references to contained resources and to
Bundle entries, and falls back to the identifier on the reference.
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

from ...domain import Claim, ClaimType, Diagnosis, FrequencyCode, ServiceLine
from ._common import (
    ADDRESS_FIELDS,
    Context,
    Origin,
    address_json,
    address_of,
    codes,
    coding,
    concept,
    data_absent,
    ext,
    fhir_id,
    first_code,
    head,
    identifier,
    member_identifier,
    money,
    npi_of,
    payer_id_of,
    person_name,
    procedure_of,
    prune,
    relationship_of,
    to_date,
    typed_identifier,
)
from .systems import (
    CARIN_CARE_TEAM_ROLE,
    CARIN_DIAGNOSIS_TYPE,
    CARIN_SUPPORTING_INFO,
    CLAIM_TYPE,
    DATA_ABSENT_CODES,
    DIAGNOSIS_ON_ADMISSION,
    EXT_CLAIM_PLACE_OF_SERVICE,
    EXT_FREQUENCY_CODE,
    EXT_LINE_PRIOR_AUTH,
    FILING_INDICATOR,
    ICD10CM,
    ID_CLAIM,
    ID_PAYER,
    NDC,
    NPI,
    NUBC_DISCHARGE_STATUS,
    NUBC_POA,
    NUBC_REVENUE,
    NUBC_TYPE_OF_BILL,
    NUCC_TAXONOMY,
    PLACE_OF_SERVICE,
    RELATED_CLAIM,
    SUBSCRIBER_RELATIONSHIP,
    TAX_ID,
    X12_RELATIONSHIP,
    fhir_gender,
    icd10_from_fhir,
    icd10_to_fhir,
    procedure_system,
    relationship_to_fhir,
    sex_from_fhir,
)

__all__ = ["claim_from_fhir", "claim_to_fhir", "claim_to_fhir_json"]

_QUALIFIER_TO_FHIR: Final[dict[str, str]] = {
    "ABK": "principal",
    "ABF": "other",
    "ABJ": "admitting",
    "APR": "patientreasonforvisit",
    "ABN": "externalcauseofinjury",
}
_QUALIFIER_FROM_FHIR: Final[dict[str, str]] = {v: k for k, v in _QUALIFIER_TO_FHIR.items()}
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


# FHIR -> canonical


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


# canonical -> FHIR


def claim_to_fhir_json(claim: Claim) -> dict[str, Any]:
    """The FHIR Claim of ``claim`` as a JSON-ready mapping (what :func:`claim_to_fhir` checks)."""
    contained = [_patient_json(claim), _coverage_json(claim), _billing_json(claim)]
    if claim.subscriber_first_name or claim.subscriber_last_name:
        contained.append(
            {
                "resourceType": "Patient",
                "id": "subscriber",
                "name": [_name(claim.subscriber_first_name, claim.subscriber_last_name)],
            }
        )
    extension: list[dict[str, Any]] = [
        {"url": EXT_FREQUENCY_CODE, "valueCode": claim.frequency_code.value}
    ]
    if claim.place_of_service:
        extension.append(
            {
                "url": EXT_CLAIM_PLACE_OF_SERVICE,
                "valueCoding": coding(PLACE_OF_SERVICE, claim.place_of_service),
            }
        )
    team = _care_team(claim)
    facility = _facility_json(claim)
    contained += team.practitioners + ([facility] if facility else [])
    data: dict[str, Any] = {
        "resourceType": "Claim",
        "id": fhir_id(claim.claim_id),
        "contained": contained,
        "extension": extension,
        "identifier": [{"system": ID_CLAIM, "value": claim.claim_id}],
        "status": "active",
        "type": concept(CLAIM_TYPE, claim.claim_type.value),
        "use": "claim",
        "patient": {"reference": "#patient"},
        "billablePeriod": prune({"start": claim.statement_from, "end": claim.statement_to}) or None,
        "insurer": prune(
            {
                "identifier": {"system": ID_PAYER, "value": claim.payer_id},
                "display": claim.payer_name,
            }
        ),
        "provider": {
            "reference": "#billing",
            "identifier": {"system": NPI, "value": claim.billing_npi},
        },
        "priority": concept("http://terminology.hl7.org/CodeSystem/processpriority", "normal"),
        "related": [
            {
                "relationship": concept(RELATED_CLAIM, "prior"),
                "claim": {"identifier": {"value": claim.original_claim_ref}},
            }
        ]
        if claim.original_claim_ref
        else None,
        "referral": {"identifier": {"value": claim.referral_number}}
        if claim.referral_number
        else None,
        "facility": _facility_reference(claim, facility is not None),
        "careTeam": team.members,
        "supportingInfo": _supporting_info(claim),
        "diagnosis": [_diagnosis_json(dx) for dx in claim.diagnoses],
        "insurance": [
            prune(
                {
                    "sequence": 1,
                    "focal": True,
                    "coverage": {"reference": "#coverage"},
                    "preAuthRef": [claim.prior_auth_number] if claim.prior_auth_number else None,
                }
            )
        ],
        "item": [_item_json(line, team.rendering_seq) for line in claim.lines],
        "total": money(claim.total_charge),
    }
    if claim.submitted_on is None:
        data["_created"] = data_absent()
    else:
        data["created"] = claim.submitted_on
    return prune(data)


def claim_to_fhir(claim: Claim) -> FhirClaim:
    """The FHIR R4 Claim of a canonical claim (checked by the fhir.resources model)."""
    return FhirClaim.model_validate(claim_to_fhir_json(claim))


def _name(first: str | None, last: str | None) -> dict[str, Any]:
    return prune({"family": last, "given": [first] if first else None})


def _patient_json(claim: Claim) -> dict[str, Any]:
    name = _name(claim.patient_first_name, claim.patient_last_name)
    return prune(
        {
            "resourceType": "Patient",
            "id": "patient",
            "identifier": [member_identifier(claim.member_id)],
            "name": [name] if name else None,
            "birthDate": claim.patient_birth_date,
            "gender": fhir_gender(claim.patient_sex.value) if claim.patient_sex else None,
            "address": address_json(claim, "patient_"),
        }
    )


def _coverage_json(claim: Claim) -> dict[str, Any]:
    has_subscriber = bool(claim.subscriber_first_name or claim.subscriber_last_name)
    return prune(
        {
            "resourceType": "Coverage",
            "id": "coverage",
            "status": "active",
            "type": concept(FILING_INDICATOR, claim.filing_indicator)
            if claim.filing_indicator
            else None,
            "subscriber": {"reference": "#subscriber" if has_subscriber else "#patient"},
            "subscriberId": claim.member_id,
            "beneficiary": {"reference": "#patient"},
            "relationship": {
                "coding": [
                    coding(X12_RELATIONSHIP, claim.patient_relationship),
                    coding(
                        SUBSCRIBER_RELATIONSHIP, relationship_to_fhir(claim.patient_relationship)
                    ),
                ]
            },
            "payor": [{"identifier": {"system": ID_PAYER, "value": claim.payer_id}}],
        }
    )


def _billing_json(claim: Claim) -> dict[str, Any]:
    idents: list[dict[str, Any]] = [{"system": NPI, "value": claim.billing_npi}]
    if claim.billing_tax_id:
        idents.append({"system": TAX_ID, "value": claim.billing_tax_id})
    return prune(
        {
            "resourceType": "Organization",
            "id": "billing",
            "identifier": idents,
            "type": [concept(NUCC_TAXONOMY, claim.billing_taxonomy)]
            if claim.billing_taxonomy
            else None,
            "name": claim.billing_name,
            "address": address_json(claim, "billing_"),
        }
    )


def _facility_json(claim: Claim) -> dict[str, Any] | None:
    """A contained Location for the facility when there is more than its NPI to say."""
    address = address_json(claim, "facility_")
    if claim.facility_name is None and address is None:
        return None
    return prune(
        {
            "resourceType": "Location",
            "id": "facility",
            "identifier": [{"system": NPI, "value": claim.facility_npi}]
            if claim.facility_npi
            else None,
            "name": claim.facility_name,
            "address": address[0] if address else None,
        }
    )


def _facility_reference(claim: Claim, located: bool) -> dict[str, Any] | None:
    return (
        prune(
            {
                "reference": "#facility" if located else None,
                "identifier": {"system": NPI, "value": claim.facility_npi}
                if claim.facility_npi
                else None,
            }
        )
        or None
    )


class _Team:
    """careTeam entries, the contained Practitioners that name them, and per rendering NPI the
    sequence a line points to."""

    def __init__(self) -> None:
        self.members: list[dict[str, Any]] = []
        self.practitioners: list[dict[str, Any]] = []
        self.rendering_seq: dict[str, int] = {}

    def add(self, npi: str, role: str, family: str | None, given: str | None) -> int:
        seq = len(self.members) + 1
        provider: dict[str, Any] = {"identifier": {"system": NPI, "value": npi}}
        if family is not None:
            self.practitioners.append(
                {
                    "resourceType": "Practitioner",
                    "id": f"care-{seq}",
                    "identifier": [{"system": NPI, "value": npi}],
                    "name": [_name(given, family)],
                }
            )
            provider = {"reference": f"#care-{seq}", **provider}
        self.members.append(
            {"sequence": seq, "provider": provider, "role": concept(CARIN_CARE_TEAM_ROLE, role)}
        )
        return seq


def _care_team(claim: Claim) -> _Team:
    team = _Team()
    if claim.rendering_npi:
        team.rendering_seq[claim.rendering_npi] = team.add(
            claim.rendering_npi, "rendering", claim.rendering_name, claim.rendering_first_name
        )
    if claim.referring_npi:
        team.add(claim.referring_npi, "referring", claim.referring_name, claim.referring_first_name)
    for line in claim.lines:
        # A line's own rendering provider that is not the claim's is "performing", so reading
        # back does not take it for the claim-level rendering provider.
        if line.rendering_npi and line.rendering_npi not in team.rendering_seq:
            team.rendering_seq[line.rendering_npi] = team.add(
                line.rendering_npi, "performing", line.rendering_name, line.rendering_first_name
            )
    return team


def _supporting_info(claim: Claim) -> list[dict[str, Any]]:
    info: list[dict[str, Any]] = []
    if claim.type_of_bill:
        info.append(
            {
                "category": concept(CARIN_SUPPORTING_INFO, "typeofbill"),
                "code": concept(NUBC_TYPE_OF_BILL, claim.type_of_bill),
            }
        )
    if claim.admission_date:
        info.append(
            {
                "category": concept(CARIN_SUPPORTING_INFO, "admissionperiod"),
                "timingPeriod": {"start": claim.admission_date},
            }
        )
    if claim.discharge_status:
        info.append(
            {
                "category": concept(CARIN_SUPPORTING_INFO, "discharge-status"),
                "code": concept(NUBC_DISCHARGE_STATUS, claim.discharge_status),
            }
        )
    return [{"sequence": i, **entry} for i, entry in enumerate(info, start=1)]


def _diagnosis_json(dx: Diagnosis) -> dict[str, Any]:
    poa = dx.present_on_admission
    on_admission = None
    if poa:
        on_admission = (
            concept(DIAGNOSIS_ON_ADMISSION, poa.lower())
            if poa.upper() in ("Y", "N", "U", "W")
            else concept(NUBC_POA, poa)
        )
    return prune(
        {
            "sequence": dx.sequence,
            "diagnosisCodeableConcept": concept(ICD10CM, icd10_to_fhir(dx.code)),
            "type": [concept(CARIN_DIAGNOSIS_TYPE, _QUALIFIER_TO_FHIR[dx.qualifier.value])],
            "onAdmission": on_admission,
        }
    )


def _item_json(line: ServiceLine, team_seq: dict[str, int]) -> dict[str, Any]:
    if line.procedure_code:
        product = concept(procedure_system(line.procedure_code), line.procedure_code)
    else:
        product = concept(DATA_ABSENT_CODES, "not-applicable")
    unit_price = None
    if line.units:
        price = (line.charge / line.units).quantize(Decimal("0.01"))
        if price * line.units == line.charge:
            unit_price = money(price)
    served: dict[str, Any] = (
        {"servicedDate": line.service_from}
        if line.service_to is None
        else {"servicedPeriod": {"start": line.service_from, "end": line.service_to}}
    )
    return prune(
        {
            "extension": [{"url": EXT_LINE_PRIOR_AUTH, "valueString": line.prior_auth_number}]
            if line.prior_auth_number
            else None,
            "sequence": line.line_number,
            "careTeamSequence": [team_seq[line.rendering_npi]] if line.rendering_npi else None,
            "diagnosisSequence": list(line.diagnosis_pointers) or None,
            "revenue": concept(NUBC_REVENUE, line.revenue_code) if line.revenue_code else None,
            "productOrService": product,
            "modifier": [concept(procedure_system(m), m) for m in line.modifiers] or None,
            **served,
            "locationCodeableConcept": concept(PLACE_OF_SERVICE, line.place_of_service)
            if line.place_of_service
            else None,
            "quantity": {"value": line.units},
            "unitPrice": unit_price,
            "net": money(line.charge),
            "detail": [{"sequence": 1, "productOrService": concept(NDC, line.ndc)}]
            if line.ndc
            else None,
        }
    )

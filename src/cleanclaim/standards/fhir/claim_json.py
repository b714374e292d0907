"""The canonical :class:`Claim` to a FHIR R4 ``Claim`` (professional and institutional).

The element-by-element mapping is in ``docs/fhir.md``. The patient, the focal coverage, the
subscriber and the billing organization are written as contained resources, so a Claim stands
alone (one NDJSON line). Reading is in :mod:`.claim`.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Final

from fhir.resources.R4B.claim import Claim as FhirClaim

from ...domain import Claim, Diagnosis, ServiceLine
from ._common import (
    address_json,
    coding,
    concept,
    data_absent,
    fhir_id,
    member_identifier,
    money,
    prune,
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
    icd10_to_fhir,
    procedure_system,
    relationship_to_fhir,
)

__all__ = ["QUALIFIER_TO_FHIR", "claim_to_fhir", "claim_to_fhir_json"]

QUALIFIER_TO_FHIR: Final[dict[str, str]] = {
    "ABK": "principal",
    "ABF": "other",
    "ABJ": "admitting",
    "APR": "patientreasonforvisit",
    "ABN": "externalcauseofinjury",
}
"""Canonical diagnosis qualifier (X12 HI) -> FHIR diagnosis type."""


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


_Provider = tuple[str, str | None, str | None]
"""A care-team provider: NPI, family name, given name."""


class _Team:
    """careTeam entries, the contained Practitioners that name them, and per rendering
    provider (NPI and name: a line may name the claim's NPI otherwise) the sequence a line
    points to."""

    def __init__(self) -> None:
        self.members: list[dict[str, Any]] = []
        self.practitioners: list[dict[str, Any]] = []
        self.rendering_seq: dict[_Provider, int] = {}

    def add(self, who: _Provider, role: str) -> int:
        npi, family, given = who
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
        key = (claim.rendering_npi, claim.rendering_name, claim.rendering_first_name)
        team.rendering_seq[key] = team.add(key, "rendering")
    if claim.referring_npi:
        team.add((claim.referring_npi, claim.referring_name, claim.referring_first_name),
                 "referring")
    for line in claim.lines:
        # A line's own rendering provider that is not the claim's is "performing", so reading
        # back does not take it for the claim-level rendering provider.
        found = _rendering(line)
        if found is not None and found not in team.rendering_seq:
            team.rendering_seq[found] = team.add(found, "performing")
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
            "type": [concept(CARIN_DIAGNOSIS_TYPE, QUALIFIER_TO_FHIR[dx.qualifier.value])],
            "onAdmission": on_admission,
        }
    )


def _rendering(line: ServiceLine) -> _Provider | None:
    if not line.rendering_npi:
        return None
    return (line.rendering_npi, line.rendering_name, line.rendering_first_name)


def _item_json(line: ServiceLine, team_seq: dict[_Provider, int]) -> dict[str, Any]:
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
            "careTeamSequence": [team_seq[key]] if (key := _rendering(line)) else None,
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

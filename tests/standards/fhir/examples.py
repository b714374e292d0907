"""FHIR R4 resources written for these tests, in the shape other systems send them.

They use plain references between Bundle entries, base FHIR codes where cleanclaim writes its
own, and leave out cleanclaim's extensions, so reading them exercises the fallbacks.
"""

from __future__ import annotations

import copy
import json
from typing import Any

NPI = "http://hl7.org/fhir/sid/us-npi"
CPT = "http://www.ama-assn.org/go/cpt"
HCPCS = "https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets"
ICD = "http://hl7.org/fhir/sid/icd-10-cm"
POS = "https://www.cms.gov/Medicare/Coding/place-of-service-codes/Place_of_Service_Code_Set"
V2 = "http://terminology.hl7.org/CodeSystem/v2-0203"
TERM = "http://terminology.hl7.org/CodeSystem"

PATIENT: dict[str, Any] = {
    "resourceType": "Patient",
    "id": "pat1",
    "identifier": [
        {"system": "http://hospital.example/mrn", "value": "MRN-77"},
        {
            "type": {"coding": [{"system": V2, "code": "MB"}]},
            "system": "http://payer.example/member",
            "value": "W123456789",
        },
    ],
    "name": [{"family": "Doe", "given": ["John", "Q"]}],
    "birthDate": "1980-02-15",
    "gender": "male",
    "address": [{"line": ["9 Elm St"], "city": "Columbus", "state": "OH", "postalCode": "43004"}],
}

PAYER = {
    "resourceType": "Organization",
    "id": "payer1",
    "identifier": [{"system": "http://payer.example/payer-id", "value": "87726"}],
    "name": "Example Payer",
}

CLINIC = {
    "resourceType": "Organization",
    "id": "org1",
    "identifier": [
        {"system": NPI, "value": "1234567893"},
        {"type": {"coding": [{"system": V2, "code": "TAX"}]}, "value": "123456789"},
    ],
    "name": "Good Health Clinic",
}

DOCTOR = {
    "resourceType": "Practitioner",
    "id": "prac1",
    "identifier": [{"system": NPI, "value": "1245319599"}],
    "name": [{"family": "Rivera", "given": ["Luis"]}],
}

COVERAGE: dict[str, Any] = {
    "resourceType": "Coverage",
    "id": "cov1",
    "status": "active",
    "type": {"coding": [{"system": "https://nahdo.org/sopt", "code": "51"}]},
    "subscriberId": "W123456789",
    "beneficiary": {"reference": "Patient/pat1"},
    "relationship": {"coding": [{"system": f"{TERM}/subscriber-relationship", "code": "self"}]},
    "period": {"start": "2024-01-01", "end": "2024-12-31"},
    "payor": [{"reference": "Organization/payer1"}],
    "class": [
        {"type": {"coding": [{"code": "group"}]}, "value": "GRP-9"},
        {"type": {"coding": [{"code": "plan"}]}, "value": "PPO-1"},
    ],
    "order": 1,
}

PROFESSIONAL_CLAIM: dict[str, Any] = {
    "resourceType": "Claim",
    "id": "claim1",
    "identifier": [{"system": "http://clinic.example/claims", "value": "PCN-1001"}],
    "status": "active",
    "type": {"coding": [{"system": f"{TERM}/claim-type", "code": "professional"}]},
    "use": "claim",
    "patient": {"reference": "Patient/pat1"},
    "created": "2024-03-02",
    "insurer": {"reference": "Organization/payer1"},
    "provider": {"reference": "Organization/org1"},
    "priority": {"coding": [{"code": "normal"}]},
    "careTeam": [
        {
            "sequence": 1,
            "provider": {"reference": "Practitioner/prac1"},
            "role": {"coding": [{"system": f"{TERM}/claimcareteamrole", "code": "primary"}]},
        },
        {
            "sequence": 2,
            "provider": {"identifier": {"system": NPI, "value": "1003000126"}},
            "role": {"coding": [{"code": "referring"}]},
        },
    ],
    "diagnosis": [
        {
            "sequence": 1,
            "diagnosisCodeableConcept": {"coding": [{"system": ICD, "code": "E11.9"}]},
            "type": [{"coding": [{"system": f"{TERM}/ex-diagnosistype", "code": "principal"}]}],
        },
        {"sequence": 2, "diagnosisCodeableConcept": {"coding": [{"system": ICD, "code": "I10"}]}},
    ],
    "insurance": [
        {
            "sequence": 1,
            "focal": True,
            "coverage": {"reference": "Coverage/cov1"},
            "preAuthRef": ["PA-1"],
        }
    ],
    "item": [
        {
            "sequence": 1,
            "careTeamSequence": [1],
            "diagnosisSequence": [1, 2],
            "productOrService": {"coding": [{"system": CPT, "code": "99213"}]},
            "modifier": [{"coding": [{"system": CPT, "code": "25"}]}],
            "servicedDate": "2024-03-01",
            "locationCodeableConcept": {"coding": [{"system": POS, "code": "11"}]},
            "quantity": {"value": 1},
            "unitPrice": {"value": 120.00, "currency": "USD"},
            "net": {"value": 120.00, "currency": "USD"},
        },
        {
            "sequence": 2,
            "diagnosisSequence": [1],
            "productOrService": {"coding": [{"system": HCPCS, "code": "J3420"}]},
            "servicedPeriod": {"start": "2024-03-01", "end": "2024-03-01"},
            "quantity": {"value": 2},
            "unitPrice": {"value": 15.50, "currency": "USD"},
        },
    ],
    "total": {"value": 151.00, "currency": "USD"},
}

INSTITUTIONAL_CLAIM: dict[str, Any] = {
    "resourceType": "Claim",
    "id": "inst1",
    "status": "active",
    "type": {"coding": [{"system": f"{TERM}/claim-type", "code": "institutional"}]},
    "use": "claim",
    "patient": {"identifier": {"value": "W123456789"}},
    "billablePeriod": {"start": "2024-02-27", "end": "2024-03-01"},
    "created": "2024-03-05T10:00:00-05:00",
    "insurer": {"identifier": {"value": "87726"}, "display": "Example Payer"},
    "provider": {"identifier": {"system": NPI, "value": "1508869908"}, "display": "General"},
    "priority": {"coding": [{"code": "normal"}]},
    "related": [
        {
            "relationship": {"coding": [{"code": "prior"}]},
            "claim": {"identifier": {"value": "ICN-555"}},
        }
    ],
    "supportingInfo": [
        {
            "sequence": 1,
            "category": {"coding": [{"code": "typeofbill"}]},
            "code": {"coding": [{"code": "0117"}]},
        },
        {
            "sequence": 2,
            "category": {"coding": [{"code": "hospitalized"}]},
            "timingPeriod": {"start": "2024-02-27", "end": "2024-03-01"},
        },
        {
            "sequence": 3,
            "category": {"coding": [{"code": "discharge"}]},
            "code": {"coding": [{"code": "01"}]},
        },
    ],
    "diagnosis": [
        {
            "sequence": 1,
            "diagnosisCodeableConcept": {"coding": [{"system": ICD, "code": "J18.9"}]},
            "type": [{"coding": [{"code": "principal"}]}],
            "onAdmission": {"coding": [{"code": "y"}]},
        }
    ],
    "insurance": [{"sequence": 1, "focal": True, "coverage": {"display": "primary"}}],
    "item": [
        {
            "sequence": 1,
            "revenue": {"coding": [{"code": "0120"}]},
            "productOrService": {
                "coding": [{"system": f"{TERM}/data-absent-reason", "code": "not-applicable"}]
            },
            "quantity": {"value": 3},
            "net": {"value": 4500.00, "currency": "USD"},
        }
    ],
}

EOB: dict[str, Any] = {
    "resourceType": "ExplanationOfBenefit",
    "id": "eob1",
    "status": "active",
    "type": {"coding": [{"code": "professional"}]},
    "use": "claim",
    "patient": {"reference": "Patient/pat1"},
    "created": "2024-04-01",
    "insurer": {"identifier": {"value": "87726"}},
    "provider": {"identifier": {"system": NPI, "value": "1234567893"}},
    "claim": {"identifier": {"value": "PCN-1001"}},
    "outcome": "complete",
    "insurance": [{"focal": True, "coverage": {"reference": "Coverage/cov1"}}],
    "item": [
        {
            "sequence": 1,
            "productOrService": {"coding": [{"system": CPT, "code": "99213"}]},
            "servicedDate": "2024-03-01",
            "adjudication": [
                {
                    "category": {"coding": [{"code": "submitted"}]},
                    "amount": {"value": 120, "currency": "USD"},
                },
                {
                    "category": {"coding": [{"code": "eligible"}]},
                    "amount": {"value": 100, "currency": "USD"},
                },
                {
                    "category": {"coding": [{"code": "deductible"}]},
                    "amount": {"value": 20, "currency": "USD"},
                },
                {
                    "category": {"coding": [{"code": "benefit"}]},
                    "amount": {"value": 80, "currency": "USD"},
                },
            ],
        }
    ],
    "total": [
        {
            "category": {"coding": [{"code": "submitted"}]},
            "amount": {"value": 120, "currency": "USD"},
        },
        {"category": {"coding": [{"code": "benefit"}]}, "amount": {"value": 80, "currency": "USD"}},
    ],
    "payment": {"date": "2024-04-02", "amount": {"value": 80, "currency": "USD"}},
}

DENIAL_RESPONSE: dict[str, Any] = {
    "resourceType": "ClaimResponse",
    "id": "cr1",
    "status": "active",
    "type": {"coding": [{"code": "professional"}]},
    "use": "claim",
    "patient": {"identifier": {"value": "W123456789"}},
    "created": "2024-04-01",
    "insurer": {"identifier": {"value": "87726"}},
    "request": {"reference": "Claim/claim1"},
    "outcome": "complete",
    "item": [
        {
            "itemSequence": 1,
            "adjudication": [
                {
                    "category": {"coding": [{"code": "submitted"}]},
                    "amount": {"value": 120, "currency": "USD"},
                },
                {
                    "category": {"coding": [{"code": "benefit"}]},
                    "amount": {"value": 0, "currency": "USD"},
                },
                {
                    "category": {
                        "coding": [
                            {
                                "system": "https://x12.org/codes/claim-adjustment-group-codes",
                                "code": "CO",
                            }
                        ]
                    },
                    "reason": {
                        "coding": [
                            {
                                "system": "https://x12.org/codes/claim-adjustment-reason-codes",
                                "code": "197",
                            }
                        ]
                    },
                    "amount": {"value": 120, "currency": "USD"},
                },
                {
                    "category": {"coding": [{"code": "denialreason"}]},
                    "reason": {
                        "coding": [
                            {
                                "system": "https://x12.org/codes/remittance-advice-remark-codes",
                                "code": "N54",
                            }
                        ]
                    },
                },
            ],
        }
    ],
    "total": [
        {
            "category": {"coding": [{"code": "submitted"}]},
            "amount": {"value": 120, "currency": "USD"},
        },
        {"category": {"coding": [{"code": "benefit"}]}, "amount": {"value": 0, "currency": "USD"}},
    ],
}

ELIGIBILITY_RESPONSE: dict[str, Any] = {
    "resourceType": "CoverageEligibilityResponse",
    "id": "elig1",
    "status": "active",
    "purpose": ["validation"],
    "patient": {"identifier": {"value": "W123456789"}},
    "servicedDate": "2024-03-01",
    "created": "2024-03-01",
    "request": {"reference": "CoverageEligibilityRequest/req-1"},
    "outcome": "complete",
    "insurer": {"identifier": {"value": "87726"}},
    "insurance": [
        {
            "coverage": {"reference": "Coverage/cov1"},
            "inforce": True,
            "benefitPeriod": {"start": "2024-01-01", "end": "2024-12-31"},
        }
    ],
}

ELIGIBILITY_ERROR: dict[str, Any] = {
    "resourceType": "CoverageEligibilityResponse",
    "id": "elig2",
    "status": "active",
    "purpose": ["validation"],
    "patient": {"identifier": {"value": "X0"}},
    "created": "2024-03-01",
    "request": {"identifier": {"value": "req-2"}},
    "outcome": "error",
    "insurer": {"identifier": {"value": "87726"}},
    "error": [{"code": {"coding": [{"system": f"{TERM}/adjudication-error", "code": "a001"}]}}],
}


def bundle(*resources: dict[str, Any], kind: str = "collection") -> dict[str, Any]:
    entries = []
    for r in resources:
        entry: dict[str, Any] = {
            "fullUrl": f"http://fhir.example/{r['resourceType']}/{r['id']}",
            "resource": copy.deepcopy(r),
        }
        if kind == "transaction":
            entry["request"] = {"method": "POST", "url": r["resourceType"]}
        if kind == "searchset":
            entry["search"] = {"mode": "match"}
        entries.append(entry)
    return {"resourceType": "Bundle", "type": kind, "entry": entries}


def claim_bundle(kind: str = "collection") -> dict[str, Any]:
    return bundle(PATIENT, PAYER, CLINIC, DOCTOR, COVERAGE, PROFESSIONAL_CLAIM, kind=kind)


def ndjson(*resources: dict[str, Any]) -> str:
    return "".join(json.dumps(r) + "\n" for r in resources)

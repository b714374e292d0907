"""Code systems, identifier systems and extension URLs the FHIR adapters write and recognise.

Pure constants and small code conversions; it does not import fhir.resources, so the rest of
cleanclaim can use it (and the CLI can start) without the optional dependency installed.

Where a published system exists it is used (NPI, ICD-10-CM, CPT, HCPCS, NUBC, CMS place of
service, X12 CARC/RARC/group codes, HL7 terminology). Where FHIR R4 has no element for a
canonical field, cleanclaim writes an extension or a code in its own namespace,
:data:`NAMESPACE`; readers of other systems' resources never depend on them being present.
"""

from __future__ import annotations

from typing import Final

__all__ = [
    "ADJUDICATION",
    "ADJUDICATION_EXTRA",
    "AUTHORIZATION_STATUS",
    "BENEFIT",
    "BENEFIT_CATEGORY",
    "BENEFIT_PERIOD",
    "CARC",
    "CARIN_CARE_TEAM_ROLE",
    "CARIN_DIAGNOSIS_TYPE",
    "CARIN_SUPPORTING_INFO",
    "CLAIM_STATUS",
    "CLAIM_TYPE",
    "CPT",
    "DATA_ABSENT_CODES",
    "DATA_ABSENT_REASON",
    "DIAGNOSIS_ON_ADMISSION",
    "EXT_APPEAL_WINDOW_DAYS",
    "EXT_BENEFIT_PROCEDURE",
    "EXT_CLAIM_PLACE_OF_SERVICE",
    "EXT_CLAIM_STATUS",
    "EXT_CORRECTED_CLAIM_DAYS",
    "EXT_EXCLUDED_SERVICE",
    "EXT_FILING_INDICATOR",
    "EXT_FREQUENCY_CODE",
    "EXT_LINE_PRIOR_AUTH",
    "EXT_LINE_SERVICE",
    "EXT_MEMBER_ID_PATTERN",
    "EXT_NETWORK",
    "EXT_TIMELY_FILING_DAYS",
    "FILING_INDICATOR",
    "GROUP_CODE",
    "HCPCS",
    "ICD10CM",
    "IDENTIFIER_TYPE",
    "ID_AUTHORIZATION",
    "ID_CLAIM",
    "ID_COVERAGE",
    "ID_PAYER",
    "ID_PAYER_CLAIM_CONTROL",
    "ID_PAYMENT",
    "ID_PLAN",
    "ID_REQUEST",
    "INSURANCE_PLAN_TYPE",
    "NAMESPACE",
    "NDC",
    "NPI",
    "NUBC_DISCHARGE_STATUS",
    "NUBC_POA",
    "NUBC_REVENUE",
    "NUBC_TYPE_OF_BILL",
    "NUCC_TAXONOMY",
    "ORGANIZATION_TYPE",
    "PLACE_OF_SERVICE",
    "PRODUCT_LINE",
    "RARC",
    "RELATED_CLAIM",
    "SERVICE_TYPE",
    "SUBSCRIBER_RELATIONSHIP",
    "TAX_ID",
    "X12_RELATIONSHIP",
    "fhir_gender",
    "icd10_from_fhir",
    "icd10_to_fhir",
    "procedure_system",
    "relationship_from_fhir",
    "relationship_to_fhir",
    "sex_from_fhir",
]

NAMESPACE: Final = "https://cleanclaim.dev/fhir"
"""Base of cleanclaim's own extension, code system and identifier system URLs."""

# Published identifier and code systems.
NPI: Final = "http://hl7.org/fhir/sid/us-npi"
TAX_ID: Final = "urn:oid:2.16.840.1.113883.4.4"
ICD10CM: Final = "http://hl7.org/fhir/sid/icd-10-cm"
CPT: Final = "http://www.ama-assn.org/go/cpt"
HCPCS: Final = "https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets"
NDC: Final = "http://hl7.org/fhir/sid/ndc"
PLACE_OF_SERVICE: Final = (
    "https://www.cms.gov/Medicare/Coding/place-of-service-codes/Place_of_Service_Code_Set"
)
NUBC_REVENUE: Final = "https://www.nubc.org/CodeSystem/RevenueCodes"
NUBC_TYPE_OF_BILL: Final = "https://www.nubc.org/CodeSystem/TypeOfBill"
NUBC_DISCHARGE_STATUS: Final = "https://www.nubc.org/CodeSystem/PatDischargeStatus"
NUBC_POA: Final = "https://www.nubc.org/CodeSystem/PresentOnAdmissionIndicator"
NUCC_TAXONOMY: Final = "http://nucc.org/provider-taxonomy"
CARC: Final = "https://x12.org/codes/claim-adjustment-reason-codes"
RARC: Final = "https://x12.org/codes/remittance-advice-remark-codes"
GROUP_CODE: Final = "https://x12.org/codes/claim-adjustment-group-codes"
SERVICE_TYPE: Final = "https://x12.org/codes/service-type-codes"
"""X12 service type codes (270 EQ01, 271 EB03): 30 plan coverage, 98 office visit, ..."""
CLAIM_TYPE: Final = "http://terminology.hl7.org/CodeSystem/claim-type"
ADJUDICATION: Final = "http://terminology.hl7.org/CodeSystem/adjudication"
RELATED_CLAIM: Final = "http://terminology.hl7.org/CodeSystem/ex-relatedclaimrelationship"
DIAGNOSIS_ON_ADMISSION: Final = "http://terminology.hl7.org/CodeSystem/ex-diagnosis-on-admission"
SUBSCRIBER_RELATIONSHIP: Final = "http://terminology.hl7.org/CodeSystem/subscriber-relationship"
IDENTIFIER_TYPE: Final = "http://terminology.hl7.org/CodeSystem/v2-0203"
DATA_ABSENT_REASON: Final = "http://hl7.org/fhir/StructureDefinition/data-absent-reason"
DATA_ABSENT_CODES: Final = "http://terminology.hl7.org/CodeSystem/data-absent-reason"
CARIN_CARE_TEAM_ROLE: Final = "http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBClaimCareTeamRole"
CARIN_DIAGNOSIS_TYPE: Final = "http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBClaimDiagnosisType"
CARIN_SUPPORTING_INFO: Final = "http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBSupportingInfoType"
ORGANIZATION_TYPE: Final = "http://terminology.hl7.org/CodeSystem/organization-type"
INSURANCE_PLAN_TYPE: Final = "http://terminology.hl7.org/CodeSystem/insurance-plan-type"
BENEFIT_CATEGORY: Final = "http://terminology.hl7.org/CodeSystem/ex-benefitcategory"
"""HL7's example benefit categories: a subset of the X12 service type codes, same values."""

# cleanclaim's own systems: canonical values FHIR has no published home for.
ID_CLAIM: Final = f"{NAMESPACE}/sid/claim-id"
ID_PAYER: Final = f"{NAMESPACE}/sid/payer-id"
ID_PAYMENT: Final = f"{NAMESPACE}/sid/payment-id"
ID_PAYER_CLAIM_CONTROL: Final = f"{NAMESPACE}/sid/payer-claim-control-number"
ID_COVERAGE: Final = f"{NAMESPACE}/sid/coverage-id"
ID_REQUEST: Final = f"{NAMESPACE}/sid/eligibility-request-id"
X12_RELATIONSHIP: Final = f"{NAMESPACE}/CodeSystem/x12-individual-relationship"
FILING_INDICATOR: Final = f"{NAMESPACE}/CodeSystem/x12-claim-filing-indicator"
CLAIM_STATUS: Final = f"{NAMESPACE}/CodeSystem/x12-claim-status"
PRODUCT_LINE: Final = f"{NAMESPACE}/CodeSystem/product-line"
ADJUDICATION_EXTRA: Final = f"{NAMESPACE}/CodeSystem/adjudication"
"""Adjudication categories of our own: ``remark`` (a RARC), ``paidunits``, and on a prior
authorization ``approvedunits``, ``usedunits`` and ``decision``."""
ID_PLAN: Final = f"{NAMESPACE}/sid/plan-id"
ID_AUTHORIZATION: Final = f"{NAMESPACE}/sid/authorization-id"
BENEFIT: Final = f"{NAMESPACE}/CodeSystem/benefit"
BENEFIT_PERIOD: Final = f"{NAMESPACE}/CodeSystem/benefit-period"
AUTHORIZATION_STATUS: Final = f"{NAMESPACE}/CodeSystem/authorization-status"
EXT_TIMELY_FILING_DAYS: Final = f"{NAMESPACE}/StructureDefinition/payer-timely-filing-days"
EXT_APPEAL_WINDOW_DAYS: Final = f"{NAMESPACE}/StructureDefinition/payer-appeal-window-days"
EXT_CORRECTED_CLAIM_DAYS: Final = f"{NAMESPACE}/StructureDefinition/payer-corrected-claim-days"
EXT_MEMBER_ID_PATTERN: Final = f"{NAMESPACE}/StructureDefinition/payer-member-id-pattern"
EXT_EXCLUDED_SERVICE: Final = f"{NAMESPACE}/StructureDefinition/plan-excluded-service"
EXT_BENEFIT_PROCEDURE: Final = f"{NAMESPACE}/StructureDefinition/benefit-procedure-code"
EXT_NETWORK: Final = f"{NAMESPACE}/StructureDefinition/network-participation"
"""Complex: ``payer`` (valueIdentifier) and ``status`` (valueCode in_network|out_of_network)."""
EXT_FREQUENCY_CODE: Final = f"{NAMESPACE}/StructureDefinition/claim-frequency-code"
EXT_CLAIM_PLACE_OF_SERVICE: Final = f"{NAMESPACE}/StructureDefinition/claim-place-of-service"
EXT_LINE_PRIOR_AUTH: Final = f"{NAMESPACE}/StructureDefinition/line-prior-authorization"
EXT_CLAIM_STATUS: Final = f"{NAMESPACE}/StructureDefinition/claim-status"
EXT_FILING_INDICATOR: Final = f"{NAMESPACE}/StructureDefinition/filing-indicator"
EXT_LINE_SERVICE: Final = f"{NAMESPACE}/StructureDefinition/adjudicated-service"

# X12 individual relationship code (SBR02/PAT01) <-> HL7 subscriber-relationship.
_RELATIONSHIP_TO_FHIR: Final[dict[str, str]] = {
    "18": "self",
    "01": "spouse",
    "19": "child",
    "G8": "other",
    "53": "common",
    "32": "parent",
    "33": "parent",
}
_RELATIONSHIP_FROM_FHIR: Final[dict[str, str]] = {
    "self": "18",
    "spouse": "01",
    "child": "19",
    "common": "53",
    "parent": "32",
    "other": "G8",
    "injured": "G8",
}


def relationship_to_fhir(x12: str) -> str:
    """The HL7 subscriber-relationship code nearest to an X12 relationship code."""
    return _RELATIONSHIP_TO_FHIR.get(x12, "other")


def relationship_from_fhir(code: str) -> str | None:
    """The X12 relationship code of an HL7 subscriber-relationship code, None if unknown."""
    return _RELATIONSHIP_FROM_FHIR.get(code)


_GENDER: Final[dict[str, str]] = {"F": "female", "M": "male", "U": "unknown"}
_SEX: Final[dict[str, str]] = {"female": "F", "male": "M", "unknown": "U", "other": "U"}


def fhir_gender(sex: str) -> str:
    """FHIR administrative gender of a canonical sex code."""
    return _GENDER[sex]


def sex_from_fhir(gender: str) -> str | None:
    """Canonical sex code of a FHIR administrative gender; ``other`` reads as unknown."""
    return _SEX.get(gender)


def icd10_to_fhir(code: str) -> str:
    """``E1165`` -> ``E11.65``: FHIR's ICD-10-CM codes carry the dot after the category."""
    if len(code) > 3 and "." not in code:
        return f"{code[:3]}.{code[3:]}"
    return code


def icd10_from_fhir(code: str) -> str:
    """``E11.65`` -> ``E1165``: the canonical form has no dot (as X12 carries it)."""
    return code.replace(".", "").strip()


def procedure_system(code: str) -> str:
    """CPT for numeric-led codes (including category II/III, e.g. 0001F), else HCPCS Level II."""
    return CPT if code[:1].isdigit() else HCPCS

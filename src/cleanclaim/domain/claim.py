"""Claims as billed: header, diagnoses and service lines (837P, 837I, FHIR Claim, CSV)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, ClassVar

from pydantic import Field

from .base import Code, Money, Quantity, Record, Text
from .codes import ClaimType, DiagnosisQualifier, FrequencyCode, Sex

__all__ = ["Claim", "Diagnosis", "ServiceLine"]


class Diagnosis(Record):
    """One ICD-10-CM code on a claim, in its position (HI sequence)."""

    __key__: ClassVar[tuple[str, ...]] = ("sequence",)

    sequence: int = Field(ge=1, le=25, description="1-based position; pointers refer to it")
    code: Code = Field(description="ICD-10-CM code without the dot, e.g. E119")
    qualifier: DiagnosisQualifier = DiagnosisQualifier.OTHER
    present_on_admission: Annotated[str, Field(max_length=1)] | None = None


class ServiceLine(Record):
    """One service line (SV1 professional / SV2 institutional)."""

    __key__: ClassVar[tuple[str, ...]] = ("line_number",)
    __ordered__: ClassVar[tuple[tuple[str, str], ...]] = (("service_from", "service_to"),)

    line_number: int = Field(ge=1, le=999)
    procedure_code: Code | None = Field(
        default=None, description="CPT/HCPCS code; may be absent on an institutional line"
    )
    modifiers: list[Code] = Field(default_factory=list, max_length=4)
    revenue_code: Code | None = None
    units: Quantity
    charge: Money
    service_from: dt.date
    service_to: dt.date | None = None
    diagnosis_pointers: list[Annotated[int, Field(ge=1, le=12)]] = Field(
        default_factory=list, max_length=4
    )
    place_of_service: Code | None = None
    rendering_npi: Code | None = None
    rendering_name: Text | None = Field(
        default=None, description="Last name of the line's rendering provider (2420A/2420C)"
    )
    rendering_first_name: Text | None = None
    ndc: Code | None = None
    prior_auth_number: Code | None = None


class Claim(Record):
    """A claim as the provider billed it, in the canonical form every adapter produces."""

    __table__: ClassVar[str] = "claims"
    __key__: ClassVar[tuple[str, ...]] = ("claim_id",)
    __children__: ClassVar[dict[str, str]] = {
        "diagnoses": "claim_diagnoses",
        "lines": "claim_lines",
    }
    __ordered__: ClassVar[tuple[tuple[str, str], ...]] = (
        ("statement_from", "statement_to"),
        ("patient_birth_date", "statement_from"),
    )

    claim_id: Code = Field(description="Unique id of this submission (CLM01 unless told)")
    claim_type: ClaimType
    frequency_code: FrequencyCode = FrequencyCode.ORIGINAL
    original_claim_ref: Code | None = Field(
        default=None, description="Payer claim control number being replaced or voided"
    )
    payer_id: Code
    payer_name: Text | None = None
    filing_indicator: Code | None = Field(
        default=None, description="Claim filing indicator (SBR09), e.g. CI commercial, MB"
    )
    member_id: Code = Field(description="Member ID as printed on the card")
    subscriber_first_name: Text | None = Field(
        default=None, description="Subscriber's name when the patient is someone else"
    )
    subscriber_last_name: Text | None = None
    patient_first_name: Text | None = None
    patient_last_name: Text | None = None
    patient_birth_date: dt.date | None = None
    patient_sex: Sex | None = None
    patient_relationship: Code = Field(default="18", description="18 = self")
    patient_address_line: Text | None = Field(
        default=None,
        description="Patient's street address (2010BA N3 when the patient is the subscriber, "
        "2010CA N3 otherwise)",
    )
    patient_city: Text | None = None
    patient_state: Code | None = None
    patient_postal_code: Code | None = Field(default=None, description="5- or 9-digit ZIP code")
    billing_npi: Code
    billing_name: Text | None = Field(default=None, description="Organization or last name")
    billing_tax_id: Code | None = None
    billing_taxonomy: Code | None = None
    billing_address_line: Text | None = Field(
        default=None, description="Billing provider's street address (2010AA N3)"
    )
    billing_city: Text | None = None
    billing_state: Code | None = None
    billing_postal_code: Code | None = Field(
        default=None, description="Billing provider's ZIP code (the guides want all 9 digits)"
    )
    rendering_npi: Code | None = None
    rendering_name: Text | None = Field(
        default=None, description="Rendering provider's last name (2310B 837P, 2310D 837I)"
    )
    rendering_first_name: Text | None = None
    referring_npi: Code | None = None
    referring_name: Text | None = Field(
        default=None, description="Referring provider's last name (NM1*DN)"
    )
    referring_first_name: Text | None = None
    facility_npi: Code | None = None
    facility_name: Text | None = Field(
        default=None, description="Service facility location (2310C 837P, 2310E 837I)"
    )
    facility_address_line: Text | None = None
    facility_city: Text | None = None
    facility_state: Code | None = None
    facility_postal_code: Code | None = None
    place_of_service: Code | None = None
    type_of_bill: Code | None = Field(
        default=None,
        description="Institutional type of bill, 4 characters with the leading zero (0131)",
    )
    statement_from: dt.date | None = None
    statement_to: dt.date | None = None
    admission_date: dt.date | None = None
    discharge_status: Code | None = None
    total_charge: Money
    prior_auth_number: Code | None = None
    referral_number: Code | None = None
    submitted_on: dt.date | None = Field(default=None, description="Date sent to the payer")
    diagnoses: list[Diagnosis] = Field(default_factory=list, max_length=25)
    lines: list[ServiceLine] = Field(min_length=1, max_length=999)

    @property
    def service_from(self) -> dt.date:
        """First date of service on the claim."""
        return min(line.service_from for line in self.lines)

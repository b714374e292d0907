"""Code enumerations of the canonical model. Values are stable: they are stored and exchanged."""

from __future__ import annotations

from enum import StrEnum

__all__ = [
    "AuthorizationStatus",
    "BenefitPeriod",
    "CaseStatus",
    "ClaimStatus",
    "ClaimType",
    "DenialCategory",
    "DiagnosisQualifier",
    "EntityType",
    "FrequencyCode",
    "GroupCode",
    "NetworkStatus",
    "ProductLine",
    "Severity",
    "Sex",
]


class ClaimType(StrEnum):
    """Professional (837P / CMS-1500) or institutional (837I / UB-04)."""

    PROFESSIONAL = "professional"
    INSTITUTIONAL = "institutional"


class FrequencyCode(StrEnum):
    """Claim frequency code (CLM05-3; the last digit of an institutional type of bill)."""

    NON_PAYMENT = "0"
    ORIGINAL = "1"
    INTERIM_FIRST = "2"
    INTERIM_CONTINUING = "3"
    INTERIM_LAST = "4"
    LATE_CHARGE = "5"
    REPLACEMENT = "7"
    VOID = "8"
    FINAL_CLAIM = "9"


class DiagnosisQualifier(StrEnum):
    """Code list qualifier of an HI element: which role the ICD-10-CM code plays."""

    PRINCIPAL = "ABK"
    OTHER = "ABF"
    ADMITTING = "ABJ"
    PATIENT_REASON = "APR"
    EXTERNAL_CAUSE = "ABN"


class Sex(StrEnum):
    """Administrative sex as carried by X12 DMG03."""

    FEMALE = "F"
    MALE = "M"
    UNKNOWN = "U"


class ProductLine(StrEnum):
    """Line of business of a coverage."""

    COMMERCIAL = "commercial"
    MEDICARE_ADVANTAGE = "medicare_advantage"
    MEDICAID = "medicaid"
    ACA_MARKETPLACE = "aca_marketplace"


class BenefitPeriod(StrEnum):
    """The window over which a benefit limit counts."""

    CALENDAR_YEAR = "calendar_year"
    PLAN_YEAR = "plan_year"
    LIFETIME = "lifetime"
    PER_VISIT = "per_visit"


class EntityType(StrEnum):
    """NPI entity type: a person or an organization."""

    PERSON = "1"
    ORGANIZATION = "2"


class NetworkStatus(StrEnum):
    """Whether a provider is contracted with the payer."""

    IN_NETWORK = "in_network"
    OUT_OF_NETWORK = "out_of_network"


class AuthorizationStatus(StrEnum):
    """Decision on a prior-authorization request."""

    APPROVED = "approved"
    PENDING = "pending"
    DENIED = "denied"
    CANCELLED = "cancelled"


class GroupCode(StrEnum):
    """Claim adjustment group code (CAS01): who bears the adjusted amount."""

    CONTRACTUAL = "CO"
    PATIENT_RESPONSIBILITY = "PR"
    OTHER = "OA"
    PAYER_INITIATED = "PI"
    CORRECTION_REVERSAL = "CR"


class ClaimStatus(StrEnum):
    """Claim status code of an 835 CLP02."""

    PRIMARY = "1"
    SECONDARY = "2"
    TERTIARY = "3"
    DENIED = "4"
    PRIMARY_FORWARDED = "19"
    SECONDARY_FORWARDED = "20"
    TERTIARY_FORWARDED = "21"
    REVERSAL = "22"
    NOT_OUR_CLAIM = "23"
    PREDETERMINATION = "25"


class Severity(StrEnum):
    """What a finding predicts: front-end rejection, denial, or a risk to look at."""

    REJECT = "reject"
    DENY = "deny"
    WARN = "warn"


class DenialCategory(StrEnum):
    """Root-cause category shared by prevention findings and denial cases."""

    ELIGIBILITY = "eligibility"
    COVERAGE = "coverage"
    AUTHORIZATION = "authorization"
    CODING = "coding"
    BUNDLING = "bundling"
    MEDICAL_NECESSITY = "medical_necessity"
    DUPLICATE = "duplicate"
    TIMELY_FILING = "timely_filing"
    MISSING_INFORMATION = "missing_information"
    COB = "cob"
    PRICING = "pricing"
    OTHER = "other"


class CaseStatus(StrEnum):
    """Where a denial case stands in its work flow."""

    OPEN = "open"
    IN_PROGRESS = "in_progress"
    CORRECTED = "corrected"
    APPEALED = "appealed"
    RESOLVED_PAID = "resolved_paid"
    WRITTEN_OFF = "written_off"
    CLOSED = "closed"

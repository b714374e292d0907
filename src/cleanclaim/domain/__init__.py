"""The canonical model: one definition of every record, typed and tabular. No I/O."""

from .base import Code, DecimalSpec, Money, Quantity, Record, Text
from .claim import Claim, Diagnosis, ServiceLine
from .codes import (
    AuthorizationStatus,
    BenefitPeriod,
    CaseStatus,
    ClaimStatus,
    ClaimType,
    DenialCategory,
    DiagnosisQualifier,
    EntityType,
    FrequencyCode,
    GroupCode,
    NetworkStatus,
    ProductLine,
    Severity,
    Sex,
)
from .parties import Authorization, BenefitLimit, Coverage, Member, Payer, Plan, Provider
from .remittance import Adjustment, ClaimPayment, LinePayment
from .work import DenialCase, Finding

ROOT_RECORDS: tuple[type[Record], ...] = (
    Payer,
    Plan,
    Member,
    Coverage,
    Provider,
    Authorization,
    Claim,
    ClaimPayment,
    DenialCase,
    Finding,
)
"""Every top-level record type, in an order where referenced records come first."""

__all__ = [
    "ROOT_RECORDS",
    "Adjustment",
    "Authorization",
    "AuthorizationStatus",
    "BenefitLimit",
    "BenefitPeriod",
    "CaseStatus",
    "Claim",
    "ClaimPayment",
    "ClaimStatus",
    "ClaimType",
    "Code",
    "Coverage",
    "DecimalSpec",
    "DenialCase",
    "DenialCategory",
    "Diagnosis",
    "DiagnosisQualifier",
    "EntityType",
    "Finding",
    "FrequencyCode",
    "GroupCode",
    "LinePayment",
    "Member",
    "Money",
    "NetworkStatus",
    "Payer",
    "Plan",
    "ProductLine",
    "Provider",
    "Quantity",
    "Record",
    "ServiceLine",
    "Severity",
    "Sex",
    "Text",
]

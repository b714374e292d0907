"""Payers, plans, members and their coverage, providers and prior authorizations."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import ClassVar

from pydantic import Field

from .base import Code, Quantity, Record, Text
from .codes import (
    AuthorizationStatus,
    BenefitPeriod,
    EntityType,
    NetworkStatus,
    ProductLine,
    Sex,
)

__all__ = [
    "Authorization",
    "BenefitLimit",
    "Coverage",
    "Member",
    "Payer",
    "Plan",
    "Provider",
]


class Payer(Record):
    """A payer and the administrative rules it holds claims to."""

    __table__: ClassVar[str] = "payers"
    __key__: ClassVar[tuple[str, ...]] = ("payer_id",)

    payer_id: Code
    name: Text
    timely_filing_days: int = Field(ge=1, le=3650, description="Days from service to file")
    appeal_window_days: int = Field(ge=1, le=3650, description="Days from denial to appeal")
    corrected_claim_days: int | None = Field(default=None, ge=1, le=3650)
    member_id_pattern: Code | None = Field(
        default=None, description="Regular expression a member ID of this payer matches"
    )


class BenefitLimit(Record):
    """A quantitative limit of a plan, e.g. 20 physical-therapy visits a calendar year."""

    __key__: ClassVar[tuple[str, ...]] = ("benefit",)

    benefit: Code = Field(description="Name of the benefit, e.g. physical_therapy")
    procedure_codes: list[Code] = Field(min_length=1, description="Codes the limit counts")
    max_units: Quantity
    period: BenefitPeriod


class Plan(Record):
    """A benefit plan: what it covers, excludes, limits and wants authorized first."""

    __table__: ClassVar[str] = "plans"
    __key__: ClassVar[tuple[str, ...]] = ("plan_id",)
    __children__: ClassVar[dict[str, str]] = {"limits": "plan_limits"}

    plan_id: Code
    payer_id: Code
    name: Text
    product_line: ProductLine
    excluded_codes: list[Code] = Field(default_factory=list)
    auth_required_codes: list[Code] = Field(default_factory=list)
    limits: list[BenefitLimit] = Field(default_factory=list)


class Member(Record):
    """A person the insurer covers (demographics as enrolled)."""

    __table__: ClassVar[str] = "members"
    __key__: ClassVar[tuple[str, ...]] = ("member_id",)

    member_id: Code = Field(description="The insurer's member ID, as on the card")
    first_name: Text
    last_name: Text
    birth_date: dt.date
    sex: Sex
    address_line: Text | None = None
    city: Text | None = None
    state: Code | None = None
    postal_code: Code | None = None


class Coverage(Record):
    """One period of one member's enrolment in one plan, with its COB position."""

    __table__: ClassVar[str] = "coverages"
    __key__: ClassVar[tuple[str, ...]] = ("coverage_id",)
    __ordered__: ClassVar[tuple[tuple[str, str], ...]] = (
        ("effective_date", "termination_date"),
    )

    coverage_id: Code
    member_id: Code
    payer_id: Code
    plan_id: Code | None = Field(default=None, description="None for another payer's plan")
    product_line: ProductLine
    subscriber_id: Code = Field(description="ID on the card of this coverage")
    group_number: Code | None = None
    relationship: Code = Field(default="18", description="Patient's relation to subscriber")
    effective_date: dt.date
    termination_date: dt.date | None = Field(default=None, description="Last covered day")
    cob_order: int = Field(default=1, ge=1, le=9, description="1 primary, 2 secondary, ...")


class Provider(Record):
    """A billing, rendering or referring provider as the payer knows it."""

    __table__: ClassVar[str] = "providers"
    __key__: ClassVar[tuple[str, ...]] = ("payer_id", "npi")

    payer_id: Code
    npi: Code
    entity_type: EntityType
    name: Text = Field(description="Organization name or person's last name")
    first_name: Text | None = None
    taxonomy: Code | None = None
    tax_id: Code | None = None
    state: Code | None = None
    network_status: NetworkStatus
    network_effective: dt.date | None = None
    network_termination: dt.date | None = None


class Authorization(Record):
    """A prior-authorization decision and how much of it has been used."""

    __table__: ClassVar[str] = "authorizations"
    __key__: ClassVar[tuple[str, ...]] = ("auth_id",)
    __ordered__: ClassVar[tuple[tuple[str, str], ...]] = (("start_date", "end_date"),)

    auth_id: Code
    payer_id: Code
    member_id: Code
    provider_npi: Code | None = None
    procedure_codes: list[Code] = Field(min_length=1)
    start_date: dt.date
    end_date: dt.date
    units_approved: Quantity
    units_used: Quantity = Decimal("0")
    status: AuthorizationStatus
    decided_on: dt.date | None = None

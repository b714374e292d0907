"""What the payer answered: claim payments with their adjustments and remark codes (835)."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from pydantic import Field

from .base import Code, Money, Quantity, Record, Text
from .codes import ClaimStatus, GroupCode

__all__ = ["Adjustment", "ClaimPayment", "LinePayment"]


class Adjustment(Record):
    """One CAS adjustment: who bears it (group), why (CARC), how much."""

    group_code: GroupCode
    carc: Code
    amount: Money
    quantity: Quantity | None = None


class LinePayment(Record):
    """Payment of one service line (SVC) with its own adjustments and remarks."""

    __key__: ClassVar[tuple[str, ...]] = ("line_number",)
    __children__: ClassVar[dict[str, str]] = {"adjustments": "remittance_line_adjustments"}

    line_number: int = Field(ge=1, le=999, description="Line number billed (REF*6B or order)")
    procedure_code: Code | None = None
    modifiers: list[Code] = Field(default_factory=list, max_length=4)
    revenue_code: Code | None = None
    charge: Money
    paid: Money
    units_paid: Quantity | None = None
    service_date: dt.date | None = None
    rarcs: list[Code] = Field(default_factory=list)
    adjustments: list[Adjustment] = Field(default_factory=list)


class ClaimPayment(Record):
    """One claim's adjudication on a remittance (CLP loop)."""

    __table__: ClassVar[str] = "remittances"
    __key__: ClassVar[tuple[str, ...]] = ("payment_id",)
    __children__: ClassVar[dict[str, str]] = {
        "adjustments": "remittance_adjustments",
        "lines": "remittance_lines",
    }

    payment_id: Code = Field(description="Unique id of this CLP occurrence (file + position)")
    claim_id: Code = Field(description="CLP01: the provider's claim id as submitted")
    payer_id: Code
    payer_name: Text | None = Field(default=None, description="Payer's name (1000A N102)")
    payer_tax_id: Code | None = Field(
        default=None, description="Payer's EIN, 9 digits (TRN03 is '1' followed by it)"
    )
    payer_address_line: Text | None = Field(default=None, description="1000A N3")
    payer_city: Text | None = None
    payer_state: Code | None = None
    payer_postal_code: Code | None = None
    payer_claim_control_number: Code | None = None
    payee_npi: Code | None = None
    payee_name: Text | None = Field(default=None, description="Payee's name (1000B N102)")
    patient_first_name: Text | None = None
    patient_last_name: Text | None = Field(default=None, description="2100 NM1*QC")
    member_id: Code | None = Field(
        default=None, description="Patient's member ID as the payer knows it (NM1*QC 09)"
    )
    status: ClaimStatus
    total_charge: Money
    paid: Money
    patient_responsibility: Money | None = None
    filing_indicator: Code | None = None
    payment_date: dt.date | None = None
    trace_number: Code | None = Field(default=None, description="Check or EFT number (TRN02)")
    rarcs: list[Code] = Field(default_factory=list)
    adjustments: list[Adjustment] = Field(default_factory=list)
    lines: list[LinePayment] = Field(default_factory=list)

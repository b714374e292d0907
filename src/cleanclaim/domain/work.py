"""Findings of the prevention engine and denial cases of the resolution work flow."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from pydantic import Field

from .base import Code, Money, Record
from .codes import CaseStatus, DenialCategory, Severity

__all__ = ["DenialCase", "Finding"]


class Finding(Record):
    """One problem a rule found on a claim, with what the payer would answer and the fix."""

    __table__: ClassVar[str] = "findings"
    __key__: ClassVar[tuple[str, ...]] = ("claim_id", "rule_id", "line")

    claim_id: Code
    rule_id: Code
    severity: Severity
    category: DenialCategory
    carc: Code | None = None
    rarc: Code | None = None
    line: int | None = Field(default=None, ge=1, description="Service line; None = the claim")
    message: str = Field(min_length=1, max_length=2000)
    fix: str = Field(min_length=1, max_length=2000)


class DenialCase(Record):
    """A denied or partly denied claim being worked to resolution."""

    __table__: ClassVar[str] = "denial_cases"
    __key__: ClassVar[tuple[str, ...]] = ("case_id",)
    __ordered__: ClassVar[tuple[tuple[str, str], ...]] = (("opened_on", "resolved_on"),)

    case_id: Code
    claim_id: Code
    payment_id: Code | None = None
    payer_id: Code
    category: DenialCategory
    carcs: list[Code] = Field(default_factory=list)
    rarcs: list[Code] = Field(default_factory=list)
    denied_amount: Money
    status: CaseStatus = CaseStatus.OPEN
    priority: float | None = Field(default=None, description="Higher is worked first")
    assigned_to: Code | None = None
    opened_on: dt.date
    due_on: dt.date | None = None
    appeal_deadline: dt.date | None = None
    resolved_on: dt.date | None = None
    recovered_amount: Money | None = None

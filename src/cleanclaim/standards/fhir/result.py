"""Typed results of FHIR resources the canonical domain has no model for (eligibility answers).

Built on the domain's :class:`Record` base like the X12 typed records, so they dump to JSON the
same way; no fhir.resources import here, so the type is usable without the optional extra.
"""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from pydantic import Field

from ...domain import Code, Record

__all__ = ["EligibilityResult"]


class EligibilityResult(Record):
    """What a CoverageEligibilityResponse says: coverage in force or not, for when, and errors."""

    __ordered__: ClassVar[tuple[tuple[str, str], ...]] = (("benefit_start", "benefit_end"),)

    response_id: Code | None = None
    request_id: Code | None = Field(default=None, description="The request answered")
    outcome: Code | None = Field(default=None, description="queued, complete, error, partial")
    payer_id: Code | None = None
    member_id: Code | None = None
    service_date: dt.date | None = None
    active: bool | None = Field(
        default=None, description="insurance.inforce of the first insurance; None when unsaid"
    )
    benefit_start: dt.date | None = None
    benefit_end: dt.date | None = None
    errors: list[Code] = Field(default_factory=list, description="error codes (or texts)")
    disposition: str | None = None

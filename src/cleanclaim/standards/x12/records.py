"""Typed records of the X12 transactions the canonical domain has no model for yet.

- 999 implementation acknowledgment (005010X231A1): :class:`FunctionalGroupAck` (AK1/AK9) with
  its :class:`TransactionSetAck` (AK2/IK5), :class:`SegmentError` (IK3/CTX) and
  :class:`ElementError` (IK4).
- TA1 interchange acknowledgment: :class:`InterchangeAck`, the verdict on one interchange's
  envelope (ISA/IEA).
- 276 claim status request (005010X212): :class:`ClaimStatusInquiry`, one per claim.
- 277CA claim acknowledgment (005010X214) and 277 claim status response (005010X212):
  :class:`ClaimStatusReport`, one per claim, with its :class:`StatusEntry` (STC) and
  :class:`StatusCode` (STC01/STC10/STC11 composites); :class:`StatusSummary`, the 277CA's
  batch (2200B) and billing provider (2200C) verdicts with their totals.
- 270/271 eligibility (005010X279A1): :class:`EligibilityInquiry` and
  :class:`EligibilityResponse` with its :class:`EligibilityBenefit` (EB) entries.

They are frozen, validated pydantic models built on the domain's :class:`Record` base, so
they dump to JSON the same way canonical records do and could move into the domain as they are
(they have no ``__table__`` yet: nothing stores them).

The code tables give short descriptions in our own words of the code values used.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated, ClassVar, Final

from pydantic import Field, StringConstraints, field_validator

from ...domain import Code, Money, Record, Sex, Text

__all__ = [
    "ELEMENT_ERROR_CODES",
    "GROUP_ERROR_CODES",
    "INTERCHANGE_NOTE_CODES",
    "SEGMENT_ERROR_CODES",
    "SET_ERROR_CODES",
    "STATUS_CATEGORIES",
    "AckCode",
    "ClaimStatusInquiry",
    "ClaimStatusReport",
    "ElementError",
    "EligibilityBenefit",
    "EligibilityInquiry",
    "EligibilityResponse",
    "FunctionalGroupAck",
    "InterchangeAck",
    "SegmentError",
    "StatusCode",
    "StatusEntry",
    "StatusSummary",
    "SummaryLevel",
    "TransactionSetAck",
]

SegmentId = Annotated[str, StringConstraints(min_length=2, max_length=3)]


class AckCode(StrEnum):
    """IK501 / AK901: what the receiver did with a transaction set or functional group."""

    ACCEPTED = "A"
    ACCEPTED_WITH_ERRORS = "E"
    PARTIALLY_ACCEPTED = "P"
    REJECTED = "R"
    REJECTED_AUTHENTICATION = "M"
    REJECTED_ASSURANCE = "W"
    REJECTED_DECRYPTION = "X"

    @property
    def accepted(self) -> bool:
        return self in (AckCode.ACCEPTED, AckCode.ACCEPTED_WITH_ERRORS)


SEGMENT_ERROR_CODES: Final[dict[str, str]] = {
    "1": "unrecognized segment id",
    "2": "unexpected segment",
    "3": "required segment missing",
    "4": "loop occurs more often than allowed",
    "5": "segment occurs more often than allowed",
    "6": "segment not in the transaction set",
    "7": "segment out of sequence",
    "8": "segment has element errors",
    "I4": "segment the guide does not use is present",
    "I6": "segment the guide requires in this case is missing",
    "I7": "loop occurs fewer times than the guide requires",
    "I8": "segment occurs fewer times than the guide requires",
    "I9": "segment the guide does not use in this case is present",
}
"""IK304 segment syntax error codes."""

ELEMENT_ERROR_CODES: Final[dict[str, str]] = {
    "1": "required element missing",
    "2": "conditionally required element missing",
    "3": "too many elements",
    "4": "element too short",
    "5": "element too long",
    "6": "invalid character in element",
    "7": "invalid code value",
    "8": "invalid date",
    "9": "invalid time",
    "10": "exclusion condition violated",
    "12": "too many repetitions",
    "13": "too many components",
    "I6": "code value the guide does not use",
    "I9": "element the guide requires in this case is missing",
    "I10": "element the guide does not use is present",
    "I11": "too few repetitions for the guide",
    "I12": "value does not match the guide's pattern",
    "I13": "element the guide does not use in this case is present",
}
"""IK403 element syntax error codes."""

SET_ERROR_CODES: Final[dict[str, str]] = {
    "1": "transaction set not supported",
    "2": "transaction set trailer missing",
    "3": "control numbers of header and trailer differ",
    "4": "segment count does not match",
    "5": "one or more segments in error",
    "6": "transaction set identifier missing or invalid",
    "7": "transaction set control number missing or invalid",
    "18": "transaction set not in a functional group",
    "19": "implementation convention reference invalid",
    "23": "control number not unique in the functional group",
    "I5": "one or more segments in error against the guide",
    "I6": "implementation convention not supported",
}
"""IK502..IK506 transaction set syntax error codes (the ones this package uses)."""

GROUP_ERROR_CODES: Final[dict[str, str]] = {
    "1": "functional group not supported",
    "2": "functional group version not supported",
    "3": "functional group trailer missing",
    "4": "control numbers of header and trailer differ",
    "5": "transaction set count does not match",
    "6": "group control number invalid",
    "19": "group control number not unique in the interchange",
}
"""AK905..AK909 functional group syntax error codes (the ones this package uses)."""

INTERCHANGE_NOTE_CODES: Final[dict[str, str]] = {
    "000": "no error",
    "001": "control numbers of header and trailer differ",
    "003": "version of the interchange control segments not supported",
    "005": "sender ID qualifier invalid",
    "006": "sender ID invalid",
    "007": "receiver ID qualifier invalid",
    "008": "receiver ID invalid",
    "010": "authorization information qualifier invalid",
    "012": "security information qualifier invalid",
    "014": "interchange date invalid",
    "015": "interchange time invalid",
    "017": "interchange version invalid",
    "018": "interchange control number invalid",
    "019": "acknowledgment requested value invalid",
    "020": "test indicator invalid",
    "021": "number of included groups invalid",
    "022": "control structure invalid",
    "023": "premature end of the interchange",
    "024": "interchange content invalid",
}
"""TA105 interchange note codes (the ones this package uses)."""

STATUS_CATEGORIES: Final[dict[str, str]] = {
    "A0": "forwarded to another entity",
    "A1": "received (acknowledged)",
    "A2": "accepted into adjudication",
    "A3": "returned as unprocessable",
    "A4": "not found",
    "A5": "split",
    "A6": "rejected: missing information",
    "A7": "rejected: invalid information",
    "A8": "rejected: relational field in error",
    "P0": "pending: adjudication or details",
    "P1": "pending: in process",
    "P2": "pending: payer review",
    "P3": "pending: provider requested information",
    "P4": "pending: patient requested information",
    "F0": "finalized",
    "F1": "finalized: payment",
    "F2": "finalized: denial",
    "F3": "finalized: revised",
    "F4": "finalized: adjudication complete, no payment forthcoming",
    "E0": "response not possible: error on submitted request",
    "E1": "response not possible: system status",
    "R0": "request for more information: general",
}
"""Claim status category codes (STC01-1) of 277CA and 277 answers."""

_REJECTED_CATEGORIES: Final = frozenset({"A3", "A4", "A6", "A7", "A8"})


# -- 999 ----------------------------------------------------------------------------------------


class ElementError(Record):
    """IK4: one element in error."""

    element: int = Field(ge=1, le=99, description="IK401-1: position in the segment")
    component: int | None = Field(default=None, ge=1, le=99, description="IK401-2")
    repetition: int | None = Field(default=None, ge=1, le=99999, description="IK401-3")
    reference: Code | None = Field(default=None, description="IK402: data element number")
    code: Code = Field(description="IK403: element error code (ELEMENT_ERROR_CODES)")
    value: Annotated[str, StringConstraints(min_length=1, max_length=99)] | None = Field(
        default=None, description="IK404: copy of the bad element"
    )


class SegmentError(Record):
    """IK3: one segment in error, with the claim it belongs to (CTX) and its element errors."""

    segment_id: SegmentId = Field(description="IK301")
    position: int = Field(ge=1, description="IK302: ordinal in the transaction set, ST = 1")
    loop_id: Code | None = Field(default=None, description="IK303")
    code: Code = Field(description="IK304: segment error code (SEGMENT_ERROR_CODES)")
    claim_id: Code | None = Field(
        default=None, description="CTX*CLM01: the claim the segment belongs to"
    )
    elements: list[ElementError] = Field(default_factory=list)


class TransactionSetAck(Record):
    """AK2 ... IK5: the verdict on one transaction set."""

    set_id: Code = Field(description="AK201, e.g. 837")
    control_number: Code = Field(description="AK202: ST02 of the set")
    implementation_reference: Code | None = Field(default=None, description="AK203: ST03")
    status: AckCode = Field(description="IK501")
    error_codes: list[Code] = Field(default_factory=list, max_length=5, description="IK502+")
    segments: list[SegmentError] = Field(default_factory=list)


class FunctionalGroupAck(Record):
    """One 999 transaction set: the acknowledgment of one functional group (AK1 ... AK9)."""

    functional_id: Code = Field(description="AK101: GS01 of the group, e.g. HC")
    group_control: Code = Field(description="AK102: GS06 of the group")
    version: Code | None = Field(default=None, description="AK103: GS08 of the group")
    status: AckCode = Field(description="AK901")
    included: int = Field(ge=0, description="AK902: sets the group says it has (GE01)")
    received: int = Field(ge=0, description="AK903: sets received")
    accepted: int = Field(ge=0, description="AK904: sets accepted (A or E)")
    error_codes: list[Code] = Field(default_factory=list, max_length=5, description="AK905+")
    transaction_sets: list[TransactionSetAck] = Field(default_factory=list)


class InterchangeAck(Record):
    """TA1: the verdict on one interchange's envelope, echoing its ISA13, ISA09 and ISA10."""

    control_number: Code = Field(description="TA101: ISA13 of the interchange")
    interchange_date: Code = Field(description="TA102: ISA09 (YYMMDD) as received")
    interchange_time: Code = Field(description="TA103: ISA10 (HHMM) as received")
    status: AckCode = Field(description="TA104: A accepted, E accepted with errors, R rejected")
    note_code: Annotated[str, StringConstraints(pattern=r"^[0-9]{3}$")] = Field(
        description="TA105: what is wrong (INTERCHANGE_NOTE_CODES), 000 when nothing is"
    )

    @field_validator("status")
    @classmethod
    def _envelope_verdict(cls, value: AckCode) -> AckCode:
        if value not in (AckCode.ACCEPTED, AckCode.ACCEPTED_WITH_ERRORS, AckCode.REJECTED):
            raise ValueError("a TA1 status is A, E or R")
        return value


# -- 277CA / 277 --------------------------------------------------------------------------------


class StatusCode(Record):
    """One claim status composite (STC01, STC10 or STC11)."""

    category: Code = Field(description="Status category, e.g. A1, A2, A3, A7, F1, P1")
    code: Code = Field(description="Claim status code, e.g. 20 accepted for processing")
    entity: Code | None = Field(default=None, description="Entity identifier, e.g. PR, 85")


class StatusEntry(Record):
    """One STC segment: up to three status composites, the date and the amounts."""

    codes: list[StatusCode] = Field(min_length=1, max_length=3)
    date: dt.date | None = Field(default=None, description="STC02: effective date")
    action_code: Code | None = Field(default=None, description="STC03: WQ accept, U reject")
    charge: Money | None = Field(default=None, description="STC04: total claim charge")
    paid: Money | None = Field(default=None, description="STC05: payment amount")
    adjudication_date: dt.date | None = Field(default=None, description="STC06")
    check_date: dt.date | None = Field(default=None, description="STC08")
    check_number: Code | None = Field(default=None, description="STC09")

    @property
    def category(self) -> str:
        return self.codes[0].category


class ClaimStatusReport(Record):
    """The payer's word on one claim: a 277CA claim acknowledgment or a 277 status answer."""

    __ordered__: ClassVar[tuple[tuple[str, str], ...]] = (("service_from", "service_to"),)

    guide: Code = Field(description="005010X214 (277CA) or 005010X212 (277)")
    claim_id: Code | None = Field(
        default=None, description="Patient control number (CLM01): TRN02 (277CA), REF*EJ (277)"
    )
    trace_number: Code | None = Field(
        default=None, description="277: TRN02, the trace number of the 276 answered"
    )
    payer_claim_control_number: Code | None = Field(default=None, description="REF*1K")
    payer_id: Code | None = Field(default=None, description="NM1*PR 09")
    payer_name: Text | None = None
    provider_npi: Code | None = Field(default=None, description="NM1*85 / NM1*1P 09")
    provider_name: Text | None = None
    member_id: Code | None = Field(default=None, description="NM1*QC / NM1*IL 09")
    patient_last_name: Text | None = None
    patient_first_name: Text | None = None
    service_from: dt.date | None = Field(default=None, description="DTP*472")
    service_to: dt.date | None = None
    statuses: list[StatusEntry] = Field(min_length=1)

    @property
    def category(self) -> str:
        """Category of the first status (the main one)."""
        return self.statuses[0].category

    @property
    def rejected(self) -> bool:
        """The claim was refused before adjudication (277CA A3/A4/A6/A7/A8)."""
        return self.category in _REJECTED_CATEGORIES


class SummaryLevel(StrEnum):
    """HL03 of the 277CA level a :class:`StatusSummary` sums up."""

    RECEIVER = "21"
    """2200B: the whole batch sent by the information receiver (the submitter)."""
    PROVIDER = "19"
    """2200C: the claims of one billing provider in the batch."""


class StatusSummary(Record):
    """A 277CA verdict above the claims: on the batch (2200B) or one billing provider (2200C).

    Its STC says whether the claims were received (A1) or the batch refused; the counts and
    amounts split the claims below it into accepted and rejected ones.
    """

    guide: Code = Field(description="005010X214")
    level: SummaryLevel
    trace_number: Code | None = Field(
        default=None, description="TRN02: the batch's trace (2200B), the provider's (2200C)"
    )
    payer_id: Code | None = Field(default=None, description="NM1*PR 09 of the source level")
    payer_name: Text | None = None
    entity_id: Code | None = Field(
        default=None, description="NM1*41 09 (submitter, 2100B) or NM1*85 09 (NPI, 2100C)"
    )
    entity_name: Text | None = None
    statuses: list[StatusEntry] = Field(min_length=1)
    accepted_quantity: int | None = Field(default=None, ge=0, description="QTY*90 / QTY*QA")
    rejected_quantity: int | None = Field(default=None, ge=0, description="QTY*AA / QTY*QC")
    accepted_amount: Money | None = Field(default=None, description="AMT*YU")
    rejected_amount: Money | None = Field(default=None, description="AMT*YY")


class ClaimStatusInquiry(Record):
    """A 276 question about one claim: where does it stand?"""

    __ordered__: ClassVar[tuple[tuple[str, str], ...]] = (("service_from", "service_to"),)

    trace_number: Code = Field(description="TRN02, echoed by the 277 answer")
    payer_id: Code
    payer_name: Text | None = None
    provider_npi: Code = Field(description="NM1*1P 09: the billing provider")
    provider_name: Text | None = None
    member_id: Code = Field(description="NM1*IL 09: the subscriber's member id")
    subscriber_last_name: Text | None = None
    subscriber_first_name: Text | None = None
    dependent: bool = Field(default=False, description="The patient is a dependent (HL 23)")
    patient_last_name: Text | None = Field(default=None, description="NM1*QC (dependent)")
    patient_first_name: Text | None = None
    birth_date: dt.date | None = Field(default=None, description="DMG of the patient")
    sex: Sex | None = None
    claim_id: Code = Field(description="REF*EJ: the patient control number (CLM01)")
    payer_claim_control_number: Code | None = Field(default=None, description="REF*1K")
    total_charge: Money | None = Field(default=None, description="AMT*T3")
    service_from: dt.date | None = Field(default=None, description="DTP*472")
    service_to: dt.date | None = None


# -- 270 / 271 ----------------------------------------------------------------------------------


class EligibilityInquiry(Record):
    """A 270 question: is this member covered by this payer on this date, for these services."""

    trace_number: Code = Field(description="TRN02 of the subscriber loop")
    payer_id: Code
    payer_name: Text | None = None
    provider_npi: Code
    provider_name: Text | None = None
    member_id: Code
    first_name: Text | None = None
    last_name: Text | None = None
    birth_date: dt.date | None = None
    sex: Sex | None = None
    service_date: dt.date | None = Field(default=None, description="DTP*291")
    service_types: list[Code] = Field(
        default_factory=lambda: ["30"], min_length=1, description="EQ01, 30 = plan coverage"
    )


class EligibilityBenefit(Record):
    """One EB segment of a 271 and the dates of its loop (2110C)."""

    __ordered__: ClassVar[tuple[tuple[str, str], ...]] = (("begin", "end"),)

    code: Code = Field(description="EB01: 1 active coverage, 6 inactive, I non-covered, ...")
    coverage_level: Code | None = Field(default=None, description="EB02, e.g. IND, FAM")
    service_types: list[Code] = Field(default_factory=list, description="EB03 repetitions")
    insurance_type: Code | None = Field(default=None, description="EB04, e.g. C1, MB, HM")
    plan_description: Text | None = Field(default=None, description="EB05")
    time_period: Code | None = Field(default=None, description="EB06")
    amount: Money | None = Field(default=None, description="EB07")
    percent: float | None = Field(default=None, ge=0, le=1, description="EB08")
    in_network: Code | None = Field(default=None, description="EB12: Y, N, U, W")
    begin: dt.date | None = Field(default=None, description="DTP*291/346/348 begin")
    end: dt.date | None = Field(default=None, description="DTP*291 range end/347/349")
    messages: list[Text] = Field(default_factory=list, description="MSG01")

    @property
    def active(self) -> bool:
        """EB01 1-5: active coverage (of some kind)."""
        return self.code in ("1", "2", "3", "4", "5")


class EligibilityResponse(Record):
    """A 271 answer about one subscriber (or dependent): benefits or the reason it failed."""

    __ordered__: ClassVar[tuple[tuple[str, str], ...]] = (("plan_begin", "plan_end"),)

    trace_number: Code | None = Field(default=None, description="TRN02 echoed from the 270")
    payer_id: Code | None = None
    payer_name: Text | None = None
    provider_npi: Code | None = None
    member_id: Code | None = None
    first_name: Text | None = None
    last_name: Text | None = None
    birth_date: dt.date | None = None
    sex: Sex | None = None
    group_number: Code | None = Field(default=None, description="REF*6P")
    plan_begin: dt.date | None = Field(default=None, description="DTP*346 or 291 begin")
    plan_end: dt.date | None = Field(default=None, description="DTP*347 or 291 end")
    rejections: list[Code] = Field(
        default_factory=list, description="AAA03 reject reasons, e.g. 72 invalid member ID"
    )
    benefits: list[EligibilityBenefit] = Field(default_factory=list)

    @property
    def active(self) -> bool:
        """Any EB with active coverage and no AAA rejection."""
        return not self.rejections and any(b.active for b in self.benefits)

"""Reading X12 files: parse into canonical or typed records, or validate and list every problem.

``parse`` stops at the first problem with :class:`X12ParseError`; ``validate`` reads the whole
file and returns every :class:`X12Problem` (envelope counts and control numbers, structure,
required segments and elements, dates, code values, 835 balancing).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TypeVar

from ...domain import Claim, ClaimPayment, ClaimType, Coverage, Member, Record
from .batch import iter_claim_batches, parse_claim_batch
from .errors import X12Problem
from .reader import Handler, HandlerFactory, Reader
from .records import (
    ClaimStatusInquiry,
    ClaimStatusReport,
    EligibilityInquiry,
    EligibilityResponse,
    FunctionalGroupAck,
)
from .tokenizer import Source
from .x270 import ELIGIBILITY_VERSION, Eligibility270Handler, Eligibility271Handler
from .x276 import STATUS_REQUEST_VERSION, ClaimStatus276Handler
from .x277 import ACKNOWLEDGMENT_VERSION, STATUS_VERSION, ClaimStatus277Handler
from .x834 import ENROLLMENT_VERSION, Enrollment834Handler
from .x835 import Remittance835Handler
from .x837 import Claim837Handler
from .x999 import ACK_VERSION, Ack999Handler

__all__ = [
    "INSTITUTIONAL_VERSION",
    "PROFESSIONAL_VERSION",
    "REMITTANCE_VERSION",
    "SUPPORTED",
    "iter_claim_batches",
    "parse",
    "parse_acks",
    "parse_claim_batch",
    "parse_claims",
    "parse_eligibility",
    "parse_enrollment",
    "parse_payments",
    "parse_status_inquiries",
    "parse_statuses",
    "validate",
]

PROFESSIONAL_VERSION = "005010X222A1"
INSTITUTIONAL_VERSION = "005010X223A2"
REMITTANCE_VERSION = "005010X221A1"
SUPPORTED = (
    ("837", PROFESSIONAL_VERSION),
    ("837", INSTITUTIONAL_VERSION),
    ("837", "005010X223A3"),
    ("835", REMITTANCE_VERSION),
    ("999", ACK_VERSION),
    ("276", STATUS_REQUEST_VERSION),
    ("277", ACKNOWLEDGMENT_VERSION),
    ("277", STATUS_VERSION),
    ("834", ENROLLMENT_VERSION),
    ("270", ELIGIBILITY_VERSION),
    ("271", ELIGIBILITY_VERSION),
)
"""Transaction sets and implementation guides read (ST01, ST03 or GS08)."""


_ALL: tuple[str, ...] = tuple(sorted({set_id for set_id, _ in SUPPORTED}))


def _factory(check_balance: bool, sets: tuple[str, ...] = _ALL) -> HandlerFactory:
    def make(set_id: str, version: str) -> Handler | None:
        if set_id not in sets:
            return None
        if set_id == "837" and version.startswith("005010X222"):
            return Claim837Handler(ClaimType.PROFESSIONAL)
        if set_id == "837" and version.startswith("005010X223"):
            return Claim837Handler(ClaimType.INSTITUTIONAL)
        if set_id == "835" and version.startswith("005010X221"):
            return Remittance835Handler(check_balance=check_balance)
        if set_id == "999" and version.startswith("005010X231"):
            return Ack999Handler()
        if set_id == "277" and version.startswith((ACKNOWLEDGMENT_VERSION, STATUS_VERSION)):
            return ClaimStatus277Handler(version)
        if set_id == "276" and version.startswith(STATUS_REQUEST_VERSION):
            return ClaimStatus276Handler()
        if set_id == "834" and version.startswith("005010X220"):
            return Enrollment834Handler()
        if set_id == "270" and version.startswith("005010X279"):
            return Eligibility270Handler()
        if set_id == "271" and version.startswith("005010X279"):
            return Eligibility271Handler()
        return None

    return make


def parse(source: Source) -> Iterator[Record]:
    """Every record of every supported transaction set of ``source``, and the TA1
    interchange acknowledgments between them (:class:`~.records.InterchangeAck`), in file
    order.

    Raises X12ParseError at the first problem, including an unsupported transaction set.
    Records stream out as the file is read; memory does not grow with the file.
    """
    return Reader(source, _factory(False)).records()


R = TypeVar("R", bound=Record)


def _of_kind(source: Source, sets: tuple[str, ...], kind: type[R]) -> Iterator[R]:
    """The records of ``kind`` in the transaction sets ``sets`` of ``source`` (TA1s left out;
    X12ParseError at a transaction set of another kind)."""
    for record in Reader(source, _factory(False, sets)).records():
        if isinstance(record, kind):
            yield record


def parse_claims(source: Source) -> Iterator[Claim]:
    """The claims of an 837P/837I file; X12ParseError at a transaction set of another kind."""
    return _of_kind(source, ("837",), Claim)


def parse_payments(source: Source) -> Iterator[ClaimPayment]:
    """The claim payments of an 835 file; X12ParseError at a transaction set of another kind."""
    return _of_kind(source, ("835",), ClaimPayment)


def parse_acks(source: Source) -> Iterator[FunctionalGroupAck]:
    """The functional group acknowledgments of a 999 file."""
    return _of_kind(source, ("999",), FunctionalGroupAck)


def parse_statuses(source: Source) -> Iterator[ClaimStatusReport]:
    """The claim status reports of a 277CA or 277 file (the 277CA's summaries left out)."""
    for record in Reader(source, _factory(False, ("277",))).records():
        if isinstance(record, ClaimStatusReport):
            yield record


def parse_status_inquiries(source: Source) -> Iterator[ClaimStatusInquiry]:
    """The claim status inquiries of a 276 file."""
    return _of_kind(source, ("276",), ClaimStatusInquiry)


def parse_enrollment(source: Source) -> Iterator[Member | Coverage]:
    """The members, each followed by its coverages, of an 834 file."""
    for record in Reader(source, _factory(False, ("834",))).records():
        if isinstance(record, Member | Coverage):  # TA1s left out
            yield record


def parse_eligibility(source: Source) -> Iterator[EligibilityInquiry | EligibilityResponse]:
    """The eligibility inquiries (270) and responses (271) of a file."""
    for record in Reader(source, _factory(False, ("270", "271"))).records():
        if isinstance(record, EligibilityInquiry | EligibilityResponse):  # TA1s left out
            yield record


def validate(source: Source) -> list[X12Problem]:
    """Every problem in ``source``, in file order; an empty list means the file is clean."""
    problems: list[X12Problem] = []
    for _ in Reader(source, _factory(True), problems=problems).records():
        pass
    return problems

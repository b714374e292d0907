"""Reading X12 files: parse into canonical records, or validate and list every problem.

``parse`` stops at the first problem with :class:`X12ParseError`; ``validate`` reads the whole
file and returns every :class:`X12Problem` (envelope counts and control numbers, structure,
required segments and elements, dates, code values, 835 balancing).
"""

from __future__ import annotations

from collections.abc import Iterator

from ...domain import Claim, ClaimPayment, ClaimType, Record
from .errors import X12Problem
from .reader import Handler, HandlerFactory, Reader
from .tokenizer import Source
from .x835 import Remittance835Handler
from .x837 import Claim837Handler

__all__ = [
    "INSTITUTIONAL_VERSION",
    "PROFESSIONAL_VERSION",
    "REMITTANCE_VERSION",
    "SUPPORTED",
    "parse",
    "parse_claims",
    "parse_payments",
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
)
"""Transaction sets and implementation guides read (ST01, ST03 or GS08)."""


def _factory(check_balance: bool, sets: tuple[str, ...] = ("837", "835")) -> HandlerFactory:
    def make(set_id: str, version: str) -> Handler | None:
        if set_id not in sets:
            return None
        if set_id == "837" and version.startswith("005010X222"):
            return Claim837Handler(ClaimType.PROFESSIONAL)
        if set_id == "837" and version.startswith("005010X223"):
            return Claim837Handler(ClaimType.INSTITUTIONAL)
        if set_id == "835" and version.startswith("005010X221"):
            return Remittance835Handler(check_balance=check_balance)
        return None

    return make


def parse(source: Source) -> Iterator[Record]:
    """Every claim (837P/837I) and claim payment (835) of ``source``, in file order.

    Raises X12ParseError at the first problem, including an unsupported transaction set.
    Records stream out as the file is read; memory does not grow with the file.
    """
    return Reader(source, _factory(False)).records()


def parse_claims(source: Source) -> Iterator[Claim]:
    """The claims of an 837P/837I file; X12ParseError at a transaction set of another kind."""
    for record in Reader(source, _factory(False, ("837",))).records():
        assert isinstance(record, Claim)
        yield record


def parse_payments(source: Source) -> Iterator[ClaimPayment]:
    """The claim payments of an 835 file; X12ParseError at a transaction set of another kind."""
    for record in Reader(source, _factory(False, ("835",))).records():
        assert isinstance(record, ClaimPayment)
        yield record


def validate(source: Source) -> list[X12Problem]:
    """Every problem in ``source``, in file order; an empty list means the file is clean."""
    problems: list[X12Problem] = []
    for _ in Reader(source, _factory(True), problems=problems).records():
        pass
    return problems

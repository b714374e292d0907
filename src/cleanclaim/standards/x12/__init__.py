"""X12 5010 for cleanclaim: a streaming tokenizer, envelope checks, readers into canonical or
typed records (837P/837I, 835, 834, 270/271, 276/277, 277CA, 999, TA1), a validator that lists
every problem, 999 and TA1 acknowledgments of what it found, and writers (837, 835, 834, 270,
276, 277CA/277, 999, TA1).

Typical use::

    from pathlib import Path
    from cleanclaim.standards.x12 import parse, validate, format_837

    claims = list(parse(Path("claims.837")))   # X12ParseError at the first problem
    problems = validate(Path("claims.837"))    # every problem, with its position
"""

from .api import (
    INSTITUTIONAL_VERSION,
    PROFESSIONAL_VERSION,
    REMITTANCE_VERSION,
    SUPPORTED,
    iter_claim_batches,
    parse,
    parse_acks,
    parse_claim_batch,
    parse_claims,
    parse_eligibility,
    parse_enrollment,
    parse_payments,
    parse_status_inquiries,
    parse_statuses,
    validate,
)
from .errors import ProblemKind, X12ParseError, X12Problem
from .records import (
    AckCode,
    ClaimStatusInquiry,
    ClaimStatusReport,
    ElementError,
    EligibilityBenefit,
    EligibilityInquiry,
    EligibilityResponse,
    FunctionalGroupAck,
    InterchangeAck,
    SegmentError,
    StatusCode,
    StatusEntry,
    StatusSummary,
    SummaryLevel,
    TransactionSetAck,
)
from .ta1 import (
    acknowledgments,
    format_acknowledgments,
    interchange_acks,
    parse_interchange_acks,
    write_acknowledgments,
)
from .tokenizer import Delimiters, Segment, Source, iter_segment_blocks, iter_segments
from .writer import WriteOptions, format_835, format_837, write_835, write_837
from .x270 import (
    ELIGIBILITY_VERSION,
    format_270,
    format_271,
    inquiry_for,
    write_270,
    write_271,
)
from .x276 import STATUS_REQUEST_VERSION, format_276, status_inquiry_for, write_276
from .x277 import ACKNOWLEDGMENT_VERSION, STATUS_VERSION, format_277, write_277
from .x834 import ENROLLMENT_VERSION, format_834, write_834
from .x835 import balance_problems
from .x999 import ACK_VERSION, acknowledge, format_999, reply_options, write_999

__all__ = [
    "ACKNOWLEDGMENT_VERSION",
    "ACK_VERSION",
    "ELIGIBILITY_VERSION",
    "ENROLLMENT_VERSION",
    "INSTITUTIONAL_VERSION",
    "PROFESSIONAL_VERSION",
    "REMITTANCE_VERSION",
    "STATUS_REQUEST_VERSION",
    "STATUS_VERSION",
    "SUPPORTED",
    "AckCode",
    "ClaimStatusInquiry",
    "ClaimStatusReport",
    "Delimiters",
    "ElementError",
    "EligibilityBenefit",
    "EligibilityInquiry",
    "EligibilityResponse",
    "FunctionalGroupAck",
    "InterchangeAck",
    "ProblemKind",
    "Segment",
    "SegmentError",
    "Source",
    "StatusCode",
    "StatusEntry",
    "StatusSummary",
    "SummaryLevel",
    "TransactionSetAck",
    "WriteOptions",
    "X12ParseError",
    "X12Problem",
    "acknowledge",
    "acknowledgments",
    "balance_problems",
    "format_270",
    "format_271",
    "format_276",
    "format_277",
    "format_834",
    "format_835",
    "format_837",
    "format_999",
    "format_acknowledgments",
    "inquiry_for",
    "interchange_acks",
    "iter_claim_batches",
    "iter_segment_blocks",
    "iter_segments",
    "parse",
    "parse_acks",
    "parse_claim_batch",
    "parse_claims",
    "parse_eligibility",
    "parse_enrollment",
    "parse_interchange_acks",
    "parse_payments",
    "parse_status_inquiries",
    "parse_statuses",
    "reply_options",
    "status_inquiry_for",
    "validate",
    "write_270",
    "write_271",
    "write_276",
    "write_277",
    "write_834",
    "write_835",
    "write_837",
    "write_999",
    "write_acknowledgments",
]

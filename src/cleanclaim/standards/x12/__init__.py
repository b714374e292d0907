"""X12 5010 for cleanclaim: a streaming tokenizer, envelope checks, 837P/837I and 835 readers
into canonical records, a validator that lists every problem, and 837/835 writers.

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
    parse,
    parse_claims,
    parse_payments,
    validate,
)
from .errors import ProblemKind, X12ParseError, X12Problem
from .tokenizer import Delimiters, Segment, Source, iter_segment_blocks, iter_segments
from .writer import WriteOptions, format_835, format_837, write_835, write_837
from .x835 import balance_problems

__all__ = [
    "INSTITUTIONAL_VERSION",
    "PROFESSIONAL_VERSION",
    "REMITTANCE_VERSION",
    "SUPPORTED",
    "Delimiters",
    "ProblemKind",
    "Segment",
    "Source",
    "WriteOptions",
    "X12ParseError",
    "X12Problem",
    "balance_problems",
    "format_835",
    "format_837",
    "iter_segment_blocks",
    "iter_segments",
    "parse",
    "parse_claims",
    "parse_payments",
    "validate",
    "write_835",
    "write_837",
]

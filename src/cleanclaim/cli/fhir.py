"""``cleanclaim fhir``: parse FHIR R4 JSON (a resource, a Bundle or NDJSON) into canonical JSON
Lines, or validate it and list every problem.

Thin: the reading and checking live in :mod:`cleanclaim.standards.fhir`. Exit codes: 0 success,
1 the file has problems (validate), 2 the input cannot be read or parsed (or FHIR support is not
installed).
"""

from __future__ import annotations

from pathlib import Path

import typer

from ..domain import (
    Authorization,
    Claim,
    ClaimPayment,
    Coverage,
    Member,
    Payer,
    Plan,
    Provider,
    Record,
)
from ..standards.fhir import (
    EligibilityResult,
    FhirInputError,
    FhirUnavailableError,
    parse,
    validate,
)
from ..standards.x12.records import EligibilityInquiry
from .common import exit_unreadable, report_problems, write_record_lines

__all__ = ["app"]

app = typer.Typer(
    name="fhir",
    help=(
        "Read FHIR R4 JSON (Claim, ClaimResponse incl. prior authorizations, "
        "ExplanationOfBenefit, Coverage, Patient, CoverageEligibilityRequest, "
        "CoverageEligibilityResponse, payer Organization, InsurancePlan, PractitionerRole; "
        "single resource, Bundle or NDJSON): "
        "parse to canonical records or validate."
    ),
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)

_RECORD_TYPES: dict[type[Record], str] = {
    Claim: "claim",
    ClaimPayment: "claim_payment",
    Member: "member",
    Coverage: "coverage",
    EligibilityInquiry: "eligibility_inquiry",
    EligibilityResult: "eligibility_result",
    Payer: "payer",
    Plan: "plan",
    Provider: "provider",
    Authorization: "authorization",
}


def _readable(path: Path) -> None:
    try:
        with path.open("rb"):
            pass
    except OSError as exc:
        raise exit_unreadable(f"{path}: cannot read: {exc.strerror or exc}") from None


@app.command("parse")
def parse_command(
    file: Path = typer.Argument(..., help="The FHIR JSON or NDJSON file."),
    out: Path | None = typer.Option(
        None, "--out", "-o", help="Write the JSON Lines here instead of standard output."
    ),
) -> None:
    """Print one JSON object per canonical record (JSON Lines); "record" names the type."""
    _readable(file)
    write_record_lines(
        lambda: parse(file), _RECORD_TYPES, out, (FhirInputError, FhirUnavailableError)
    )


@app.command("validate")
def validate_command(
    file: Path = typer.Argument(..., help="The FHIR JSON or NDJSON file."),
    as_json: bool = typer.Option(False, "--json", help="Print the problems as JSON."),
) -> None:
    """List every problem with its position; exit code 1 when there is any."""
    _readable(file)
    try:
        problems = validate(file)
    except FhirUnavailableError as exc:
        raise exit_unreadable(str(exc)) from None
    report_problems(file, problems, as_json=as_json)

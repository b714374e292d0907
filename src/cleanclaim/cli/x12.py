"""``cleanclaim x12``: parse X12 files into canonical JSON Lines, or validate them.

Thin: the reading and checking live in :mod:`cleanclaim.standards.x12`. Exit codes: 0 success,
1 the file has problems (validate), 2 the input cannot be read or parsed.
"""

from __future__ import annotations

from pathlib import Path

import typer

from ..domain import Claim, ClaimPayment, Coverage, Member, Record
from ..standards.x12 import (
    ClaimStatusInquiry,
    ClaimStatusReport,
    EligibilityInquiry,
    EligibilityResponse,
    FunctionalGroupAck,
    InterchangeAck,
    StatusSummary,
    X12ParseError,
    X12Problem,
    acknowledgments,
    parse,
    reply_options,
    validate,
    write_999,
    write_acknowledgments,
)
from .common import exit_unreadable, report_problems, write_record_lines

__all__ = ["app"]

app = typer.Typer(
    name="x12",
    help=(
        "Read X12 5010 files (837P, 837I, 835, 834, 270/271, 276/277, 277CA, 999, TA1): parse to "
        "canonical records or validate, with a 999 (and TA1) acknowledgment on request."
    ),
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)

_RECORD_TYPES: dict[type[Record], str] = {
    Claim: "claim",
    ClaimPayment: "claim_payment",
    Member: "member",
    Coverage: "coverage",
    FunctionalGroupAck: "functional_group_ack",
    InterchangeAck: "interchange_ack",
    ClaimStatusReport: "claim_status",
    StatusSummary: "status_summary",
    ClaimStatusInquiry: "claim_status_inquiry",
    EligibilityInquiry: "eligibility_inquiry",
    EligibilityResponse: "eligibility_response",
}


def _readable(path: Path) -> None:
    try:
        with path.open("rb") as stream:
            head = stream.read(512)
    except OSError as exc:
        raise exit_unreadable(f"{path}: cannot read: {exc.strerror or exc}") from None
    if not head.lstrip(b" \t\r\n\xef\xbb\xbf").startswith(b"ISA"):
        raise exit_unreadable(f"{path}: not an X12 interchange (it does not start with ISA)")


@app.command("parse")
def parse_command(
    file: Path = typer.Argument(..., help="The X12 file."),
    out: Path | None = typer.Option(
        None, "--out", "-o", help="Write the JSON Lines here instead of standard output."
    ),
) -> None:
    """Print one JSON object per record (JSON Lines); its "record" field names the type."""
    _readable(file)
    write_record_lines(lambda: parse(file), _RECORD_TYPES, out, (X12ParseError,))


def _write_ack(file: Path, problems: list[X12Problem], ack: Path) -> None:
    interchanges, groups = acknowledgments(file, problems)
    try:
        with ack.open("w", encoding="utf-8") as stream:
            if interchanges:
                write_acknowledgments(interchanges, groups, stream, reply_options(file))
            else:
                write_999(groups, stream, reply_options(file))
    except OSError as exc:
        raise exit_unreadable(f"{ack}: cannot write: {exc.strerror or exc}") from None
    verdicts = [
        f"interchange {i.control_number} {i.status.value} {i.note_code}" for i in interchanges
    ]
    verdicts += [f"group {g.group_control} {g.status.value}" for g in groups]
    kinds = " and ".join(
        kind for kind, some in (("TA1", interchanges), ("999", groups or not interchanges)) if some
    )
    typer.echo(f"{kinds} written to {ack} ({', '.join(verdicts) or 'none'})", err=True)


def _problem_line(problem: X12Problem) -> str:
    return f"[{problem.kind.value}] {problem}"


@app.command("validate")
def validate_command(
    file: Path = typer.Argument(..., help="The X12 file."),
    as_json: bool = typer.Option(False, "--json", help="Print the problems as JSON."),
    ack: Path | None = typer.Option(
        None,
        "--ack",
        help=(
            "Also write the acknowledgment of the file here: a 999 of its functional groups, "
            "preceded by a TA1 when the interchange envelope (ISA/IEA) is at fault or ISA14 "
            "asks for one. A rejected interchange gets its TA1 alone."
        ),
    ),
) -> None:
    """List every problem with its position; exit code 1 when there is any."""
    _readable(file)
    problems = validate(file)
    if ack is not None:
        _write_ack(file, problems, ack)
    report_problems(file, problems, as_json=as_json, line=_problem_line)

"""Files in and out of the simulated payer: a submission read from disk, the answers written.

A submission is one or more 837 files (each checked first, as a clearinghouse would: a file
with syntax problems is refused whole with a 999 rejection and none of its claims reach the
payer) or canonical claims batches (a folder holding ``claims.parquet``/``claims.csv`` and its
child tables, or one of those files). The answers are the 835 remittance, the 277CA claim
acknowledgments, a 999 for each 837 received, a per-claim outcomes table and a JSON summary.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa

from cleanclaim.domain import Claim
from cleanclaim.domain.schema import Batch, batch_from_records, table_specs
from cleanclaim.errors import InputError
from cleanclaim.standards.tabular import read_batch_files
from cleanclaim.standards.x12 import (
    X12ParseError,
    acknowledge,
    parse_claims,
    reply_options,
    validate,
    write_277,
    write_835,
    write_999,
)
from cleanclaim.standards.x12.records import (
    ClaimStatusReport,
    FunctionalGroupAck,
    StatusCode,
    StatusEntry,
)

from .adjudicate import Acknowledgment, Adjudication

__all__ = ["FileAck", "Submission", "read_submission", "status_reports", "write_answers"]

_TABULAR = (".csv", ".parquet")


@dataclass(frozen=True)
class FileAck:
    """What a 999 says about one input file: accepted, or rejected with its problems."""

    source: str
    accepted: bool
    claims: int
    problems: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Submission:
    """The claims that reached the payer and the file acknowledgments of the inputs."""

    claims: Batch
    files: list[FileAck]
    syntax_acks: dict[str, list[FunctionalGroupAck]] = field(default_factory=dict)
    """The 999 functional group acknowledgments of each 837 input, by path."""


def read_submission(paths: Sequence[Path]) -> Submission:
    """Read 837 files and canonical claims batches into one claims batch.

    Raises :class:`~cleanclaim.errors.InputError` when a path does not exist or a canonical
    batch is invalid; an 837 with syntax problems is not an error but a rejected file.
    """
    batches: list[Batch] = []
    acks: list[FileAck] = []
    syntax: dict[str, list[FunctionalGroupAck]] = {}
    for path in paths:
        if not path.exists():
            raise InputError(f"{path}: no such file or folder")
        if path.is_dir() or path.suffix.lower() in _TABULAR:
            folder = path if path.is_dir() else path.parent
            batch = read_batch_files(folder, Claim)
            batches.append(batch)
            acks.append(FileAck(str(path), True, len(batch)))
            continue
        problems = validate(path)
        syntax[str(path)] = acknowledge(path, problems)
        if problems:
            acks.append(FileAck(str(path), False, 0, [str(p) for p in problems[:100]]))
            continue
        try:
            claims = list(parse_claims(path))
        except X12ParseError as exc:  # validate and parse disagree only on unusual files
            acks.append(FileAck(str(path), False, 0, [str(exc)]))
            continue
        batches.append(batch_from_records(Claim, claims))
        acks.append(FileAck(str(path), True, len(claims)))
    return Submission(_concat(batches), acks, syntax)


def _concat(batches: list[Batch]) -> Batch:
    tables: dict[str, pa.Table] = {}
    for spec in table_specs(Claim):
        parts = [b.tables[spec.name] for b in batches]
        schema = spec.arrow_schema()
        tables[spec.name] = (pa.concat_tables([t.cast(schema) for t in parts])
                             if parts else schema.empty_table())
    return Batch(Claim, tables)


def status_reports(result: Adjudication) -> list[ClaimStatusReport]:
    """The claim acknowledgments as typed 277CA records (one per claim), ready for a writer."""
    return [_report(a) for a in result.acknowledgments()]


def _report(a: Acknowledgment) -> ClaimStatusReport:
    code = StatusCode(category=a.category_code, code=a.status_code, entity=a.entity_code)
    entry = StatusEntry(codes=[code], date=a.received_on, action_code="WQ" if a.accepted else "U",
                        charge=Decimal(str(a.charge)).quantize(Decimal("0.01")))
    return ClaimStatusReport(
        guide="005010X214", claim_id=a.claim_id, payer_id=a.payer_id,
        provider_npi=a.billing_npi, member_id=a.member_id,
        patient_last_name=a.patient_last_name, patient_first_name=a.patient_first_name,
        service_from=a.service_from, service_to=a.service_to, statuses=[entry])


def write_answers(result: Adjudication, submission: Submission, out: Path) -> dict[str, Any]:
    """Write the answers to ``out``; returns the summary (also written as summary.json).

    Files: ``remittance.835``; ``277ca.x12`` and ``277ca.jsonl`` (one acknowledgment per
    claim, the JSON with the reason and the CARC a denial would have carried);
    ``<input>.999`` for each 837 input and ``999.jsonl`` (one line per input);
    ``outcomes.parquet`` and ``summary.json``.
    """
    out.mkdir(parents=True, exist_ok=True)
    with (out / "remittance.835").open("w", encoding="ascii", newline="") as stream:
        write_835(result.payments(), stream)
    with (out / "277ca.x12").open("w", encoding="ascii", newline="") as stream:
        write_277(status_reports(result), stream)
    with (out / "277ca.jsonl").open("w", encoding="utf-8") as stream:
        for ack in result.acknowledgments():
            stream.write(json.dumps(asdict(ack), default=str) + "\n")
    for source, groups in submission.syntax_acks.items():
        path = Path(source)
        with (out / f"{path.stem}.999").open("w", encoding="ascii", newline="") as stream:
            write_999(groups, stream, reply_options(path))
    with (out / "999.jsonl").open("w", encoding="utf-8") as stream:
        for file_ack in submission.files:
            stream.write(json.dumps(asdict(file_ack)) + "\n")
    result.outcomes.write_parquet(out / "outcomes.parquet")
    summary = result.summary()
    files = submission.files
    summary["files"] = {"received": len(files), "rejected": sum(not f.accepted for f in files)}
    (out / "summary.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    return summary

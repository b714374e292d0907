"""``cleanclaim scrub``: run the prevention rules over claims and print every finding.

Thin: reading goes through :mod:`cleanclaim.standards` (canonical CSV/Parquet through
:mod:`cleanclaim.pipeline.claim_chunks`), the run through :mod:`cleanclaim.pipeline.scrub_run`.
Claims stream through in chunks of ``--chunk-size`` whole claims (X12 and CSV/Parquet; FHIR is
read whole), so memory does not grow with the input. Findings go out as JSON Lines (one finding
a line) to ``--out`` or standard output as each chunk is done; the summary goes to standard
output when ``--out`` is given, else to standard error, as text or (``--json``) JSON. With
``--save`` the run and its findings are stored and the summary carries the run id. Exit code 0
even with findings; 2 when an input or the context cannot be read, with the file, the row or
segment and the cause, or when a claim ID repeats one of an earlier chunk (findings of earlier
chunks may have been written; nothing is saved).
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any, TextIO

import polars as pl
import pyarrow as pa
import typer

from ..domain import Claim, Coverage, Member, Record
from ..domain.schema import Batch, batch_from_records, table_specs
from ..errors import InputError
from ..pipeline.claim_chunks import CHUNK_SIZE, iter_claim_chunks
from ..pipeline.scrub_run import run_scrub
from ..refdata import RefdataStore
from ..rules import Context, Reference, ScrubResult, default_registry
from ..rules.packs import bundled_packs, load_packs
from ..standards import x12
from ..standards.tabular import find_batches, read_batch_files
from .common import DB_OPTION, fail_cleanly, open_store

__all__ = ["iter_claims", "read_claims", "read_context", "scrub"]

_FORMATS = ("x12", "fhir", "csv", "parquet")
_ENROLMENT_SUFFIXES = (".834", ".x12", ".edi")


def _format_of(path: Path, given: str | None) -> str:
    if given is not None:
        if given not in _FORMATS:
            raise InputError(f"--format {given!r}: expected one of {', '.join(_FORMATS)}")
        return given
    if path.is_dir() or path.suffix.lower() == ".csv":
        return "csv"
    if path.suffix.lower() == ".parquet":
        return "parquet"
    if path.suffix.lower() in (".json", ".ndjson"):
        return "fhir"
    return "x12"


def _read_one(path: Path, fmt: str) -> Batch:
    if not path.exists():
        raise InputError(f"{path}: no such file or folder")
    if fmt == "fhir":
        return batch_from_records(Claim, _fhir_claims(path))
    if fmt in ("csv", "parquet"):
        folder = path if path.is_dir() else path.parent
        return read_batch_files(folder, Claim)
    try:
        claims = list(x12.parse_claims(path))
    except OSError as exc:
        raise InputError(f"{path}: cannot be read: {exc}") from exc
    return batch_from_records(Claim, claims)


def _fhir_claims(path: Path) -> list[Claim]:
    """FHIR Claim resources (a Bundle or NDJSON) through the FHIR adapter, when present."""
    try:
        from ..standards import fhir
    except ImportError as exc:  # the adapter is optional
        raise InputError(f"{path}: FHIR input needs cleanclaim.standards.fhir: {exc}") from exc
    try:
        return [r for r in fhir.parse(path) if isinstance(r, Claim)]
    except ImportError as exc:  # fhir.resources, an optional extra, is missing
        raise InputError(f"{path}: {exc}") from exc


def _concat(batches: list[Batch]) -> Batch:
    if len(batches) == 1:
        return batches[0]
    tables = {s.name: pa.concat_tables([b.tables[s.name] for b in batches])
              for s in table_specs(Claim)}
    return Batch(Claim, tables)


def read_claims(inputs: list[Path], fmt: str | None = None) -> Batch:
    """Every claim of ``inputs`` as one canonical batch (InputError naming the file)."""
    return _concat([_read_one(p, _format_of(p, fmt)) for p in inputs])


def iter_claims(inputs: list[Path], fmt: str | None = None,
                chunk_size: int = CHUNK_SIZE) -> Iterator[Batch]:
    """The claims of ``inputs`` in batches of at most ``chunk_size`` whole claims (a FHIR
    input is one batch); ``chunk_size`` 0 reads everything as one batch."""
    if chunk_size == 0:
        yield read_claims(inputs, fmt)
        return
    for path in inputs:
        kind = _format_of(path, fmt)
        if not path.exists():
            raise InputError(f"{path}: no such file or folder")
        if kind in ("csv", "parquet"):
            yield from iter_claim_chunks(path, kind, chunk_size)
        elif kind == "x12":
            try:
                yield from x12.iter_claim_batches(path, claims_per_batch=chunk_size)
            except OSError as exc:
                raise InputError(f"{path}: cannot be read: {exc}") from exc
        else:
            yield _read_one(path, kind)


def _enrolment(folder: Path) -> tuple[list[Member], list[Coverage], list[str]]:
    """Members and coverages of X12 834 files in ``folder`` (when the 834 reader exists)."""
    files = sorted(p for p in folder.iterdir() if p.suffix.lower() in _ENROLMENT_SUFFIXES)
    members: list[Member] = []
    coverages: list[Coverage] = []
    notes: list[str] = []
    reader = getattr(x12, "parse", None)
    for path in files:
        if reader is None:
            notes.append(f"{path.name}: no X12 834 reader available; skipped")
            continue
        for record in reader(path):
            if isinstance(record, Member):
                members.append(record)
            elif isinstance(record, Coverage):
                coverages.append(record)
    return members, coverages, notes


def _merge(batch: Batch | None, records: list[Any], model: type[Record]) -> Batch | None:
    if not records:
        return batch
    extra = batch_from_records(model, records)
    return extra if batch is None else _concat_any(model, [batch, extra])


def _concat_any(model: type[Record], batches: list[Batch]) -> Batch:
    tables = {s.name: pa.concat_tables([b.tables[s.name] for b in batches])
              for s in table_specs(model)}
    return Batch(model, tables)


def _reference_tables(folder: Path) -> dict[str, pl.DataFrame]:
    out: dict[str, pl.DataFrame] = {}
    for path in sorted(folder.glob("ref_*.parquet")) + sorted(folder.glob("ref_*.csv")):
        try:
            out[path.stem] = (pl.read_parquet(path) if path.suffix == ".parquet"
                              else pl.read_csv(path))
        except (pl.exceptions.PolarsError, OSError) as exc:
            raise InputError(f"{path}: cannot be read: {exc}") from exc
    return out


def read_context(folder: Path | None, *, as_of: dt.date | None = None,
                 store: RefdataStore | None = None) -> tuple[Context, list[str]]:
    """The context in ``folder`` (canonical batch files, X12 834 files, ``ref_*`` code
    tables) over the reference data store; returns it with notes on what was skipped."""
    reference = Reference.from_store(store or RefdataStore())
    notes: list[str] = []
    if folder is None:
        return Context(reference=reference, as_of=as_of), notes
    batches: dict[str, Batch] = {}
    for model in find_batches(folder):
        if model.__table__ in ("payers", "plans", "members", "coverages", "providers",
                               "authorizations", "claims"):
            batches[model.__table__] = read_batch_files(folder, model)
    members, coverages, notes = _enrolment(folder)
    for name, model, records in (("members", Member, members),
                                 ("coverages", Coverage, coverages)):
        merged = _merge(batches.get(name), records, model)
        if merged is not None:
            batches[name] = merged
    tables = _reference_tables(folder)
    if tables:
        reference = reference.merged(Reference.from_tables(tables))
    return Context.from_batches(batches, reference=reference, as_of=as_of), notes


def _write_findings(result: ScrubResult, sink: TextIO) -> None:
    for row in result.findings.iter_rows(named=True):
        sink.write(json.dumps(row, default=str) + "\n")


def _print_summary(summary: dict[str, Any], as_json: bool, stream: TextIO) -> None:
    if as_json:
        stream.write(json.dumps(summary, indent=2, default=str) + "\n")
        return
    stream.write(f"{summary['claims']} claims: {summary['clean']} clean, {summary['held']} "
                 f"held; {summary['findings']} findings\n")
    if "run_id" in summary:
        stream.write(f"saved as scrub run {summary['run_id']}\n")
    for rule_id, n in summary["findings_by_rule"].items():
        stream.write(f"  {rule_id}: {n}\n")
    if summary["rules_skipped"]:
        stream.write("skipped for lack of context: " + ", ".join(summary["missing_context"])
                     + f" ({len(summary['rules_skipped'])} rules)\n")
    for note in summary.get("notes", []):
        stream.write(f"note: {note}\n")
    if summary["rules_errored"]:
        stream.write(f"rules that failed: {summary['rules_errored']}\n")


def scrub(
    inputs: list[Path] = typer.Argument(
        ..., help="Claim files: X12 837, or canonical CSV/Parquet (claims file or folder)."),
    fmt: str | None = typer.Option(
        None, "--format", help="x12 | fhir | csv | parquet (default: from the file)."),
    context: Path | None = typer.Option(
        None, "--context", help="Folder with members/coverages/plans/payers/providers/"
        "authorizations/claims (history) as CSV or Parquet, X12 834 files, ref_* tables."),
    as_of: str | None = typer.Option(
        None, "--as-of", help="Processing date YYYY-MM-DD (timely filing of unsent claims)."),
    out: Path | None = typer.Option(None, "--out", help="Write findings (JSON Lines) here."),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
    packs: list[Path] = typer.Option(
        [], "--packs", help="Extra payer rule packs (YAML file or folder); repeatable. The "
        "bundled example packs always apply to their payers."),
    chunk_size: int = typer.Option(
        CHUNK_SIZE, "--chunk-size", min=0, help="Claims scrubbed at a time (whole claims); "
        "0 reads every input whole."),
    save: bool = typer.Option(
        False, "--save", help="Store the run and its findings in the database; prints the "
        "run id."),
    db: str | None = DB_OPTION,
) -> None:
    """Scrub claims before submission: every finding as JSON Lines, and a summary."""
    with fail_cleanly():
        day = None
        if as_of is not None:
            try:
                day = dt.date.fromisoformat(as_of)
            except ValueError as exc:
                raise InputError(f"--as-of {as_of!r}: expected YYYY-MM-DD") from exc
        ctx, notes = read_context(context, as_of=day)
        registry = default_registry().extended([*bundled_packs(), *load_packs(packs)])
        with ExitStack() as stack:
            engine = open_store(db) if save else None
            if engine is not None:
                stack.callback(engine.dispose)
            sink: TextIO = (stack.enter_context(out.open("w", encoding="utf-8"))
                            if out is not None else sys.stdout)
            outcome = run_scrub(
                iter_claims(inputs, fmt, chunk_size), ctx, registry=registry,
                sources=[str(p) for p in inputs],
                on_result=lambda result: _write_findings(result, sink), engine=engine)
        summary = outcome.summary
        summary["notes"] = notes
        _print_summary(summary, as_json, sys.stdout if out is not None else sys.stderr)

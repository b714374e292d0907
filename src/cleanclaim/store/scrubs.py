"""Scrub runs in the store: each run with its rule set, findings and decisions, and reads back.

A run is saved in one transaction, whether it comes whole (:func:`save_scrub_run`) or chunk by
chunk as a streaming scrub produces it (:func:`run_writer`): the bookkeeping row in
``ingest_batches`` first (its id derived from the run id), then the findings and decisions of
each chunk bulk-copied straight into their tables (COPY on PostgreSQL), and the run record last,
when its totals are known. A failure anywhere rolls all of it back; saving a run whose id is
stored already adds nothing. Findings are keyed by (run, claim, ``seq``), their order among the
claim's findings, so no key part is ever null; a decision per scrubbed claim records that a run
saw a claim even when it found nothing, which is what :func:`latest_findings` relies on.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TypeVar

import polars as pl
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from ..domain import Record, ScrubDecision, ScrubFinding, ScrubRun
from ..domain.schema import Batch, batch_from_records, records_from_batch, table_specs
from ..errors import StoreError
from .load import begin_ingest, copy_rows, wire_frame
from .read import read_batch
from .tables import BATCH_COLUMN, record_table

__all__ = [
    "RunWriter",
    "SaveResult",
    "latest_findings",
    "read_scrub_run",
    "run_batch_id",
    "run_findings",
    "run_writer",
    "save_scrub_run",
    "scrub_runs",
]

_R = TypeVar("_R", bound=Record)


@dataclass(frozen=True)
class SaveResult:
    """What saving a run did."""

    run_id: str
    batch_id: str
    already_saved: bool
    findings: int
    decisions: int


def run_batch_id(run_id: str) -> str:
    """The ``ingest_batches`` id of a run's rows."""
    return hashlib.sha256(f"{ScrubRun.__table__}:{run_id}".encode()).hexdigest()


class RunWriter:
    """Appends the findings and decisions of one run, chunk by chunk, inside its transaction.

    A claim's findings must all come in one chunk (``seq`` is numbered within the chunk).
    """

    def __init__(self, conn: Connection | None, run_id: str, batch_id: str) -> None:
        self._conn = conn  # None: the run is stored already, everything is ignored
        self.run_id = run_id
        self.batch_id = batch_id
        self.findings = 0
        self.decisions = 0
        self.finished = False

    @property
    def already_saved(self) -> bool:
        return self._conn is None

    def add(self, findings: pl.DataFrame, decisions: pl.DataFrame) -> None:
        """Store a chunk: engine findings (``claim_id``, ``rule_id``, ..., in the engine's
        order) and decisions (``claim_id``, ``decision``, ``stopping_findings``)."""
        if self._conn is None:
            return
        run = pl.lit(self.run_id, pl.String).alias("run_id")
        numbered = findings.select(
            run, "claim_id", pl.int_range(1, pl.len() + 1, dtype=pl.Int64).over("claim_id")
            .alias("seq"), pl.exclude("claim_id"))
        self._append(ScrubFinding, numbered)
        self._append(ScrubDecision, decisions.select(run, pl.all()))
        self.findings += findings.height
        self.decisions += decisions.height

    def finish(self, run: ScrubRun) -> SaveResult:
        """Store the run record itself; the transaction commits when the writer closes."""
        if run.run_id != self.run_id:
            raise ValueError(f"run {run.run_id} finishing the writer of run {self.run_id}")
        self.finished = True
        if self._conn is not None:
            batch = batch_from_records(ScrubRun, [run])
            frames = batch.frames()
            for spec in table_specs(ScrubRun):
                self._write(spec.name, wire_frame(spec, frames[spec.name]),
                            root=spec.parent is None)
        return SaveResult(self.run_id, self.batch_id, self.already_saved, self.findings,
                          self.decisions)

    def _append(self, model: type[ScrubFinding] | type[ScrubDecision],
                frame: pl.DataFrame) -> None:
        (spec,) = table_specs(model)
        self._write(spec.name, wire_frame(spec, frame.select(c.name for c in spec.columns)),
                    root=True)

    def _write(self, table: str, wire: pl.DataFrame, *, root: bool) -> None:
        assert self._conn is not None
        if root:
            wire = wire.with_columns(pl.lit(self.batch_id).alias(BATCH_COLUMN))
        copy_rows(self._conn, table, wire)


@contextmanager
def run_writer(engine: Engine, run_id: str, *, source: str) -> Iterator[RunWriter]:
    """A writer for run ``run_id``, in one transaction that commits when the block ends after
    :meth:`RunWriter.finish`, and rolls back (StoreError for a database failure) otherwise."""
    batch_id = run_batch_id(run_id)
    try:
        with engine.begin() as conn:
            if not begin_ingest(conn, batch_id, record_type=ScrubRun.__table__, source=source,
                                rows=1, inserted=1):
                yield RunWriter(None, run_id, batch_id)
                return
            writer = RunWriter(conn, run_id, batch_id)
            yield writer
            if not writer.finished:
                raise StoreError(f"scrub run {run_id} ended without its run record; "
                                 "nothing was stored")
    except sa.exc.SQLAlchemyError as exc:
        raise StoreError(f"scrub run {run_id} not stored (nothing was written): {exc}") from exc


def save_scrub_run(engine: Engine, run: ScrubRun, findings: pl.DataFrame,
                   decisions: pl.DataFrame) -> SaveResult:
    """Store a whole run in one transaction (see :class:`RunWriter` for the frames)."""
    with run_writer(engine, run.run_id, source=", ".join(run.sources)) as writer:
        writer.add(findings, decisions)
        return writer.finish(run)


def read_scrub_run(engine: Engine, run_id: str) -> ScrubRun | None:
    """The stored run ``run_id``, or None."""
    runs = _records(read_batch(engine, ScrubRun, [run_id]), ScrubRun)
    return runs[0] if runs else None


def scrub_runs(engine: Engine, limit: int | None = None) -> list[ScrubRun]:
    """Stored runs, the most recently finished first."""
    table = record_table(ScrubRun.__table__)
    query = sa.select(table.c.run_id).order_by(table.c.finished_at.desc(), table.c.run_id.desc())
    with engine.connect() as conn:
        ids = list(conn.execute(query.limit(limit)).scalars())
    runs = {r.run_id: r for r in _records(read_batch(engine, ScrubRun, ids), ScrubRun)}
    return [runs[i] for i in ids]


def run_findings(engine: Engine, run_id: str,
                 claim_ids: Sequence[str] | None = None) -> list[ScrubFinding]:
    """The findings of run ``run_id`` (of the claims ``claim_ids`` only, when given), ordered
    by claim and ``seq``."""
    where: dict[str, Sequence[str]] = {"run_id": [run_id]}
    if claim_ids is not None:
        where["claim_id"] = claim_ids
    return _records(read_batch(engine, ScrubFinding, where=where), ScrubFinding)


def latest_findings(engine: Engine, claim_id: str) -> tuple[str | None, list[ScrubFinding]]:
    """The most recently finished run that scrubbed ``claim_id`` and its findings on the
    claim (empty when that run found nothing); ``(None, [])`` when no run saw the claim."""
    runs = record_table(ScrubRun.__table__)
    decisions = record_table(ScrubDecision.__table__)
    query = (
        sa.select(runs.c.run_id)
        .join(decisions, decisions.c.run_id == runs.c.run_id)
        .where(decisions.c.claim_id == claim_id)
        .order_by(runs.c.finished_at.desc(), runs.c.run_id.desc())
        .limit(1)
    )
    with engine.connect() as conn:
        run_id = conn.execute(query).scalar()
    if run_id is None:
        return None, []
    return run_id, run_findings(engine, run_id, [claim_id])


def _records(batch: Batch, model: type[_R]) -> list[_R]:
    return [r for r in records_from_batch(batch) if isinstance(r, model)]

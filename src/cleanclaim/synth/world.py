"""A whole synthetic world: build it in memory, or stream it to Parquet in bounded memory.

``generate_world(seed, claims)`` is the entry point: a :class:`World` of canonical batches
(payers, plans, members, coverages, providers, authorizations, claims) plus the ground-truth
labels and the world's own reference tables (procedure limits and restrictions, edit pairs,
diagnosis support). ``write_world`` and ``stream_world`` write the same files; see
``docs/synth.md`` for the layout.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from cleanclaim.domain import Authorization, Claim, Coverage, Member, Record
from cleanclaim.domain.schema import Batch, records_from_batch, table_specs
from cleanclaim.standards.x12 import write_834

from . import catalog as cat
from .claims import LABEL_SCHEMA, claims_chunks
from .defects import DefectRates
from .population import WorldShape, build_population

__all__ = [
    "World",
    "generate_world",
    "reference_tables",
    "stream_world",
    "summarize_labels",
    "write_world",
]

FORMAT_VERSION = 1


@dataclass(frozen=True)
class World:
    """A synthetic world and its ground truth.

    Batches are in the canonical table layout (``records_from_batch`` gives typed records);
    ``labels`` has one row per claim (see :data:`cleanclaim.synth.claims.LABEL_SCHEMA`).
    """

    seed: int
    rates: DefectRates
    shape: WorldShape
    payers: Batch
    plans: Batch
    members: Batch
    coverages: Batch
    providers: Batch
    authorizations: Batch
    claims: Batch
    labels: pa.Table
    reference: dict[str, pa.Table] = field(default_factory=dict)

    def batches(self) -> dict[str, Batch]:
        """Every batch by the name of its root table."""
        return {
            b.model.__table__: b
            for b in (self.payers, self.plans, self.members, self.coverages, self.providers,
                      self.authorizations, self.claims)
        }

    def summary(self) -> dict[str, Any]:
        """Counts and the label mix, JSON-ready."""
        counts = {name: len(b) for name, b in self.batches().items()}
        return {"seed": self.seed, "counts": counts, **summarize_labels(self.labels)}


def generate_world(
    seed: int,
    claims: int,
    *,
    rates: DefectRates | None = None,
    shape: WorldShape | None = None,
) -> World:
    """Build a synthetic world of ``claims`` claims, the same for the same arguments.

    ``rates`` sets the denial rate and defect mix (default: about 12% denied, mix of DOMAIN.md);
    ``shape`` sets dates and sizes (default: services in 2025). A million claims take about
    five seconds and 1.5 GB on two cores; beyond a few million, prefer :func:`stream_world`.
    """
    if claims < 0:
        raise ValueError("claims must not be negative")
    pop = build_population(seed, claims, rates or DefectRates(), shape or WorldShape())
    chunks = list(claims_chunks(pop))
    return World(
        seed=seed,
        rates=pop.rates,
        shape=pop.shape,
        payers=pop.payers,
        plans=pop.plans,
        members=pop.members,
        coverages=pop.coverages,
        providers=pop.providers,
        authorizations=_concat(Authorization, [pop.background_auths]
                               + [c.authorizations for c in chunks]),
        claims=_concat(Claim, [c.claims for c in chunks]),
        labels=_concat_labels([c.labels for c in chunks]),
        reference=reference_tables(),
    )


def _concat(model: type[Record], batches: list[Batch]) -> Batch:
    if not batches:
        return _empty(model)
    names = batches[0].tables.keys()
    return Batch(model, {n: pa.concat_tables([b.tables[n] for b in batches]).combine_chunks()
                         for n in names})


def _empty(model: type[Record]) -> Batch:
    return Batch(model, {s.name: s.arrow_schema().empty_table() for s in table_specs(model)})


def _concat_labels(tables: list[pa.Table]) -> pa.Table:
    if not tables:
        return LABEL_SCHEMA.empty_table()
    return pa.concat_tables(tables).combine_chunks()


_Tally = Counter[tuple[str, str | None, bool | None]]


def _tally(labels: pa.Table, into: _Tally | None = None) -> _Tally:
    """Claims counted by (defect, category, preventable): all a summary needs."""
    counts = into if into is not None else Counter()
    grouped = labels.group_by(["defect", "category", "preventable"], use_threads=False)
    for row in grouped.aggregate([("claim_id", "count")]).to_pylist():
        counts[(row["defect"], row["category"], row["preventable"])] += row["claim_id_count"]
    return counts


def summarize_labels(labels: pa.Table) -> dict[str, Any]:
    """Denial rate, shares by category and by defect, and the preventable share."""
    return _summary(_tally(labels))


def _summary(counts: _Tally) -> dict[str, Any]:
    n = sum(counts.values())
    by_category: Counter[str] = Counter()
    by_defect: Counter[str] = Counter()
    preventable = 0
    for (defect, category, prevent), k in counts.items():
        if defect == "clean":
            continue
        by_category[str(category)] += k
        by_defect[defect] += k
        preventable += k if prevent else 0
    denied = sum(by_defect.values())

    def shares(c: Counter[str]) -> dict[str, float]:
        return {name: round(k / denied, 4) for name, k in c.most_common()}

    return {
        "claims": n,
        "denied": denied,
        "denial_rate": round(denied / n, 4) if n else 0.0,
        "preventable_share": round(preventable / denied, 4) if denied else 0.0,
        "categories": shares(by_category),
        "defects": shares(by_defect),
    }


# ---------------------------------------------------------------- reference tables


def reference_tables() -> dict[str, pa.Table]:
    """The world's own code tables, which every injected coding defect is wrong against."""
    procs = cat.PROCEDURES
    procedures = pa.table({
        "code": [p.code for p in procs],
        "family": [p.family for p in procs],
        "max_units": pa.array([p.mue for p in procs], pa.int64()),
        "typical_charge": pa.array([p.charge for p in procs], pa.float64()),
        "sex": [p.sex or None for p in procs],
        "min_age": pa.array([p.min_age for p in procs], pa.int64()),
        "max_age": pa.array([p.max_age for p in procs], pa.int64()),
    })
    deleted = pa.table({
        "code": list(dict.fromkeys(cat.DELETED_PREDECESSOR.values())),
    })
    support_rows = [(p.code, d) for p in procs if p.support is not None for d in p.support]
    support = pa.table({
        "procedure_code": [r[0] for r in support_rows],
        "diagnosis_code": [r[1] for r in support_rows],
    })
    edits = pa.table({
        "column1": [e[0] for e in cat.PTP_PAIRS],
        "column2": [e[1] for e in cat.PTP_PAIRS],
        "modifier": [e[2] for e in cat.PTP_PAIRS],
    })
    diagnoses = pa.table({
        "code": [d.code for d in cat.DIAGNOSES],
        "sex": [d.sex or None for d in cat.DIAGNOSES],
        "min_age": pa.array([d.min_age for d in cat.DIAGNOSES], pa.int64()),
        "max_age": pa.array([d.max_age for d in cat.DIAGNOSES], pa.int64()),
    })
    return {
        "ref_procedures": procedures,
        "ref_deleted_procedures": deleted,
        "ref_diagnoses": diagnoses,
        "ref_dx_support": support,
        "ref_ptp_edits": edits,
    }


# ---------------------------------------------------------------- writing


def _manifest(seed: int, rates: DefectRates, shape: WorldShape, counts: dict[str, int],
              labels: dict[str, Any], seconds: float | None) -> dict[str, Any]:
    return {
        "format_version": FORMAT_VERSION,
        "generator": "cleanclaim.synth",
        "seed": seed,
        "service_start": shape.service_start.isoformat(),
        "service_days": shape.service_days,
        "chunk_claims": shape.chunk_claims,
        "counts": counts,
        "rates": rates.as_dict(),
        "labels": labels,
        **({"seconds": round(seconds, 3)} if seconds is not None else {}),
    }


ELIGIBILITY_MEMBERS_PER_FILE = 100_000
"""Members per 834 file: a large world's enrolment comes as several files per payer."""


def write_eligibility_834(
    payers: Batch, members: Batch, coverages: Batch, out_dir: str | os.PathLike[str]
) -> list[Path]:
    """Each payer's enrolment as the X12 834 files it would receive, ``eligibility/``
    ``<payer>_<n>.834``: the members with a coverage in one of its plans, those coverages, and
    the members' concurrent coverages with other payers as COB loops (without their plan).

    Members are taken a slice at a time, so memory stays bounded for worlds of any size.
    """
    folder = Path(out_dir) / "eligibility"
    folder.mkdir(parents=True, exist_ok=True)
    names = dict(zip(payers.root.column("payer_id").to_pylist(),
                     payers.root.column("name").to_pylist(), strict=True))
    cov_frame = pl.from_arrow(coverages.root)
    assert isinstance(cov_frame, pl.DataFrame)
    written: list[Path] = []
    total = members.root.num_rows
    for part, start in enumerate(range(0, max(total, 1), ELIGIBILITY_MEMBERS_PER_FILE), 1):
        sliced = members.root.slice(start, ELIGIBILITY_MEMBERS_PER_FILE)
        ids = sliced.column("member_id").to_pylist()
        own_covs = cov_frame.filter(pl.col("member_id").is_in(ids)).to_arrow()
        people = records_from_batch(Batch(Member, {"members": sliced}))
        by_member: dict[str, list[Coverage]] = {}
        for c in records_from_batch(Batch(Coverage, {"coverages": own_covs})):
            assert isinstance(c, Coverage)
            by_member.setdefault(c.member_id, []).append(c)
        for payer in sorted(names):
            chosen, covs = _enrolment(payer, people, by_member)
            if not chosen:
                continue
            path = folder / f"{payer}_{part:04d}.834"
            with path.open("w", encoding="ascii", newline="") as stream:
                write_834(chosen, covs, stream, payer_names=names)
            written.append(path)
    return written


def _enrolment(
    payer: str, people: list[Record], by_member: dict[str, list[Coverage]]
) -> tuple[list[Member], list[Coverage]]:
    chosen: list[Member] = []
    covs: list[Coverage] = []
    for m in people:
        assert isinstance(m, Member)
        held = by_member.get(m.member_id, [])
        mine = [c for c in held if c.payer_id == payer and c.plan_id is not None]
        if not mine:
            continue
        chosen.append(m)
        covs += mine
        covs += [c.model_copy(update={"plan_id": None}) for c in held
                 if c.payer_id != payer and any(_overlap(c, x) for x in mine)]
    return chosen, covs


def _overlap(a: Coverage, b: Coverage) -> bool:
    far = dt.date.max
    return (a.effective_date <= (b.termination_date or far)
            and b.effective_date <= (a.termination_date or far))


def write_world(
    world: World, out_dir: str | os.PathLike[str], *, eligibility_834: bool = True
) -> Path:
    """Write every table as ``<table>.parquet`` plus ``labels.parquet``, each payer's
    eligibility as an X12 834 (:func:`write_eligibility_834`) and ``manifest.json``."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}
    for b in world.batches().values():
        for name, table in b.tables.items():
            pq.write_table(table, out / f"{name}.parquet")
            counts[name] = table.num_rows
    pq.write_table(world.labels, out / "labels.parquet")
    counts["labels"] = world.labels.num_rows
    for name, table in world.reference.items():
        pq.write_table(table, out / f"{name}.parquet")
    if eligibility_834:
        write_eligibility_834(world.payers, world.members, world.coverages, out)
    manifest = _manifest(world.seed, world.rates, world.shape, counts,
                         summarize_labels(world.labels), None)
    path = out / "manifest.json"
    path.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return path


class _Sink:
    """One Parquet writer per table, appended chunk by chunk."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.writers: dict[str, pq.ParquetWriter] = {}
        self.counts: dict[str, int] = {}

    def write(self, name: str, table: pa.Table) -> None:
        writer = self.writers.get(name)
        if writer is None:
            writer = pq.ParquetWriter(self.out / f"{name}.parquet", table.schema)
            self.writers[name] = writer
            self.counts[name] = 0
        writer.write_table(table)
        self.counts[name] += table.num_rows

    def batch(self, b: Batch) -> None:
        for name, table in b.tables.items():
            self.write(name, table)

    def close(self) -> None:
        for w in self.writers.values():
            w.close()


def stream_world(
    seed: int,
    claims: int,
    out_dir: str | os.PathLike[str],
    *,
    rates: DefectRates | None = None,
    shape: WorldShape | None = None,
    progress: Callable[[int], None] | None = None,
    eligibility_834: bool = True,
) -> dict[str, Any]:
    """Generate and write a world chunk by chunk; returns the manifest it wrote.

    Memory stays bounded by one chunk of claims (plus the members and providers), so ten
    million claims stream fine. ``progress`` is called with the number of claims written
    after each chunk. The files equal those of ``write_world(generate_world(...))``.
    """
    if claims < 0:
        raise ValueError("claims must not be negative")
    began = time.perf_counter()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    pop = build_population(seed, claims, rates or DefectRates(), shape or WorldShape())
    sink = _Sink(out)
    tally: _Tally = Counter()
    try:
        for b in (pop.payers, pop.plans, pop.members, pop.coverages, pop.providers):
            sink.batch(b)
        sink.batch(pop.background_auths)
        done = 0
        for chunk in claims_chunks(pop):
            sink.batch(chunk.authorizations)
            sink.batch(chunk.claims)
            sink.write("labels", chunk.labels)
            # Only counts are kept across chunks, so memory stays bounded by one chunk.
            _tally(chunk.labels, tally)
            done += len(chunk.claims)
            if progress is not None:
                progress(done)
        # A world without claims still has every file, empty but typed.
        for model in (Claim, Authorization):
            for spec in table_specs(model):
                if spec.name not in sink.writers:
                    sink.write(spec.name, spec.arrow_schema().empty_table())
        if "labels" not in sink.writers:
            sink.write("labels", LABEL_SCHEMA.empty_table())
    finally:
        sink.close()
    for name, table in reference_tables().items():
        pq.write_table(table, out / f"{name}.parquet")
    if eligibility_834:
        write_eligibility_834(pop.payers, pop.members, pop.coverages, out)
    manifest = _manifest(seed, pop.rates, pop.shape, sink.counts, _summary(tally),
                         time.perf_counter() - began)
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return manifest

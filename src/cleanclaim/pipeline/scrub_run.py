"""A scrub run: claim batches streamed through the prevention engine, tallied, and stored.

:func:`run_scrub` hands the batches to :func:`cleanclaim.rules.scrub_stream`, passes each
batch's result on as soon as it is done (the CLI writes its findings out), adds it to the
run's totals, and, given a store, saves the run's findings and decisions chunk by chunk in one
transaction (:mod:`cleanclaim.store.scrubs`), the run record last. Memory holds one batch and
its result at a time. The run record names its rule set: the cleanclaim version (the rule
library) and every payer pack with its version.

A claim ID must be unique within a run: a batch repeats no ID of its own (the readers refuse
that), and :class:`ClaimIds` refuses one an earlier batch had, before the batch is scrubbed.
It keeps 64-bit hashes of the IDs (8 bytes a claim: 80 MB for ten million claims), so two
different IDs with the same hash would be taken for a repeat; the odds are about one in 370,000
for a run of ten million claims, one in 37 million for a million.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections import Counter
from collections.abc import Callable, Iterable
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl
from sqlalchemy.engine import Engine

from .. import __version__
from ..domain import RuleIssue, RunPack, RunRule, ScrubRun
from ..domain.schema import Batch
from ..errors import InputError
from ..rules import NEEDS, Context, Registry, ScrubResult, scrub_stream
from ..store.scrubs import SaveResult, run_writer

__all__ = ["ClaimIds", "RunOutcome", "RunTally", "new_run_id", "rule_set_packs", "run_scrub"]


def new_run_id(started: dt.datetime) -> str:
    """A run id that sorts by start time: ``SR20261127T045501-1a2b3c4d``."""
    return f"SR{started.astimezone(dt.UTC):%Y%m%dT%H%M%S}-{secrets.token_hex(4)}"


def rule_set_packs(registry: Registry) -> list[RunPack]:
    """The payer packs of ``registry`` with their versions and rule counts."""
    counts: Counter[tuple[str, str]] = Counter(
        (r.pack, r.pack_version or "unversioned") for r in registry if r.pack is not None)
    return [RunPack(pack=p, version=v, rules=n) for (p, v), n in sorted(counts.items())]


class RunTally:
    """The totals of a run, batch by batch: claims, held, findings, rules that gave no
    answer (skipped for lack of context, or errored)."""

    def __init__(self, *, run_id: str, started_at: dt.datetime, as_of: dt.date,
                 sources: list[str], registry: Registry) -> None:
        self.run_id = run_id
        self.started_at = started_at
        self.as_of = as_of
        self.sources = sources
        self.packs = rule_set_packs(registry)
        self.claims = self.held = 0
        self.by_rule: Counter[str] = Counter()
        self.by_severity: Counter[str] = Counter()
        self.rules_run: set[str] = set()
        self.skipped: dict[str, tuple[str, ...]] = {}
        self.errors: dict[str, str] = {}
        self.seconds = 0.0

    def add(self, result: ScrubResult) -> None:
        self.claims += result.decisions.height
        self.held += int((result.decisions["decision"] == "hold").sum())
        self.by_rule.update(result.findings["rule_id"].to_list())
        self.by_severity.update(result.findings["severity"].to_list())
        self.rules_run.update(result.rules_run)
        self.skipped.update(result.skipped)
        for rule_id, error in result.errors.items():
            self.errors.setdefault(rule_id, error)  # the first failure says most
        self.seconds += result.seconds

    @property
    def findings(self) -> int:
        return sum(self.by_rule.values())

    def summary(self) -> dict[str, Any]:
        """The same keys as :meth:`ScrubResult.summary`, over the whole run."""
        missing = sorted({n for needs in self.skipped.values() for n in needs})
        return {
            "claims": self.claims,
            "clean": self.claims - self.held,
            "held": self.held,
            "findings": self.findings,
            "findings_by_rule": dict(sorted(self.by_rule.items())),
            "findings_by_severity": dict(sorted(self.by_severity.items())),
            "rules_run": len(self.rules_run),
            "rules_skipped": {k: list(v) for k, v in sorted(self.skipped.items())},
            "missing_context": [NEEDS[n] for n in missing],
            "rules_errored": dict(sorted(self.errors.items())),
            "seconds": round(self.seconds, 4),
        }

    def record(self, finished_at: dt.datetime) -> ScrubRun:
        issues = [RunRule(rule_id=r, issue=RuleIssue.SKIPPED,
                          detail="needs " + ", ".join(NEEDS[n] for n in needs))
                  for r, needs in self.skipped.items()]
        issues += [RunRule(rule_id=r, issue=RuleIssue.ERRORED, detail=e[:2000])
                   for r, e in self.errors.items() if r not in self.skipped]
        return ScrubRun(
            run_id=self.run_id, started_at=self.started_at, finished_at=finished_at,
            as_of=self.as_of, sources=self.sources, library_version=__version__,
            rules_run=len(self.rules_run), claims=self.claims,
            held=self.held, findings=self.findings, packs=self.packs, rule_issues=issues)


class ClaimIds:
    """The claim IDs of a run so far, as sorted runs of 64-bit hashes merged like a binary
    counter (so adding n IDs costs O(n log n) in all, and a lookup a binary search per run)."""

    def __init__(self, sources: list[str]) -> None:
        self.sources = sources
        self.count = 0
        self._runs: list[np.ndarray[Any, Any]] = []

    def add(self, ids: pl.Series) -> None:
        """Take a batch's IDs; InputError naming the first one an earlier batch had."""
        hashes = ids.cast(pl.String).hash().to_numpy()
        if not len(hashes):
            return
        for run in self._runs:
            at = np.minimum(np.searchsorted(run, hashes), len(run) - 1)
            found = run[at] == hashes
            if found.any():
                first = int(found.argmax())
                raise InputError(
                    f"{', '.join(self.sources)}: claim ID {ids[first]!r} (claim "
                    f"{self.count + first + 1:,} of the input) repeats the ID of an earlier "
                    "claim; claim IDs must be unique within a run")
        self.count += len(hashes)
        self._runs.append(np.sort(hashes))
        while len(self._runs) > 1 and len(self._runs[-2]) <= len(self._runs[-1]):
            last = self._runs.pop()
            self._runs[-1] = np.sort(np.concatenate([self._runs[-1], last]))

    def checked(self, batches: Iterable[Batch]) -> Iterable[Batch]:
        """``batches``, each passed on once its IDs are known to be new."""
        for batch in batches:
            self.add(pl.Series(batch.root.column("claim_id")))
            yield batch


@dataclass(frozen=True)
class RunOutcome:
    """A finished run: its record, its summary, and what saving it did (None: not saved)."""

    run: ScrubRun
    summary: dict[str, Any]
    saved: SaveResult | None


def run_scrub(
    batches: Iterable[Batch],
    context: Context,
    *,
    registry: Registry,
    sources: list[str],
    on_result: Callable[[ScrubResult], None] = lambda _: None,
    engine: Engine | None = None,
) -> RunOutcome:
    """Scrub ``batches`` one after another (see the module docstring); with ``engine``, store
    the run. An error while reading or saving leaves nothing of the run in the store."""
    started = dt.datetime.now(dt.UTC)
    tally = RunTally(run_id=new_run_id(started), started_at=started,
                     as_of=context.as_of or started.date(), sources=sources, registry=registry)
    with ExitStack() as stack:
        writer = None if engine is None else stack.enter_context(
            run_writer(engine, tally.run_id, source=", ".join(sources)))
        unique = ClaimIds(sources).checked(batches)
        for result in scrub_stream(unique, context, registry=registry):
            on_result(result)
            tally.add(result)
            if writer is not None:
                writer.add(result.findings, result.decisions)
        run = tally.record(dt.datetime.now(dt.UTC))
        saved = None if writer is None else writer.finish(run)
    summary = tally.summary()
    if saved is not None:
        summary["run_id"] = run.run_id
    return RunOutcome(run, summary, saved)

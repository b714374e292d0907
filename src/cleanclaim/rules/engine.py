"""The scrubbing engine: every applicable rule over a batch, all findings, one decision a claim.

Batch, stream and real time run the same rules: :func:`scrub` runs their Polars plans over a
batch; :func:`scrub_stream` calls it batch by batch, carrying the claims of the previous
batch(es) as history so a duplicate split across batches is caught; :func:`scrub_claim` and
:func:`scrub_one` run each rule's one-claim kernel (:mod:`.single`), which finds what its plan
finds on that claim alone, in microseconds instead of the millisecond a plan costs however few
its rows (a rule without a kernel runs its plan on a one-claim batch).
Plans are lazy; the engine builds them all and collects them together so Polars
can share the common scans, then labels the rows found with each rule's metadata (eagerly,
and only for rules that found something). A rule limited to some claim types is not planned
at all for a batch without such claims. Reference tables are read through copies sorted once
per context, so a batch touches only the rows of the codes it bills. A small batch (real time)
reads only the party rows its claims can reach, found through indexes the context builds once,
and its plans run without Polars' optimizer, which costs more than it saves on a few rows. A
rule whose needs are absent from the context is skipped (and listed in the result); a rule
whose plan fails is reported as errored, never raised, and the other rules' findings still
come back.

Decision per claim: ``hold`` when any finding predicts a rejection or a denial, else ``submit``
(warnings travel with the claim but do not stop it).
"""

from __future__ import annotations

import time
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

import polars as pl

from ..domain import Claim, ClaimType, Finding, Severity
from ..domain.schema import Batch, batch_from_records
from .api import NEEDS, Rule, empty_findings
from .context import Context, ScrubContext
from .registry import Registry, default_registry
from .single import Hit, OneClaim

__all__ = ["OUTPUT_COLUMNS", "ScrubResult", "scrub", "scrub_claim", "scrub_one",
           "scrub_stream"]

OUTPUT_COLUMNS: dict[str, pl.DataType] = {
    "claim_id": pl.String(),
    "rule_id": pl.String(),
    "severity": pl.String(),
    "category": pl.String(),
    "carc": pl.String(),
    "rarc": pl.String(),
    "line": pl.Int64(),
    "message": pl.String(),
    "fix": pl.String(),
    "repair": pl.String(),
}
"""Columns of the findings table: those of :class:`~cleanclaim.domain.Finding`, plus
``repair``, a suggested change (``field=value``) where the fix is certain and safe; it is
only ever suggested, never applied."""

_STOPPING = (Severity.REJECT.value, Severity.DENY.value)



@dataclass(frozen=True)
class ScrubResult:
    """Findings of one scrub, the decision per claim, and what could not be checked."""

    findings: pl.DataFrame
    decisions: pl.DataFrame
    rules_run: tuple[str, ...]
    skipped: dict[str, tuple[str, ...]] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0

    def records(self) -> list[Finding]:
        """The findings as typed records."""
        return [Finding.model_validate(row)
                for row in self.findings.drop("repair").iter_rows(named=True)]

    def summary(self) -> dict[str, Any]:
        """JSON-ready counts: claims, clean, held, findings by rule, skipped rules."""
        held = int((self.decisions["decision"] == "hold").sum())
        by_rule = Counter(self.findings["rule_id"].to_list())
        missing = sorted({n for needs in self.skipped.values() for n in needs})
        return {
            "claims": self.decisions.height,
            "clean": self.decisions.height - held,
            "held": held,
            "findings": self.findings.height,
            "findings_by_rule": dict(sorted(by_rule.items())),
            "findings_by_severity": dict(sorted(
                Counter(self.findings["severity"].to_list()).items())),
            "rules_run": len(self.rules_run),
            "rules_skipped": {k: list(v) for k, v in sorted(self.skipped.items())},
            "missing_context": [NEEDS[n] for n in missing],
            "rules_errored": dict(sorted(self.errors.items())),
            "seconds": round(self.seconds, 4),
        }


_NOTHING = empty_findings()


def _types_filter(rule: Rule, ctx: ScrubContext) -> pl.Series | bool:
    """How a rule's claim types apply to this batch: True when every claim is of one of them
    (nothing to filter), False when none is (the rule has nothing to check), else the IDs
    of the claims it applies to."""
    if rule.claim_types == frozenset(ClaimType):
        return True
    types = ctx.claim_types
    mine = types.is_in([t.value for t in rule.claim_types])
    if bool(mine.all()):
        return True
    if not bool(mine.any()):
        return False
    return ctx.claim_ids.filter(mine)


def _labelled(rule: Rule, found: pl.DataFrame, keep: pl.Series | None) -> pl.DataFrame:
    """A rule's raw findings with its metadata, in the columns of the findings table (a
    message or fix a plan built from a missing value falls back to the rule's title or fix).

    Done eagerly on the collected rows rather than in the rule's plan: most rules find
    nothing, and wrapping 36 plans in projections cost more than the rules themselves on one
    claim (measured: plans built and collected in about half the time without it)."""
    if keep is not None:
        found = found.filter(pl.col("claim_id").cast(pl.String).is_in(keep.implode()))
    have = set(found.columns)

    def given(name: str, default: str | None) -> pl.Expr:
        value = pl.lit(default, pl.String)
        return (pl.coalesce(pl.col(name).cast(pl.String), value) if name in have
                else value).alias(name)

    return found.select(
        pl.col("claim_id").cast(pl.String),
        pl.lit(rule.id).alias("rule_id"),
        pl.lit(rule.severity.value).alias("severity"),
        pl.lit(rule.category.value).alias("category"),
        given("carc", rule.carc), given("rarc", rule.rarc),
        pl.col("line").cast(pl.Int64),
        given("message", rule.title), given("fix", rule.fix), given("repair", None),
    )


# A Polars panic surfaces as pyo3's PanicException, which derives from BaseException.
_FAILURES: tuple[type[BaseException], ...] = (Exception, pl.exceptions.PanicException)

# The in-memory engine: Polars 2.1's streaming engine panicked on one rule's plan over a
# 100,000-claim batch (a string function over a filtered frame), and in-memory was faster
# for these many small plans anyway (measured: 1.3 s vs 3.6 s for the suite).
_ENGINE: Literal["in-memory"] = "in-memory"


def _collect(plans: dict[str, pl.LazyFrame], errors: dict[str, str],
             flags: pl.QueryOptFlags) -> dict[str, pl.DataFrame]:
    if not plans:
        return {}
    try:
        done = pl.collect_all(list(plans.values()), engine=_ENGINE, optimizations=flags)
        return dict(zip(plans, done, strict=True))
    except _FAILURES:  # find the culprit below; the others still count
        out = {}
        for rule_id, plan in plans.items():
            try:
                out[rule_id] = plan.collect(engine=_ENGINE, optimizations=flags)
            except _FAILURES as exc:  # a rule never stops the scrub
                errors[rule_id] = f"{type(exc).__name__}: {exc}"
        return out


def _runnable(registry: Registry, wanted: set[str] | None, have: frozenset[str],
              skipped: dict[str, tuple[str, ...]]) -> Iterator[Rule]:
    """The rules of ``registry`` that ``wanted`` selects (None: all) and whose needs the
    context has; a selected rule lacking context goes into ``skipped`` with what it lacks."""
    for rule in registry:
        if wanted is not None and rule.id not in wanted:
            continue
        missing = tuple(sorted(rule.needs - have))
        if missing:
            skipped[rule.id] = missing
            continue
        yield rule


def scrub(
    claims: Batch,
    context: Context | None = None,
    *,
    registry: Registry | None = None,
    only: Iterable[str] | None = None,
) -> ScrubResult:
    """Run every applicable rule of ``registry`` (default: the library) over ``claims``."""
    start = time.perf_counter()
    return _scrub(ScrubContext(claims, context or Context()), registry, only, start)


def _scrub(ctx: ScrubContext, registry: Registry | None, only: Iterable[str] | None,
           start: float) -> ScrubResult:
    context = ctx.context
    registry = registry or default_registry()
    wanted = set(only) if only is not None else None
    have = context.available()
    plans: dict[str, pl.LazyFrame] = {}
    skipped: dict[str, tuple[str, ...]] = {}
    errors: dict[str, str] = {}
    keep: dict[str, pl.Series] = {}
    for rule in _runnable(registry, wanted, have, skipped):
        try:
            applies = _types_filter(rule, ctx)
            if applies is False:
                # No claim of its types in the batch: it ran, and found nothing.
                plans[rule.id] = _NOTHING
                continue
            if isinstance(applies, pl.Series):
                keep[rule.id] = applies
            plans[rule.id] = rule.check(ctx)
        except _FAILURES as exc:  # a rule never stops the scrub
            errors[rule.id] = f"{type(exc).__name__}: {exc}"
    ran = tuple(plans)
    found = _collect({k: v for k, v in plans.items() if v is not _NOTHING}, errors, ctx.flags)
    parts = []
    for rule_id, frame in found.items():
        if not frame.height:
            continue
        try:
            parts.append(_labelled(registry.get(rule_id), frame, keep.get(rule_id)))
        except _FAILURES as exc:  # e.g. a message that is not text: the rule errs, alone
            errors[rule_id] = f"{type(exc).__name__}: {exc}"
    ids = ctx.claim_ids
    if not any(part.height for part in parts):
        # Most claims are clean: the decisions are then known without the four frame
        # operations below (a millisecond or two of a one-claim scrub).
        decisions = pl.DataFrame({"claim_id": ids}).select(
            "claim_id", pl.lit("submit").alias("decision"),
            pl.lit(0, pl.Int64).alias("stopping_findings"))
        return ScrubResult(pl.DataFrame(schema=OUTPUT_COLUMNS), decisions, ran,
                           skipped, errors, time.perf_counter() - start)
    findings = pl.concat([pl.DataFrame(schema=OUTPUT_COLUMNS), *parts], how="vertical")
    key = ["claim_id", "rule_id", "line"]
    # A rule's messages on one line are joined in text order, not in the order its plan
    # happened to produce them, so a plan and a kernel give the same finding.
    findings = findings.group_by(key, maintain_order=True).agg(
        pl.exclude("message").first(), pl.col("message").unique().sort().str.join("; "),
    ).select(list(OUTPUT_COLUMNS)).sort(["claim_id", "line", "rule_id"], nulls_last=False)
    stop = findings.filter(pl.col("severity").is_in(_STOPPING)).group_by("claim_id").len()
    decisions = pl.DataFrame({"claim_id": ids}).join(
        stop, on="claim_id", how="left").select(
        "claim_id",
        pl.when(pl.col("len").fill_null(0) > 0).then(pl.lit("hold")).otherwise(
            pl.lit("submit")).alias("decision"),
        pl.col("len").fill_null(0).cast(pl.Int64).alias("stopping_findings"),
    )
    return ScrubResult(findings, decisions, ran, skipped,
                       errors, time.perf_counter() - start)


def scrub_claim(claim: Claim, context: Context | None = None, *,
                registry: Registry | None = None) -> list[Finding]:
    """Scrub one claim in real time with the same rules as a batch: its findings (as
    :func:`scrub_one` finds them, made into records straight from the kernels' rows, without
    the frames of a :class:`ScrubResult`, which cost as much as the kernels)."""
    rows = _one_claim(claim, context or Context(), registry or default_registry(), None).rows
    return [Finding.model_validate({k: v for k, v in row.items() if k != "repair"})
            for row in rows]


def scrub_one(
    claim: Claim,
    context: Context | None = None,
    *,
    registry: Registry | None = None,
    only: Iterable[str] | None = None,
    plans: bool = False,
) -> ScrubResult:
    """Scrub one claim in real time: each rule's one-claim kernel, or its plan on a one-claim
    batch where it has none (every rule through its plan with ``plans=True``, which must give
    the same result)."""
    start = time.perf_counter()
    context = context or Context()
    registry = registry or default_registry()
    if plans:
        return _scrub(ScrubContext(batch_from_records(Claim, [claim]), context), registry,
                      only, start)
    done = _one_claim(claim, context, registry, only)
    stopping = sum(1 for r in done.rows if r["severity"] in _STOPPING)
    decisions = pl.DataFrame({
        "claim_id": [done.claim_id], "decision": ["hold" if stopping else "submit"],
        "stopping_findings": [stopping]}, schema={"claim_id": pl.String, "decision": pl.String,
                                                  "stopping_findings": pl.Int64})
    return ScrubResult(pl.DataFrame(done.rows, schema=OUTPUT_COLUMNS), decisions, done.ran,
                       done.skipped, done.errors, time.perf_counter() - start)


@dataclass(frozen=True)
class _OneDone:
    """One claim scrubbed: its findings as rows of the findings table, and what ran."""

    claim_id: str
    rows: list[dict[str, Any]]
    ran: tuple[str, ...]
    skipped: dict[str, tuple[str, ...]]
    errors: dict[str, str]


def _one_claim(claim: Claim, context: Context, registry: Registry,
               only: Iterable[str] | None) -> _OneDone:
    start = time.perf_counter()
    wanted = set(only) if only is not None else None
    have = context.available()
    one = OneClaim(claim, context)
    rows: list[dict[str, Any]] = []
    ran: list[str] = []
    planned: list[str] = []
    skipped: dict[str, tuple[str, ...]] = {}
    errors: dict[str, str] = {}
    for rule in _runnable(registry, wanted, have, skipped):
        ran.append(rule.id)
        if claim.claim_type not in rule.claim_types:
            continue
        if rule.single is None:
            planned.append(rule.id)
            continue
        try:
            rows += [_hit_row(rule, one.claim_id, hit) for hit in rule.single(one)]
        except _FAILURES as exc:  # a rule never stops the scrub
            errors[rule.id] = f"{type(exc).__name__}: {exc}"
    if planned:
        batch = ScrubContext(batch_from_records(Claim, [claim]), context)
        by_plan = _scrub(batch, registry, planned, start)
        rows += by_plan.findings.to_dicts()
        errors.update(by_plan.errors)
    return _OneDone(one.claim_id, _merged(rows), tuple(ran), skipped, errors)


def _hit_row(rule: Rule, claim_id: str, hit: Hit) -> dict[str, Any]:
    """A kernel's finding in the columns of the findings table (as :func:`_labelled`)."""
    return {
        "claim_id": claim_id, "rule_id": rule.id, "severity": rule.severity.value,
        "category": rule.category.value,
        "carc": hit.carc if hit.carc is not None else rule.carc,
        "rarc": hit.rarc if hit.rarc is not None else rule.rarc,
        "line": hit.line, "message": hit.message if hit.message is not None else rule.title,
        "fix": hit.fix if hit.fix is not None else rule.fix, "repair": hit.repair,
    }


def _merged(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One claim's findings as :func:`_scrub` shapes a batch's: one per rule and line (its
    distinct messages joined in text order), ordered by line (the claim's first), then rule."""
    groups: dict[tuple[str, int | None], tuple[dict[str, Any], set[str]]] = {}
    for row in rows:
        key = (row["rule_id"], row["line"])
        if key not in groups:
            groups[key] = (row, set())
        if row["message"] is not None:
            groups[key][1].add(row["message"])
    out = [{**first, "message": "; ".join(sorted(messages))}
           for first, messages in groups.values()]
    out.sort(key=lambda r: (r["line"] is not None, r["line"] or 0, r["rule_id"]))
    return out


def scrub_stream(
    batches: Iterable[Batch],
    context: Context | None = None,
    *,
    registry: Registry | None = None,
    only: Iterable[str] | None = None,
    context_for: Callable[[Batch], Context] | None = None,
    carry: int = 1,
) -> Iterator[ScrubResult]:
    """Scrub batches one after another, yielding each batch's result as soon as it is done.

    Memory holds one batch and its findings at a time, plus the context and the claims of the
    ``carry`` batches before it, so any number of claims streams through: read Parquet or X12
    in chunks, or generate them, and hand the chunks over lazily. ``context_for``, when given,
    supplies each batch's context instead of ``context`` (e.g. the authorizations that arrive
    with a batch of claims).

    The claims (and their lines) of the previous ``carry`` batches join the context's claim
    history for the next batch, so a duplicate whose original came in one of those batches is
    caught, and benefit limits count those claims' units, as they would in one large batch.
    The bound: a duplicate is found when its original is in the same batch, in one of the
    ``carry`` batches before it, or in the context's history; ``carry=0`` judges every batch on
    its own.
    """
    if carry < 0:
        raise ValueError(f"carry must be 0 or more batches, not {carry}")
    wanted = None if only is None else tuple(only)
    window: deque[tuple[pl.DataFrame, pl.DataFrame]] = deque(maxlen=carry or None)
    for batch in batches:
        here = context_for(batch) if context_for is not None else context
        if carry and window:
            here = _with_history(here or Context(), window)
        start = time.perf_counter()
        ctx = ScrubContext(batch, here or Context())
        yield _scrub(ctx, registry, wanted, start)
        if carry:
            window.append(ctx.batch_frames)


def _with_history(context: Context, window: Iterable[tuple[pl.DataFrame, pl.DataFrame]]
                  ) -> Context:
    """``context`` with the carried batches' claims and lines after its own history."""
    claims = [c for c, _ in window]
    lines = [ln for _, ln in window]
    if context.history_claims is not None and context.history_lines is not None:
        claims.insert(0, context.history_claims)
        lines.insert(0, context.history_lines)
    return context.with_history(pl.concat(claims, how="diagonal_relaxed"),
                                pl.concat(lines, how="diagonal_relaxed"))

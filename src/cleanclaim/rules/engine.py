"""The scrubbing engine: every applicable rule over a batch, all findings, one decision a claim.

Batch, stream and real time run the same code: :func:`scrub_claim` lays one claim out as a
one-row batch and calls :func:`scrub`; :func:`scrub_stream` calls it batch by batch. Rules are
lazy Polars plans; the engine builds them all, adds each rule's metadata, and collects them
together so Polars can share the common scans. A small batch (real time) reads only the party
and reference rows its claims can reach, found through indexes the context builds once, and
its plans run without Polars' optimizer, which costs more than it saves on a few rows. A rule whose
needs are absent from the context is skipped (and listed in the result); a rule whose plan
fails is reported as errored, never raised, and the other rules' findings still come back.

Decision per claim: ``hold`` when any finding predicts a rejection or a denial, else ``submit``
(warnings travel with the claim but do not stop it).
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

import polars as pl

from ..domain import Claim, ClaimType, Finding, Severity
from ..domain.schema import Batch, batch_from_records
from .api import NEEDS, Rule
from .context import Context, ScrubContext
from .registry import Registry, default_registry

__all__ = ["OUTPUT_COLUMNS", "ScrubResult", "scrub", "scrub_claim", "scrub_stream"]

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


_OPTIONAL = pl.LazyFrame(schema={"carc": pl.String, "rarc": pl.String, "repair": pl.String})


def _plan(rule: Rule, ctx: ScrubContext) -> pl.LazyFrame:
    plan = rule.check(ctx)
    if rule.claim_types != frozenset(ClaimType):
        types = [t.value for t in rule.claim_types]
        plan = plan.join(ctx.claims.filter(pl.col("claim_type").is_in(types))
                         .select("claim_id"), on="claim_id", how="semi")
    # Optional columns are added by a diagonal concat with an empty frame: asking the plan
    # for its schema here would cost a planning pass per rule, noticeable on one claim.
    plan = pl.concat([plan, _OPTIONAL], how="diagonal_relaxed")
    return plan.select(
        pl.col("claim_id").cast(pl.String),
        pl.lit(rule.id).alias("rule_id"),
        pl.lit(rule.severity.value).alias("severity"),
        pl.lit(rule.category.value).alias("category"),
        pl.coalesce(pl.col("carc").cast(pl.String), pl.lit(rule.carc, pl.String)).alias("carc"),
        pl.coalesce(pl.col("rarc").cast(pl.String), pl.lit(rule.rarc, pl.String)).alias("rarc"),
        pl.col("line").cast(pl.Int64),
        pl.col("message").cast(pl.String),
        pl.col("fix").cast(pl.String),
        pl.col("repair").cast(pl.String),
    )


# A Polars panic surfaces as pyo3's PanicException, which derives from BaseException.
_FAILURES: tuple[type[BaseException], ...] = (Exception, pl.exceptions.PanicException)

# The in-memory engine: Polars 2.1's streaming engine panicked on one rule's plan over a
# 100,000-claim batch (a string function over a filtered frame), and in-memory was faster
# for these many small plans anyway (measured: 1.3 s vs 3.6 s for the suite).
_ENGINE: Literal["in-memory"] = "in-memory"


def _collect(plans: dict[str, pl.LazyFrame], errors: dict[str, str],
             flags: pl.QueryOptFlags) -> list[pl.DataFrame]:
    if not plans:
        return []
    try:
        return pl.collect_all(list(plans.values()), engine=_ENGINE, optimizations=flags)
    except _FAILURES:  # find the culprit below; the others still count
        out = []
        for rule_id, plan in plans.items():
            try:
                out.append(plan.collect(engine=_ENGINE, optimizations=flags))
            except _FAILURES as exc:  # a rule never stops the scrub
                errors[rule_id] = f"{type(exc).__name__}: {exc}"
        return out


def scrub(
    claims: Batch,
    context: Context | None = None,
    *,
    registry: Registry | None = None,
    only: Iterable[str] | None = None,
) -> ScrubResult:
    """Run every applicable rule of ``registry`` (default: the library) over ``claims``."""
    start = time.perf_counter()
    context = context or Context()
    registry = registry or default_registry()
    wanted = set(only) if only is not None else None
    ctx = ScrubContext(claims, context)
    have = context.available()
    plans: dict[str, pl.LazyFrame] = {}
    skipped: dict[str, tuple[str, ...]] = {}
    errors: dict[str, str] = {}
    for rule in registry:
        if wanted is not None and rule.id not in wanted:
            continue
        missing = tuple(sorted(rule.needs - have))
        if missing:
            skipped[rule.id] = missing
            continue
        try:
            plans[rule.id] = _plan(rule, ctx)
        except _FAILURES as exc:  # a rule never stops the scrub
            errors[rule.id] = f"{type(exc).__name__}: {exc}"
    parts = _collect(plans, errors, ctx.flags)
    ids = ctx.claim_ids
    if not any(part.height for part in parts):
        # Most claims are clean: the decisions are then known without the four frame
        # operations below (a millisecond or two of a one-claim scrub).
        decisions = pl.DataFrame({"claim_id": ids}).select(
            "claim_id", pl.lit("submit").alias("decision"),
            pl.lit(0, pl.Int64).alias("stopping_findings"))
        return ScrubResult(pl.DataFrame(schema=OUTPUT_COLUMNS), decisions, tuple(plans),
                           skipped, errors, time.perf_counter() - start)
    findings = pl.concat([pl.DataFrame(schema=OUTPUT_COLUMNS), *parts], how="vertical")
    key = ["claim_id", "rule_id", "line"]
    findings = findings.group_by(key, maintain_order=True).agg(
        pl.exclude("message").first(), pl.col("message").unique(maintain_order=True)
        .str.join("; "),
    ).select(list(OUTPUT_COLUMNS)).sort(["claim_id", "line", "rule_id"], nulls_last=False)
    stop = findings.filter(pl.col("severity").is_in(_STOPPING)).group_by("claim_id").len()
    decisions = pl.DataFrame({"claim_id": ids}).join(
        stop, on="claim_id", how="left").select(
        "claim_id",
        pl.when(pl.col("len").fill_null(0) > 0).then(pl.lit("hold")).otherwise(
            pl.lit("submit")).alias("decision"),
        pl.col("len").fill_null(0).cast(pl.Int64).alias("stopping_findings"),
    )
    return ScrubResult(findings, decisions, tuple(plans), skipped,
                       errors, time.perf_counter() - start)


def scrub_claim(claim: Claim, context: Context | None = None, *,
                registry: Registry | None = None) -> list[Finding]:
    """Scrub one claim in real time with the same rules as a batch."""
    return scrub(batch_from_records(Claim, [claim]), context, registry=registry).records()


def scrub_stream(
    batches: Iterable[Batch],
    context: Context | None = None,
    *,
    registry: Registry | None = None,
    only: Iterable[str] | None = None,
    context_for: Callable[[Batch], Context] | None = None,
) -> Iterator[ScrubResult]:
    """Scrub batches one after another, yielding each batch's result as soon as it is done.

    Memory holds one batch and its findings at a time (plus the context), so any number of
    claims streams through: read Parquet or X12 in chunks, or generate them, and hand the
    chunks over lazily. ``context_for``, when given, supplies each batch's context instead of
    ``context`` (e.g. the authorizations that arrive with a batch of claims). Duplicates are
    judged within a batch and against the context's history, not across batches: put earlier
    batches in the history to catch those.
    """
    wanted = None if only is None else tuple(only)
    for batch in batches:
        here = context_for(batch) if context_for is not None else context
        yield scrub(batch, here, registry=registry, only=wanted)

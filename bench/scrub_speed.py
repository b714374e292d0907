"""Speed of the scrubbing engine: the full rule suite over a batch, a few checks against a
plain per-claim Python implementation of the same checks, and one-claim latency.

``python -m bench scrub_speed [--claims N] [--ptp-pairs P] [--latency-claims K]``

Context: a synthetic world (members, coverages, plans, payers, providers, authorizations);
reference: the bundled ICD-10-CM set (undated here, see ``bench/scrub_accuracy.py``), the world's
procedure/MUE/policy tables, and the world's PTP pairs plus ``P`` synthetic PTP edits (default
2,000,000, the order of size of the CMS practitioner table), so the PTP join runs at full size.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections import defaultdict
from dataclasses import replace
from pathlib import Path
from typing import Any

import polars as pl

from cleanclaim.domain import Claim, Payer
from cleanclaim.domain.schema import records_from_batch
from cleanclaim.refdata import RefdataStore
from cleanclaim.refdata.synthetic import synthetic_ptp
from cleanclaim.rules import Context, scrub, scrub_claim
from cleanclaim.synth import generate_world, is_valid_npi

from .harness import machine, measure, report
from .scrub_accuracy import context_of

__all__ = ["main"]

FEW = ("adm.npi_invalid", "code.icd_invalid", "code.icd_not_billable", "code.ptp_unbundled",
       "code.mue_exceeded", "adm.timely_filing")
"""The checks the plain-Python baseline also implements."""


def _with_big_ptp(context: Context, pairs: int) -> Context:
    ref = context.reference
    assert ref.ptp is not None
    big = synthetic_ptp(pairs, seed=1).lazy().select(
        "column1", "column2", pl.col("modifier_indicator").cast(pl.Int64),
        pl.col("effective_date").alias("valid_from"),
        pl.col("deletion_date").alias("valid_before"))
    # Materialized once, as a loaded store would hand it over.
    ptp = pl.concat([ref.ptp, big], how="vertical_relaxed").collect().lazy()
    return replace(context, reference=replace(ref, ptp=ptp))


class PlainChecks:
    """The straightforward way: loop over typed claims, dict lookups, one claim at a time."""

    def __init__(self, context: Context, payers: list[Payer]) -> None:
        ref = context.reference
        assert ref.icd10cm is not None and ref.ptp is not None and ref.mue is not None
        self.icd = dict(ref.icd10cm.select("code", "billable").collect().iter_rows())
        self.ptp: dict[tuple[str, str], int] = {
            (a, b): m for a, b, m in ref.ptp.select(
                "column1", "column2", "modifier_indicator").collect().iter_rows()}
        self.mue = dict(ref.mue.select("code", "mue_value").collect().iter_rows())
        bypass = ref.modifiers.filter(pl.col("ptp_bypass")).collect()["modifier"]
        self.bypass = set(bypass.to_list())
        self.tf = {p.payer_id: p.timely_filing_days for p in payers}

    def check(self, c: Claim) -> list[tuple[str, int | None]]:
        out: list[tuple[str, int | None]] = []
        for npi in (c.billing_npi, c.rendering_npi, c.referring_npi, c.facility_npi):
            if npi is not None and not is_valid_npi(npi):
                out.append(("adm.npi_invalid", None))
        self._codes(c, out)
        last = c.statement_to or max(ln.service_to or ln.service_from for ln in c.lines)
        if c.submitted_on is not None and (c.submitted_on - last).days > self.tf[c.payer_id]:
            out.append(("adm.timely_filing", None))
        return out

    def _codes(self, c: Claim, out: list[tuple[str, int | None]]) -> None:
        for d in c.diagnoses:
            billable = self.icd.get(d.code)
            if billable is None:
                out.append(("code.icd_invalid", None))
            elif not billable:
                out.append(("code.icd_not_billable", None))
        by_day: dict[Any, list[Any]] = defaultdict(list)
        for ln in c.lines:
            by_day[ln.service_from].append(ln)
            limit = self.mue.get(ln.procedure_code or "")
            if limit is not None and ln.units > limit:
                out.append(("code.mue_exceeded", ln.line_number))
        for lines in by_day.values():
            for a in lines:
                for b in lines:
                    ind = self.ptp.get((a.procedure_code or "", b.procedure_code or ""))
                    if a is b or ind is None or ind == 9:
                        continue
                    if ind == 0 or not (self.bypass & (set(a.modifiers) | set(b.modifiers))):
                        out.append(("code.ptp_unbundled", b.line_number))


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench scrub_speed")
    parser.add_argument("--claims", type=int, default=100_000)
    parser.add_argument("--ptp-pairs", type=int, default=2_000_000)
    parser.add_argument("--latency-claims", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    world = generate_world(args.seed, args.claims)
    with tempfile.TemporaryDirectory() as tmp:
        context = _with_big_ptp(context_of(world, RefdataStore(Path(tmp))), args.ptp_pairs)
    n = len(world.claims)
    full = measure("cleanclaim scrub, full suite", lambda: scrub(world.claims, context),
                   items=n, unit="claims", repeat=2)
    result = scrub(world.claims, context)
    few = measure(f"cleanclaim scrub, {len(FEW)} checks",
                  lambda: scrub(world.claims, context, only=FEW), items=n, unit="claims",
                  repeat=2)
    claims = [c for c in records_from_batch(world.claims) if isinstance(c, Claim)]
    payers = [p for p in records_from_batch(world.payers) if isinstance(p, Payer)]
    plain = PlainChecks(context, payers)
    base = measure(f"per-claim Python, same {len(FEW)} checks",
                   lambda: [plain.check(c) for c in claims], items=n, unit="claims", repeat=1)

    scrub_claim(claims[0], context)  # warm-up: first-use caches of Polars and the registry
    latencies = []
    for c in claims[:args.latency_claims]:
        start = time.perf_counter()
        scrub_claim(c, context)
        latencies.append((time.perf_counter() - start) * 1000)
    latencies.sort()
    p50 = statistics.median(latencies)
    p99 = latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))]

    print(f"## scrub_speed, {n:,} claims, {args.ptp_pairs:,} synthetic PTP edits + the world's")
    print(f"machine: {machine()}")
    print(f"full suite: {len(result.rules_run)} rules, {result.findings.height:,} findings, "
          f"{full.seconds:.2f} s = {full.rate * 60:,.0f} claims/minute")
    print()
    print(report(f"{len(FEW)} checks: engine vs per-claim Python", few, base))
    print()
    print(f"one-claim latency (scrub_claim, full suite, {len(latencies)} claims): "
          f"p50 {p50:.1f} ms, p99 {p99:.1f} ms")
    return 0

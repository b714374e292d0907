"""Speed of the scrubbing engine, side by side with what it should be compared to.

``python -m bench scrub_speed [--claims N] [--ptp-pairs P] [--latency-claims K]
[--loop-claims L] [--stream-claims S] [--stream-chunk C]``

Printed:

- the full rule suite over ``N`` claims (claims per minute; goal 10 million);
- the PTP and MUE rules, each run alone through the engine (and the rule's own plan alone,
  once the batch's shared frames are built), against a bare Polars join of the same claim
  lines and reference table (no date windows, modifiers, day sums or messages: the floor;
  goal within 1.5x), collected with Polars' default engine (streaming), where the engine runs
  its plans in memory. The MUE rule is measured twice: on the world's table, whose values are
  all per line, and with the table's indicators drawn in the CMS mix (three codes in four
  summed per member, provider and day, which the bare join does not do);
- the full suite against the same rules in Python, claim by claim: ``scrub_claim`` in a loop
  over ``L`` claims (``--loop-claims``), which runs each rule's one-claim kernel. The kernels
  are the product's real-time path, tested equal to the plans, and read the context through the
  indexes it prepares once, so this baseline is no strawman (goal 50x). Alone, a claim repeats
  none of its batch peers, so the loop skips that part of the duplicate checks;
- six checks through the engine (``only=`` those six rules) against a straightforward per-claim
  Python implementation of the same checks (typed ``Claim`` records, a loop per claim, dict
  lookups; its dicts are built once, outside the timing, as the engine's sorted reference
  copies are built once per context; goal 50x). The comparison leans towards the Python side:
  the engine's checks also judge the code sets' and edits' dates, the PTP pair's provider and
  the MUE's date-of-service adjudication, which the loop skips;
- one-claim latency of ``scrub_claim`` with the full suite (p50, p95, p99 over ``K`` claims;
  goal p99 <= 5 ms), in wall time and in the process's CPU time: through the rules' one-claim
  kernels (what ``scrub_claim`` runs), side by side with the same claims through the rules'
  Polars plans on a one-claim batch (``scrub_one(..., plans=True)``, the earlier real-time
  path), with the ratio; and through the kernels again as a claim arrives in production, with
  the world's first half as claim history (duplicates, benefit limits and MUE days read it) and
  the bundled payer packs;
- streaming: ``S`` synthetic claims generated chunk by chunk (``C`` a chunk) and scrubbed with
  ``scrub_stream`` in a child process, so its peak RSS is its own: claims per minute of the
  scrub alone and end to end (with generation), peak RSS, and the held shares against the
  labels (the figures of ``scrub_accuracy``, as a check the stream scrubs right). The stream
  carries the previous chunk's claims as history (``--stream-carry``, default 1, the default
  of ``scrub_stream``), so duplicates split across chunks are caught.

Context: a synthetic world (members, coverages, plans, payers, providers, authorizations);
reference: the bundled ICD-10-CM set (undated here, see ``bench/scrub_accuracy.py``), the world's
procedure/MUE/policy tables, and the world's PTP pairs plus ``P`` synthetic PTP edits (default
2,000,000, the order of size of the CMS practitioner table), so the PTP join runs at full size.
Timings are the best of a few runs; the machine is shared, so expect some noise. Beside wall
time, the process's CPU time (all its threads) is given: on a loaded machine it moves much less
than wall time, which includes waiting for a core.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from cleanclaim.domain import Authorization, Claim, Payer
from cleanclaim.domain.schema import Batch, records_from_batch
from cleanclaim.refdata import RefdataStore
from cleanclaim.refdata.synthetic import synthetic_ptp
from cleanclaim.rules import (
    Context,
    ScrubContext,
    default_registry,
    scrub,
    scrub_claim,
    scrub_one,
    scrub_stream,
)
from cleanclaim.rules.packs import bundled_packs
from cleanclaim.synth import (
    ClaimChunk,
    DefectRates,
    WorldShape,
    build_population,
    claims_chunks,
    generate_world,
    is_valid_npi,
    reference_tables,
)

from .harness import Measure, cpu_seconds, machine, measure, report
from .scrub_accuracy import context_of, reference_of

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


def _bare_ptp(lines: pl.DataFrame, ptp: pl.DataFrame) -> pl.DataFrame:
    """Pairs of lines of a claim on one date that form a PTP pair: the join alone."""
    left = lines.lazy().select("claim_id", "line_number", "procedure_code", "service_from")
    pairs = left.join(left, on=["claim_id", "service_from"], suffix="_2").filter(
        pl.col("line_number") != pl.col("line_number_2"))
    return pairs.join(ptp.lazy(), left_on=["procedure_code", "procedure_code_2"],
                      right_on=["column1", "column2"]).collect()


def _bare_mue(lines: pl.DataFrame, mue: pl.DataFrame) -> pl.DataFrame:
    """Lines whose units exceed their code's MUE: the join alone."""
    return lines.lazy().select("claim_id", "line_number", "procedure_code", "units").join(
        mue.lazy(), left_on="procedure_code", right_on="code").filter(
        pl.col("units") > pl.col("mue_value")).collect()


def _run(ctx: ScrubContext, plan: Callable[[], pl.LazyFrame]) -> pl.DataFrame:
    return ctx.collect(plan())


def _per_day_mue(context: Context, seed: int) -> Context:
    """``context`` with the MUE table's adjudication indicators drawn in the CMS mix (a quarter
    per line, the rest per date of service), seeded: the world's table has per-line values
    only, so without this the rule's day sums would never be measured."""
    ref = context.reference
    assert ref.mue is not None
    mue = ref.mue.collect()
    drawn = np.random.default_rng(seed).choice(np.array([1, 2, 3]), size=mue.height,
                                               p=[0.25, 0.2, 0.55])
    mue = mue.with_columns(pl.Series("adjudication_indicator", drawn).cast(
        mue.schema["adjudication_indicator"]))
    return replace(context, reference=replace(ref, mue=mue.lazy()))


def _versus_bare(world_claims: Batch, context: Context, n: int, seed: int) -> list[str]:
    lines = world_claims.frames()["claim_lines"]
    rows = ["| check | engine s | its plan alone s | bare join s | engine / bare | "
            "plan alone / bare |", "| --- | ---: | ---: | ---: | ---: | ---: |"]
    per_day = _per_day_mue(context, seed)
    ptp, mue, mue_per_day = (_table(context, "ptp"), _table(context, "mue"),
                             _table(per_day, "mue"))
    cases: list[tuple[str, str, Context, Callable[[], pl.DataFrame]]] = [
        ("code.ptp_unbundled", "", context, lambda: _bare_ptp(lines, ptp)),
        ("code.mue_exceeded", " (the world's per-line MUEs)", context,
         lambda: _bare_mue(lines, mue)),
        ("code.mue_exceeded", " (CMS mix: 75% of codes summed per day)", per_day,
         lambda: _bare_mue(lines, mue_per_day))]
    for rule_id, label, ctx_of, bare in cases:
        engine = measure(rule_id, partial(scrub, world_claims, ctx_of, only=[rule_id]),
                         items=n, unit="claims", repeat=3)
        # The rule's own plan, once the batch's shared frames (claims with dates, lines with
        # their header) are built: what the rule adds to a full-suite scrub.
        ctx = ScrubContext(world_claims, ctx_of)
        ctx.collect(ctx.claim_lines)
        plan = partial(default_registry().get(rule_id).check, ctx)
        # Milliseconds each: the best of many runs, so one pause of the machine does not
        # decide the ratio.
        alone = measure("alone", partial(_run, ctx, plan), items=n, unit="claims", repeat=15)
        floor = measure("bare", bare, items=n, unit="claims", repeat=15)
        rows.append(f"| {rule_id}{label} | {engine.seconds:.3f} | {alone.seconds:.3f} | "
                    f"{floor.seconds:.3f} | {engine.seconds / floor.seconds:.2f}x | "
                    f"{alone.seconds / floor.seconds:.2f}x |")
    return rows


def _table(context: Context, name: str) -> pl.DataFrame:
    table = getattr(context.reference, name)
    assert table is not None
    frame: pl.DataFrame = table.collect()
    return frame


def _percentiles(values: list[float]) -> tuple[float, float, float]:
    ordered = sorted(values)

    def pct(q: float) -> float:
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]

    return statistics.median(ordered), pct(0.95), pct(0.99)


def _latency(claims: list[Claim], scrub_one_claim: Callable[[Claim], object]
             ) -> tuple[tuple[float, float, float], tuple[float, float, float], int]:
    """Wall and CPU milliseconds (p50, p95, p99) of one-claim scrubs."""
    scrub_one_claim(claims[0])  # warm-up: first-use caches of Polars and the context
    wall, cpu = [], []
    for c in claims:
        start, start_cpu = time.perf_counter(), time.process_time()
        scrub_one_claim(c)
        wall.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    return _percentiles(wall), _percentiles(cpu), len(wall)


def _status_mib(field: str) -> float:
    """A memory figure of /proc/self/status (VmRSS now, VmHWM the peak), in MiB."""
    with open("/proc/self/status") as f:
        kib = next(line.split()[1] for line in f if line.startswith(f"{field}:"))
    return int(kib) / 1024


def _peak_rss_mib() -> float:
    # VmHWM, not ru_maxrss: a child started by fork and exec keeps its parent's ru_maxrss.
    try:
        return _status_mib("VmHWM")
    except (OSError, StopIteration):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _stream(claims: int, chunk: int, ptp_pairs: int, seed: int, carry: int = 1
            ) -> dict[str, Any]:
    """Generate ``claims`` claims chunk by chunk, scrub them as a stream, measure."""
    began = time.perf_counter()
    pop = build_population(seed, claims, DefectRates(), WorldShape(chunk_claims=chunk))
    with tempfile.TemporaryDirectory() as tmp:
        reference = reference_of(RefdataStore(Path(tmp)), reference_tables())
    base = _with_big_ptp(Context.from_batches({
        "payers": pop.payers, "plans": pop.plans, "members": pop.members,
        "coverages": pop.coverages, "providers": pop.providers,
        "authorizations": pop.background_auths}, reference=reference), ptp_pairs)
    assert base.authorizations is not None
    base_auths = base.authorizations
    key = list(Authorization.__key__)
    setup = time.perf_counter() - began
    timing = {"generate": 0.0, "scrub": 0.0, "generate_cpu": 0.0, "scrub_cpu": 0.0}
    current: dict[str, ClaimChunk] = {}
    rss: list[float] = []

    def chunks() -> Iterator[Batch]:
        gen = claims_chunks(pop)
        while True:
            start, start_cpu = time.perf_counter(), time.process_time()
            got: ClaimChunk | None = next(gen, None)
            timing["generate"] += time.perf_counter() - start
            timing["generate_cpu"] += time.process_time() - start_cpu
            if got is None:
                return
            current["chunk"] = got
            yield got.claims

    def context_for(batch: Batch) -> Context:
        # The authorizations made for a chunk's claims join the standing ones.
        made = current["chunk"].authorizations.frames()["authorizations"]
        auths = pl.concat([base_auths, made], how="vertical_relaxed").unique(
            subset=key, keep="first", maintain_order=True)
        return replace(base, authorizations=auths)

    held = {"clean": 0, "clean_held": 0, "preventable": 0, "preventable_held": 0}
    done = 0
    stream = scrub_stream(chunks(), context_for=context_for, carry=carry)
    while True:
        start, start_cpu = time.perf_counter(), time.process_time()
        result = next(stream, None)
        timing["scrub"] += time.perf_counter() - start
        timing["scrub_cpu"] += time.process_time() - start_cpu
        if result is None:
            break
        assert not result.errors, result.errors
        done += result.decisions.height
        label = pl.from_arrow(current["chunk"].labels)
        assert isinstance(label, pl.DataFrame)
        joined = result.decisions.join(label.unique(subset="claim_id"), on="claim_id")
        hold = pl.col("decision") == "hold"
        clean = pl.col("defect") == "clean"
        prev = ~clean & pl.col("preventable")
        counts = joined.select(clean.sum().alias("clean"), (clean & hold).sum().alias(
            "clean_held"), prev.sum().alias("preventable"),
            (prev & hold).sum().alias("preventable_held")).row(0, named=True)
        for k, v in counts.items():
            held[k] += int(v)
        rss.append(_status_mib("VmRSS"))
    scrub_s, gen_s = timing["scrub"] - timing["generate"], timing["generate"]
    return {
        "claims": done, "chunk": chunk, "carry": carry, "setup_seconds": setup,
        "scrub_seconds": scrub_s, "generate_seconds": gen_s,
        "scrub_cpu_seconds": timing["scrub_cpu"] - timing["generate_cpu"],
        "claims_per_minute": done / scrub_s * 60 if scrub_s else 0.0,
        "end_to_end_per_minute": done / (scrub_s + gen_s) * 60 if scrub_s + gen_s else 0.0,
        "peak_rss_mib": _peak_rss_mib(),
        "rss_first_chunk_mib": rss[0] if rss else 0.0,
        "rss_last_chunk_mib": rss[-1] if rss else 0.0,
        **held,
    }


def _stream_figures(args: argparse.Namespace) -> dict[str, Any]:
    cmd = [sys.executable, "-m", "bench", "scrub_speed", "--stream-only",
           "--stream-claims", str(args.stream_claims), "--stream-chunk", str(args.stream_chunk),
           "--ptp-pairs", str(args.ptp_pairs), "--seed", str(args.seed),
           "--stream-carry", str(args.stream_carry)]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True)
    figures: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return figures


def _stream_lines(s: dict[str, Any]) -> list[str]:
    def share(a: int, b: int) -> str:
        return f"{100 * a / b:.1f}%" if b else "-"

    return [
        f"streaming (scrub_stream, child process): {s['claims']:,} claims in chunks of "
        f"{s['chunk']:,}, carrying {s['carry']} chunk(s) as history",
        f"- scrub: {s['scrub_seconds']:.1f} s = {s['claims_per_minute']:,.0f} claims/minute "
        f"(CPU {s['scrub_cpu_seconds']:.1f} s); "
        f"with generation ({s['generate_seconds']:.1f} s): "
        f"{s['end_to_end_per_minute']:,.0f} claims/minute; setup {s['setup_seconds']:.1f} s",
        f"- peak RSS {s['peak_rss_mib']:,.0f} MiB; RSS after the first chunk "
        f"{s['rss_first_chunk_mib']:,.0f} MiB, after the last {s['rss_last_chunk_mib']:,.0f} MiB",
        f"- preventable defects held {share(s['preventable_held'], s['preventable'])}, "
        f"clean claims held {share(s['clean_held'], s['clean'])}",
    ]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench scrub_speed")
    parser.add_argument("--claims", type=int, default=100_000)
    parser.add_argument("--ptp-pairs", type=int, default=2_000_000)
    parser.add_argument("--latency-claims", type=int, default=300)
    parser.add_argument("--loop-claims", type=int, default=10_000,
                        help="claims scrubbed one by one for the per-claim Python comparison")
    parser.add_argument("--stream-claims", type=int, default=1_000_000,
                        help="claims to stream (0: skip; 10000000 for the 10M figure)")
    parser.add_argument("--stream-chunk", type=int, default=100_000)
    parser.add_argument("--stream-carry", type=int, default=1,
                        help="chunks carried as claim history (scrub_stream's carry)")
    parser.add_argument("--stream-only", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    if args.stream_only:
        print(json.dumps(_stream(args.stream_claims, args.stream_chunk, args.ptp_pairs,
                                 args.seed, args.stream_carry)))
        return 0

    world = generate_world(args.seed, args.claims)
    with tempfile.TemporaryDirectory() as tmp:
        context = _with_big_ptp(context_of(world, RefdataStore(Path(tmp))), args.ptp_pairs)
    n = len(world.claims)
    full = measure("cleanclaim scrub, full suite", lambda: scrub(world.claims, context),
                   items=n, unit="claims", repeat=3)
    full_cpu = cpu_seconds(lambda: scrub(world.claims, context))
    result = scrub(world.claims, context)
    assert not result.errors, result.errors
    bare = _versus_bare(world.claims, context, n, args.seed)
    few = measure(f"cleanclaim scrub, {len(FEW)} checks",
                  lambda: scrub(world.claims, context, only=FEW), items=n, unit="claims",
                  repeat=3)
    few_cpu = cpu_seconds(lambda: scrub(world.claims, context, only=FEW))
    claims = [c for c in records_from_batch(world.claims) if isinstance(c, Claim)]
    payers = [p for p in records_from_batch(world.payers) if isinstance(p, Payer)]
    plain = PlainChecks(context, payers)
    base: Measure = measure(f"per-claim Python, same {len(FEW)} checks",
                            lambda: [plain.check(c) for c in claims], items=n, unit="claims",
                            repeat=3)
    base_cpu = cpu_seconds(lambda: [plain.check(c) for c in claims])
    # The same rules in Python claim by claim: the rules' one-claim kernels (proven equal to
    # the plans by the tests), which read the context through the same prepared indexes.
    looped = claims[:args.loop_claims]
    loop = measure("the same rules claim by claim", lambda: [scrub_claim(c, context)
                                                             for c in looped],
                   items=len(looped), unit="claims", repeat=1)
    sample = claims[:args.latency_claims]
    (p50, p95, p99), (c50, c95, c99), k = _latency(
        sample, lambda c: scrub_claim(c, context))
    (q50, q95, q99), _, _ = _latency(sample, lambda c: scrub_one(c, context, plans=True))
    # As a claim arrives in production: the claims before it as history, the payer packs on.
    frames = world.claims.frames()
    history = frames["claims"].head(n // 2)
    with_history = context.with_history(history, frames["claim_lines"].join(
        history.select("claim_id"), on="claim_id", how="semi"))
    packs = default_registry().extended(bundled_packs())
    (h50, h95, h99), _, _ = _latency(
        claims[n // 2:n // 2 + args.latency_claims],
        lambda c: scrub_claim(c, with_history, registry=packs))
    streamed = _stream_figures(args) if args.stream_claims > 0 else None

    print(f"## scrub_speed, {n:,} claims, {args.ptp_pairs:,} synthetic PTP edits + the world's")
    print(f"machine: {machine()}")
    print()
    print("| figure | measured | goal |")
    print("| --- | ---: | ---: |")
    print(f"| full suite ({len(result.rules_run)} rules), claims/minute | "
          f"{full.rate * 60:,.0f} ({full.seconds:.2f} s; CPU {full_cpu:.2f} s) | 10,000,000 |")
    print(f"| full suite vs the same rules in Python claim by claim (scrub_claim in a loop, "
          f"{len(looped):,} claims) | {full.rate / loop.rate:.1f}x ({loop.rate * 60:,.0f} "
          f"claims/minute) | 50x |")
    print(f"| {len(FEW)} checks, engine vs per-claim Python | "
          f"{base.seconds / few.seconds:.1f}x ({few.seconds:.3f} s vs {base.seconds:.3f} s; "
          f"CPU {few_cpu:.3f} s vs {base_cpu:.3f} s = {base_cpu / few_cpu:.1f}x) | 50x |")
    print(f"| one claim (scrub_claim, full suite, {k} claims), p50 / p95 / p99 ms | "
          f"{p50:.1f} / {p95:.1f} / {p99:.1f} (CPU {c50:.1f} / {c95:.1f} / {c99:.1f}) | "
          "p99 <= 5 |")
    print(f"| one claim, {n // 2:,} claims of history and the bundled payer packs, p50 / p95 / "
          f"p99 ms | {h50:.1f} / {h95:.1f} / {h99:.1f} | p99 <= 5 |")
    print(f"| one claim through the plans instead, p50 / p95 / p99 ms | "
          f"{q50:.1f} / {q95:.1f} / {q99:.1f} (kernels {q50 / p50:.1f}x / {q95 / p95:.1f}x / "
          f"{q99 / p99:.1f}x faster) | |")
    if streamed is not None:
        print(f"| streaming {streamed['claims']:,} claims, claims/minute (scrub) | "
              f"{streamed['claims_per_minute']:,.0f} "
              f"(CPU {streamed['scrub_cpu_seconds']:.1f} s) | 10,000,000 |")
        print(f"| streaming, peak RSS MiB | {streamed['peak_rss_mib']:,.0f} | bounded |")
    print()
    print(f"full suite: {result.findings.height:,} findings over {n:,} claims")
    print()
    print("PTP and MUE rules alone vs a bare Polars join of the same data (goal <= 1.5x):")
    print()
    print("\n".join(bare))
    print()
    print(report(f"{len(FEW)} checks: engine vs per-claim Python", few, base))
    if streamed is not None:
        print()
        print("\n".join(_stream_lines(streamed)))
    return 0

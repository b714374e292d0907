"""Parse throughput of the X12 reader on a generated 837P against pyx12 as a peer.

``python -m bench x12_parse [--claims N] [--pyx12 N] [--repeat R]``

Times, on one generated 837P file: tokenizing only, parsing into validated canonical
``Claim`` records, and parsing into a validated canonical batch (Arrow tables, checked all at
once by ``domain.conform``) against building that batch from the records; then pyx12
(installed in the dev venv as the test oracle) walking the 2300
claim loops of a file of the first ``--pyx12`` claims (0 skips it; pyx12 is slow, so it gets a
smaller file and its rate is compared per claim). Figures are the best of ``--repeat`` runs,
in wall time (the shared harness) and, for the parse, also in CPU time of the process.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import time
from collections.abc import Callable
from pathlib import Path
from tempfile import TemporaryDirectory

from tests.standards.x12.factories import make_claims

from cleanclaim.domain import Claim
from cleanclaim.domain.schema import batch_from_records
from cleanclaim.standards.x12 import (
    WriteOptions,
    format_837,
    iter_segment_blocks,
    parse,
    parse_claim_batch,
)

from .harness import Measure, machine, measure, report

__all__ = ["main"]


def _pyx12_claims(path: Path) -> int:
    # Imported by name: pyx12 is an optional peer without type information.
    error_handler = importlib.import_module("pyx12.error_handler")
    params = importlib.import_module("pyx12.params")
    x12context = importlib.import_module("pyx12.x12context")

    param = params.params()
    errh = error_handler.errh_null()
    with path.open(encoding="ascii") as stream:
        reader = x12context.X12ContextReader(param, errh, stream)
        # Loops come out as trees, the other segments one by one: count the claims.
        return sum(1 for node in reader.iter_segments("2300") if node.id == "2300")


def _cpu_seconds(run: Callable[[], object], repeat: int) -> float:
    # CPU time of this process as well as wall time: the machine is shared, and wall time
    # swings with what the neighbours run.
    best = float("inf")
    for _ in range(repeat):
        start = time.process_time()
        run()
        best = min(best, time.process_time() - start)
    return best


def _count_segments(path: Path) -> int:
    return sum(len(block) for _, _, block in iter_segment_blocks(path))


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench x12_parse", description=__doc__)
    parser.add_argument("--claims", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--pyx12", type=int, default=1_000, help="claims for the pyx12 peer")
    args = parser.parse_args(argv)
    options = WriteOptions(created=dt.datetime(2024, 12, 1, 10, 0))
    # The tests' generator of well-formed claims: the synthetic world's injected defects
    # would send the peer down its error paths and measure those instead.
    claims = make_claims(args.claims, seed=11)
    with TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.837"
        path.write_text(format_837(claims, options), encoding="utf-8")
        megabytes = path.stat().st_size / 1e6
        segments = _count_segments(path)
        print(f"837P: {args.claims:,} claims, {segments:,} segments, {megabytes:.1f} MB")
        print(f"machine: {machine()}\n")
        tokenize = measure(
            "tokenize only", lambda: _count_segments(path), items=segments,
            unit="segments", repeat=args.repeat,
        )
        print(f"tokenize: {tokenize.rate:,.0f} segments/s, {megabytes / tokenize.seconds:.1f} MB/s")
        ours = measure(
            "cleanclaim parse -> Claim", lambda: sum(1 for _ in parse(path)),
            items=args.claims, unit="claims", repeat=args.repeat,
        )
        cpu = _cpu_seconds(lambda: sum(1 for _ in parse(path)), args.repeat)
        print(f"parse: {ours.rate:,.0f} claims/s, {megabytes / ours.seconds:.1f} MB/s "
              f"(CPU time: {args.claims / cpu:,.0f} claims/s)")
        batch = measure(
            "cleanclaim parse_claim_batch -> Batch", lambda: parse_claim_batch(path),
            items=args.claims, unit="claims", repeat=args.repeat,
        )
        cpu = _cpu_seconds(lambda: parse_claim_batch(path), args.repeat)
        print(f"parse_claim_batch: {batch.rate:,.0f} claims/s, "
              f"{megabytes / batch.seconds:.1f} MB/s (CPU time: {args.claims / cpu:,.0f} claims/s)")
        via = measure(
            "parse + batch_from_records", lambda: batch_from_records(Claim, list(parse(path))),
            items=args.claims, unit="claims", repeat=args.repeat,
        )
        print(f"parse then batch_from_records: {via.rate:,.0f} claims/s\n")
        print(report("x12_parse, 837P into a canonical batch", batch, via) + "\n")
        if args.pyx12:
            small = Path(tmp) / "small.837"
            small.write_text(format_837(claims[: args.pyx12], options), encoding="ascii")
            peer = measure(
                "pyx12 X12ContextReader", lambda: _pyx12_claims(small),
                items=args.pyx12, unit="claims", repeat=1,
            )
            # The ratio compares rates: the two runs read files of different sizes.
            scaled = Measure(peer.name, ours.items / peer.rate, ours.items, "claims", 0.0)
            print(report(f"x12_parse, 837P into claims ({args.pyx12:,} for pyx12)", ours, scaled))
            print(f"(pyx12 measured on {args.pyx12:,} claims in {peer.seconds:.2f} s;"
                  " its row is scaled to the same claim count)")
    return 0

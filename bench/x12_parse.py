"""Parse throughput of the X12 reader on a generated 837P against pyx12 as a peer.

``python -m bench x12_parse [--claims N] [--pyx12 N] [--repeat R] [--rss N]``

The batch figures are given twice when the C fast path (``standards.x12.fast837``) is built:
through it (the default) and through the Python path (``CLEANCLAIM_X12_FAST=0``), with the
ratio, in claims/s and MB/s.

Times, on one generated 837P file: tokenizing only, parsing into validated canonical
``Claim`` records, and parsing into a validated canonical batch (Arrow tables, checked all at
once by ``domain.conform``) against building that batch from the records, and streaming it
as batches (``iter_claim_batches``). With ``--rss N`` it also reads a file of N claims in a
fresh process per run and prints the peak resident memory of streaming against the bench's
file, to show whether memory grows with the file; then pyx12
(installed in the dev venv as the test oracle) walking the 2300
claim loops of a file of the first ``--pyx12`` claims (0 skips it; pyx12 is slow, so it gets a
smaller file and its rate is compared per claim), and x12sdk (``--x12sdk N`` claims, if it is
installed; it is not a dependency) reading its typed 837 models and their claims, against our
parse of the same file, with the Python peak allocation of each. Figures are the best of
``--repeat`` runs, in wall time (the shared harness) and, for the parse, also in CPU time of
the process.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from tempfile import TemporaryDirectory

from tests.standards.x12.factories import make_claims

from cleanclaim.domain import Claim
from cleanclaim.domain.schema import batch_from_records
from cleanclaim.standards.x12 import (
    WriteOptions,
    fast837,
    format_837,
    iter_claim_batches,
    iter_segment_blocks,
    parse,
    parse_claim_batch,
)

from .harness import Measure, cpu_seconds, machine, measure, report

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


_ADDRESS = "N3*1 MAIN ST~\nN4*SPRINGFIELD*IL*627010000~\n"


def _guide_complete(text: str) -> str:
    """``text`` with the addresses and provider names the guide requires and claims lack.

    x12sdk refuses an 837 without them (so does pyx12's validator: ``bench/x12_pyx12.py``);
    both readers get this same file, and ours reads past the added segments.
    """
    # Skip the loops that already carry their address: the writer adds them when it has them.
    text = re.sub(
        r"(NM1\*(?:85|QC|77)\*[^~]*~\n)(?!N3\*)", lambda m: m.group(1) + _ADDRESS, text
    )
    text = re.sub(r"NM1\*(82|DN)\*1\*\*\*", r"NM1*\1*1*DOE*JOHN*", text)
    text = re.sub(r"NM1\*77\*2\*\*", "NM1*77*2*CITY LAB*", text)
    out: list[str] = []
    start = 0
    for segment in text.split("~\n"):
        if segment.startswith("ST*"):
            start = len(out)
        elif segment.startswith("SE*"):  # the segment counts changed
            parts = segment.split("*")
            parts[1] = str(len(out) - start + 1)
            segment = "*".join(parts)
        out.append(segment)
    return "~\n".join(out)


def _x12sdk_claims(text: str) -> int:
    # Imported by name: x12sdk is an optional peer, installed by hand if at all.
    reader_type = importlib.import_module("x12sdk.io").X12ModelReader
    with reader_type(text) as reader:
        return sum(1 for model in reader.models() for _ in model.claims())


def _x12sdk_report(claims: list[Claim], count: int, options: WriteOptions, repeat: int) -> None:
    try:
        importlib.import_module("x12sdk")
    except ImportError:
        print("x12sdk is not installed: its comparison is skipped (pip install x12sdk)")
        return
    text = _guide_complete(format_837(claims[:count], options))
    peer = measure(
        "x12sdk X12ModelReader -> 837 models, claims()", lambda: _x12sdk_claims(text),
        items=count, unit="claims", repeat=repeat, trace_memory=True,
    )
    ours = measure(
        "cleanclaim parse -> Claim", lambda: sum(1 for _ in parse(text)),
        items=count, unit="claims", repeat=repeat, trace_memory=True,
    )
    batch = measure(
        "cleanclaim parse_claim_batch -> Batch", lambda: parse_claim_batch(text),
        items=count, unit="claims", repeat=repeat, trace_memory=True,
    )
    print(report(f"x12_parse, 837P ({count:,} claims, guide-complete) against x12sdk",
                 batch, peer))
    print(report("x12_parse, records against x12sdk", ours, peer))


# Run in a child process so that its peak resident memory is that of one read alone.
_RSS_CHILD = """
import sys
from pathlib import Path
from cleanclaim.standards.x12 import iter_claim_batches, parse_claim_batch
path, mode = Path(sys.argv[1]), sys.argv[2]
if mode == "stream":
    claims = sum(len(batch) for batch in iter_claim_batches(path))
elif mode == "whole":
    claims = len(parse_claim_batch(path))
else:
    claims = 0
# VmHWM, not ru_maxrss: the latter keeps the peak of the parent process across fork and exec.
status = Path("/proc/self/status").read_text().splitlines()
print(claims, next(line.split()[1] for line in status if line.startswith("VmHWM:")))
"""


def _peak_rss_mib(path: Path, mode: str, fast: bool = True) -> tuple[int, float]:
    """(claims read, peak RSS in MiB) of a fresh process reading ``path`` in ``mode``."""
    env = {**os.environ, fast837.ENV_VAR: "1" if fast else "0"}
    done = subprocess.run(
        [sys.executable, "-c", _RSS_CHILD, str(path), mode],
        check=True, capture_output=True, text=True, env=env,
    )
    claims, kib = done.stdout.split()
    return int(claims), int(kib) / 1024


def _rss_report(small: Path, claims: int, options: WriteOptions) -> None:
    with TemporaryDirectory() as tmp:
        large = Path(tmp) / "large.837"
        large.write_text(format_837(make_claims(claims, seed=12), options), encoding="utf-8")
        base = _peak_rss_mib(small, "none")[1]
        print(f"peak RSS (fresh process; imports alone {base:.0f} MiB):")
        paths = ("C fast path", "Python path") if fast837.enabled() else ("Python path",)
        for path in (small, large):
            size = path.stat().st_size / 1e6
            for mode in ("stream", "whole"):
                for which in paths:
                    count, peak = _peak_rss_mib(path, mode, which != "Python path")
                    what = "iter_claim_batches" if mode == "stream" else "parse_claim_batch"
                    print(f"  {what:<19} {which:<12} {count:>9,} claims, {size:6.1f} MB file: "
                          f"{peak:6.0f} MiB ({peak - base:+.0f} over imports)")


def _python_path(run: Callable[[], object]) -> Callable[[], object]:
    """``run`` with the C fast path switched off (``CLEANCLAIM_X12_FAST=0``)."""

    def python() -> object:
        before = os.environ.get(fast837.ENV_VAR)
        os.environ[fast837.ENV_VAR] = "0"
        try:
            return run()
        finally:
            if before is None:
                del os.environ[fast837.ENV_VAR]
            else:
                os.environ[fast837.ENV_VAR] = before

    return python


def _fast_report(path: Path, claims: int, megabytes: float, repeat: int) -> None:
    """parse_claim_batch and iter_claim_batches through the fast path and the Python path."""
    if not fast837.enabled():
        print("fast path: not built or switched off (CLEANCLAIM_X12_FAST=0): skipped\n")
        return
    runs = {
        "parse_claim_batch": lambda: parse_claim_batch(path),
        "iter_claim_batches": lambda: sum(len(b) for b in iter_claim_batches(path)),
    }
    for what, run in runs.items():
        before = fast837.counts["python"]
        fast = measure(f"{what} (C fast path)", run, items=claims, unit="claims",
                       repeat=repeat)
        assert fast837.counts["python"] == before, "the fast path fell back"
        slow = measure(f"{what} (Python path)", _python_path(run), items=claims,
                       unit="claims", repeat=repeat)
        print(f"{what}: fast path {fast.rate:,.0f} claims/s, {megabytes / fast.seconds:.1f} "
              f"MB/s; Python path {slow.rate:,.0f} claims/s, "
              f"{megabytes / slow.seconds:.1f} MB/s; ratio {slow.seconds / fast.seconds:.1f}x")
    print(report("x12_parse, 837P into canonical batches: C fast path against Python path",
                 fast, slow) + "\n")


def _count_segments(path: Path) -> int:
    return sum(len(block) for _, _, block in iter_segment_blocks(path))


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench x12_parse", description=__doc__)
    parser.add_argument("--claims", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--pyx12", type=int, default=1_000, help="claims for the pyx12 peer")
    parser.add_argument("--x12sdk", type=int, default=1_000,
                        help="claims for the x12sdk peer (0: none)")
    parser.add_argument("--rss", type=int, default=0,
                        help="claims of a second file for the peak-memory comparison (0: none)")
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
        cpu = cpu_seconds(lambda: sum(1 for _ in parse(path)), args.repeat)
        print(f"parse: {ours.rate:,.0f} claims/s, {megabytes / ours.seconds:.1f} MB/s "
              f"(CPU time: {args.claims / cpu:,.0f} claims/s)")
        batch = measure(
            "cleanclaim parse_claim_batch -> Batch", lambda: parse_claim_batch(path),
            items=args.claims, unit="claims", repeat=args.repeat,
        )
        cpu = cpu_seconds(lambda: parse_claim_batch(path), args.repeat)
        print(f"parse_claim_batch: {batch.rate:,.0f} claims/s, "
              f"{megabytes / batch.seconds:.1f} MB/s (CPU time: {args.claims / cpu:,.0f} claims/s)")
        stream = measure(
            "cleanclaim iter_claim_batches -> Batches",
            lambda: sum(len(b) for b in iter_claim_batches(path)),
            items=args.claims, unit="claims", repeat=args.repeat,
        )
        print(f"iter_claim_batches: {stream.rate:,.0f} claims/s")
        via = measure(
            "parse + batch_from_records", lambda: batch_from_records(Claim, list(parse(path))),
            items=args.claims, unit="claims", repeat=args.repeat,
        )
        print(f"parse then batch_from_records: {via.rate:,.0f} claims/s\n")
        print(report("x12_parse, 837P into a canonical batch", batch, via) + "\n")
        _fast_report(path, args.claims, megabytes, args.repeat)
        if args.rss:
            _rss_report(path, args.rss, options)
            print()
        if args.x12sdk:
            _x12sdk_report(claims, min(args.x12sdk, args.claims), options, max(args.repeat, 2))
            print()
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
            print(report("x12_parse, 837P into a canonical batch against pyx12", batch, scaled))
            print(f"(pyx12 measured on {args.pyx12:,} claims in {peer.seconds:.2f} s;"
                  " its row is scaled to the same claim count)")
    return 0

"""Synthetic world generation and payer adjudication at scale.

``python -m bench synth_world [--claims N]``: times ``generate_world`` (vectorized, canonical
tables) against materialising the same claims as typed pydantic records one by one (what a
record-at-a-time generator would at least have to pay), then times the payer simulator on the
world. The issue's goal for generation is 1M claims in at most 60 s on this machine.
"""

from __future__ import annotations

import argparse

from cleanclaim.domain.schema import records_from_batch
from cleanclaim.synth import generate_world
from cleanclaim.synth.adjudicate import adjudicate

from .harness import measure, report


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench synth_world")
    parser.add_argument("--claims", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    n = args.claims
    world = generate_world(args.seed, n)
    gen = measure("generate_world (vectorized)", lambda: generate_world(args.seed, n),
                  items=n, unit="claims", repeat=1)
    typed = measure("typed records, one by one", lambda: records_from_batch(world.claims),
                    items=n, unit="claims", repeat=1)
    print(report(f"synthetic world, {n:,} claims", gen, typed))
    adj = measure("adjudicate (payer simulator)", lambda: adjudicate(world, world.claims),
                  items=n, unit="claims", repeat=1)
    summary = adjudicate(world, world.claims).summary()
    print(f"\nadjudicate: {adj.seconds:.2f} s ({adj.rate:,.0f} claims/s); "
          f"denial rate {summary['denial_rate']}")
    return 0

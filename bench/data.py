"""Workload data for the benchmarks: claims of a seeded synthetic world."""

from __future__ import annotations

from cleanclaim.domain.schema import Batch
from cleanclaim.synth import generate_world

__all__ = ["claim_batch"]


def claim_batch(claims: int, seed: int = 1) -> Batch:
    """The canonical claim batch of a synthetic world of ``claims`` claims."""
    return generate_world(seed, claims).claims

"""Synthetic worlds: payers, plans, members, providers, auths and claims whose truth is known.

Nobody may share real claims, so demos, tests, benchmarks and model training run on worlds made
here. ``generate_world(seed, claims)`` builds one in memory (canonical batches plus a labels
table saying, per claim, whether it is clean or which defect was injected where, with the
category, CARC and preventability); ``stream_world`` writes the same world to Parquet chunk by
chunk; ``write_world`` writes an in-memory world. See ``docs/synth.md``.
"""

from __future__ import annotations

from .claims import LABEL_SCHEMA, ClaimChunk, claims_chunks
from .defects import DEFECTS, DefectRates, DefectSpec, default_weights
from .npi import is_valid_npi, npi_check_digit, npi_check_digits
from .population import Population, WorldShape, build_population
from .world import (
    World,
    generate_world,
    reference_tables,
    stream_world,
    summarize_labels,
    write_eligibility_834,
    write_world,
)

__all__ = [
    "DEFECTS",
    "LABEL_SCHEMA",
    "ClaimChunk",
    "DefectRates",
    "DefectSpec",
    "Population",
    "World",
    "WorldShape",
    "build_population",
    "claims_chunks",
    "default_weights",
    "generate_world",
    "is_valid_npi",
    "npi_check_digit",
    "npi_check_digits",
    "reference_tables",
    "stream_world",
    "summarize_labels",
    "write_eligibility_834",
    "write_world",
]

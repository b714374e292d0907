"""Validation of canonical claim rows read from CSV text: the vectorized ``conform`` against
validating the same claims one at a time with the pydantic model (the straightforward way).

``python -m bench conform [--claims N]``.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import polars as pl

from cleanclaim.domain import Claim
from cleanclaim.domain.conform import LIST_SEPARATOR, conform
from cleanclaim.domain.schema import table_specs
from cleanclaim.standards.tabular import write_batch_files

from .data import claim_batch
from .harness import measure, report


def _per_record(raw: dict[str, pl.DataFrame]) -> int:
    """Group the text rows into nested dicts and validate each claim with pydantic."""
    lines: dict[str, list[dict[str, object]]] = {}
    for row in raw["claim_lines"].iter_rows(named=True):
        item: dict[str, object] = {k: v for k, v in row.items() if v not in (None, "")}
        for name in ("modifiers", "diagnosis_pointers"):
            item[name] = row[name].split(LIST_SEPARATOR) if row[name] else []
        lines.setdefault(str(item.pop("claim_id")), []).append(item)
    diagnoses: dict[str, list[dict[str, object]]] = {}
    for row in raw["claim_diagnoses"].iter_rows(named=True):
        item = {k: v for k, v in row.items() if v not in (None, "")}
        diagnoses.setdefault(str(item.pop("claim_id")), []).append(item)
    count = 0
    for row in raw["claims"].iter_rows(named=True):
        data = {k: v for k, v in row.items() if v not in (None, "")}
        data["lines"] = lines.get(row["claim_id"], [])
        data["diagnoses"] = diagnoses.get(row["claim_id"], [])
        Claim.model_validate(data)
        count += 1
    return count


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench conform")
    parser.add_argument("--claims", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    batch = claim_batch(args.claims, args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        write_batch_files(batch, Path(tmp))
        raw = {
            s.name: pl.read_csv(Path(tmp) / f"{s.name}.csv", infer_schema=False)
            for s in table_specs(Claim)
        }
    ours = measure("conform (vectorized)", lambda: conform(Claim, raw), items=len(batch),
                   unit="claims")
    base = measure("pydantic per claim", lambda: _per_record(raw), items=len(batch),
                   unit="claims", repeat=1)
    print(report(f"conform, {len(batch):,} claims from CSV text", ours, base))
    return 0

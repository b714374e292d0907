"""Coverage policies in the style of Medicare LCDs/NCDs: which diagnoses justify a procedure.

Canonical ``coverage`` table (kind ``coverage-policy``), one row per policy, procedure range and
covering diagnosis: policy_id, procedure_low, procedure_high (an inclusive range of CPT/HCPCS
codes of one length; a single code has low = high), diagnosis (an ICD-10-CM code or prefix
without the dot: ``M54`` covers every code under M54), effective_date, end_date (first day no
longer applied; null = open) and title. A line whose code falls in the range of a policy in
force on its date of service needs a pointed diagnosis that one of the policy's rows lists.

Importer: a CSV with ``policy_id``, ``procedure`` (``72148`` or ``72141-72158``), ``diagnosis``
(``M54.5``, ``M54``, ``M54.-`` or ``M54*``), optional ``effective_date``, ``end_date`` and
``title``. Built in: ``data/coverage_policy_example.csv``, a small example set written by the
project to show the format (origin ``example``); it is not taken from any CMS or payer text.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import polars as pl

from .agesex import dated_checks, read_columns
from .kinds import RefKind
from .textfile import flexible_date, refuse_first

__all__ = ["SCHEMAS", "parse_coverage"]

SCHEMAS: dict[str, dict[str, pl.DataType]] = {
    "coverage": {
        "policy_id": pl.String(),
        "procedure_low": pl.String(),
        "procedure_high": pl.String(),
        "diagnosis": pl.String(),
        "effective_date": pl.Date(),
        "end_date": pl.Date(),
        "title": pl.String(),
    },
}

_COLUMNS = ("policy_id", "procedure", "diagnosis", "effective_date", "end_date", "title")
_CODE = r"[0-9A-Z]{5}"
_DIAGNOSIS = r"^[A-Z][0-9][0-9A-Z]{1,5}$"


def _parse_file(path: Path) -> pl.DataFrame:
    raw = read_columns(path, _COLUMNS, ("policy_id", "procedure", "diagnosis"))
    parts = pl.col("procedure").str.to_uppercase().str.replace_all(r"\s", "").str.extract_groups(
        rf"^({_CODE})(?:-({_CODE}))?$")
    raw = raw.with_columns(
        parts.struct.field("1").alias("low"),
        pl.coalesce(parts.struct.field("2"), parts.struct.field("1")).alias("high"),
        pl.col("diagnosis").str.to_uppercase().str.replace_all(r"[.\s]", "")
        .str.strip_chars_end("-*").alias("dx"),
    )
    refuse_first(path, raw, [
        (pl.col("policy_id").is_null(), "policy_id is empty"),
        (pl.col("procedure").is_null(), "procedure is empty"),
        (pl.col("low").is_null(),
         "procedure is neither a CPT/HCPCS code nor a range like 72141-72158"),
        (pl.col("low") > pl.col("high"), "procedure range ends before it starts"),
        (pl.col("low").str.slice(0, 1).str.contains("[A-Z]")
         != pl.col("high").str.slice(0, 1).str.contains("[A-Z]"),
         "procedure range mixes CPT and HCPCS Level II codes"),
        (pl.col("diagnosis").is_null(), "diagnosis is empty"),
        (~pl.col("dx").str.contains(_DIAGNOSIS),
         "diagnosis is not an ICD-10-CM code or prefix of at least 3 characters"),
        *dated_checks(),
    ])
    return raw.select(
        "policy_id", pl.col("low").alias("procedure_low"), pl.col("high").alias("procedure_high"),
        pl.col("dx").alias("diagnosis"),
        flexible_date("effective_date").alias("effective_date"),
        flexible_date("end_date").alias("end_date"), "title",
    )


def parse_coverage(kind: RefKind, paths: Sequence[Path]) -> pl.DataFrame:
    """Parse and check coverage-policy CSV files (see the module docstring for the columns)."""
    return pl.concat([_parse_file(p) for p in paths]).unique(maintain_order=True)

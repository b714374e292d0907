"""ICD-10-CM out of the box, from the ``simple_icd_10_cm`` package (offline, public domain data).

The package bundles one CMS release (FY2026, as updated April 1, 2026). It is turned into the
store's canonical ``icd10cm`` table once: code without the dot (as claims carry it), billable
flag (a leaf of the tabular list), description, 3-character category and parent code. Chapters
and blocks are not codes and are left out. Other fiscal years come from the order-file importer.
"""

from __future__ import annotations

import hashlib
import importlib.util
import warnings
from datetime import date
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Any

import polars as pl

from .importers import with_icd_parent
from .kinds import fiscal_year_window

__all__ = [
    "BUNDLED_FISCAL_YEAR",
    "BUNDLED_RELEASE_NOTE",
    "bundled_icd10cm_frame",
    "bundled_icd10cm_source",
]

BUNDLED_FISCAL_YEAR = 2026
BUNDLED_RELEASE_NOTE = (
    "simple_icd_10_cm data is the April 1, 2026 update of FY2026; it is applied to the whole "
    "fiscal year, so a code added by that update is also accepted from Oct 1, 2025 to Mar 31, 2026"
)


def _package() -> Any:
    # The package reads its data with a deprecated importlib call at import time; that warning
    # is its business, and pytest (warnings are errors) must not fail on it.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        import simple_icd_10_cm  # type: ignore[import-untyped]  # ships no type hints

    return simple_icd_10_cm


@lru_cache(maxsize=1)
def bundled_icd10cm_source() -> tuple[str, str, date, date]:
    """(source description, sha256 of the package's code list, effective from, before)."""
    version = metadata.version("simple_icd_10_cm")
    digest = hashlib.sha256()
    names = []
    # find_spec locates the package without importing it (its import parses the data: slow).
    spec = importlib.util.find_spec("simple_icd_10_cm")
    folders = list(spec.submodule_search_locations or []) if spec else []
    for folder in folders:
        for item in sorted((Path(folder) / "data").iterdir()):
            if item.suffix in (".txt", ".xml"):
                digest.update(item.read_bytes())
                names.append(item.name)
    start, before = fiscal_year_window(BUNDLED_FISCAL_YEAR)
    return f"simple_icd_10_cm {version}: {', '.join(names)}", digest.hexdigest(), start, before


@lru_cache(maxsize=1)
def bundled_icd10cm_frame() -> pl.DataFrame:
    """Every ICD-10-CM code of the bundled release in the canonical ``icd10cm`` layout."""
    icd = _package()
    codes = [
        c for c in icd.get_all_codes(True)
        if icd.is_category_or_subcategory(c) or icd.is_extended_subcategory(c)
    ]
    frame = pl.DataFrame(
        {
            "code": [c.replace(".", "") for c in codes],
            "billable": [bool(icd.is_leaf(c)) for c in codes],
            "short_description": pl.Series([None] * len(codes), dtype=pl.String),
            "description": [str(icd.get_description(c)) for c in codes],
        },
        schema_overrides={"short_description": pl.String},
    )
    return with_icd_parent(
        frame.with_columns(pl.col("code").str.slice(0, 3).alias("category")).unique(
            "code", maintain_order=True
        )
    )

"""Built-in releases used when nothing was imported: seeded synthetic NCCI/HCPCS tables and the
bundled ICD-10-CM (``simple_icd_10_cm``), with their provenance."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from functools import lru_cache

import polars as pl

from .icd10 import BUNDLED_RELEASE_NOTE, bundled_icd10cm_source
from .kinds import Origin, RefKind
from .manifest import Provenance, SourceFile

_BUNDLED_AT = datetime(2000, 1, 1, tzinfo=UTC)
"""Import time given to built-in releases, so any real import of the same start outranks them."""
_SYNTHETIC_SEED = 20260101
_SYNTHETIC_PTP_PAIRS = 50_000


# --- built-in releases ----------------------------------------------------------------------

_SYNTHETIC_NOTE = "synthetic table for offline use: NOT CMS data; import the official files"


@lru_cache(maxsize=1)
def _synthetic_tables() -> dict[RefKind, pl.DataFrame]:
    # Imported here: the generator needs NumPy, which only the synthetic fallback requires.
    from .synthetic import (
        synthetic_aoc,
        synthetic_codes,
        synthetic_hcpcs,
        synthetic_mue,
        synthetic_ptp,
    )

    codes = synthetic_codes(_SYNTHETIC_SEED)
    mue = synthetic_mue(seed=_SYNTHETIC_SEED, codes=codes)
    return {
        RefKind.PTP_PRACTITIONER: synthetic_ptp(
            _SYNTHETIC_PTP_PAIRS, seed=_SYNTHETIC_SEED, codes=codes
        ),
        RefKind.PTP_HOSPITAL: synthetic_ptp(
            _SYNTHETIC_PTP_PAIRS, seed=_SYNTHETIC_SEED + 7, codes=codes
        ),
        RefKind.MUE_PRACTITIONER: mue,
        RefKind.MUE_FACILITY: mue.with_columns(pl.col("mue_value") * 2),
        RefKind.MUE_DME: mue,
        RefKind.HCPCS: synthetic_hcpcs(seed=_SYNTHETIC_SEED, codes=codes),
        RefKind.AOC: synthetic_aoc(seed=_SYNTHETIC_SEED, codes=codes),
    }


def _synthetic_provenance(kind: RefKind, frame: pl.DataFrame) -> Provenance:
    digest = hashlib.sha256(f"{kind}:{_SYNTHETIC_SEED}:{frame.height}".encode()).hexdigest()
    return Provenance(
        version_id=f"{kind}-synthetic-builtin",
        kind=kind,
        release="synthetic-builtin",
        origin=Origin.SYNTHETIC,
        sha256=digest,
        effective_from=None,
        effective_before=None,
        imported_at=_BUNDLED_AT,
        row_count=frame.height,
        notes=[_SYNTHETIC_NOTE],
    )


def _bundled_icd_provenance() -> Provenance:
    source, digest, start, before = bundled_icd10cm_source()
    return Provenance(
        version_id="icd10cm-order-bundled-fy2026",
        kind=RefKind.ICD10CM,
        release="FY2026 (simple_icd_10_cm)",
        origin=Origin.BUNDLED,
        files=[SourceFile(name=source, sha256=digest, bytes=0)],
        sha256=digest,
        effective_from=start,
        effective_before=before,
        imported_at=_BUNDLED_AT,
        row_count=0,
        notes=[BUNDLED_RELEASE_NOTE],
    )

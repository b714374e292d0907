"""Built-in releases used when nothing was imported: seeded synthetic NCCI/HCPCS tables, the
bundled ICD-10-CM (``simple_icd_10_cm``), the ICD-10-CM age/sex edits derived from it, and the
project's procedure age/sex and example coverage-policy tables, with their provenance."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from functools import cache, lru_cache
from importlib import resources

import polars as pl

from .agesex import derive_dx_agesex, dx_rules_digest
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


# --- derived and example tables -----------------------------------------------------------------

_DX_AGESEX_NOTE = (
    "derived by cleanclaim from the bundled ICD-10-CM codes with the rule set of docs/refdata.md "
    "(MCE ages: newborn 0, pediatric 0-17, maternity 9-64, adult 15-124; sex rows end "
    "2024-10-01, when the MCE stopped its sex conflict edit); not the official MCE lists: "
    "import them (kind icd10cm-agesex) to replace it"
)
_PACKAGED: dict[RefKind, tuple[str, Origin, str]] = {
    RefKind.PROCEDURE_AGE_SEX: (
        "procedure_age_sex.csv", Origin.DERIVED,
        "cleanclaim's own table of code facts (preventive-visit age bands, sex-specific "
        "codes); import the payer's table (kind procedure-agesex) to replace it"),
    RefKind.COVERAGE_POLICY: (
        "coverage_policy_example.csv", Origin.EXAMPLE,
        "example policies written by the cleanclaim project to show the format; not CMS or "
        "payer policy: import the policies that apply (kind coverage-policy) to replace them"),
}
"""Kinds answered by a CSV shipped in ``refdata/data``: file, origin, note."""


@cache
def packaged_table(kind: RefKind) -> pl.DataFrame:
    """The packaged table of ``kind``, parsed and checked by the kind's own importer."""
    from .importers import parse_files  # the importers import this module's neighbours

    name = _PACKAGED[kind][0]
    with resources.as_file(resources.files(__package__).joinpath("data", name)) as path:
        return parse_files(kind, [path]).frame


@cache
def _packaged_provenance(kind: RefKind) -> Provenance:
    name, origin, note = _PACKAGED[kind]
    data = resources.files(__package__).joinpath("data", name).read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    return Provenance(
        version_id=f"{kind}-{origin}-builtin", kind=kind, release=f"{origin}-builtin",
        origin=origin, files=[SourceFile(name=name, sha256=digest, bytes=len(data))],
        sha256=digest, effective_from=None, effective_before=None, imported_at=_BUNDLED_AT,
        row_count=packaged_table(kind).height, notes=[note],
    )


@lru_cache(maxsize=1)
def _dx_agesex_provenance() -> Provenance:
    source, icd_digest, _, _ = bundled_icd10cm_source()
    digest = hashlib.sha256(f"{icd_digest}:{dx_rules_digest()}".encode()).hexdigest()
    return Provenance(
        version_id="icd10cm-agesex-derived-builtin", kind=RefKind.ICD10CM_AGE_SEX,
        release="derived from FY2026 ICD-10-CM", origin=Origin.DERIVED,
        files=[SourceFile(name=source, sha256=icd_digest, bytes=0)], sha256=digest,
        effective_from=None, effective_before=None, imported_at=_BUNDLED_AT, row_count=0,
        notes=[_DX_AGESEX_NOTE],
    )


def builtin_provenance(kind: RefKind) -> Provenance | None:
    """The derived or example release answering ``kind`` when nothing was imported."""
    if kind is RefKind.ICD10CM_AGE_SEX:
        return _dx_agesex_provenance()
    if kind in _PACKAGED:
        return _packaged_provenance(kind)
    return None


_derived_cache: dict[str, pl.DataFrame] = {}


def derived_dx_agesex(icd: pl.DataFrame) -> pl.DataFrame:
    """The derived age/sex table of the bundled ICD-10-CM ``icd`` (built once per process)."""
    key = _dx_agesex_provenance().sha256
    if key not in _derived_cache:
        _derived_cache[key] = derive_dx_agesex(icd)
    return _derived_cache[key]

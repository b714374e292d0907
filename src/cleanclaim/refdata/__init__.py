"""Reference data: code sets and CMS edit tables, effective-dated, with provenance.

Every coding edit is judged as of the claim's date of service against the release in force that
day. :class:`RefdataStore` keeps imported releases as Parquet under ``<data_dir>/refdata`` and
exposes them as Polars LazyFrames with ``valid_from``/``valid_before`` columns for vectorized
joins (filter with :func:`applies_on`); :mod:`cleanclaim.store.reference` copies them into the
database. The small bundled tables (place of service, frequency codes, modifiers, CARC/RARC and
their root-cause map) are in :mod:`.bundled`. The age/sex edits (:mod:`.agesex`: ICD-10-CM
derived from the bundled code set by a documented rule set, or an imported MCE list; procedure
age/sex) and the coverage policies (:mod:`.coverage`, LCD/NCD style, an example set until
imported) are store kinds like the NCCI tables.
"""

from __future__ import annotations

from .bundled import (
    carc_codes,
    categorize,
    category_rules,
    claim_frequency_codes,
    modifiers,
    place_of_service_codes,
    rarc_codes,
)
from .importers import AOC_ANY_PRIMARY, SYNTHETIC_MARKER, ParsedRelease, parse_files
from .kinds import KIND_SPECS, KindSpec, Origin, RefKind, fiscal_year_window, release_start
from .store import ImportResult, Manifest, Provenance, RefdataStore, SourceFile, applies_on

__all__ = [
    "AOC_ANY_PRIMARY",
    "KIND_SPECS",
    "SYNTHETIC_MARKER",
    "ImportResult",
    "KindSpec",
    "Manifest",
    "Origin",
    "ParsedRelease",
    "Provenance",
    "RefKind",
    "RefdataStore",
    "SourceFile",
    "applies_on",
    "carc_codes",
    "categorize",
    "category_rules",
    "claim_frequency_codes",
    "fiscal_year_window",
    "modifiers",
    "parse_files",
    "place_of_service_codes",
    "rarc_codes",
    "release_start",
]

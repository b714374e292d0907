"""Lookups of reference tables: every release of a kind as one LazyFrame with
``valid_from``/``valid_before``, optionally cached in memory until the manifest changes."""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from datetime import date
from typing import Any

import polars as pl

from .builtin import _synthetic_tables, derived_dx_agesex, packaged_table
from .icd10 import bundled_icd10cm_frame, bundled_icd10cm_source
from .importers import SCHEMAS
from .kinds import KIND_SPECS, Origin, RefKind
from .manifest import MANIFEST_FORMAT, Provenance, _atomic_write
from .windows import ReleasesMixin, _kinds, _row_window


class LookupsMixin(ReleasesMixin):
    """The lookup methods of :class:`~cleanclaim.refdata.store.RefdataStore`."""

    # -- lookups --

    def _frame_of(self, version: Provenance) -> pl.LazyFrame:
        if version.path is not None:
            frame = pl.scan_parquet(self.root / version.path)
        elif version.origin is Origin.BUNDLED:
            frame = self._bundled_icd().lazy()
        elif version.kind is RefKind.ICD10CM_AGE_SEX:
            frame = derived_dx_agesex(self._bundled_icd()).lazy()
        elif version.origin in (Origin.DERIVED, Origin.EXAMPLE):
            frame = packaged_table(version.kind).lazy()
        else:
            frame = _synthetic_tables()[version.kind].lazy()
        schema = SCHEMAS[KIND_SPECS[version.kind].table]
        return frame.select(pl.col(n).cast(t) for n, t in schema.items())

    def _bundled_icd(self) -> pl.DataFrame:
        """The bundled ICD-10-CM table, cached as Parquet in the store once built."""
        _, digest, _, _ = bundled_icd10cm_source()
        # The layout version is in the name so a cache from an older layout is never read.
        cache = self.root / "cache" / f"icd10cm-bundled-v{MANIFEST_FORMAT}-{digest[:16]}.parquet"
        if cache.is_file():
            with contextlib.suppress(OSError, pl.exceptions.PolarsError):
                return pl.read_parquet(cache)
        frame = bundled_icd10cm_frame()
        with contextlib.suppress(OSError):  # a read-only data dir only costs a rebuild
            _atomic_write(cache, lambda p: frame.write_parquet(p))
        return frame

    def _manifest_signature(self) -> tuple[int, int, int]:
        # Imports replace the manifest by rename, so inode and mtime change with every import.
        try:
            stat = self.manifest_path.stat()
        except OSError:
            return (0, 0, 0)
        return (stat.st_ino, stat.st_mtime_ns, stat.st_size)

    def _table(self, kinds: Sequence[RefKind], as_of: date | None) -> pl.LazyFrame:
        if not self.cache:
            return self._derive(kinds, as_of)
        key = (tuple(kinds), as_of)
        signature = self._manifest_signature()
        hit = self._cached.get(key)
        if hit is not None and hit[0] == signature:
            return hit[1].lazy()
        frame = self._derive(kinds, as_of).collect()
        self._cached[key] = (signature, frame)
        return frame.lazy()

    def _derive(self, kinds: Sequence[RefKind], as_of: date | None) -> pl.LazyFrame:
        table = KIND_SPECS[kinds[0]].table
        parts = []
        for kind in kinds:
            setting = KIND_SPECS[kind].setting
            for v, start, end in self._slices(kind, as_of):
                extra = [] if setting is None else [pl.lit(setting).alias("setting")]
                parts.append(self._frame_of(v).with_columns(
                    *extra,
                    pl.lit(v.release, pl.String).alias("release"),
                    pl.lit(str(v.origin), pl.String).alias("origin"),
                    pl.lit(v.version_id, pl.String).alias("version_id"),
                    pl.lit(start, pl.Date).alias("_slice_from"),
                    pl.lit(end, pl.Date).alias("_slice_before"),
                ))
        if not parts:
            schema: dict[str, Any] = dict(SCHEMAS[table])
            if KIND_SPECS[kinds[0]].setting is not None:
                schema["setting"] = pl.String
            schema |= {"release": pl.String, "origin": pl.String, "version_id": pl.String,
                       "_slice_from": pl.Date, "_slice_before": pl.Date}
            parts = [pl.LazyFrame(schema=schema)]
        frame = pl.concat(parts, how="vertical")
        row_from, row_before = _row_window(table)
        return frame.with_columns(
            pl.max_horizontal("_slice_from", row_from).alias("valid_from"),
            pl.min_horizontal("_slice_before", row_before).alias("valid_before"),
        ).drop("_slice_from", "_slice_before")

    def lookup(self, name: RefKind | str, setting: str | None = None,
               as_of: date | None = None) -> pl.LazyFrame:
        """The lookup of a kind or logical table (see :meth:`resolve`), as the dedicated
        methods (:meth:`ptp_edits`, :meth:`mue_values`...) return it."""
        return self._table(self.resolve(name, setting), as_of)

    def ptp_edits(self, setting: str | None = None, as_of: date | None = None) -> pl.LazyFrame:
        """NCCI PTP edits (``setting`` practitioner / hospital, or both).

        Columns: setting, column1, column2, pre_1996, effective_date, deletion_date (first day
        the edit no longer applies), modifier_indicator (0/1/9), rationale, release, origin,
        version_id, valid_from, valid_before. Join claim line pairs on (column1, column2) and
        keep rows where :func:`applies_on` holds for the date of service.
        """
        return self._table(_kinds("ptp", setting), as_of)

    def mue_values(self, setting: str | None = None, as_of: date | None = None) -> pl.LazyFrame:
        """MUE values (``setting`` practitioner / facility / dme, or all).

        Columns: setting, code, mue_value, adjudication_indicator (1 line, 2 date of service
        policy, 3 date of service clinical), rationale, release, origin, version_id, valid_from,
        valid_before.
        """
        return self._table(_kinds("mue", setting), as_of)

    def aoc_edits(self, as_of: date | None = None) -> pl.LazyFrame:
        """NCCI add-on code edits: addon_code, primary_code (null: the payer decides which
        primaries qualify), edit_type (1 only the listed primaries; 2 no list, the payer decides;
        3 listed primaries and others the payer allows), effective_date, deletion_date (first day
        the edit no longer applies), addon_deletion_date, primary_deletion_date, notes, release,
        origin, version_id, valid_from, valid_before.

        An add-on line on a date of service needs, on the same claim and date, a primary line
        whose code is listed for it with :func:`applies_on` true (type 1), or any primary (type 2;
        type 3 when no listed one is billed): a join of the add-on lines to this table, then a
        semi-join to the claim's other lines.
        """
        return self._table([RefKind.AOC], as_of)

    def icd10cm(self, as_of: date | None = None) -> pl.LazyFrame:
        """ICD-10-CM codes (no dot): code, billable, short_description, description, category,
        parent, release, origin, version_id, valid_from, valid_before (fiscal-year windows)."""
        return self._table([RefKind.ICD10CM], as_of)

    def hcpcs(self, as_of: date | None = None) -> pl.LazyFrame:
        """HCPCS Level II codes: code, add_date, termination_date (last day usable),
        short_description, release, origin, version_id, valid_from, valid_before."""
        return self._table([RefKind.HCPCS], as_of)

    def cpt_codes(self, as_of: date | None = None) -> pl.LazyFrame:
        """User-loaded CPT codes (no descriptors): code, release, origin, version_id,
        valid_from, valid_before. Empty until a CPT list is imported."""
        return self._table([RefKind.CPT], as_of)

    def taxonomy(self, as_of: date | None = None) -> pl.LazyFrame:
        """NUCC taxonomy: code, grouping, classification, specialization, release, origin,
        version_id, valid_from, valid_before. Empty until imported."""
        return self._table([RefKind.TAXONOMY], as_of)

    def icd10cm_age_sex(self, as_of: date | None = None) -> pl.LazyFrame:
        """ICD-10-CM age/sex edits: code, edit (newborn / pediatric / maternity / adult / age /
        male / female), age_low, age_high (inclusive years; null for a sex edit), sex (M/F;
        null for an age edit), effective_date, end_date, release, origin, version_id,
        valid_from, valid_before. Derived from the bundled ICD-10-CM until an MCE list is
        imported."""
        return self._table([RefKind.ICD10CM_AGE_SEX], as_of)

    def procedure_age_sex(self, as_of: date | None = None) -> pl.LazyFrame:
        """Procedure age/sex restrictions: code, sex (M/F/null), age_low, age_high (inclusive;
        null = open), effective_date, end_date, note, release, origin, version_id, valid_from,
        valid_before."""
        return self._table([RefKind.PROCEDURE_AGE_SEX], as_of)

    def coverage_policies(self, as_of: date | None = None) -> pl.LazyFrame:
        """Coverage policies: policy_id, procedure_low, procedure_high (inclusive code range),
        diagnosis (ICD-10-CM code or prefix, no dot), effective_date, end_date, title, release,
        origin, version_id, valid_from, valid_before. The project's example set until policies
        are imported."""
        return self._table([RefKind.COVERAGE_POLICY], as_of)

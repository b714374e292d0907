"""Release windows and resolution: which releases are active, when each is in force, the rows'
own validity windows, and which kinds a table name stands for."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import polars as pl

from ..errors import InputError
from .builtin import (
    _bundled_icd_provenance,
    _synthetic_provenance,
    _synthetic_tables,
    builtin_provenance,
)
from .importers import ParsedRelease
from .kinds import KIND_SPECS, RefKind, fiscal_year_window, release_start
from .manifest import ManifestMixin, Provenance


def applies_on(on: pl.Expr | str) -> pl.Expr:
    """True where a reference row is in force on the date ``on`` (a column name or expression).

    ``valid_from`` is inclusive and ``valid_before`` exclusive; null means unbounded.
    """
    day = pl.col(on) if isinstance(on, str) else on
    return (pl.col("valid_from").is_null() | (pl.col("valid_from") <= day)) & (
        pl.col("valid_before").is_null() | (day < pl.col("valid_before"))
    )


class ReleasesMixin(ManifestMixin):
    """Active releases of a store and the windows in which they are in force."""

    def versions(self, kind: RefKind | None = None, *, include_builtin: bool = True
                 ) -> list[Provenance]:
        """Active releases (of ``kind``), imported ones plus the built-in ones in use."""
        kinds = [kind] if kind is not None else list(RefKind)
        active = [v for v in self.manifest().versions if v.active and v.kind in kinds]
        if include_builtin:
            active.extend(b for k in kinds for b in self._builtin(k, active))
        return active

    def _builtin(self, kind: RefKind, imported: Sequence[Provenance]) -> list[Provenance]:
        if kind is RefKind.ICD10CM:
            return [_bundled_icd_provenance()]
        if not self.fallback or any(v.kind is kind for v in imported):
            return []  # checked first: building the synthetic tables takes about a second
        derived = builtin_provenance(kind)
        if derived is not None:
            return [derived]
        tables = _synthetic_tables()
        if kind in tables:
            return [_synthetic_provenance(kind, tables[kind])]
        return []

    @staticmethod
    def _release_window(
        kind: RefKind, parsed: ParsedRelease, paths: Sequence[Path], release: str | None,
        effective_from: date | None, effective_before: date | None,
    ) -> tuple[str, date | None, date | None]:
        start = effective_from
        before = effective_before
        if release is not None:
            start = start or release_start(kind, release)
            fy = re.match(r"^FY[-_ ]?(\d{4})\b", release.strip(), re.IGNORECASE)
            if kind is RefKind.ICD10CM and before is None and (fy or release.strip().isdigit()):
                year = int(fy[1]) if fy else int(release.strip())
                before = fiscal_year_window(year)[1]
        start = start or parsed.effective_from
        implied = parsed.effective_before
        if before is None and implied is not None and (start is None or implied > start):
            before = implied
        label = release or parsed.release or (start.isoformat() if start else None)
        if release is None and parsed.release and start != parsed.effective_from:
            # e.g. an April ICD-10-CM update ships under the same file name as October's: it
            # must not take the October release's label (that would replace it).
            label = f"{parsed.release} from {start}"
        needs_date = KIND_SPECS[kind].table in ("mue", "cpt", "icd10cm")
        if start is None and needs_date:
            raise InputError(
                f"{paths[0].name}: a {kind} file does not say when it takes effect; give "
                "--release (e.g. 2026Q1, FY2026) or --effective-from YYYY-MM-DD"
            )
        if start is not None and before is not None and before <= start:
            raise InputError(f"{paths[0].name}: effective-before {before} is not after {start}")
        return label or paths[0].stem, start, before

    def release_windows(self, kind: RefKind | str, as_of: date | None = None) -> pl.DataFrame:
        """When each active release of ``kind`` is in force: one row per release.

        ``as_of`` ignores releases taking effect after that day (what was known then). A date
        of service outside every window has no release in force: the check cannot be made.
        """
        kind = RefKind(kind)
        rows = [
            {"kind": str(kind), "release": v.release, "origin": str(v.origin),
             "version_id": v.version_id, "valid_from": start, "valid_before": end}
            for v, start, end in self._slices(kind, as_of)
        ]
        return pl.DataFrame(rows, schema={
            "kind": pl.String, "release": pl.String, "origin": pl.String,
            "version_id": pl.String, "valid_from": pl.Date, "valid_before": pl.Date,
        })

    def _slices(self, kind: RefKind, as_of: date | None
                ) -> list[tuple[Provenance, date | None, date | None]]:
        versions = [
            v for v in self.versions(kind)
            if as_of is None or v.effective_from is None or v.effective_from <= as_of
        ]
        ordered = sorted(versions, key=lambda v: (v.effective_from or date.min, v.imported_at))
        out: list[tuple[Provenance, date | None, date | None]] = []
        for i, v in enumerate(ordered):
            start = None if (i == 0 and KIND_SPECS[kind].rows_dated) else v.effective_from
            end = v.effective_before
            if i + 1 < len(ordered):
                nxt = ordered[i + 1].effective_from or date.min
                end = nxt if end is None else min(end, nxt)
            if start is not None and end is not None and end <= start:
                continue  # superseded before it began
            out.append((v, start, end))
        return out

    def resolve(self, name: RefKind | str, setting: str | None = None) -> list[RefKind]:
        """The kinds behind ``name``: a kind (``ptp-practitioner``), or a logical table (``ptp``,
        ``mue``, ``aoc``...) narrowed by ``setting`` (every setting when None)."""
        text = str(name).strip().lower()
        if text in {k.value for k in RefKind}:
            kind = RefKind(text)
            if setting is not None and KIND_SPECS[kind].setting != setting:
                raise InputError(f"{kind} has no setting {setting!r}; give the table name "
                                 f"({KIND_SPECS[kind].table}) with --setting instead")
            return [kind]
        if text not in {s.table for s in KIND_SPECS.values()}:
            known = sorted({k.value for k in RefKind} | {s.table for s in KIND_SPECS.values()})
            raise InputError(f"unknown reference table {name!r}; known: {', '.join(known)}")
        return _kinds(text, setting)


def _kinds(table: str, setting: str | None) -> list[RefKind]:
    kinds = [s.kind for s in KIND_SPECS.values()
             if s.table == table and (setting is None or s.setting == setting)]
    if not kinds:
        known = sorted(s.setting for s in KIND_SPECS.values() if s.table == table and s.setting)
        raise InputError(f"unknown {table} setting {setting!r}; known: {known}")
    return kinds


def _row_window(table: str) -> tuple[pl.Expr, pl.Expr]:
    """The rows' own validity window, inclusive start and exclusive end, per table."""
    none = pl.lit(None, pl.Date)
    if table == "ptp":
        # CMS deletion date = first day the edit no longer applies (a retroactive deletion has
        # deletion date = effective date and modifier indicator 9: the edit never applied).
        return pl.col("effective_date"), pl.col("deletion_date")
    if table == "aoc":
        # Read like the PTP deletion date: first day the edit no longer applies. CMS does not
        # say it in the file; the code deletion dates stay columns for the rules to weigh.
        return pl.col("effective_date"), pl.col("deletion_date")
    if table in ("dx_agesex", "px_agesex", "coverage"):
        # Edits and policies with their own dates: end_date is the first day not applied.
        return pl.col("effective_date"), pl.col("end_date")
    if table == "hcpcs":
        # The CMS HCPCS record layout defines the termination date as the last date for which
        # a code may be used by Medicare providers: valid through it, invalid from the next day.
        return pl.col("add_date"), pl.col("termination_date").dt.offset_by("1d")
    return none, none

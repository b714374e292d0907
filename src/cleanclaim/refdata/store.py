"""The reference-data store: versioned, effective-dated tables as Parquet, with a JSON manifest.

Layout under ``<data_dir>/refdata/``::

    manifest.json                      every release ever imported, with its provenance
    <kind>/<version_id>.parquet        one canonical table per active release
    cache/                             tables derived from bundled data (ICD-10-CM)

Imports are all-or-nothing. Files are parsed and checked before anything is written; the table is
written to a temporary file and renamed into place, then the manifest is replaced the same way.
A refused or interrupted import therefore leaves the previous release active. Importing the same
files again under the same release label changes nothing (same checksum); importing different
content under an existing label replaces that release.

Lookups return Polars LazyFrames spanning every release, each row with ``valid_from`` (first day,
inclusive) and ``valid_before`` (first day no longer in force, exclusive; null = open) already
combining the release window with the row's own dates, plus ``release``, ``origin`` and
``version_id`` (the manifest entry with the full provenance) so a finding can cite its source.
``as_of`` on a lookup ignores releases taking effect after that day: what was known then.
The rules engine joins claim lines to them and keeps rows where
:func:`applies_on` holds for the date of service: no per-code Python calls.

Without imports, the store answers offline: ICD-10-CM from ``simple_icd_10_cm`` (real data), and
NCCI PTP, MUE, add-on code edits and HCPCS from seeded synthetic tables whose ``origin`` column
says ``synthetic``.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import polars as pl
from pydantic import BaseModel, Field, ValidationError

from ..config import settings
from ..errors import InputError, StoreError
from .icd10 import BUNDLED_RELEASE_NOTE, bundled_icd10cm_frame, bundled_icd10cm_source
from .importers import SCHEMAS, ParsedRelease, parse_files
from .kinds import KIND_SPECS, Origin, RefKind, fiscal_year_window, release_start

__all__ = [
    "ImportResult",
    "Manifest",
    "Provenance",
    "RefdataStore",
    "SourceFile",
    "applies_on",
]

MANIFEST_FORMAT = 1
_BUNDLED_AT = datetime(2000, 1, 1, tzinfo=UTC)
"""Import time given to built-in releases, so any real import of the same start outranks them."""
_SYNTHETIC_SEED = 20260101
_SYNTHETIC_PTP_PAIRS = 50_000


class SourceFile(BaseModel):
    """One input file of a release."""

    name: str
    sha256: str
    bytes: int


class Provenance(BaseModel):
    """Where a release came from and when it is in force. One entry of the manifest."""

    version_id: str
    kind: RefKind
    release: str
    origin: Origin
    files: list[SourceFile] = Field(default_factory=list)
    sha256: str = Field(description="sha256 over the sorted sha256 of the files")
    effective_from: date | None = Field(description="First day in force; null = from the start")
    effective_before: date | None = Field(
        default=None, description="First day no longer in force; null = until superseded"
    )
    imported_at: datetime
    row_count: int
    path: str | None = Field(default=None, description="Parquet file, relative to the store")
    active: bool = True
    notes: list[str] = Field(default_factory=list)


class Manifest(BaseModel):
    """The manifest file: every release imported, active or replaced."""

    format: int = MANIFEST_FORMAT
    versions: list[Provenance] = Field(default_factory=list)


@dataclass(frozen=True, slots=True)
class ImportResult:
    """Outcome of an import: the release now active, and whether anything changed."""

    provenance: Provenance
    unchanged: bool
    replaced: Provenance | None = None


def applies_on(on: pl.Expr | str) -> pl.Expr:
    """True where a reference row is in force on the date ``on`` (a column name or expression).

    ``valid_from`` is inclusive and ``valid_before`` exclusive; null means unbounded.
    """
    day = pl.col(on) if isinstance(on, str) else on
    return (pl.col("valid_from").is_null() | (pl.col("valid_from") <= day)) & (
        pl.col("valid_before").is_null() | (day < pl.col("valid_before"))
    )


def _sha256_file(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9.]+", "-", text).strip("-").lower() or "release"


@contextlib.contextmanager
def _locked(root: Path) -> Iterator[None]:
    """Serialize imports into one store (POSIX advisory lock; a no-op where unsupported)."""
    root.mkdir(parents=True, exist_ok=True)
    handle = (root / ".lock").open("a")
    try:
        try:
            import fcntl

            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        except ImportError:  # pragma: no cover - Windows: single-writer by convention
            pass
        yield
    finally:
        handle.close()


def _atomic_write(path: Path, write: Any) -> None:
    """Write through a temporary file in the same folder, then rename over ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    try:
        write(tmp)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


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


# --- the store ------------------------------------------------------------------------------


class RefdataStore:
    """Versioned reference tables under ``<data_dir>/refdata``.

    ``data_dir`` defaults to ``settings().data_dir``. With ``fallback`` (the default) kinds that
    were never imported are answered by the built-in tables (synthetic for NCCI and HCPCS).

    With ``cache``, each lookup is read and derived once and kept in memory (all its columns),
    then served from there until the manifest changes (an import in this or another process):
    for long-running processes that look tables up again and again (the API, batch loops).
    Without it (the default) every lookup is a lazy scan, so a one-off query reads only the
    columns it uses.
    """

    def __init__(self, data_dir: Path | None = None, *, fallback: bool = True,
                 cache: bool = False) -> None:
        self.data_dir = Path(data_dir) if data_dir is not None else settings().data_dir
        self.root = self.data_dir / "refdata"
        self.fallback = fallback
        self.cache = cache
        self._cached: dict[tuple[tuple[RefKind, ...], date | None],
                           tuple[tuple[int, int, int], pl.DataFrame]] = {}

    # -- manifest --

    @property
    def manifest_path(self) -> Path:
        """The manifest file."""
        return self.root / "manifest.json"

    def manifest(self) -> Manifest:
        """The manifest as stored (empty when nothing was imported)."""
        path = self.manifest_path
        if not path.is_file():
            return Manifest()
        try:
            manifest = Manifest.model_validate_json(path.read_bytes())
        except (OSError, ValidationError, ValueError) as exc:
            raise StoreError(f"{path}: unreadable reference-data manifest ({exc})") from exc
        if manifest.format > MANIFEST_FORMAT:
            raise StoreError(f"{path}: written by a newer cleanclaim (format {manifest.format})")
        return manifest

    def _write_manifest(self, manifest: Manifest) -> None:
        text = manifest.model_dump_json(indent=2)
        _atomic_write(self.manifest_path, lambda p: p.write_text(text, encoding="utf-8"))

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
        tables = _synthetic_tables()
        if kind in tables:
            return [_synthetic_provenance(kind, tables[kind])]
        return []

    # -- import --

    def import_files(
        self,
        kind: RefKind | str,
        files: Sequence[Path | str],
        *,
        release: str | None = None,
        effective_from: date | None = None,
        effective_before: date | None = None,
    ) -> ImportResult:
        """Parse, check and store one release of ``kind`` made of ``files``.

        Raises :class:`~cleanclaim.errors.InputError` (file, line, cause) and leaves the store
        unchanged when any file is refused.
        """
        kind = RefKind(kind)
        paths = [Path(f) for f in files]
        for path in paths:
            if not path.is_file():
                raise InputError(f"{path.name}: no such file ({path})")
        sources = [SourceFile(name=p.name, sha256=s, bytes=n)
                   for p in paths for s, n in [_sha256_file(p)]]
        combined = hashlib.sha256(
            "".join(sorted(s.sha256 for s in sources)).encode()
        ).hexdigest()
        same = self._same_content(kind, combined, release, effective_from, effective_before)
        if same is not None:
            return ImportResult(same, unchanged=True)
        parsed = parse_files(kind, paths)
        label, start, before = self._release_window(
            kind, parsed, paths, release, effective_from, effective_before
        )
        with _locked(self.root):
            manifest = self.manifest()
            current = next((v for v in manifest.versions
                            if v.active and v.kind is kind and v.release == label), None)
            if current is not None and current.sha256 == combined and (
                current.effective_from, current.effective_before) == (start, before):
                return ImportResult(current, unchanged=True)
            now = datetime.now(UTC)
            version_id = f"{kind}-{_slug(label)}-{now:%Y%m%dT%H%M%S%f}-{combined[:8]}"
            rel = f"{kind}/{version_id}.parquet"
            frame = parsed.frame
            try:
                _atomic_write(self.root / rel, lambda p: frame.write_parquet(p, statistics=True))
            except OSError as exc:
                raise StoreError(f"cannot write {self.root / rel}: {exc}") from exc
            prov = Provenance(
                version_id=version_id, kind=kind, release=label, origin=parsed.origin,
                files=sources, sha256=combined, effective_from=start, effective_before=before,
                imported_at=now, row_count=frame.height, path=rel, notes=parsed.notes,
            )
            if current is not None:
                current.active = False
            manifest.versions.append(prov)
            try:
                self._write_manifest(manifest)
            except BaseException as exc:
                (self.root / rel).unlink(missing_ok=True)
                if isinstance(exc, OSError):
                    raise StoreError(f"cannot write {self.manifest_path}: {exc}") from exc
                raise
            if current is not None and current.path:
                # The replaced table is no longer reachable; its provenance stays in the manifest.
                (self.root / current.path).unlink(missing_ok=True)
        return ImportResult(prov, unchanged=False, replaced=current)

    def _same_content(
        self, kind: RefKind, sha: str, release: str | None, start: date | None,
        before: date | None,
    ) -> Provenance | None:
        """The active release with exactly this content and these settings, if any."""
        for v in self.manifest().versions:
            if not (v.active and v.kind is kind and v.sha256 == sha):
                continue
            if release is not None and v.release != release:
                continue
            if (start is not None and v.effective_from != start) or (
                before is not None and v.effective_before != before
            ):
                continue
            return v
        return None

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

    # -- lookups --

    def _frame_of(self, version: Provenance) -> pl.LazyFrame:
        if version.path is not None:
            frame = pl.scan_parquet(self.root / version.path)
        elif version.origin is Origin.BUNDLED:
            frame = self._bundled_icd().lazy()
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

    # -- status --

    def status(self) -> list[dict[str, Any]]:
        """Every kind with the releases in force and their provenance (JSON-ready)."""
        out: list[dict[str, Any]] = []
        for kind in RefKind:
            releases = []
            for v, start, end in self._slices(kind, None):
                item = v.model_dump(mode="json")
                if v.origin is Origin.BUNDLED and v.row_count == 0:
                    item["row_count"] = self._bundled_icd().height
                item["in_force_from"] = start.isoformat() if start else None
                item["in_force_before"] = end.isoformat() if end else None
                releases.append(item)
            out.append({"kind": str(kind), "title": KIND_SPECS[kind].title,
                        "releases": releases})
        return out


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
    if table == "hcpcs":
        # The CMS HCPCS record layout defines the termination date as the last date for which
        # a code may be used by Medicare providers: valid through it, invalid from the next day.
        return pl.col("add_date"), pl.col("termination_date").dt.offset_by("1d")
    return none, none

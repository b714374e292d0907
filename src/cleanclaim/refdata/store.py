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

The parts live in :mod:`.manifest` (provenance models, atomic writes), :mod:`.builtin` (built-in
releases), :mod:`.windows` (release windows and resolution) and :mod:`.lookups`; this module
holds :class:`RefdataStore` (imports and status) and re-exports the public names.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import polars as pl

from ..config import settings
from ..errors import InputError, StoreError
from .importers import parse_files
from .kinds import KIND_SPECS, RefKind
from .lookups import LookupsMixin
from .manifest import MANIFEST_FORMAT as MANIFEST_FORMAT
from .manifest import (
    ImportResult,
    Manifest,
    Provenance,
    SourceFile,
    _atomic_write,
    _locked,
    _sha256_file,
    _slug,
)
from .windows import applies_on

__all__ = [
    "ImportResult",
    "Manifest",
    "Provenance",
    "RefdataStore",
    "SourceFile",
    "applies_on",
]


class RefdataStore(LookupsMixin):
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

    # -- status --

    def status(self) -> list[dict[str, Any]]:
        """Every kind with the releases in force and their provenance (JSON-ready)."""
        out: list[dict[str, Any]] = []
        for kind in RefKind:
            releases = []
            for v, start, end in self._slices(kind, None):
                item = v.model_dump(mode="json")
                if v.path is None and v.row_count == 0:  # built in, counted when asked
                    item["row_count"] = self._frame_of(v).select(pl.len()).collect().item()
                item["in_force_from"] = start.isoformat() if start else None
                item["in_force_before"] = end.isoformat() if end else None
                releases.append(item)
            out.append({"kind": str(kind), "title": KIND_SPECS[kind].title,
                        "releases": releases})
        return out

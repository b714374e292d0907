"""The reference-data manifest and safe writes: provenance models, checksums, the import
lock, atomic file replacement, and reading/writing ``manifest.json``."""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import polars as pl
from pydantic import BaseModel, Field, ValidationError

from ..errors import StoreError
from .kinds import Origin, RefKind

MANIFEST_FORMAT = 1


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


class ManifestMixin:
    """Reads and writes the manifest of a :class:`~cleanclaim.refdata.store.RefdataStore`."""

    data_dir: Path
    root: Path
    fallback: bool
    cache: bool
    _cached: dict[tuple[tuple[RefKind, ...], date | None],
                  tuple[tuple[int, int, int], pl.DataFrame]]

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

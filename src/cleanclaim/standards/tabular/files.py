"""Reading and writing canonical batches as files.

A batch of one record type is a set of files named after its tables, side by side in one folder:
``claims.csv``, ``claim_lines.csv`` and ``claim_diagnoses.csv`` (or ``.parquet``). In CSV every
cell is text: dates are ``YYYY-MM-DD``, amounts plain decimals, lists joined by ``|``, an empty
cell is no value. Column layouts are documented in ``docs/tabular.md``.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

import polars as pl

from ...domain import ROOT_RECORDS, Record
from ...domain.conform import LIST_SEPARATOR, conform
from ...domain.schema import Batch, table_specs
from ...errors import InputError

__all__ = ["BatchFormat", "find_batches", "read_batch_files", "write_batch_files"]


class BatchFormat(StrEnum):
    """File format of a canonical batch."""

    CSV = "csv"
    PARQUET = "parquet"


def _table_file(folder: Path, table: str) -> Path | None:
    for fmt in BatchFormat:
        path = folder / f"{table}.{fmt.value}"
        if path.is_file():
            return path
    return None


def find_batches(folder: Path) -> list[type[Record]]:
    """The record types whose top-level table has a file in ``folder``, in load order."""
    if not folder.is_dir():
        raise InputError(f"{folder}: not a folder")
    return [r for r in ROOT_RECORDS if _table_file(folder, r.__table__) is not None]


def _read_table(path: Path) -> pl.DataFrame:
    try:
        if path.suffix == ".parquet":
            return pl.read_parquet(path)
        # Every cell is read as text: conform() types it and names each bad cell.
        return pl.read_csv(path, infer_schema=False, raise_if_empty=False)
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise InputError(f"{path}: cannot be read: {exc}") from exc


def read_batch_files(folder: Path, model: type[Record]) -> Batch:
    """Read and validate the batch of ``model`` in ``folder``; a missing child file is an
    empty table. Raises :class:`~cleanclaim.errors.InputError` naming file, row and field."""
    raw: dict[str, pl.DataFrame] = {}
    sources: dict[str, str] = {}
    for spec in table_specs(model):
        path = _table_file(folder, spec.name)
        if path is None:
            if spec.parent is None:
                raise InputError(f"{folder}: no {spec.name}.csv or {spec.name}.parquet")
            continue
        raw[spec.name] = _read_table(path)
        sources[spec.name] = str(path)
    return conform(model, raw, sources)


def write_batch_files(batch: Batch, folder: Path, fmt: BatchFormat = BatchFormat.CSV) -> list[Path]:
    """Write each table of ``batch`` to ``folder``; returns the files written."""
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    frames = batch.frames()
    for spec in table_specs(batch.model):
        path = folder / f"{spec.name}.{fmt.value}"
        frame = frames[spec.name]
        if fmt is BatchFormat.PARQUET:
            frame.write_parquet(path)
        else:
            text = [
                pl.col(c.name).cast(pl.List(pl.String)).list.join(LIST_SEPARATOR)
                if c.is_list
                else pl.col(c.name).cast(pl.String)
                for c in spec.columns
            ]
            frame.select(text).write_csv(path)
        written.append(path)
    return written

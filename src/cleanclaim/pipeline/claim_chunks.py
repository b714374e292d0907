"""Canonical claim files (CSV or Parquet) read as a stream of batches of whole claims.

A canonical claim set is three files side by side: ``claims``, ``claim_lines`` and
``claim_diagnoses`` (see ``docs/tabular.md``). :func:`iter_claim_chunks` reads the claims file
``chunk_size`` rows at a time (Parquet by record batches, CSV by blocks, never whole) and takes
from each child file the rows of exactly those claims, so a claim and its rows always travel in
one batch and memory holds one chunk at a time, whatever the size of the files.

That needs the child rows grouped by claim and in the order of the claims file, which is how
cleanclaim writes canonical files (``synth world``, ``export``, ``write_batch_files``). A child
row found out of that order, or without its claim, refuses the input with the file, the row and
the cause. Every chunk is validated by :func:`cleanclaim.domain.conform.conform` like a whole
file, with rows numbered as in the file. Checks that span claims (duplicate claim ids) hold
within a chunk.
"""

from __future__ import annotations

import csv
import dataclasses
from collections.abc import Iterator
from pathlib import Path
from typing import Final

import polars as pl
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from ..domain import Claim
from ..domain.conform import conform
from ..domain.schema import Batch, table_specs
from ..errors import BatchValidationError, InputError, RowProblem

__all__ = ["CHUNK_SIZE", "claim_files", "iter_claim_chunks"]

CHUNK_SIZE: Final = 50_000
"""Claims scrubbed at a time by default: large enough for the engine's vectorized plans to
amortise their fixed cost, small enough to keep memory at a few hundred megabytes."""

_KEY = "claim_id"
_BLOCK = 1 << 22  # bytes of CSV parsed at a time
_AHEAD = 65_536  # Parquet child rows read at a time, at least


def claim_files(path: Path, fmt: str) -> dict[str, Path]:
    """The files of the claim set at ``path`` (the claims file or its folder) in format
    ``fmt`` (``csv`` or ``parquet``): table name -> file; a missing child file is no rows."""
    folder = path if path.is_dir() else path.parent
    if not path.exists():
        raise InputError(f"{path}: no such file or folder")
    files: dict[str, Path] = {}
    for spec in table_specs(Claim):
        candidates = [folder / f"{spec.name}.{fmt}"]
        if path.is_dir():
            other = "parquet" if fmt == "csv" else "csv"
            candidates.append(folder / f"{spec.name}.{other}")
        found = next((p for p in candidates if p.is_file()), None)
        if found is not None:
            files[spec.name] = found
        elif spec.parent is None:
            raise InputError(f"{folder}: no {spec.name}.{fmt}")
    return files


def _record_batches(path: Path, rows: int) -> Iterator[pa.RecordBatch]:
    """The file's rows in record batches (at most ``rows`` each for Parquet); CSV cells as
    text, as the whole-file reader reads them, so conform types them and names bad cells."""
    try:
        if path.suffix == ".parquet":
            yield from pq.ParquetFile(path).iter_batches(batch_size=rows)
            return
        with path.open(encoding="utf-8", newline="") as stream:
            columns = next(csv.reader(stream), [])
        if not columns:
            return  # an empty file: no rows
        reader = pacsv.open_csv(
            path,
            read_options=pacsv.ReadOptions(block_size=_BLOCK),
            convert_options=pacsv.ConvertOptions(
                column_types={c: pa.string() for c in columns}, strings_can_be_null=True,
                quoted_strings_can_be_null=True),
        )
        yield from reader
    except (pa.ArrowException, OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot be read: {exc}") from exc


def _frame(batch: pa.RecordBatch) -> pl.DataFrame:
    frame = pl.from_arrow(batch)
    assert isinstance(frame, pl.DataFrame)
    return frame


class _Rows:
    """The rows of one file, handed out in order: the next ``n`` rows, or the next rows
    belonging to a set of claims."""

    def __init__(self, path: Path, table: str, rows: int) -> None:
        self.path = path
        self.table = table
        self._batches = _record_batches(path, rows)
        self._buffer: pl.DataFrame | None = None
        self.first_row = 1  # file row number (1 = first row under the header) of the buffer

    def _fill(self) -> bool:
        while self._buffer is None or self._buffer.height == 0:
            batch = next(self._batches, None)
            if batch is None:
                return False
            self._buffer = _frame(batch)
        return True

    def _split(self, n: int) -> pl.DataFrame:
        assert self._buffer is not None
        head, self._buffer = self._buffer.head(n), self._buffer.slice(n)
        self.first_row += head.height
        return head

    def _ids(self) -> pl.Series:
        assert self._buffer is not None
        if _KEY not in self._buffer.columns:
            raise InputError(f"{self.path} ({self.table}), field '{_KEY}': required column "
                             "is missing")
        return self._buffer[_KEY].cast(pl.String).str.strip_chars()

    def take(self, n: int) -> tuple[int, pl.DataFrame]:
        """The next ``n`` rows (fewer at the end) with the file row number of the first."""
        first, parts, left = self.first_row, [], n
        while left > 0 and self._fill():
            part = self._split(left)
            parts.append(part)
            left -= part.height
        return first, (pl.concat(parts, how="vertical_relaxed") if parts else pl.DataFrame())

    def take_claims(self, ids: pl.Series) -> tuple[int, pl.DataFrame | None]:
        """The next rows whose claim is in ``ids``: they must come first and together."""
        first, parts = self.first_row, []
        wanted = ids.implode()
        while self._fill():
            mine = self._ids().is_in(wanted).fill_null(False)
            others = (~mine).arg_true()
            taken = int(others[0]) if others.len() else mine.len()
            if taken:
                parts.append(self._split(taken))
                mine = mine.slice(taken)
            if mine.len():
                self._refuse_late(mine)
                break
        return first, (pl.concat(parts, how="vertical_relaxed") if parts else None)

    def _refuse_late(self, mine: pl.Series) -> None:
        """Rows of these claims after another claim's row are out of order."""
        ids = self._ids()
        if ids[0] is None or ids[0] == "":
            raise InputError(f"{self.path} ({self.table}), row {self.first_row}, field "
                             f"'{_KEY}': required field is missing")
        late = mine.arg_true()
        if late.len():
            row = self.first_row + int(late[0])
            raise InputError(
                f"{self.path} ({self.table}), row {row}, field '{_KEY}': claim "
                f"{ids[int(late[0])]!r} comes after rows of claim {ids[0]!r}: the rows of a "
                "claim must be together and in the order of the claims file")

    def refuse_leftovers(self, claims: Path) -> None:
        """Rows left when every claim has been read have no claim, or are out of order."""
        if self._fill():
            ids = self._ids()
            raise InputError(
                f"{self.path} ({self.table}), row {self.first_row}, field '{_KEY}': claim "
                f"{ids[0]!r} is not in {claims.name} at this point: it is missing there, or "
                "this row is out of the claims file's order")


def _shifted(exc: BatchValidationError, offsets: dict[str, int],
             claims: Path) -> BatchValidationError:
    """The problems with their rows numbered as in the files, and a word on the order."""
    problems = [
        p if p.row is None else dataclasses.replace(p, row=p.row + offsets.get(p.table, 0))
        for p in exc.problems
    ]
    if any(p.cause.startswith("needs at least") for p in problems):
        problems.append(RowProblem(
            str(claims.parent), "claim files", None, None,
            "read in chunks, a claim's child rows are taken where the claims file's order puts "
            "them: rows of the claim elsewhere in the file count as missing"))
    return BatchValidationError(problems)


def iter_claim_chunks(path: Path, fmt: str, chunk_size: int = CHUNK_SIZE) -> Iterator[Batch]:
    """Validated batches of at most ``chunk_size`` whole claims from the canonical claim set
    at ``path``, in file order (see the module docstring)."""
    if chunk_size < 1:
        raise ValueError(f"chunk_size must be at least 1, not {chunk_size}")
    files = claim_files(path, fmt)
    specs = table_specs(Claim)
    root = specs[0].name
    claims = _Rows(files[root], root, chunk_size)
    # Child rows are read well ahead of the claims, so that a row out of order is seen
    # near where it belongs.
    children = {s.name: _Rows(files[s.name], s.name, max(chunk_size, _AHEAD))
                for s in specs[1:] if s.name in files}
    sources = {name: str(p) for name, p in files.items()}
    while True:
        first, frame = claims.take(chunk_size)
        if frame.height == 0:
            break
        raw = {root: frame}
        offsets = {root: first - 1}
        if _KEY in frame.columns:
            ids = frame[_KEY].cast(pl.String).str.strip_chars()
            for name, rows in children.items():
                start, part = rows.take_claims(ids)
                offsets[name] = start - 1
                if part is not None:
                    raw[name] = part
        try:
            yield conform(Claim, raw, sources)
        except BatchValidationError as exc:
            raise _shifted(exc, offsets, files[root]) from None
    for rows in children.values():
        rows.refuse_leftovers(files[root])

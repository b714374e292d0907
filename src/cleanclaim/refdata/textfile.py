"""Reading the delimited text files CMS publishes: preamble lines, then a header, then data.

The NCCI and MUE downloads open with one or more notice lines (an AMA copyright notice, sometimes a
quoted cell holding commas or line breaks) before the header row, and come as tab-separated text
or as CSV. :func:`read_delimited` finds the header by its content, guesses the separator from it,
and hands the data to Polars in one vectorized pass with every cell as text. Each returned row
keeps its 1-based line number in the file so importers can name the exact line of a bad cell.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from ..errors import InputError

__all__ = [
    "LINE",
    "Check",
    "DelimitedText",
    "fail_at",
    "flexible_date",
    "normalize_header",
    "read_delimited",
    "refuse_first",
    "require_columns",
]

LINE = "__line"
"""Name of the column holding each row's 1-based line number in its file."""

# Header detection only ever needs the top of the file; notices are a few lines long.
_SNIFF_BYTES = 256 * 1024
_SNIFF_RECORDS = 60
# Spare columns absorb trailing separators (spreadsheet exports add them); data there is refused.
_SPARE = 4


@dataclass(frozen=True, slots=True)
class DelimitedText:
    """The data rows of one file: text cells named by the header, plus :data:`LINE`."""

    path: Path
    separator: str
    header: tuple[str, ...]
    header_line: int
    frame: pl.DataFrame


def normalize_header(cell: str) -> str:
    """A header cell reduced to lower-case words, so layout variants compare equal."""
    return " ".join(cell.replace('"', " ").lower().split())


def fail_at(path: Path, line: int | None, cause: str) -> InputError:
    """The error raised for a bad input file: names the file, the line and the cause."""
    where = f"{path.name}" if line is None else f"{path.name}, line {line}"
    return InputError(f"{where}: {cause} (file {path})")


Check = tuple[pl.Expr, str]
"""A check of an importer: (bad-row mask over text cells, cause named in the error)."""


def refuse_first(path: Path, frame: pl.DataFrame, checks: Sequence[Check]) -> None:
    """Raise for the earliest line failing any check (``frame`` has :data:`LINE`)."""
    if not checks or frame.height == 0:
        return
    flags = frame.select(LINE, *[m.fill_null(False).alias(f"bad{i}") for i, (m, _) in
                                  enumerate(checks)])
    bad = flags.filter(pl.any_horizontal(pl.exclude(LINE)))
    if bad.height == 0:
        return
    row = bad.row(0, named=True)
    cause = next(c for i, (_, c) in enumerate(checks) if row[f"bad{i}"])
    raise fail_at(path, int(row[LINE]), cause)


def flexible_date(col: str) -> pl.Expr:
    """YYYYMMDD, YYYY-MM-DD or MM/DD/YYYY: the forms HCPCS and spreadsheet exports use."""
    c = pl.col(col)
    return pl.coalesce(
        c.str.strptime(pl.Date, "%Y%m%d", strict=False),
        c.str.strptime(pl.Date, "%Y-%m-%d", strict=False),
        c.str.strptime(pl.Date, "%m/%d/%Y", strict=False),
    )


def _sample_records(text: str, separator: str) -> list[tuple[int, list[str]]]:
    """The first records of ``text`` with the line each one ends on (quote-aware)."""
    reader = csv.reader(io.StringIO(text), delimiter=separator, quotechar='"')
    records: list[tuple[int, list[str]]] = []
    try:
        for row in reader:
            records.append((reader.line_num, row))
            if len(records) >= _SNIFF_RECORDS:
                break
    except csv.Error:
        pass  # a cell cut by the sample boundary; the records read so far suffice
    return records


def _find_header(
    path: Path, text: str, is_header: Callable[[list[str]], bool]
) -> tuple[str, int, list[str]]:
    """Separator, last line of the header record, and the header cells."""
    best: tuple[str, int, list[str]] | None = None
    for separator in ("\t", ",", "|"):
        for end_line, row in _sample_records(text, separator):
            cells = [normalize_header(c) for c in row]
            if len(cells) > 1 and is_header(cells) and (best is None or end_line < best[1]):
                best = (separator, end_line, [c.strip() for c in row])
                break
    if best is None:
        raise fail_at(
            path, None, f"no header row found in the first {_SNIFF_RECORDS} lines; is this the "
            "right kind of file?"
        )
    return best


def _scan_ragged(path: Path, separator: str, skip: int, width: int) -> InputError:
    """Slow path, only after Polars refused the file: find the first over-long line."""
    with path.open(encoding="utf-8", errors="replace", newline="") as handle:
        for _ in range(skip):
            handle.readline()
        reader = csv.reader(handle, delimiter=separator, quotechar='"')
        try:
            for row in reader:
                if len([c for c in row if c.strip()]) and len(row) > width:
                    extra = [c for c in row[width:] if c.strip()]
                    if extra:
                        return fail_at(
                            path, skip + reader.line_num,
                            f"{len(row)} cells where the header has {width - _SPARE}",
                        )
        except csv.Error as exc:
            return fail_at(path, skip + reader.line_num, f"unreadable text ({exc})")
    return fail_at(path, None, "the file cannot be read as delimited text")


def read_delimited(
    path: Path,
    is_header: Callable[[list[str]], bool],
    *,
    continuation_rows: bool = True,
) -> DelimitedText:
    """Read ``path``: skip the preamble, find the header with ``is_header``, return text cells.

    ``is_header`` receives the cells of a candidate record, normalized with
    :func:`normalize_header`. With ``continuation_rows``, rows right after the header whose first
    two cells are empty are taken as the rest of a header spread over several lines (older CMS
    text files explain the codes of a column under its title that way) and dropped.
    """
    try:
        with path.open("rb") as handle:
            head = handle.read(_SNIFF_BYTES)
    except OSError as exc:
        raise fail_at(path, None, f"cannot open ({exc.strerror})") from exc
    separator, header_line, header = _find_header(
        path, head.decode("utf-8-sig", errors="replace"), is_header
    )
    names = [f"c{i}" for i in range(len(header) + _SPARE)]
    try:
        frame = pl.read_csv(
            path,
            has_header=False,
            separator=separator,
            quote_char='"',
            skip_lines=header_line,
            schema=dict.fromkeys(names, pl.String),
            encoding="utf8-lossy",
            infer_schema=False,
            missing_columns="insert",
            raise_if_empty=False,
        )
    except (pl.exceptions.ComputeError, pl.exceptions.ShapeError) as exc:
        raise _scan_ragged(path, separator, header_line, len(names)) from exc
    # Blank lines come back as all-null rows, so the row index still maps to the line number.
    frame = frame.with_columns(
        pl.int_range(header_line + 1, header_line + 1 + frame.height, dtype=pl.Int64).alias(LINE),
        *[pl.col(n).str.strip_chars() for n in names],
    ).with_columns(pl.when(pl.col(n) != "").then(pl.col(n)).alias(n) for n in names)
    frame = frame.filter(~pl.all_horizontal(pl.col(n).is_null() for n in names))
    if continuation_rows:
        frame = _drop_header_continuation(frame)
    spare = names[len(header) :]
    stray = frame.filter(pl.any_horizontal(pl.col(n).is_not_null() for n in spare))
    if stray.height:
        line = int(stray[LINE][0])
        raise fail_at(path, line, f"more cells than the {len(header)} columns of the header")
    frame = frame.select(*names[: len(header)], LINE)
    return DelimitedText(path, separator, tuple(header), header_line, frame)


def _drop_header_continuation(frame: pl.DataFrame) -> pl.DataFrame:
    # Continuation rows leave both key columns empty; a data row missing only one is an error
    # the importer must report, not a row to skip.
    has_key = pl.col("c0").is_not_null() | pl.col("c1").is_not_null()
    first_data = frame.select(has_key.arg_true().first()).item()
    if first_data is None:
        return frame.clear()
    return frame.slice(int(first_data))


def require_columns(
    text: DelimitedText, wanted: Mapping[str, Sequence[str]], *, optional: Sequence[str] = ()
) -> pl.DataFrame:
    """Rename header columns to canonical names; ``wanted`` maps each name to accepted titles.

    A title matches when it occurs in the normalized header cell. Missing required columns are
    an error naming the file and the header line.
    """
    normalized = [normalize_header(h) for h in text.header]
    chosen: dict[str, str] = {}
    for name, titles in wanted.items():
        for i, cell in enumerate(normalized):
            if f"c{i}" not in chosen.values() and any(t in cell for t in titles):
                chosen[name] = f"c{i}"
                break
        else:
            if name not in optional:
                raise fail_at(
                    text.path, text.header_line,
                    f"no column for {name!r} in the header {list(text.header)}",
                )
    return text.frame.select(*[pl.col(src).alias(name) for name, src in chosen.items()], LINE)

"""Importers: official download files in, one canonical Polars frame per release out.

Each importer reads every file of a release (NCCI PTP releases come in several parts), checks
every cell in vectorized passes, and refuses the release at the first bad cell with an
:class:`~cleanclaim.errors.InputError` naming the file, the line and the cause. Nothing is stored
here; :class:`~cleanclaim.refdata.store.RefdataStore` stores what an importer returns.

Layouts accepted (facts of the official formats; see ``docs/refdata.md``):

- NCCI PTP (``.txt`` tab-separated or ``.csv``): column 1 code, column 2 code, pre-1996 flag
  (``*``), effective date ``YYYYMMDD``, deletion date ``YYYYMMDD`` or ``*``, modifier indicator
  0/1/9, PTP edit rationale; notice lines before the header.
- MUE: code, MUE value, adjudication indicator (``"3 Date of Service Edit: Clinical"``), rationale.
- NCCI add-on code (AOC) edits, the spreadsheet saved as CSV or tab text: add-on code, add-on code
  deletion date, primary code (``CCCCC`` = primaries left to the payer), primary code deletion
  date, AOC edit type 1/2/3, edit effective and deletion dates (``YYYYDDD`` day-of-year dates as
  CMS writes them, or ``YYYYMMDD``), special instruction notes; notice lines before the header.
- ICD-10-CM order file ``icd10cm_order_YYYY.txt`` (fixed width).
- HCPCS Level II: CSV/tab with code, add date and termination date columns.
- CPT list: codes only (any descriptor column is dropped unread).
- NUCC taxonomy CSV: Code, Grouping, Classification, Specialization.
- ICD-10-CM age/sex edits (MCE style) and procedure age/sex: :mod:`.agesex`.
- Coverage policies (LCD/NCD style): :mod:`.coverage`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import polars as pl

from .agesex import SCHEMAS as _AGESEX_SCHEMAS
from .agesex import parse_dx_agesex, parse_px_agesex
from .coverage import SCHEMAS as _COVERAGE_SCHEMAS
from .coverage import parse_coverage
from .kinds import KIND_SPECS, Origin, RefKind, fiscal_year_window, quarter_start
from .textfile import (
    LINE,
    Check,
    DelimitedText,
    fail_at,
    normalize_header,
    read_delimited,
    require_columns,
)
from .textfile import flexible_date as _flexible_date
from .textfile import refuse_first as _refuse_first

__all__ = [
    "AOC_ANY_PRIMARY",
    "SCHEMAS",
    "SYNTHETIC_MARKER",
    "ParsedRelease",
    "parse_files",
    "with_icd_parent",
]

SYNTHETIC_MARKER = "cleanclaim synthetic"
"""Text the synthetic generator writes in its notice line; files holding it import as synthetic."""

SCHEMAS: dict[str, dict[str, pl.DataType]] = {
    "ptp": {
        "column1": pl.String(),
        "column2": pl.String(),
        "pre_1996": pl.Boolean(),
        "effective_date": pl.Date(),
        "deletion_date": pl.Date(),
        "modifier_indicator": pl.Int8(),
        "rationale": pl.String(),
    },
    "mue": {
        "code": pl.String(),
        "mue_value": pl.Int32(),
        "adjudication_indicator": pl.Int8(),
        "rationale": pl.String(),
    },
    "icd10cm": {
        "code": pl.String(),
        "billable": pl.Boolean(),
        "short_description": pl.String(),
        "description": pl.String(),
        "category": pl.String(),
        "parent": pl.String(),
    },
    "hcpcs": {
        "code": pl.String(),
        "add_date": pl.Date(),
        "termination_date": pl.Date(),
        "short_description": pl.String(),
    },
    "aoc": {
        "addon_code": pl.String(),
        "primary_code": pl.String(),
        "edit_type": pl.Int8(),
        "effective_date": pl.Date(),
        "deletion_date": pl.Date(),
        "addon_deletion_date": pl.Date(),
        "primary_deletion_date": pl.Date(),
        "notes": pl.String(),
    },
    "cpt": {"code": pl.String()},
    "taxonomy": {
        "code": pl.String(),
        "grouping": pl.String(),
        "classification": pl.String(),
        "specialization": pl.String(),
    },
    **_AGESEX_SCHEMAS,
    **_COVERAGE_SCHEMAS,
}
"""Canonical columns of each logical table, as stored in Parquet."""

_PROCEDURE_CODE = r"^[0-9A-Z]{5}$"
_CPT_CODE = r"^[0-9]{4}[0-9FTU]$"
_HCPCS_CODE = r"^([A-Z][0-9]{4}|[0-9A-Z]{2})$"
_ICD_CODE = r"^[A-Z][0-9][0-9A-Z]{1,5}$"
_TAXONOMY_CODE = r"^[0-9]{3}[0-9A-Z]{6}X$"


@dataclass
class ParsedRelease:
    """What an importer made of the files of one release."""

    kind: RefKind
    frame: pl.DataFrame
    origin: Origin = Origin.IMPORTED
    release: str | None = None
    """Release label the content implies (e.g. from the file name), if any."""
    effective_from: date | None = None
    effective_before: date | None = None
    notes: list[str] = field(default_factory=list)


def _date8(col: str) -> pl.Expr:
    return pl.col(col).str.strptime(pl.Date, "%Y%m%d", strict=False)


def _has_marker(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            head = handle.read(4096).decode("utf-8", errors="replace")
    except OSError:
        return False
    return SYNTHETIC_MARKER in head.lower()


def _origin(paths: Sequence[Path]) -> Origin:
    marked = [_has_marker(p) for p in paths]
    return Origin.SYNTHETIC if any(marked) else Origin.IMPORTED


# --- NCCI PTP ---------------------------------------------------------------------------------

_PTP_TITLES = {
    "column1": ("column 1", "column1", "column one"),
    "column2": ("column 2", "column2", "column two"),
    "pre_1996": ("prior to 1996",),
    "effective": ("effective",),
    "deletion": ("deletion",),
    "modifier": ("modifier",),
    "rationale": ("rationale",),
}


def _is_ptp_header(cells: list[str]) -> bool:
    return any(c.startswith(("column 1", "column1")) for c in cells) and any(
        "column 2" in c or "column2" in c for c in cells
    )


def _parse_ptp_file(path: Path) -> pl.DataFrame:
    text = read_delimited(path, _is_ptp_header)
    raw = require_columns(text, _PTP_TITLES, optional=("rationale",))
    if "rationale" not in raw.columns:
        raw = raw.with_columns(pl.lit(None, pl.String).alias("rationale"))
    raw = raw.with_columns(pl.col("column1", "column2").str.to_uppercase())
    mod = pl.col("modifier")
    _refuse_first(path, raw, [
        (pl.col("column1").is_null(), "column 1 code is empty"),
        (~pl.col("column1").str.contains(_PROCEDURE_CODE), "column 1 is not a HCPCS/CPT code"),
        (pl.col("column2").is_null(), "column 2 code is empty"),
        (~pl.col("column2").str.contains(_PROCEDURE_CODE), "column 2 is not a HCPCS/CPT code"),
        (pl.col("effective").is_null(), "effective date is empty"),
        (_date8("effective").is_null(), "effective date is not a YYYYMMDD date"),
        (pl.col("deletion").is_null(), "deletion date is empty (use * for none)"),
        ((pl.col("deletion") != "*") & _date8("deletion").is_null(),
         "deletion date is neither * nor a YYYYMMDD date"),
        (_date8("deletion") < _date8("effective"), "deletion date before the effective date"),
        (pl.col("pre_1996").is_not_null() & (pl.col("pre_1996") != "*"),
         "pre-1996 flag must be * or empty"),
        (mod.is_null() | ~mod.is_in(["0", "1", "9"]), "modifier indicator must be 0, 1 or 9"),
    ])
    return raw.select(
        pl.col("column1"),
        pl.col("column2"),
        (pl.col("pre_1996") == "*").fill_null(False).alias("pre_1996"),
        _date8("effective").alias("effective_date"),
        _date8("deletion").alias("deletion_date"),
        mod.cast(pl.Int8).alias("modifier_indicator"),
        pl.col("rationale"),
    )


def _parse_ptp(kind: RefKind, paths: Sequence[Path]) -> ParsedRelease:
    frame = pl.concat([_parse_ptp_file(p) for p in paths], how="vertical").unique(
        maintain_order=True
    )
    parsed = ParsedRelease(kind, frame, origin=_origin(paths))
    _infer_quarter(parsed)
    return parsed


# --- MUE ----------------------------------------------------------------------------------------

_MUE_TITLES = {
    "code": ("hcpcs", "cpt", "code"),
    "value": ("mue value", "mue values"),
    "indicator": ("adjudication indicator", "mai"),
    "rationale": ("rationale",),
}


def _is_mue_header(cells: list[str]) -> bool:
    return any("mue value" in c for c in cells) and any(
        "hcpcs" in c or "cpt" in c or c == "code" for c in cells
    )


def _parse_mue_file(path: Path) -> pl.DataFrame:
    text = read_delimited(path, _is_mue_header)
    raw = require_columns(text, _MUE_TITLES, optional=("rationale",))
    if "rationale" not in raw.columns:
        raw = raw.with_columns(pl.lit(None, pl.String).alias("rationale"))
    raw = raw.with_columns(pl.col("code").str.to_uppercase())
    digit = pl.col("indicator").str.extract(r"^([123])(?:\D|$)", 1)
    _refuse_first(path, raw, [
        (pl.col("code").is_null(), "code is empty"),
        (~pl.col("code").str.contains(_PROCEDURE_CODE), "code is not a HCPCS/CPT code"),
        (pl.col("value").is_null(), "MUE value is empty"),
        (~pl.col("value").str.contains(r"^\d{1,6}$"), "MUE value is not a whole number"),
        (digit.is_null(), "MUE adjudication indicator does not start with 1, 2 or 3"),
    ])
    return raw.select(
        pl.col("code"),
        pl.col("value").cast(pl.Int32).alias("mue_value"),
        digit.cast(pl.Int8).alias("adjudication_indicator"),
        pl.col("rationale"),
        pl.col(LINE),
        pl.lit(str(path)).alias("__file"),
    )


def _parse_mue(kind: RefKind, paths: Sequence[Path]) -> ParsedRelease:
    frame = pl.concat([_parse_mue_file(p) for p in paths], how="vertical")
    keyed = frame.unique(subset=["code", "mue_value", "adjudication_indicator"], keep="first",
                         maintain_order=True)
    clash = keyed.filter(pl.col("code").is_duplicated())
    if clash.height:
        row = clash.row(1, named=True)
        raise fail_at(Path(row["__file"]), int(row[LINE]),
                      f"code {row['code']} appears twice with different MUE values")
    return ParsedRelease(kind, keyed.drop(LINE, "__file"), origin=_origin(paths))


# --- NCCI add-on code edits -----------------------------------------------------------------------

AOC_ANY_PRIMARY = "CCCCC"
"""Primary-code placeholder of the AOC file: the payer (MAC) defines the primaries."""


def _header_words(cell: str) -> str:
    # Spreadsheet titles (AOC_EDIT_EFF_DT) and prose titles (AOC Edit Effective Date) compare equal.
    return " ".join(re.sub(r"[_\-/()]+", " ", cell).split())


def _aoc_role(cell: str) -> str | None:
    """Which canonical column a normalized AOC header cell holds (None: not read)."""
    k = _header_words(cell)
    addon = "add on" in k or "addon" in k
    if "type" in k:
        return "type"
    if "primary" in k and "del" in k:
        return "primary_del"
    if (addon or k.startswith("aoc")) and "del" in k and "edit" not in k:
        return "addon_del"
    if "eff" in k:
        return "effective"
    if "del" in k:
        return "deletion"
    if "primary" in k:
        return "primary"
    if addon:
        return "addon"
    if "note" in k or "instruction" in k:
        return "notes"
    return None


def _is_aoc_header(cells: list[str]) -> bool:
    roles = {_aoc_role(c) for c in cells}
    return {"addon", "primary", "type"} <= roles


def _aoc_date(col: str) -> pl.Expr:
    """An AOC date cell: ``YYYYDDD`` (day of the year, as CMS writes them), ``YYYYMMDD``, or the
    ISO and US forms a spreadsheet export produces. Null for ``*``, blank or all nines."""
    c = pl.col(col)
    parsed = pl.coalesce(
        pl.when(c.str.len_chars() == 7).then(c.str.strptime(pl.Date, "%Y%j", strict=False)),
        pl.when(c.str.len_chars() == 8).then(c.str.strptime(pl.Date, "%Y%m%d", strict=False)),
        c.str.strptime(pl.Date, "%Y-%m-%d", strict=False),
        c.str.strptime(pl.Date, "%m/%d/%Y", strict=False),
    )
    return pl.when(_aoc_open(col)).then(pl.lit(None, pl.Date)).otherwise(parsed)


def _aoc_open(col: str) -> pl.Expr:
    # High values stand for "no date" in some CMS fixed-width extracts; "*" in the PTP style.
    return pl.col(col).is_null() | (pl.col(col) == "*") | pl.col(col).str.contains(r"^9{7,8}$")


def _aoc_columns(text: DelimitedText) -> pl.DataFrame:
    chosen: dict[str, str] = {}
    for i, cell in enumerate(text.header):
        role = _aoc_role(normalize_header(cell))
        if role is not None and role not in chosen:
            chosen[role] = f"c{i}"
    for role in ("addon", "primary", "type", "effective"):
        if role not in chosen:
            raise fail_at(text.path, text.header_line,
                          f"no column for {role!r} in the header {list(text.header)}")
    frame = text.frame.select(*[pl.col(src).alias(role) for role, src in chosen.items()], LINE)
    missing = [r for r in ("deletion", "addon_del", "primary_del", "notes") if r not in chosen]
    return frame.with_columns(pl.lit(None, pl.String).alias(r) for r in missing)


_AOC_TYPE = r"(?i)^(?:type\s*)?([123]|i{1,3})$"
_DATE_CAUSE = "is not a date (YYYYDDD or YYYYMMDD; *, blank = none)"


def _parse_aoc_file(path: Path) -> pl.DataFrame:
    text = read_delimited(path, _is_aoc_header, continuation_rows=False)
    raw = _aoc_columns(text).with_columns(pl.col("addon", "primary").str.to_uppercase())
    roman = pl.col("type").str.extract(_AOC_TYPE, 1).str.to_uppercase()
    kind = roman.replace_strict({"1": 1, "2": 2, "3": 3, "I": 1, "II": 2, "III": 3},
                                default=None, return_dtype=pl.Int8)
    placeholder = pl.col("primary").is_null() | (pl.col("primary") == AOC_ANY_PRIMARY)
    checks: list[Check] = [
        (pl.col("addon").is_null(), "add-on code is empty"),
        (~pl.col("addon").str.contains(_PROCEDURE_CODE), "add-on code is not a HCPCS/CPT code"),
        (kind.is_null(), "AOC edit type must be 1, 2 or 3"),
        (placeholder & (kind == 1), "a type 1 edit needs its primary code"),
        (~placeholder & ~pl.col("primary").str.contains(_PROCEDURE_CODE),
         f"primary code is neither a HCPCS/CPT code nor {AOC_ANY_PRIMARY}"),
        (pl.col("effective").is_null(), "edit effective date is empty"),
        (_aoc_date("effective").is_null(), f"edit effective date {_DATE_CAUSE}"),
    ]
    for col, label in (("deletion", "edit deletion date"), ("addon_del", "add-on code deletion "
                       "date"), ("primary_del", "primary code deletion date")):
        checks.append((~_aoc_open(col) & _aoc_date(col).is_null(), f"{label} {_DATE_CAUSE}"))
    checks.append((_aoc_date("deletion") < _aoc_date("effective"),
                   "edit deletion date before the edit effective date"))
    _refuse_first(path, raw, checks)
    return raw.select(
        pl.col("addon").alias("addon_code"),
        pl.when(~placeholder).then(pl.col("primary")).alias("primary_code"),
        kind.alias("edit_type"),
        _aoc_date("effective").alias("effective_date"),
        _aoc_date("deletion").alias("deletion_date"),
        _aoc_date("addon_del").alias("addon_deletion_date"),
        _aoc_date("primary_del").alias("primary_deletion_date"),
        pl.col("notes"),
    )


def _parse_aoc(kind: RefKind, paths: Sequence[Path]) -> ParsedRelease:
    frame = pl.concat([_parse_aoc_file(p) for p in paths], how="vertical").unique(
        maintain_order=True
    )
    parsed = ParsedRelease(kind, frame, origin=_origin(paths))
    _infer_quarter(parsed)
    return parsed


def _infer_quarter(parsed: ParsedRelease) -> None:
    """Release start = first day of the quarter of the newest row effective date."""
    if parsed.frame.height == 0:
        return
    newest = parsed.frame.select(pl.col("effective_date").max()).item()
    start = quarter_start(newest)
    parsed.effective_from = start
    parsed.release = f"{start.year}Q{(start.month - 1) // 3 + 1}"
    parsed.notes.append(
        "release start inferred from the newest edit effective date; give --release to set it"
    )


# --- ICD-10-CM order file -------------------------------------------------------------------

_ORDER_NAME = re.compile(r"icd10cm[_-]order[_-](\d{4})", re.IGNORECASE)


def _read_lines(path: Path) -> list[str]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise fail_at(path, None, f"cannot open ({exc.strerror})") from exc
    try:
        text = data.decode("utf-8-sig")  # spreadsheet exports often start with a byte-order mark
    except UnicodeDecodeError:
        # Fixed-width layouts count characters; Latin-1 keeps one character per byte.
        text = data.decode("latin-1")
    return text.splitlines()


def with_icd_parent(frame: pl.DataFrame) -> pl.DataFrame:
    """Add ``parent``: the longest shorter code of the table that prefixes the code.

    Dropping one character at a time also steps over the placeholder ``X`` (T360X1 -> T360).
    Categories (3 characters) have no parent code. Vectorized: one join per length.
    """
    known = frame.select(pl.col("code").alias("__candidate"), pl.lit(True).alias("__hit"))
    work = frame.with_columns(pl.col("code").str.len_chars().cast(pl.Int32).alias("__len"))
    found = []
    for drop in range(1, 5):
        cand = f"__p{drop}"
        work = work.with_columns(
            pl.when(pl.col("__len") - drop >= 3)
            .then(pl.col("code").str.slice(0, pl.col("__len") - drop)).alias(cand)
        ).join(known.rename({"__hit": f"__h{drop}"}), left_on=cand, right_on="__candidate",
               how="left", maintain_order="left")
        found.append(pl.when(pl.col(f"__h{drop}")).then(pl.col(cand)))
    return work.with_columns(pl.coalesce(*found).alias("parent")).select(
        *frame.columns, "parent"
    )


def _parse_order_file(path: Path) -> pl.DataFrame:
    lines = pl.DataFrame({"text": _read_lines(path)}).with_columns(
        pl.int_range(1, pl.len() + 1, dtype=pl.Int64).alias(LINE)
    ).filter(pl.col("text").str.strip_chars() != "")
    t = pl.col("text")
    raw = lines.select(
        LINE,
        t.str.slice(0, 5).alias("order"),
        t.str.slice(6, 7).str.strip_chars().alias("code"),
        t.str.slice(14, 1).alias("billable"),
        t.str.slice(16, 60).str.strip_chars().alias("short"),
        t.str.slice(77).str.strip_chars().alias("long"),
        t.str.len_chars().alias("length"),
    )
    _refuse_first(path, raw, [
        (pl.col("length") < 17, "line too short for the order-file layout"),
        (~pl.col("order").str.contains(r"^\s*\d+$"), "columns 1-5 are not an order number"),
        (~pl.col("code").str.contains(_ICD_CODE), "columns 7-13 are not an ICD-10-CM code"),
        (~pl.col("billable").is_in(["0", "1"]), "column 15 (billable flag) is not 0 or 1"),
    ])
    return raw.select(
        pl.col("code"),
        (pl.col("billable") == "1").alias("billable"),
        pl.col("short").alias("short_description"),
        pl.when(pl.col("long") != "").then(pl.col("long")).otherwise(pl.col("short"))
        .alias("description"),
        pl.col("code").str.slice(0, 3).alias("category"),
    )


def _parse_icd_order(kind: RefKind, paths: Sequence[Path]) -> ParsedRelease:
    frame = pl.concat([_parse_order_file(p) for p in paths]).unique("code", maintain_order=True)
    parsed = ParsedRelease(kind, with_icd_parent(frame), origin=_origin(paths))
    years = {int(m[1]) for p in paths if (m := _ORDER_NAME.search(p.name))}
    if len(years) == 1:
        year = years.pop()
        parsed.release = f"FY{year}"
        parsed.effective_from, parsed.effective_before = fiscal_year_window(year)
    return parsed


# --- HCPCS, CPT list, taxonomy -------------------------------------------------------------------

_HCPCS_TITLES = {
    "code": ("hcpc", "code"),
    "add": ("add dt", "add date", "add_dt", "add_date"),
    "term": ("term dt", "termination", "term date", "term_dt", "term_date"),
    "short": ("short desc", "short_desc", "short_description"),
}


def _is_hcpcs_header(cells: list[str]) -> bool:
    return any(c.startswith(("hcpc", "code")) for c in cells) and any(
        c.startswith(("add", "term")) for c in cells
    )


def _parse_hcpcs(kind: RefKind, paths: Sequence[Path]) -> ParsedRelease:
    frames = []
    for path in paths:
        text = read_delimited(path, _is_hcpcs_header, continuation_rows=False)
        raw = require_columns(text, _HCPCS_TITLES, optional=("short",))
        if "short" not in raw.columns:
            raw = raw.with_columns(pl.lit(None, pl.String).alias("short"))
        raw = raw.with_columns(pl.col("code").str.to_uppercase())
        _refuse_first(path, raw, [
            (pl.col("code").is_null(), "code is empty"),
            (~pl.col("code").str.contains(_HCPCS_CODE), "not a HCPCS Level II code or modifier"),
            (pl.col("add").is_not_null() & _flexible_date("add").is_null(),
             "add date is not a date (YYYYMMDD)"),
            (pl.col("term").is_not_null() & _flexible_date("term").is_null(),
             "termination date is not a date (YYYYMMDD)"),
        ])
        frames.append(raw.select(
            "code",
            _flexible_date("add").alias("add_date"),
            _flexible_date("term").alias("termination_date"),
            pl.col("short").alias("short_description"),
        ))
    # The official file repeats a code on continuation records; the first values stand.
    frame = pl.concat(frames).group_by("code", maintain_order=True).agg(
        pl.all().drop_nulls().first()
    )
    return ParsedRelease(kind, frame, origin=_origin(paths))


def _parse_cpt(kind: RefKind, paths: Sequence[Path]) -> ParsedRelease:
    frames = []
    for path in paths:
        lines = pl.DataFrame({"text": _read_lines(path)}).with_columns(
            pl.int_range(1, pl.len() + 1, dtype=pl.Int64).alias(LINE)
        )
        # First cell of each line only: a licensed file's descriptor column is never read.
        cell = (pl.col("text").str.extract(r"^\s*\"?([^,\t\"]*)", 1).str.strip_chars()
                .str.to_uppercase())
        raw = lines.select(LINE, cell.alias("code")).filter(pl.col("code") != "")
        if raw.height and not re.fullmatch(_CPT_CODE[1:-1], raw["code"][0]):
            raw = raw.slice(1)  # a header line such as "code" or "CPT"
        _refuse_first(path, raw, [
            (~pl.col("code").str.contains(_CPT_CODE), "not a CPT code (4 digits + digit/F/T/U)"),
        ])
        frames.append(raw.select("code"))
    return ParsedRelease(kind, pl.concat(frames).unique(maintain_order=True),
                         origin=_origin(paths))


_TAXONOMY_TITLES = {
    "code": ("code",),
    "grouping": ("grouping",),
    "classification": ("classification",),
    "specialization": ("specialization",),
}


def _parse_taxonomy(kind: RefKind, paths: Sequence[Path]) -> ParsedRelease:
    frames = []
    for path in paths:
        text = read_delimited(
            path, lambda cells: "code" in cells and "classification" in cells,
            continuation_rows=False,
        )
        raw = require_columns(text, _TAXONOMY_TITLES).with_columns(
            pl.col("code").str.to_uppercase()
        )
        _refuse_first(path, raw, [
            (~pl.col("code").str.contains(_TAXONOMY_CODE).fill_null(False),
             "not a provider taxonomy code (10 characters ending in X)"),
        ])
        frames.append(raw.drop(LINE))
    frame = pl.concat(frames).unique("code", maintain_order=True)
    return ParsedRelease(kind, frame, origin=_origin(paths))


def _frame_parser(
    parse: Callable[[RefKind, Sequence[Path]], pl.DataFrame],
) -> Callable[[RefKind, Sequence[Path]], ParsedRelease]:
    def parsed(kind: RefKind, paths: Sequence[Path]) -> ParsedRelease:
        return ParsedRelease(kind, parse(kind, paths), origin=_origin(paths))

    return parsed


_PARSERS: dict[str, Callable[[RefKind, Sequence[Path]], ParsedRelease]] = {
    "ptp": _parse_ptp,
    "mue": _parse_mue,
    "aoc": _parse_aoc,
    "icd10cm": _parse_icd_order,
    "hcpcs": _parse_hcpcs,
    "cpt": _parse_cpt,
    "taxonomy": _parse_taxonomy,
    "dx_agesex": _frame_parser(parse_dx_agesex),
    "px_agesex": _frame_parser(parse_px_agesex),
    "coverage": _frame_parser(parse_coverage),
}


def parse_files(kind: RefKind, paths: Sequence[Path]) -> ParsedRelease:
    """Parse and check every file of one release of ``kind``; raise at the first bad cell."""
    if not paths:
        raise fail_at(Path("."), None, "no files given")
    for path in paths:
        if not path.is_file():
            raise fail_at(path, None, "no such file")
    table = KIND_SPECS[kind].table
    parsed = _PARSERS[table](kind, paths)
    if parsed.frame.height == 0:
        raise fail_at(paths[0], None, "no data rows found after the header")
    schema = SCHEMAS[table]
    parsed.frame = parsed.frame.select(
        pl.col(name).cast(dtype) for name, dtype in schema.items()
    )
    return parsed

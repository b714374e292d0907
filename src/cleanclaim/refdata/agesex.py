"""Age and sex edits: which ICD-10-CM diagnoses and which procedures fit which patients.

Two tables, both effective-dated per row (``effective_date`` inclusive, ``end_date`` the first
day the edit no longer applies; null = open):

- ``dx_agesex`` (kind ``icd10cm-agesex``): code (ICD-10-CM, no dot), edit (``newborn``,
  ``pediatric``, ``maternity``, ``adult``, ``age``, ``male``, ``female``), age_low, age_high
  (inclusive, years; null for a sex edit), sex (``M``/``F``; null for an age edit). These are the
  facts the CMS Medicare Code Editor (MCE) applies. Importer: an MCE-style CSV (see
  :func:`parse_dx_agesex`). Built in: :func:`derive_dx_agesex` builds the table from the bundled
  ICD-10-CM codes with the rule set :data:`DX_RULES` (chapters and categories), labelled
  ``derived``.
- ``px_agesex`` (kind ``procedure-agesex``): code (CPT/HCPCS), sex, age_low, age_high, note.
  Importer: a CSV of the same columns. Built in: ``data/procedure_age_sex.csv``, our own table of
  code facts (age bands of the preventive-medicine visit codes, sex-specific codes); no
  descriptors.

The MCE age categories: newborn 0, pediatric 0-17, maternity 9-64, adult 15-124 (MCE manual,
current versions). The MCE's sex conflict edit was deactivated from October 1, 2024 (MCE v42,
FY2025); the derived sex rows therefore end on that day. A payer that still applies sex edits
imports its own list with its own dates.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import polars as pl

from .kinds import RefKind
from .textfile import LINE, Check, flexible_date, read_delimited, refuse_first

__all__ = [
    "AGE_CATEGORIES",
    "DX_RULES",
    "DX_RULES_VERSION",
    "MCE_SEX_EDIT_END",
    "SCHEMAS",
    "dated_checks",
    "derive_dx_agesex",
    "dx_rules_digest",
    "parse_dx_agesex",
    "parse_px_agesex",
    "read_columns",
]

SCHEMAS: dict[str, dict[str, pl.DataType]] = {
    "dx_agesex": {
        "code": pl.String(),
        "edit": pl.String(),
        "age_low": pl.Int16(),
        "age_high": pl.Int16(),
        "sex": pl.String(),
        "effective_date": pl.Date(),
        "end_date": pl.Date(),
    },
    "px_agesex": {
        "code": pl.String(),
        "sex": pl.String(),
        "age_low": pl.Int16(),
        "age_high": pl.Int16(),
        "effective_date": pl.Date(),
        "end_date": pl.Date(),
        "note": pl.String(),
    },
}

AGE_CATEGORIES: dict[str, tuple[int, int]] = {
    "newborn": (0, 0),
    "pediatric": (0, 17),
    "maternity": (9, 64),
    "adult": (15, 124),
}
"""MCE age categories and their inclusive age ranges in years."""

_SEX_EDITS = {"male": "M", "female": "F"}
MCE_SEX_EDIT_END = date(2024, 10, 1)
"""First day the MCE no longer applies its diagnosis sex conflict edit (v42, FY2025)."""

DX_RULES_VERSION = "1"
"""Bump when :data:`DX_RULES` changes: it is part of the derived release's checksum."""

DX_RULES: tuple[tuple[str, str, str], ...] = (
    # (edit, first code prefix, last code prefix): a code matches when its first
    # len(prefix) characters fall in the range. Chapter 15 and the pregnancy Z codes:
    ("maternity", "O", "O"), ("maternity", "Z33", "Z34"), ("maternity", "Z36", "Z37"),
    ("maternity", "Z39", "Z39"), ("maternity", "Z3A", "Z3A"),
    ("female", "O", "O"), ("female", "Z33", "Z34"), ("female", "Z36", "Z37"),
    ("female", "Z39", "Z39"), ("female", "Z3A", "Z3A"),
    # Newborn only where the code itself is about the birth period: newborns affected by
    # maternal factors (P00-P04), liveborn infants (Z38), newborn observation (Z05) and
    # newborn health checks (Z00.11-). Other chapter 16 codes may be used at any age when
    # the perinatal condition persists (ICD-10-CM guideline I.C.16.a), so they are not here.
    ("newborn", "P00", "P04"), ("newborn", "Z05", "Z05"), ("newborn", "Z38", "Z38"),
    ("newborn", "Z0011", "Z0011"),
    # Pediatric: routine child health checks, other healthy infant/child supervision, Reye's.
    ("pediatric", "Z0012", "Z0012"), ("pediatric", "Z762", "Z762"),
    ("pediatric", "G937", "G937"),
    # Adult: general adult examination and the age-related categories.
    ("adult", "Z000", "Z000"), ("adult", "R54", "R54"), ("adult", "H25", "H25"),
    ("adult", "M800", "M800"), ("adult", "M810", "M810"),
    # Male genital organs: neoplasms, diseases, anomalies, findings, screening, history.
    ("male", "C60", "C63"), ("male", "D074", "D076"), ("male", "D29", "D29"),
    ("male", "D40", "D40"), ("male", "E29", "E29"), ("male", "N40", "N53"),
    ("male", "Q53", "Q55"), ("male", "R86", "R86"), ("male", "Z125", "Z125"),
    ("male", "B260", "B260"), ("male", "Z8545", "Z8548"),
    # Female genital organs.
    ("female", "C51", "C58"), ("female", "C796", "C796"), ("female", "D06", "D06"),
    ("female", "D070", "D073"), ("female", "D25", "D28"), ("female", "D39", "D39"),
    ("female", "E28", "E28"), ("female", "N70", "N77"), ("female", "N80", "N98"),
    ("female", "Q50", "Q52"), ("female", "R87", "R87"), ("female", "Z0141", "Z0142"),
    ("female", "Z124", "Z124"), ("female", "A34", "A34"), ("female", "B373", "B373"),
    ("female", "Z8541", "Z8544"),
)
"""The rule set of the derived ICD-10-CM age/sex table (documented in ``docs/refdata.md``).

Deliberately narrower than the official MCE lists where a category mixes codes for either sex
or any age; import the MCE lists for the full edits."""


def _rule_mask(low: str, high: str) -> pl.Expr:
    head = pl.col("code").str.slice(0, len(low))
    return head.is_between(pl.lit(low), pl.lit(high))


def dx_rules_digest() -> str:
    """Checksum of the rule set, part of the derived release's identity."""
    text = DX_RULES_VERSION + repr(DX_RULES) + repr(AGE_CATEGORIES) + str(MCE_SEX_EDIT_END)
    return hashlib.sha256(text.encode()).hexdigest()


def derive_dx_agesex(icd: pl.DataFrame) -> pl.DataFrame:
    """The ``dx_agesex`` table of the codes of ``icd`` (an ``icd10cm`` table) by :data:`DX_RULES`.

    Every code of the table is matched, billable or not (a header code is refused by another
    rule; its edit costs nothing). One row per code and edit."""
    codes = icd.select(pl.col("code").unique().sort())
    parts = []
    for edit, low, high in DX_RULES:
        ages = AGE_CATEGORIES.get(edit, (None, None))
        parts.append(codes.filter(_rule_mask(low, high)).with_columns(
            pl.lit(edit).alias("edit"),
            pl.lit(ages[0], pl.Int16).alias("age_low"),
            pl.lit(ages[1], pl.Int16).alias("age_high"),
            pl.lit(_SEX_EDITS.get(edit), pl.String).alias("sex"),
            pl.lit(None, pl.Date).alias("effective_date"),
            pl.lit(MCE_SEX_EDIT_END if edit in _SEX_EDITS else None, pl.Date).alias("end_date"),
        ))
    frame = pl.concat(parts).unique(["code", "edit"]).sort("code", "edit")
    return frame.select(pl.col(n).cast(t) for n, t in SCHEMAS["dx_agesex"].items())


# --- importers ------------------------------------------------------------------------------

_AGE = r"^\d{1,3}$"
_ICD = r"^[A-Z][0-9][0-9A-Z]{1,5}$"
_PROCEDURE = r"^[0-9A-Z]{5}$"


def read_columns(path: Path, wanted: Sequence[str], required: Sequence[str]) -> pl.DataFrame:
    """The CSV's columns named (case-insensitively) as in ``wanted``; absent optional ones null."""
    text = read_delimited(path, lambda cells: all(r in cells for r in required),
                          continuation_rows=False)
    names = [h.strip().lower().replace(" ", "_") for h in text.header]
    frame = text.frame.select(*[pl.col(f"c{i}").alias(n) for i, n in enumerate(names)
                                if n in wanted], LINE)
    return frame.with_columns(pl.lit(None, pl.String).alias(n) for n in wanted
                              if n not in frame.columns)


def dated_checks() -> list[Check]:
    """Checks of the optional ``effective_date`` / ``end_date`` columns."""
    return [
        (pl.col("effective_date").is_not_null() & flexible_date("effective_date").is_null(),
         "effective_date is not a date (YYYY-MM-DD)"),
        (pl.col("end_date").is_not_null() & flexible_date("end_date").is_null(),
         "end_date is not a date (YYYY-MM-DD)"),
        (flexible_date("end_date") <= flexible_date("effective_date"),
         "end_date is not after effective_date"),
    ]


def _ages() -> list[Check]:
    return [
        (pl.col("age_low").is_not_null() & ~pl.col("age_low").str.contains(_AGE),
         "age_low is not a whole number of years (0-124)"),
        (pl.col("age_high").is_not_null() & ~pl.col("age_high").str.contains(_AGE),
         "age_high is not a whole number of years (0-124)"),
        (pl.col("age_low").cast(pl.Int32, strict=False) > 124, "age_low above 124"),
        (pl.col("age_high").cast(pl.Int32, strict=False) > 124, "age_high above 124"),
        (pl.col("age_low").cast(pl.Int32, strict=False)
         > pl.col("age_high").cast(pl.Int32, strict=False), "age_low above age_high"),
    ]


_DX_COLUMNS = ("code", "edit", "age_low", "age_high", "sex", "effective_date", "end_date")
_DX_EDITS = (*AGE_CATEGORIES, "age", *_SEX_EDITS, "sex")


def _parse_dx_file(path: Path) -> pl.DataFrame:
    raw = read_columns(path, _DX_COLUMNS, ("code", "edit")).with_columns(
        pl.col("code").str.replace_all(".", "", literal=True).str.to_uppercase(),
        pl.col("edit").str.to_lowercase(), pl.col("sex").str.to_uppercase())
    edit = pl.col("edit")
    is_age = edit.is_in([*AGE_CATEGORIES, "age"])
    refuse_first(path, raw, [
        (pl.col("code").is_null(), "code is empty"),
        (~pl.col("code").str.contains(_ICD), "code is not an ICD-10-CM code"),
        (edit.is_null() | ~edit.is_in(list(_DX_EDITS)),
         f"edit must be one of {', '.join(_DX_EDITS)}"),
        ((edit == "age") & (pl.col("age_low").is_null() | pl.col("age_high").is_null()),
         "an age edit needs age_low and age_high"),
        ((edit == "sex") & ~pl.col("sex").is_in(["M", "F"]).fill_null(False),
         "a sex edit needs sex M or F"),
        (edit.is_in(list(_SEX_EDITS)) & pl.col("sex").is_not_null()
         & (pl.col("sex") != edit.replace_strict(_SEX_EDITS, default=None)),
         "sex contradicts the edit"),
        (~is_age & (pl.col("age_low").is_not_null() | pl.col("age_high").is_not_null()),
         "a sex edit has no ages"),
        *_ages(), *dated_checks(),
    ])
    default_low = edit.replace_strict({k: v[0] for k, v in AGE_CATEGORIES.items()},
                                      default=None, return_dtype=pl.Int16)
    default_high = edit.replace_strict({k: v[1] for k, v in AGE_CATEGORIES.items()},
                                       default=None, return_dtype=pl.Int16)
    return raw.select(
        "code",
        pl.when(edit == "sex").then(pl.col("sex").replace_strict({"M": "male", "F": "female"},
                                                                  default=None))
        .otherwise(edit).alias("edit"),
        pl.coalesce(pl.col("age_low").cast(pl.Int16, strict=False), default_low)
        .alias("age_low"),
        pl.coalesce(pl.col("age_high").cast(pl.Int16, strict=False), default_high)
        .alias("age_high"),
        pl.when(~is_age).then(pl.coalesce(
            pl.col("sex"), edit.replace_strict(_SEX_EDITS, default=None))).alias("sex"),
        flexible_date("effective_date").alias("effective_date"),
        flexible_date("end_date").alias("end_date"),
    )


def parse_dx_agesex(kind: RefKind, paths: Sequence[Path]) -> pl.DataFrame:
    """An MCE-style CSV (or tab text): ``code`` (ICD-10-CM, dot optional), ``edit``
    (newborn / pediatric / maternity / adult with the MCE ages unless ``age_low``/``age_high``
    say otherwise; ``age`` with both; male / female; ``sex`` with ``sex`` M/F), and optional
    ``effective_date`` / ``end_date`` (first day no longer applied)."""
    return pl.concat([_parse_dx_file(p) for p in paths]).unique(maintain_order=True)


_PX_COLUMNS = ("code", "sex", "age_low", "age_high", "effective_date", "end_date", "note")


def _parse_px_file(path: Path) -> pl.DataFrame:
    raw = read_columns(path, _PX_COLUMNS, ("code", "sex", "age_low", "age_high")).with_columns(
        pl.col("code").str.to_uppercase(), pl.col("sex").str.to_uppercase())
    refuse_first(path, raw, [
        (pl.col("code").is_null(), "code is empty"),
        (~pl.col("code").str.contains(_PROCEDURE), "code is not a CPT/HCPCS code"),
        (pl.col("sex").is_not_null() & ~pl.col("sex").is_in(["M", "F"]),
         "sex must be M, F or empty"),
        (pl.col("sex").is_null() & pl.col("age_low").is_null() & pl.col("age_high").is_null(),
         "a row restricts nothing (give sex, age_low or age_high)"),
        *_ages(), *dated_checks(),
    ])
    return raw.select(
        "code", "sex",
        pl.col("age_low").cast(pl.Int16, strict=False),
        pl.col("age_high").cast(pl.Int16, strict=False),
        flexible_date("effective_date").alias("effective_date"),
        flexible_date("end_date").alias("end_date"), "note",
    )


def parse_px_agesex(kind: RefKind, paths: Sequence[Path]) -> pl.DataFrame:
    """A CSV with ``code``, ``sex`` (M/F/empty), ``age_low``, ``age_high`` (empty = open),
    optional ``effective_date``, ``end_date`` and ``note``."""
    return pl.concat([_parse_px_file(p) for p in paths]).unique(maintain_order=True)

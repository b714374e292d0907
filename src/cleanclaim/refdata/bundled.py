"""Small reference tables shipped with the package, and the CARC/RARC to root-cause map.

The CSV files in ``refdata/data/`` hold facts only (code values, which modifiers bypass which
edit); every description is a short phrase of our own, never the official X12 or CMS wording:

- ``place_of_service.csv``: CMS place-of-service codes (``effective_from`` where the code is
  recent enough for the date to matter).
- ``claim_frequency.csv``: claim frequency codes (CLM05-3) and which claim types use them.
- ``modifiers.csv``: modifiers and their role in edits: ``ptp_bypass`` (an NCCI PTP-associated
  modifier, which lets a pair with modifier indicator 1 be paid), ``anatomic``,
  ``repeat_procedure``.
- ``carc.csv`` / ``rarc.csv``: common claim adjustment reason and remark codes.
- ``denial_categories.csv``: rules mapping (group code?, CARC, RARC?) to a
  :class:`~cleanclaim.domain.codes.DenialCategory` and whether the cause was preventable before
  submission. A blank group code or RARC is a wildcard; the most specific rule wins.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import TypeVar

import polars as pl

from ..domain.codes import DenialCategory, GroupCode

__all__ = [
    "carc_codes",
    "categorize",
    "category_rules",
    "claim_frequency_codes",
    "modifiers",
    "place_of_service_codes",
    "rarc_codes",
]

Frame = TypeVar("Frame", pl.DataFrame, pl.LazyFrame)


def _read(name: str, schema: dict[str, type[pl.DataType]]) -> pl.DataFrame:
    data = resources.files(__package__).joinpath("data", name).read_bytes()
    return pl.read_csv(data, schema=schema)


@lru_cache(maxsize=1)
def place_of_service_codes() -> pl.DataFrame:
    """code (2 digits), name, effective_from (null when long-standing)."""
    frame = _read("place_of_service.csv",
                  {"code": pl.String, "name": pl.String, "effective_from": pl.String})
    return frame.with_columns(pl.col("effective_from").str.to_date("%Y-%m-%d"))


@lru_cache(maxsize=1)
def claim_frequency_codes() -> pl.DataFrame:
    """code, name, professional, institutional, refers_to_prior_claim."""
    return _read("claim_frequency.csv", {
        "code": pl.String, "name": pl.String, "professional": pl.Boolean,
        "institutional": pl.Boolean, "refers_to_prior_claim": pl.Boolean,
    })


@lru_cache(maxsize=1)
def modifiers() -> pl.DataFrame:
    """modifier, meaning, ptp_bypass, anatomic, repeat_procedure, group."""
    return _read("modifiers.csv", {
        "modifier": pl.String, "meaning": pl.String, "ptp_bypass": pl.Boolean,
        "anatomic": pl.Boolean, "repeat_procedure": pl.Boolean, "group": pl.String,
    })


@lru_cache(maxsize=1)
def carc_codes() -> pl.DataFrame:
    """code, description (our words)."""
    return _read("carc.csv", {"code": pl.String, "description": pl.String})


@lru_cache(maxsize=1)
def rarc_codes() -> pl.DataFrame:
    """code, description (our words)."""
    return _read("rarc.csv", {"code": pl.String, "description": pl.String})


@lru_cache(maxsize=1)
def category_rules() -> pl.DataFrame:
    """group_code, carc, rarc (blank = any), category, preventable, note. Checked on load."""
    frame = _read("denial_categories.csv", {
        "group_code": pl.String, "carc": pl.String, "rarc": pl.String, "category": pl.String,
        "preventable": pl.Boolean, "note": pl.String,
    })
    bad_cat = set(frame["category"].to_list()) - {c.value for c in DenialCategory}
    bad_group = set(frame["group_code"].drop_nulls().to_list()) - {g.value for g in GroupCode}
    dup = frame.filter(pl.struct("group_code", "carc", "rarc").is_duplicated())
    if bad_cat or bad_group or dup.height or frame["carc"].null_count():
        raise ValueError(  # a packaging bug, not a user error
            f"denial_categories.csv is inconsistent: categories {bad_cat}, groups {bad_group}, "
            f"duplicates {dup.rows()}"
        )
    return frame


_LEVELS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("group+carc+rarc", ("group_code", "carc", "rarc")),
    ("carc+rarc", ("carc", "rarc")),
    ("group+carc", ("group_code", "carc")),
    ("carc", ("carc",)),
)


def categorize(
    frame: Frame,
    *,
    group_code: str = "group_code",
    carc: str = "carc",
    rarc: str = "rarc",
) -> Frame:
    """Add ``category``, ``preventable`` and ``category_rule`` to rows of (group, CARC, RARC).

    Vectorized: four left joins, from the most specific rule shape to the least, then a
    coalesce. Unknown CARCs fall to ``other`` (not preventable, rule ``none``). A row carries one
    RARC; explode first when a row has several. Absent ``group_code``/``rarc`` columns are
    treated as empty. Returns the same kind of frame it was given, rows in the same order.
    """
    lazy = frame.lazy()
    names = set(lazy.collect_schema().names())

    def key(col: str, upper: bool) -> pl.Expr:
        if col not in names:
            return pl.lit(None, pl.String)
        text = pl.col(col).cast(pl.String).str.strip_chars()
        text = text.str.to_uppercase() if upper else text.str.strip_chars_start("0")
        return pl.when(text != "").then(text)

    work = lazy.with_columns(
        key(group_code, True).alias("__g"), key(carc, False).alias("__c"),
        key(rarc, True).alias("__r"),
    )
    rules = category_rules().lazy()
    cats, prevs, labels = [], [], []
    for i, (label, cols) in enumerate(_LEVELS):
        has_group, has_rarc = "group_code" in cols, "rarc" in cols
        subset = rules.filter(
            pl.col("group_code").is_not_null() == has_group,
            pl.col("rarc").is_not_null() == has_rarc,
        ).select(
            *[pl.col(c).alias(f"__k{i}_{c}") for c in cols],
            pl.col("category").alias(f"__cat{i}"),
            pl.col("preventable").alias(f"__prev{i}"),
        )
        left = [{"group_code": "__g", "carc": "__c", "rarc": "__r"}[c] for c in cols]
        work = work.join(subset, left_on=left, right_on=[f"__k{i}_{c}" for c in cols],
                         how="left", maintain_order="left")
        cats.append(pl.col(f"__cat{i}"))
        prevs.append(pl.col(f"__prev{i}"))
        labels.append(pl.when(pl.col(f"__cat{i}").is_not_null()).then(pl.lit(label)))
    out = work.with_columns(
        pl.coalesce(*cats, pl.lit(DenialCategory.OTHER.value)).alias("category"),
        pl.coalesce(*prevs, pl.lit(False)).alias("preventable"),
        pl.coalesce(*labels, pl.lit("none")).alias("category_rule"),
    ).select(pl.exclude(r"^__.*$"))
    if isinstance(frame, pl.DataFrame):
        return out.collect()
    return out

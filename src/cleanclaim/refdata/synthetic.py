"""Synthetic NCCI PTP, MUE, add-on code and HCPCS tables in the official layouts, for demos and
load tests.

Nothing here is a CMS edit or a real code definition. Code values are drawn from the formats
(five digits, or a letter and four digits) and pairs are random, seeded and reproducible. Every
file written carries :data:`~cleanclaim.refdata.importers.SYNTHETIC_MARKER` in its notice line,
so importing it records ``origin = synthetic`` in the manifest; the frames used as the store's
offline fallback carry the same origin.

Generation is vectorized (NumPy draws, Polars formatting): about two million PTP pairs take a
second or two, which makes full-size performance work possible without the licensed downloads.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path

import numpy as np
import polars as pl

from .importers import AOC_ANY_PRIMARY, SYNTHETIC_MARKER

__all__ = [
    "DEFAULT_RELEASE",
    "synthetic_aoc",
    "synthetic_codes",
    "synthetic_hcpcs",
    "synthetic_mue",
    "synthetic_ptp",
    "write_aoc_file",
    "write_hcpcs_file",
    "write_mue_file",
    "write_ptp_files",
]

DEFAULT_RELEASE = date(2026, 1, 1)
"""Quarter the synthetic tables pretend to be current as of."""

_EPOCH = np.datetime64("1970-01-01", "D")
_RATIONALES = (
    "Standards of medical / surgical practice",
    "Mutually exclusive procedures",
    "CPT Manual or CMS manual coding instructions",
    "Misuse of column two code with column one code",
    "More extensive procedure",
)
_MUE_RATIONALES = (
    "Anatomic Consideration",
    "Clinical: Data",
    "Code Descriptor / CPT Instruction",
    "Nature of Service/Procedure",
    "CMS Policy",
)
_MAI_TEXT = ("1 Line Edit", "2 Date of Service Edit: Policy", "3 Date of Service Edit: Clinical")
_LEVEL2_LETTERS = np.array(list("ACEGJKLQ"))


def _notice(seed: int) -> str:
    return (
        f"SYNTHETIC DATA - {SYNTHETIC_MARKER} generator, seed {seed}. Invented for testing; "
        "these are not CMS edits and must not be used to bill."
    )


def synthetic_codes(seed: int, n_numeric: int = 10_000, n_level2: int = 2_000) -> pl.Series:
    """Distinct procedure-code values: five-digit ones and letter + four digits, sorted."""
    rng = np.random.default_rng(seed)
    numeric = rng.choice(np.arange(10_021, 99_500), size=n_numeric, replace=False)
    letters = rng.choice(_LEVEL2_LETTERS, size=n_level2)
    digits = rng.choice(np.arange(0, 10_000), size=n_level2, replace=False)
    level2 = np.char.add(letters, np.char.zfill(digits.astype(str), 4))
    codes = np.concatenate([np.char.zfill(numeric.astype(str), 5), level2])
    return pl.Series("code", np.unique(codes))


def _quarter_starts(first: date, last: date) -> np.ndarray:
    months = np.arange(
        np.datetime64(first, "M"), np.datetime64(last, "M") + np.timedelta64(1, "M"), 3
    )
    return months.astype("datetime64[D]")


def synthetic_ptp(
    n_pairs: int, *, seed: int = 0, release: date = DEFAULT_RELEASE, codes: pl.Series | None = None
) -> pl.DataFrame:
    """``n_pairs`` distinct (column 1, column 2) edits in the canonical ``ptp`` layout."""
    rng = np.random.default_rng(seed)
    universe = (codes if codes is not None else synthetic_codes(seed)).to_numpy()
    size = len(universe)
    want = int(n_pairs * 1.2) + 64
    # Squaring a uniform draw skews column 1: a few codes carry many edits, as in real tables.
    col1 = (size * rng.random(want) ** 2).astype(np.int64)
    col2 = rng.integers(0, size, want)
    keys = np.sort((col1 * size + col2)[col1 != col2])
    keys = keys[np.concatenate(([True], keys[1:] != keys[:-1]))]
    if len(keys) < n_pairs:
        raise ValueError(f"code universe of {size} too small for {n_pairs} pairs")
    keys = np.sort(rng.permutation(keys)[:n_pairs])
    col1, col2 = keys // size, keys % size
    quarters = _quarter_starts(date(1996, 1, 1), release)
    # Older quarters are likelier: most edits in a release date from earlier years.
    eff_idx = (len(quarters) * rng.random(n_pairs) ** 1.5).astype(np.int64)
    effective = quarters[eff_idx]
    roll = rng.random(n_pairs)
    retro = roll < 0.01
    deleted = (roll >= 0.01) & (roll < 0.09) & (eff_idx < len(quarters) - 1)
    later = eff_idx + 1 + (rng.random(n_pairs) * (len(quarters) - 1 - eff_idx)).astype(np.int64)
    later = np.minimum(later, len(quarters) - 1)
    deletion = np.where(deleted, quarters[later], np.datetime64("NaT"))
    deletion = np.where(retro, effective, deletion)
    modifier = np.where(retro, 9, np.where(rng.random(n_pairs) < 0.25, 0, 1)).astype(np.int8)
    pre_1996 = (eff_idx == 0) & (rng.random(n_pairs) < 0.4)
    rationale = pl.Series(_RATIONALES, dtype=pl.String).gather(
        rng.integers(0, len(_RATIONALES), n_pairs)
    )
    names = pl.Series(universe, dtype=pl.String)
    return pl.DataFrame(
        {
            "column1": names.gather(col1),
            "column2": names.gather(col2),
            "pre_1996": pre_1996,
            "effective_date": effective,
            "deletion_date": deletion,
            "modifier_indicator": modifier,
            "rationale": rationale,
        }
    ).with_columns(pl.col("effective_date", "deletion_date").cast(pl.Date))


def synthetic_mue(*, seed: int = 0, codes: pl.Series | None = None,
                  share: float = 0.8) -> pl.DataFrame:
    """MUE values for a seeded ``share`` of the code universe, canonical ``mue`` layout."""
    rng = np.random.default_rng(seed + 1)
    universe = (codes if codes is not None else synthetic_codes(seed)).to_numpy()
    picked = np.sort(rng.choice(universe, int(len(universe) * share), replace=False))
    n = len(picked)
    values = np.asarray([0, 1, 1, 1, 1, 2, 2, 3, 4, 6, 10, 24, 99])[rng.integers(0, 13, n)]
    mai = rng.choice(np.array([1, 2, 3], dtype=np.int8), size=n, p=[0.25, 0.2, 0.55])
    rationale = np.asarray(_MUE_RATIONALES)[rng.integers(0, len(_MUE_RATIONALES), n)]
    return pl.DataFrame(
        {"code": picked, "mue_value": values.astype(np.int32), "adjudication_indicator": mai,
         "rationale": rationale}
    )


def synthetic_hcpcs(*, seed: int = 0, codes: pl.Series | None = None,
                    release: date = DEFAULT_RELEASE) -> pl.DataFrame:
    """Level II codes of the universe with add and termination dates, canonical layout."""
    rng = np.random.default_rng(seed + 2)
    universe = (codes if codes is not None else synthetic_codes(seed)).to_numpy()
    level2 = universe[np.char.isalpha(np.char.ljust(universe.astype(str), 1).astype("<U1"))]
    n = len(level2)
    quarters = _quarter_starts(date(2000, 1, 1), release)
    add_idx = rng.integers(0, len(quarters), n)
    added = quarters[add_idx]
    ends = (rng.random(n) < 0.06) & (add_idx < len(quarters) - 1)
    # A termination date is the last day a code may be used: the eve of a quarter start.
    term = np.where(ends, quarters[np.minimum(add_idx + 1, len(quarters) - 1)]
                    - np.timedelta64(1, "D"), np.datetime64("NaT"))
    return pl.DataFrame(
        {"code": level2, "add_date": added, "termination_date": term}
    ).with_columns(
        pl.col("add_date", "termination_date").cast(pl.Date),
        pl.format("Synthetic item {}", pl.col("code")).alias("short_description"),
    )


def synthetic_aoc(*, seed: int = 0, codes: pl.Series | None = None, n_addons: int = 600,
                  release: date = DEFAULT_RELEASE) -> pl.DataFrame:
    """Add-on code edits over the universe in the canonical ``aoc`` layout.

    About 70% of the add-on codes are type 1 (one to eight listed primaries), 15% type 3 (one to
    four listed primaries) and 15% type 2 (no primary: one row with a null primary code).
    """
    rng = np.random.default_rng(seed + 3)
    universe = (codes if codes is not None else synthetic_codes(seed)).to_numpy()
    size = len(universe)
    addon_idx = rng.choice(size, size=min(n_addons, size // 2), replace=False)
    kinds = rng.choice(np.array([1, 2, 3], dtype=np.int8), size=len(addon_idx),
                       p=[0.7, 0.15, 0.15])
    counts = np.where(kinds == 1, rng.integers(1, 9, len(kinds)),
                      np.where(kinds == 3, rng.integers(1, 5, len(kinds)), 1))
    addon = np.repeat(addon_idx, counts)
    edit_type = np.repeat(kinds, counts)
    primary = rng.integers(0, size, len(addon))
    primary = np.where(primary == addon, (primary + 1) % size, primary)
    quarters = _quarter_starts(date(2013, 4, 1), release)
    eff_idx = rng.integers(0, len(quarters), len(addon))
    deleted = (rng.random(len(addon)) < 0.05) & (eff_idx < len(quarters) - 1)
    deletion = np.where(deleted, quarters[np.minimum(eff_idx + 1, len(quarters) - 1)],
                        np.datetime64("NaT"))
    names = pl.Series(universe, dtype=pl.String)
    return pl.DataFrame({
        "addon_code": names.gather(addon),
        "primary_code": names.gather(primary),
        "edit_type": edit_type,
        "effective_date": quarters[eff_idx],
        "deletion_date": deletion,
    }).with_columns(
        pl.when(pl.col("edit_type") != 2).then(pl.col("primary_code")).alias("primary_code"),
        pl.col("effective_date", "deletion_date").cast(pl.Date),
        pl.lit(None, pl.Date).alias("addon_deletion_date"),
        pl.lit(None, pl.Date).alias("primary_deletion_date"),
        pl.lit(None, pl.String).alias("notes"),
    ).unique(["addon_code", "primary_code"], maintain_order=True)


def _yyyymmdd(col: str, none: str | None) -> pl.Expr:
    text = pl.col(col).dt.strftime("%Y%m%d")
    return text if none is None else text.fill_null(none)


_PTP_HEADER = (
    "Column 1", "Column 2", "*=in existence prior to 1996", "Effective Date",
    "Deletion Date *=no data", "Modifier 0=not allowed 1=allowed 9=not applicable",
    "PTP Edit Rationale",
)


def write_ptp_files(
    folder: Path, n_pairs: int, *, seed: int = 0, parts: int = 4, separator: str = "\t",
    release: date = DEFAULT_RELEASE, prefix: str = "synthetic-ptp",
) -> list[Path]:
    """Write ``n_pairs`` synthetic edits as ``parts`` files in the official PTP text layout."""
    folder.mkdir(parents=True, exist_ok=True)
    frame = synthetic_ptp(n_pairs, seed=seed, release=release).select(
        "column1", "column2",
        pl.when(pl.col("pre_1996")).then(pl.lit("*")).alias("pre"),
        _yyyymmdd("effective_date", None), _yyyymmdd("deletion_date", "*"),
        pl.col("modifier_indicator").cast(pl.String), "rationale",
    )
    suffix = "txt" if separator == "\t" else "csv"
    paths: list[Path] = []
    bounds = np.linspace(0, frame.height, parts + 1).astype(int)
    for i in range(parts):
        path = folder / f"{prefix}-f{i + 1}.{suffix}"
        _write_with_notice(path, frame.slice(bounds[i], bounds[i + 1] - bounds[i]), _PTP_HEADER,
                           separator, seed)
        paths.append(path)
    return paths


def _write_with_notice(path: Path, frame: pl.DataFrame, header: Sequence[str], separator: str,
                       seed: int) -> None:
    quoted = [f'"{h}"' if separator in h else h for h in header]
    with path.open("wb") as handle:
        handle.write(f'"{_notice(seed)}"\n'.encode())
        handle.write((separator.join(quoted) + "\n").encode())
        frame.write_csv(handle, include_header=False, separator=separator)


def write_mue_file(path: Path, *, seed: int = 0, setting: str = "Practitioner Services",
                   separator: str = ",") -> Path:
    """Write a synthetic MUE table in the official layout (CSV by default, as CMS ships MUEs)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    frame = synthetic_mue(seed=seed).select(
        "code", pl.col("mue_value").cast(pl.String),
        pl.col("adjudication_indicator").replace_strict(
            {1: _MAI_TEXT[0], 2: _MAI_TEXT[1], 3: _MAI_TEXT[2]}, return_dtype=pl.String
        ),
        "rationale",
    )
    header = ("HCPCS/CPT Code", f"{setting} MUE Values", "MUE Adjudication Indicator",
              "MUE Rationale")
    _write_with_notice(path, frame, header, separator, seed)
    return path


def write_hcpcs_file(path: Path, *, seed: int = 0) -> Path:
    """Write synthetic HCPCS Level II codes as a CSV with the accepted column titles."""
    path.parent.mkdir(parents=True, exist_ok=True)
    frame = synthetic_hcpcs(seed=seed).select(
        "code", _yyyymmdd("add_date", None), _yyyymmdd("termination_date", None),
        "short_description",
    )
    _write_with_notice(path, frame, ("HCPC", "ADD DT", "TERM DT", "SHORT DESCRIPTION"), ",", seed)
    return path


_AOC_HEADER = ("Add-On Code", "AOC_DEL_DT", "Primary Code", "Primary Code DEL_DT",
               "AOC Edit Type", "AOC_EDIT_EFF_DT", "AOC_EDIT_DEL_DT", "Special Instruction Notes")


def write_aoc_file(path: Path, *, seed: int = 0, separator: str = ",") -> Path:
    """Write synthetic add-on code edits in the AOC spreadsheet layout saved as text, with the
    day-of-year (``YYYYDDD``) dates and the ``CCCCC`` placeholder CMS uses."""
    path.parent.mkdir(parents=True, exist_ok=True)

    def julian(col: str) -> pl.Expr:
        return pl.col(col).dt.strftime("%Y%j")

    frame = synthetic_aoc(seed=seed).select(
        "addon_code", julian("addon_deletion_date"),
        pl.col("primary_code").fill_null(AOC_ANY_PRIMARY),
        julian("primary_deletion_date"), pl.col("edit_type").cast(pl.String),
        julian("effective_date"), julian("deletion_date"), "notes",
    )
    _write_with_notice(path, frame, _AOC_HEADER, separator, seed)
    return path

"""NCCI add-on code edits: the official layout, its awkward parts, and dates of service."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
import pytest

from cleanclaim.errors import InputError
from cleanclaim.refdata import Origin, RefdataStore, RefKind, applies_on, parse_files
from cleanclaim.refdata.synthetic import synthetic_aoc, write_aoc_file

from .files import AMA_NOTICE, write_text

HEADER = ("Add-On Code,AOC_DEL_DT,Primary Code,Primary Code DEL_DT,AOC Edit Type,"
          "AOC_EDIT_EFF_DT,AOC_EDIT_DEL_DT,Special Instruction Notes")
ROWS = [
    "22552,,22551,,1,2013091,,",  # Julian 2013091 = April 1, 2013
    "22552,,22554,,1,2013091,2020366,",  # deleted from Dec 31, 2020 (leap year)
    "99292,,CCCCC,,2,2017001,,",  # type 2: the payer decides the primaries
    '96376,,96374,,3,2013091,,"(96376 may be reported by facilities only)"',
]


def _aoc(tmp_path: Path, rows: list[str], name: str = "aoc.csv",
         header: str = HEADER) -> Path:
    notice = f'"{AMA_NOTICE}",,,,,,,'
    return write_text(tmp_path / name, [notice, header, *rows])


def test_spreadsheet_layout_with_julian_dates_and_placeholder(tmp_path: Path) -> None:
    parsed = parse_files(RefKind.AOC, [_aoc(tmp_path, ROWS)])
    frame = parsed.frame
    assert frame.columns == [
        "addon_code", "primary_code", "edit_type", "effective_date", "deletion_date",
        "addon_deletion_date", "primary_deletion_date", "notes",
    ]
    assert frame.select("addon_code", "primary_code", "edit_type", "effective_date",
                        "deletion_date").rows() == [
        ("22552", "22551", 1, date(2013, 4, 1), None),
        ("22552", "22554", 1, date(2013, 4, 1), date(2020, 12, 31)),
        ("99292", None, 2, date(2017, 1, 1), None),
        ("96376", "96374", 3, date(2013, 4, 1), None),
    ]
    assert frame["notes"].to_list()[3] == "(96376 may be reported by facilities only)"
    assert parsed.origin is Origin.IMPORTED
    assert parsed.release == "2017Q1" and parsed.effective_from == date(2017, 1, 1)


def test_tab_text_with_prose_titles_roman_types_and_calendar_dates(tmp_path: Path) -> None:
    header = ("Add-on Code\tPrimary Code\tAOC Edit Type\tAOC Edit Effective Date\t"
              "AOC Edit Deletion Date")
    rows = ["22552\t22551\tType I\t20130401\t*", "64462\t\tType II\t20200101\t20230101",
            "34812\t34701\tIII\t2019-01-01\t"]
    path = write_text(tmp_path / "aoc.txt", [AMA_NOTICE, "second notice line", header, *rows])
    frame = parse_files(RefKind.AOC, [path]).frame
    assert frame.select("addon_code", "primary_code", "edit_type", "effective_date",
                        "deletion_date").rows() == [
        ("22552", "22551", 1, date(2013, 4, 1), None),
        ("64462", None, 2, date(2020, 1, 1), date(2023, 1, 1)),
        ("34812", "34701", 3, date(2019, 1, 1), None),
    ]
    assert frame["addon_deletion_date"].null_count() == 3  # column absent: no dates


def test_code_deletion_dates_are_kept(tmp_path: Path) -> None:
    path = _aoc(tmp_path, ["0596T,2021365,0595T,2021365,1,2020001,2022001,"])
    row = parse_files(RefKind.AOC, [path]).frame.row(0, named=True)
    assert row["addon_deletion_date"] == date(2021, 12, 31)
    assert row["primary_deletion_date"] == date(2021, 12, 31)
    assert row["deletion_date"] == date(2022, 1, 1)


@pytest.mark.parametrize(
    ("row", "cause"),
    [
        (",,22551,,1,2013091,,", "add-on code is empty"),
        ("2255,,22551,,1,2013091,,", "add-on code is not a HCPCS/CPT code"),
        ("22552,,22551,,4,2013091,,", "AOC edit type must be 1, 2 or 3"),
        ("22552,,CCCCC,,1,2013091,,", "a type 1 edit needs its primary code"),
        ("22552,,,,1,2013091,,", "a type 1 edit needs its primary code"),
        ("22552,,22-51,,1,2013091,,", "primary code is neither"),
        ("22552,,22551,,1,,,", "edit effective date is empty"),
        ("22552,,22551,,1,2013400,,", "edit effective date is not a date"),
        ("22552,,22551,,1,2013091,soon,", "edit deletion date is not a date"),
        ("22552,x,22551,,1,2013091,,", "add-on code deletion date is not a date"),
        ("22552,,22551,2013,1,2013091,,", "primary code deletion date is not a date"),
        ("22552,,22551,,1,2013091,2012001,", "deletion date before the edit effective date"),
        ("22552,,22551,,1,2013091,,,extra", "more cells than"),
    ],
)
def test_bad_cell_names_file_line_and_cause(tmp_path: Path, row: str, cause: str) -> None:
    path = _aoc(tmp_path, [ROWS[0], row], name="bad.csv")
    with pytest.raises(InputError) as err:
        parse_files(RefKind.AOC, [path])
    assert "bad.csv, line 4:" in str(err.value) and cause in str(err.value)


def test_missing_column_is_named(tmp_path: Path) -> None:
    header = "Add-On Code,Primary Code,AOC Edit Type"
    path = _aoc(tmp_path, ["22552,22551,1"], header=header)
    with pytest.raises(InputError, match=r"line 2: no column for 'effective'"):
        parse_files(RefKind.AOC, [path])


def _needs_primary(store: RefdataStore, addon: str, primary: str, day: date) -> int:
    lines = pl.LazyFrame({"addon": [addon], "primary": [primary], "dos": [day]})
    hits = lines.join(store.aoc_edits(), left_on=["addon", "primary"],
                      right_on=["addon_code", "primary_code"]).filter(applies_on("dos"))
    return hits.collect().height


@pytest.mark.parametrize(
    ("day", "listed"),
    [
        (date(2013, 3, 31), False),  # before the edit's effective date
        (date(2013, 4, 1), True),
        (date(2020, 12, 30), True),
        (date(2020, 12, 31), False),  # the deletion date: first day the edit no longer applies
    ],
)
def test_edit_in_force_by_date_of_service(
    store: RefdataStore, tmp_path: Path, day: date, listed: bool
) -> None:
    store.import_files("aoc", [_aoc(tmp_path, ROWS)], release="2026Q1")
    assert _needs_primary(store, "22552", "22554", day) == int(listed)


def test_builtin_table_is_synthetic_until_imported(store: RefdataStore, tmp_path: Path) -> None:
    builtin = store.aoc_edits().collect()
    assert builtin.height > 0 and builtin["origin"].unique().to_list() == ["synthetic"]
    store.import_files("aoc", [_aoc(tmp_path, ROWS)])
    imported = store.aoc_edits().collect()
    assert imported["origin"].unique().to_list() == ["imported"] and imported.height == 4
    assert {k["kind"] for k in store.status()} >= {"aoc"}


def test_synthetic_file_round_trips_and_imports_as_synthetic(tmp_path: Path) -> None:
    path = write_aoc_file(tmp_path / "aoc.csv", seed=4)
    assert parse_files(RefKind.AOC, [path]).frame.equals(synthetic_aoc(seed=4))
    store = RefdataStore(tmp_path / "data")
    assert store.import_files("aoc", [path]).provenance.origin is Origin.SYNTHETIC
    frame = synthetic_aoc(seed=4)
    assert frame.filter(pl.col("edit_type") == 2)["primary_code"].null_count() == frame.filter(
        pl.col("edit_type") == 2).height
    assert frame.filter(pl.col("edit_type") != 2)["primary_code"].null_count() == 0

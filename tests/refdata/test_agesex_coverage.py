"""Age/sex edits and coverage policies: the derived and example tables, and their importers."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from cleanclaim.errors import InputError
from cleanclaim.refdata import Origin, RefdataStore, RefKind, applies_on
from cleanclaim.refdata.agesex import DX_RULES, MCE_SEX_EDIT_END, derive_dx_agesex

from .files import write_text


def _edits(frame: pl.DataFrame, code: str) -> dict[str, tuple[object, ...]]:
    rows = frame.filter(pl.col("code") == code).iter_rows(named=True)
    return {r["edit"]: (r["age_low"], r["age_high"], r["sex"], r["end_date"]) for r in rows}


def test_derived_table_follows_the_rule_set(store: RefdataStore) -> None:
    frame = store.icd10cm_age_sex().collect()
    assert set(frame["origin"].unique()) == {"derived"}
    # Maternity (MCE 9-64) and female, the sex edit ending when the MCE dropped it.
    assert _edits(frame, "Z3400") == {"maternity": (9, 64, None, None),
                                      "female": (None, None, "F", MCE_SEX_EDIT_END)}
    assert _edits(frame, "O80")["maternity"][:2] == (9, 64)
    assert _edits(frame, "N400") == {"male": (None, None, "M", MCE_SEX_EDIT_END)}
    assert _edits(frame, "Z00110") == {"newborn": (0, 0, None, None)}
    assert _edits(frame, "Z00129") == {"pediatric": (0, 17, None, None)}
    assert _edits(frame, "Z0000") == {"adult": (15, 124, None, None)}
    # Chapter 16 codes outside P00-P04 may be used at any age: no edit.
    assert _edits(frame, "P0739") == {}
    assert _edits(frame, "E119") == {}
    # Every code of the table is a code of the bundled ICD-10-CM.
    icd = store.icd10cm().select("code").collect()
    assert frame.join(icd, on="code", how="anti").height == 0


def test_derived_table_is_every_rule_applied_to_the_given_codes() -> None:
    icd = pl.DataFrame({"code": ["C61", "N400", "N53", "N54", "O0900", "Z3A39", "E119"]})
    frame = derive_dx_agesex(icd)
    pairs = set(frame.select("code", "edit").iter_rows())
    assert pairs == {("C61", "male"), ("N400", "male"), ("N53", "male"),
                     ("O0900", "maternity"), ("O0900", "female"),
                     ("Z3A39", "maternity"), ("Z3A39", "female")}
    assert {e for e, _, _ in DX_RULES} == {"maternity", "female", "male", "newborn",
                                           "pediatric", "adult"}


def test_sex_rows_apply_only_before_the_mce_dropped_the_edit(store: RefdataStore) -> None:
    frame = store.icd10cm_age_sex().filter(pl.col("code") == "N400")
    on = frame.with_columns(pl.lit(dt.date(2024, 9, 30)).alias("d")).filter(applies_on("d"))
    off = frame.with_columns(pl.lit(dt.date(2024, 10, 1)).alias("d")).filter(applies_on("d"))
    assert on.collect().height == 1
    assert off.collect().height == 0


def test_builtin_releases_name_their_origin(store: RefdataStore) -> None:
    kinds = {k["kind"]: k["releases"] for k in store.status()}
    dx = kinds["icd10cm-agesex"][0]
    assert dx["origin"] == "derived" and dx["row_count"] > 5000
    assert "MCE" in dx["notes"][0]
    px = kinds["procedure-agesex"][0]
    assert px["origin"] == "derived" and px["files"][0]["name"] == "procedure_age_sex.csv"
    cov = kinds["coverage-policy"][0]
    assert cov["origin"] == "example" and "not CMS" in cov["notes"][0]


def test_no_fallback_means_no_derived_tables(tmp_path: Path) -> None:
    store = RefdataStore(tmp_path, fallback=False)
    assert store.procedure_age_sex().collect().height == 0
    assert store.coverage_policies().collect().height == 0


MCE_CSV = [
    "code,edit,age_low,age_high,sex",
    "O80,maternity,,,",
    "Z38.00,newborn,,,",
    "R54,age,50,124,",
    "N40.0,sex,,,M",
    "C53.9,female,,,",
]


def test_mce_csv_import_replaces_the_derived_table(store: RefdataStore, tmp_path: Path
                                                   ) -> None:
    path = write_text(tmp_path / "mce.csv", MCE_CSV)
    result = store.import_files(RefKind.ICD10CM_AGE_SEX, [path], release="FY2026")
    assert result.provenance.origin is Origin.IMPORTED
    assert result.provenance.effective_from == dt.date(2025, 10, 1)
    frame = store.icd10cm_age_sex().collect()
    assert set(frame["origin"]) == {"imported"}
    assert _edits(frame, "O80") == {"maternity": (9, 64, None, None)}
    assert _edits(frame, "Z3800") == {"newborn": (0, 0, None, None)}
    assert _edits(frame, "R54") == {"age": (50, 124, None, None)}
    assert _edits(frame, "N400") == {"male": (None, None, "M", None)}
    assert _edits(frame, "C539") == {"female": (None, None, "F", None)}


@pytest.mark.parametrize(("row", "cause"), [
    ("O80,pregnant,,,", "edit must be one of"),
    ("R54,age,50,,", "an age edit needs age_low and age_high"),
    ("R54,age,70,50,", "age_low above age_high"),
    ("R54,adult,15,200,", "age_high above 124"),
    ("N400,sex,,,X", "a sex edit needs sex M or F"),
    ("N400,male,,,F", "sex contradicts the edit"),
    ("N400,male,10,20,", "a sex edit has no ages"),
    ("9999,adult,,,", "not an ICD-10-CM code"),
])
def test_mce_csv_refuses_bad_rows_naming_the_line(store: RefdataStore, tmp_path: Path,
                                                  row: str, cause: str) -> None:
    path = write_text(tmp_path / "mce.csv", [*MCE_CSV, row])
    with pytest.raises(InputError, match=cause) as info:
        store.import_files(RefKind.ICD10CM_AGE_SEX, [path], release="FY2026")
    assert "mce.csv, line 7" in str(info.value)
    assert store.manifest().versions == []


def test_procedure_age_sex_import(store: RefdataStore, tmp_path: Path) -> None:
    path = write_text(tmp_path / "px.csv", [
        "code,sex,age_low,age_high,effective_date,end_date,note",
        "99385,,18,39,2024-01-01,,band",
        "55700,M,,,,,",
    ])
    store.import_files(RefKind.PROCEDURE_AGE_SEX, [path], release="2024")
    frame = store.procedure_age_sex().collect()
    assert set(frame["origin"]) == {"imported"}
    row = frame.filter(pl.col("code") == "99385").row(0, named=True)
    assert (row["age_low"], row["age_high"], row["valid_from"]) == (18, 39,
                                                                    dt.date(2024, 1, 1))
    bad = write_text(tmp_path / "bad.csv", ["code,sex,age_low,age_high", "55700,X,,"])
    with pytest.raises(InputError, match=r"bad.csv, line 2: sex must be M, F or empty"):
        store.import_files(RefKind.PROCEDURE_AGE_SEX, [bad])
    empty = write_text(tmp_path / "empty.csv", ["code,sex,age_low,age_high", "55700,,,"])
    with pytest.raises(InputError, match="restricts nothing"):
        store.import_files(RefKind.PROCEDURE_AGE_SEX, [empty])


def test_coverage_policy_import(store: RefdataStore, tmp_path: Path) -> None:
    path = write_text(tmp_path / "lcd.csv", [
        "policy_id,procedure,diagnosis,effective_date,end_date,title",
        "L1,72141-72158,M54.-,2025-01-01,2026-01-01,spine imaging",
        "L1,72141-72158,M51.16,2025-01-01,2026-01-01,spine imaging",
        "L2,G0103,Z12.5,,,psa",
    ])
    store.import_files(RefKind.COVERAGE_POLICY, [path], release="2025")
    frame = store.coverage_policies().collect().sort("policy_id", "diagnosis")
    assert frame.select("policy_id", "procedure_low", "procedure_high", "diagnosis").rows() == [
        ("L1", "72141", "72158", "M5116"), ("L1", "72141", "72158", "M54"),
        ("L2", "G0103", "G0103", "Z125")]
    assert frame["valid_before"][0] == dt.date(2026, 1, 1)
    assert set(frame["origin"]) == {"imported"}


@pytest.mark.parametrize(("row", "cause"), [
    ("L1,72158-72141,M54,,,", "range ends before it starts"),
    ("L1,7214,M54,,,", "neither a CPT/HCPCS code nor a range"),
    ("L1,72141-G0103,M54,,,", "mixes CPT and HCPCS"),
    ("L1,72141,M5,,,", "at least 3 characters"),
    (",72141,M54,,,", "policy_id is empty"),
    ("L1,72141,M54,2025-13-01,,", "effective_date is not a date"),
    ("L1,72141,M54,2025-02-01,2025-01-01,", "end_date is not after effective_date"),
])
def test_coverage_policy_refuses_bad_rows(store: RefdataStore, tmp_path: Path, row: str,
                                          cause: str) -> None:
    path = write_text(tmp_path / "lcd.csv", [
        "policy_id,procedure,diagnosis,effective_date,end_date,title", "L1,72148,M54,,,", row])
    with pytest.raises(InputError, match=cause) as info:
        store.import_files(RefKind.COVERAGE_POLICY, [path])
    assert "lcd.csv, line 3" in str(info.value)


def test_example_coverage_policies_parse_and_cite_their_ids(store: RefdataStore) -> None:
    frame = store.coverage_policies().collect()
    assert set(frame["origin"]) == {"example"}
    assert frame["policy_id"].str.starts_with("EX-").all()
    spine = frame.filter(pl.col("policy_id") == "EX-LSPINE-MRI")
    assert "M54" in spine["diagnosis"].to_list()

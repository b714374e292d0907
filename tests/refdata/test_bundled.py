"""The tables bundled as CSV, and the CARC/RARC to root-cause map."""

from __future__ import annotations

import polars as pl
import pytest

from cleanclaim.domain.codes import DenialCategory, FrequencyCode
from cleanclaim.refdata import (
    carc_codes,
    categorize,
    category_rules,
    claim_frequency_codes,
    modifiers,
    place_of_service_codes,
    rarc_codes,
)

REQUIRED_CARCS = {
    "1", "2", "3", "4", "5", "6", "7", "8", "9", "11", "15", "16", "18", "19", "22", "23", "24",
    "26", "27", "29", "31", "39", "45", "49", "50", "55", "56", "58", "59", "96", "97", "107",
    "109", "110", "119", "125", "129", "140", "146", "151", "167", "170", "181", "182", "183",
    "185", "189", "197", "198", "199", "204", "226", "227", "234", "236", "242", "252", "253",
}
REQUIRED_RARCS = {
    "M15", "M20", "M51", "M76", "M77", "M80", "M86", "MA04", "MA130", "N4", "N20", "N30",
    "N115", "N130", "N179", "N290", "N362", "N386", "N522", "N657",
}


def test_code_lists_cover_the_common_codes() -> None:
    assert set(carc_codes()["code"]) >= REQUIRED_CARCS
    assert set(rarc_codes()["code"]) >= REQUIRED_RARCS
    mapped = set(category_rules().filter(pl.col("rarc").is_null() & pl.col("group_code")
                                         .is_null())["carc"])
    assert set(carc_codes()["code"]) <= mapped  # every listed CARC has a category
    for table in (carc_codes(), rarc_codes()):
        assert table["code"].is_unique().all()
        assert (table["description"].str.len_chars() <= 100).all()  # short, our own words


def test_small_tables() -> None:
    pos = place_of_service_codes()
    assert pos["code"].str.contains(r"^\d{2}$").all() and pos["code"].is_unique().all()
    assert pos.filter(pl.col("code") == "11")["name"].item() == "Office"
    freq = claim_frequency_codes()
    assert set(freq["code"]) == {f.value for f in FrequencyCode}
    mods = modifiers().filter(pl.col("modifier").is_in(["25", "59", "XE", "XP", "XS", "XU",
                                                        "LT", "RT", "91"]))
    assert mods["ptp_bypass"].all()
    by_mod = {r["modifier"]: r for r in modifiers().to_dicts()}
    assert not by_mod["76"]["ptp_bypass"] and by_mod["76"]["repeat_procedure"]
    assert by_mod["LT"]["anatomic"] and not by_mod["50"]["ptp_bypass"]


@pytest.mark.parametrize(
    ("group", "carc", "rarc", "category", "rule"),
    [
        ("CO", "16", "M51", "coding", "carc+rarc"),
        ("CO", "16", "N999", "missing_information", "carc"),
        ("CO", "16", None, "missing_information", "carc"),
        ("PR", "96", None, "coverage", "group+carc"),
        ("CO", "97", "N20", "bundling", "carc+rarc"),
        ("CO", "236", None, "bundling", "carc"),
        ("CO", "27", None, "eligibility", "carc"),
        ("CO", "29", None, "timely_filing", "carc"),
        ("CO", "197", None, "authorization", "carc"),
        ("OA", "18", None, "duplicate", "group+carc"),
        ("CO", "22", None, "cob", "carc"),
        ("CO", "45", None, "pricing", "carc"),
        ("CO", "50", "N386", "medical_necessity", "carc+rarc"),
        ("CO", "9999", None, "other", "none"),
        (" co ", "016", " m51 ", "coding", "carc+rarc"),
    ],
)
def test_categorize_one_row(
    group: str, carc: str, rarc: str | None, category: str, rule: str
) -> None:
    frame = pl.DataFrame({"group_code": [group], "carc": [carc], "rarc": [rarc]},
                         schema={"group_code": pl.String, "carc": pl.String, "rarc": pl.String})
    out = categorize(frame)
    assert out["category"].item() == category and out["category_rule"].item() == rule
    assert category in {c.value for c in DenialCategory}


def test_categorize_is_vectorized_and_keeps_order() -> None:
    n = 200_000
    frame = pl.DataFrame({
        "id": range(n),
        "group_code": ["CO", "PR", "OA", "CO"] * (n // 4),
        "carc": [16, 1, 23, 97] * (n // 4),  # integers are accepted too
        "rarc": ["M76", None, None, None] * (n // 4),
    })
    out = categorize(frame.lazy()).collect()
    assert out["id"].to_list() == list(range(n))
    assert out["category"].head(4).to_list() == ["coding", "pricing", "cob", "bundling"]
    assert out["preventable"].head(4).to_list() == [True, False, False, True]

"""The store: provenance, all-or-nothing imports, and date-of-service semantics."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from cleanclaim.errors import InputError, StoreError
from cleanclaim.refdata import Origin, RefdataStore, RefKind, applies_on

from .files import AMA_NOTICE, order_line, ptp_tab, write_text

EDIT = ["10060", "11401", "", "20240401", "20250101", "1", "Mutually exclusive procedures"]
RETRO = ["36415", "36416", "", "20230101", "20230101", "9", "Misuse of column two code"]
OPEN = ["10060", "J2001", "*", "19960101", "*", "0", "Standards of medical / surgical practice"]
MUE_HEADER = ("HCPCS/CPT Code,Practitioner Services MUE Values,MUE Adjudication Indicator,"
              "MUE Rationale")


def _ptp_on(store: RefdataStore, day: date, col1: str = "10060", col2: str = "11401") -> int:
    claims = pl.LazyFrame({"proc1": [col1], "proc2": [col2], "dos": [day]})
    hits = claims.join(
        store.ptp_edits("practitioner"), left_on=["proc1", "proc2"],
        right_on=["column1", "column2"],
    ).filter(applies_on("dos"))
    return hits.collect().height


def test_import_records_provenance(store: RefdataStore, tmp_path: Path) -> None:
    path = ptp_tab(tmp_path / "ccipra-f1.txt", [EDIT, OPEN])
    result = store.import_files("ptp-practitioner", [path], release="2025Q1")
    prov = result.provenance
    assert not result.unchanged
    assert prov.kind is RefKind.PTP_PRACTITIONER and prov.origin is Origin.IMPORTED
    assert prov.release == "2025Q1" and prov.effective_from == date(2025, 1, 1)
    assert prov.row_count == 2
    assert [f.name for f in prov.files] == ["ccipra-f1.txt"]
    assert prov.files[0].sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    manifest = json.loads(store.manifest_path.read_text())
    assert manifest["versions"][0]["sha256"] == prov.sha256
    assert (store.root / prov.path).is_file() if prov.path else False
    status = {k["kind"]: k for k in store.status()}
    assert status["ptp-practitioner"]["releases"][0]["release"] == "2025Q1"


def test_reimport_of_same_files_is_a_no_op(store: RefdataStore, tmp_path: Path) -> None:
    path = ptp_tab(tmp_path / "f1.txt", [EDIT])
    first = store.import_files("ptp-practitioner", [path])
    again = store.import_files("ptp-practitioner", [path])
    assert again.unchanged and again.provenance.version_id == first.provenance.version_id
    assert len(store.manifest().versions) == 1
    assert len(list((store.root / "ptp-practitioner").glob("*.parquet"))) == 1


def test_failed_import_leaves_previous_release_active(
    store: RefdataStore, tmp_path: Path
) -> None:
    good = store.import_files("ptp-practitioner", [ptp_tab(tmp_path / "good.txt", [EDIT])],
                              release="2025Q1")
    bad = ptp_tab(tmp_path / "bad.txt", [OPEN, ["10060", "11401", "", "2025", "*", "1", "x"]])
    with pytest.raises(InputError, match=r"bad\.txt, line 4: effective date"):
        store.import_files("ptp-practitioner", [bad], release="2025Q1")
    assert [v.version_id for v in store.versions(RefKind.PTP_PRACTITIONER)] == [
        good.provenance.version_id
    ]
    assert _ptp_on(store, date(2024, 6, 1)) == 1
    assert not list(store.root.rglob("*.tmp"))


def test_interrupted_write_leaves_previous_release_active(
    store: RefdataStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.import_files("ptp-practitioner", [ptp_tab(tmp_path / "good.txt", [EDIT])])
    before = store.manifest_path.read_bytes()

    def broken(self: pl.DataFrame, path: Path, **_: object) -> None:
        Path(path).write_bytes(b"half a file")
        raise OSError("disk full")

    monkeypatch.setattr(pl.DataFrame, "write_parquet", broken)
    with pytest.raises(StoreError, match="disk full"):
        store.import_files("ptp-practitioner", [ptp_tab(tmp_path / "new.txt", [OPEN])])
    assert store.manifest_path.read_bytes() == before
    assert not list(store.root.rglob("*.tmp"))
    assert _ptp_on(store, date(2024, 6, 1)) == 1


def test_new_content_under_same_label_replaces_the_release(
    store: RefdataStore, tmp_path: Path
) -> None:
    old = store.import_files("ptp-practitioner", [ptp_tab(tmp_path / "a.txt", [EDIT])],
                             release="2025Q1")
    new = store.import_files("ptp-practitioner", [ptp_tab(tmp_path / "b.txt", [OPEN])],
                             release="2025Q1")
    assert new.replaced is not None and new.replaced.version_id == old.provenance.version_id
    assert [v.version_id for v in store.versions(RefKind.PTP_PRACTITIONER)] == [
        new.provenance.version_id
    ]
    assert old.provenance.path and not (store.root / old.provenance.path).exists()
    assert len(store.manifest().versions) == 2  # history is kept


@pytest.mark.parametrize(
    ("day", "applies"),
    [
        (date(2024, 3, 31), False),  # the day before the effective date
        (date(2024, 4, 1), True),  # the effective date itself
        (date(2024, 12, 31), True),  # the last day before the deletion date
        (date(2025, 1, 1), False),  # the deletion date: first day the edit no longer applies
        (date(2025, 1, 2), False),
    ],
)
def test_ptp_edit_in_force_by_date_of_service(
    store: RefdataStore, tmp_path: Path, day: date, applies: bool
) -> None:
    store.import_files("ptp-practitioner", [ptp_tab(tmp_path / "f1.txt", [EDIT, RETRO, OPEN])])
    assert _ptp_on(store, day) == int(applies)


def test_retroactively_deleted_edit_never_applies(store: RefdataStore, tmp_path: Path) -> None:
    store.import_files("ptp-practitioner", [ptp_tab(tmp_path / "f1.txt", [EDIT, RETRO])])
    for day in (date(2022, 12, 31), date(2023, 1, 1), date(2023, 6, 1)):
        assert _ptp_on(store, day, "36415", "36416") == 0


def test_ptp_release_in_force_on_the_date_of_service(store: RefdataStore, tmp_path: Path) -> None:
    # 2025Q1 has the edit open-ended; 2025Q2 deletes it retroactively as of its effective date.
    q1 = ["10060", "11401", "", "20240401", "*", "1", "x"]
    q2 = ["10060", "11401", "", "20240401", "20240401", "9", "x"]
    store.import_files("ptp-practitioner", [ptp_tab(tmp_path / "q1.txt", [q1])], release="2025Q1")
    store.import_files("ptp-practitioner", [ptp_tab(tmp_path / "q2.txt", [q2])], release="2025Q2")
    assert _ptp_on(store, date(2024, 6, 1)) == 1  # before Q2: the oldest release answers
    assert _ptp_on(store, date(2025, 3, 31)) == 1
    assert _ptp_on(store, date(2025, 4, 1)) == 0
    # As known on 2025-03-15 (before Q2 took effect), the edit still applies in April.
    known = store.ptp_edits("practitioner", as_of=date(2025, 3, 15)).filter(
        applies_on(pl.lit(date(2025, 4, 1)))
    )
    assert known.collect().height == 1


def _mue(tmp_path: Path, name: str, value: int) -> Path:
    return write_text(tmp_path / name, [f'"{AMA_NOTICE}"', MUE_HEADER,
                                        f"11401,{value},3 Date of Service Edit: Clinical,x"])


def test_mue_releases_slice_by_date_of_service(store: RefdataStore, tmp_path: Path) -> None:
    store.import_files("mue-practitioner", [_mue(tmp_path, "q1.csv", 2)], release="2025Q1")
    store.import_files("mue-practitioner", [_mue(tmp_path, "q2.csv", 4)], release="2025Q2")
    lines = pl.LazyFrame({
        "code": ["11401"] * 4,
        "dos": [date(2024, 12, 31), date(2025, 1, 1), date(2025, 3, 31), date(2025, 4, 1)],
    })
    joined = lines.join(store.mue_values("practitioner"), on="code", how="left").filter(
        applies_on("dos") | pl.col("mue_value").is_null()
    ).collect()
    assert dict(zip(joined["dos"], joined["mue_value"], strict=True)) == {
        date(2025, 1, 1): 2, date(2025, 3, 31): 2, date(2025, 4, 1): 4,
    }  # 2024-12-31 predates every loaded MUE release: no value, the check cannot be made
    windows = store.release_windows("mue-practitioner")
    assert windows["valid_from"].to_list() == [date(2025, 1, 1), date(2025, 4, 1)]
    assert windows["valid_before"].to_list() == [date(2025, 4, 1), None]


def test_mue_without_a_date_is_refused(store: RefdataStore, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not say when it takes effect"):
        store.import_files("mue-practitioner", [_mue(tmp_path, "mue.csv", 2)])


def test_hcpcs_termination_date_is_the_last_usable_day(
    store: RefdataStore, tmp_path: Path
) -> None:
    path = write_text(tmp_path / "hcpcs.csv", [
        "HCPC,ADD DT,TERM DT", "G0001,20200101,20251231", "G0002,20260101,",
    ])
    store.import_files("hcpcs", [path], release="2026Q1")
    table = store.hcpcs()

    def valid(code: str, day: date) -> bool:
        return table.filter(pl.col("code") == code, applies_on(pl.lit(day))).collect().height > 0

    assert valid("G0001", date(2025, 12, 31)) and not valid("G0001", date(2026, 1, 1))
    assert not valid("G0002", date(2025, 12, 31)) and valid("G0002", date(2026, 1, 1))
    assert table.collect()["origin"].unique().to_list() == ["imported"]


def test_icd10cm_fiscal_years_coexist(store: RefdataStore, tmp_path: Path) -> None:
    path = write_text(tmp_path / "icd10cm_order_2025.txt", [
        order_line(1, "E11", "0", "Type 2 diabetes", "Type 2 diabetes mellitus"),
        order_line(2, "E119", "1", "Type 2 diabetes w/o comp", "Type 2 diabetes mellitus w/o"),
        order_line(3, "Z9999", "1", "Made-up FY2025-only code", "Made-up code"),
    ])
    store.import_files("icd10cm-order", [path])
    icd = store.icd10cm()

    def billable(code: str, day: date) -> list[bool]:
        rows = icd.filter(pl.col("code") == code, applies_on(pl.lit(day))).collect()
        return rows["billable"].to_list()

    assert billable("Z9999", date(2025, 9, 30)) == [True]  # last day of FY2025
    assert billable("Z9999", date(2025, 10, 1)) == []  # FY2026 (bundled) does not have it
    assert billable("E119", date(2025, 10, 1)) == [True]
    assert billable("E11", date(2025, 10, 1)) == [False]  # a category is not billable
    assert billable("E119", date(2024, 9, 30)) == []  # FY2024 is not loaded
    origins = store.release_windows("icd10cm-order")["origin"].to_list()
    assert origins == ["imported", "bundled"]


def test_builtin_fallbacks_are_labelled_synthetic(tmp_path: Path) -> None:
    store = RefdataStore(tmp_path)
    ptp = store.ptp_edits().collect()
    assert ptp.height > 0 and ptp["origin"].unique().to_list() == ["synthetic"]
    assert set(ptp["setting"].unique()) == {"practitioner", "hospital"}
    assert store.mue_values().collect()["origin"].unique().to_list() == ["synthetic"]
    bare = RefdataStore(tmp_path, fallback=False)
    empty = bare.ptp_edits().collect()
    assert empty.height == 0 and "valid_before" in empty.columns
    assert bare.cpt_codes().collect().height == 0


def test_import_replaces_the_synthetic_fallback(store: RefdataStore, tmp_path: Path) -> None:
    store.import_files("ptp-practitioner", [ptp_tab(tmp_path / "f1.txt", [EDIT])])
    origins = store.ptp_edits().group_by("setting").agg(pl.col("origin").unique()).collect()
    got = {r["setting"]: r["origin"] for r in origins.to_dicts()}
    assert got == {"practitioner": ["imported"], "hospital": ["synthetic"]}


def test_unknown_setting_is_an_input_error(store: RefdataStore) -> None:
    with pytest.raises(InputError, match="unknown ptp setting"):
        store.ptp_edits("dentist")


def test_bundled_icd10cm_parents(store: RefdataStore) -> None:
    icd = store.icd10cm().filter(pl.col("code").is_in(["E11", "E119", "T360X1A", "T360X1"]))
    parents = dict(icd.select("code", "parent").collect().iter_rows())
    # simple_icd_10_cm lists the placeholder level T36.0X as a (non-billable) code of its own.
    assert parents == {"E11": None, "E119": "E11", "T360X1": "T360X", "T360X1A": "T360X1"}


def test_april_update_under_the_same_file_name_keeps_october(
    store: RefdataStore, tmp_path: Path
) -> None:
    (tmp_path / "oct").mkdir()
    (tmp_path / "apr").mkdir()
    october = write_text(tmp_path / "oct" / "icd10cm_order_2026.txt",
                         [order_line(1, "E119", "1", "x", "x")])
    april_file = write_text(tmp_path / "apr" / "icd10cm_order_2026.txt", [
        order_line(1, "E119", "1", "x", "x"), order_line(2, "U099", "1", "new", "new code"),
    ])
    store.import_files("icd10cm-order", [october])
    store.import_files("icd10cm-order", [april_file], effective_from=date(2026, 4, 1))
    windows = store.release_windows("icd10cm-order").filter(pl.col("origin") == "imported")
    assert windows.select("release", "valid_from", "valid_before").rows() == [
        ("FY2026", date(2025, 10, 1), date(2026, 4, 1)),
        ("FY2026 from 2026-04-01", date(2026, 4, 1), date(2026, 10, 1)),
    ]


def test_damaged_manifest_is_a_store_error(store: RefdataStore) -> None:
    store.root.mkdir(parents=True)
    store.manifest_path.write_text("{not json")
    with pytest.raises(StoreError, match="unreadable reference-data manifest"):
        store.ptp_edits()


def test_cached_store_serves_from_memory_until_an_import(tmp_path: Path) -> None:
    data = tmp_path / "data"
    cached = RefdataStore(data, fallback=False, cache=True)
    assert cached.ptp_edits("practitioner").collect().height == 0
    RefdataStore(data).import_files("ptp-practitioner", [ptp_tab(tmp_path / "a.txt", [EDIT])])
    assert cached.ptp_edits("practitioner").collect().height == 1  # another store imported
    first = cached.ptp_edits("practitioner").collect()
    (cached.root / "ptp-practitioner").rename(tmp_path / "moved")  # the Parquet is gone...
    assert cached.ptp_edits("practitioner").collect().equals(first)  # ...memory answers
    assert _ptp_on(cached, date(2024, 6, 1)) == 1

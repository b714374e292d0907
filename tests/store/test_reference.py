"""Reference tables copied into the database, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import polars as pl
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from cleanclaim.errors import InputError, StoreError
from cleanclaim.refdata import RefdataStore, RefKind, applies_on
from cleanclaim.store import reference
from cleanclaim.store.reference import (
    RELEASES_TABLE,
    drop_reference,
    load_reference,
    loaded_releases,
    reference_table_name,
)

from ..refdata.files import ptp_tab

EDIT = ["10060", "11401", "", "20240401", "20250101", "1", "Mutually exclusive procedures"]
OPEN = ["10060", "J2001", "*", "19960101", "*", "0", "Standards of medical / surgical practice"]
QUOTED = ["36415", "36416", "", "20230101", "*", "1", 'Text with "quotes", commas']


def _ref_tables(engine: Engine) -> list[str]:
    return [t for t in sa.inspect(engine).get_table_names() if t.startswith("ref_")]


@pytest.fixture
def db(engine: Engine) -> Iterator[Engine]:
    """The store fixture, minus every ``ref_*`` table afterwards (they are not in its metadata,
    so the fixture would not empty them, and they would leak into other tests)."""
    yield engine
    with engine.begin() as conn:
        for name in _ref_tables(engine):
            conn.execute(sa.text(f"DROP TABLE IF EXISTS {name}"))


@pytest.fixture
def refstore(tmp_path: Path) -> RefdataStore:
    store = RefdataStore(tmp_path / "data", fallback=False)
    store.import_files("ptp-practitioner", [ptp_tab(tmp_path / "q1.txt", [EDIT, OPEN, QUOTED])],
                       release="2025Q1")
    return store


def _rows(engine: Engine, table: str) -> list[dict[str, object]]:
    tbl = sa.Table(table, sa.MetaData(), autoload_with=engine)
    with engine.connect() as conn:
        result = conn.execute(sa.select(tbl).order_by(tbl.c.column1, tbl.c.column2))
        return [dict(r._mapping) for r in result]


def test_copies_the_lookup_with_types_and_provenance(db: Engine, refstore: RefdataStore) -> None:
    assert load_reference(db, "ptp-practitioner", store=refstore) == 3
    rows = _rows(db, "ref_ptp_practitioner")
    assert [(r["column1"], r["column2"]) for r in rows] == [
        ("10060", "11401"), ("10060", "J2001"), ("36415", "36416"),
    ]
    first = rows[0]
    assert first["effective_date"] == date(2024, 4, 1)
    assert first["valid_before"] == date(2025, 1, 1) and first["deletion_date"] == date(2025, 1, 1)
    assert first["pre_1996"] is False and rows[1]["pre_1996"] is True
    assert first["modifier_indicator"] == 1 and first["release"] == "2025Q1"
    assert first["origin"] == "imported" and first["setting"] == "practitioner"
    assert rows[2]["rationale"] == 'Text with "quotes", commas'
    assert rows[1]["deletion_date"] is None and rows[1]["valid_before"] is None
    (recorded,) = loaded_releases(db, "ref_ptp_practitioner")
    prov = refstore.versions(RefKind.PTP_PRACTITIONER)[0]
    assert (recorded.version_id, recorded.sha256, recorded.release, recorded.rows) == (
        prov.version_id, prov.sha256, "2025Q1", 3,
    )


def test_reload_of_the_same_releases_changes_nothing(db: Engine, refstore: RefdataStore) -> None:
    load_reference(db, "ptp-practitioner", store=refstore)
    before = loaded_releases(db)
    assert load_reference(db, "ptp-practitioner", store=refstore) == 3
    assert loaded_releases(db) == before  # same loaded_at: nothing was rewritten


def test_new_release_replaces_the_table_and_sql_joins_by_date(
    db: Engine, refstore: RefdataStore, tmp_path: Path
) -> None:
    load_reference(db, "ptp-practitioner", store=refstore)
    q2 = ["10060", "11401", "", "20240401", "20240401", "9", "x"]  # retroactive deletion
    refstore.import_files("ptp-practitioner", [ptp_tab(tmp_path / "q2.txt", [q2, OPEN])],
                          release="2025Q2")
    assert load_reference(db, "ptp-practitioner", store=refstore) == 5
    recorded = loaded_releases(db, "ref_ptp_practitioner")
    assert [(r.release, r.valid_from, r.valid_before, r.rows) for r in recorded] == [
        ("2025Q1", None, date(2025, 4, 1), 3), ("2025Q2", date(2025, 4, 1), None, 2),
    ]
    sql = sa.text(
        "SELECT count(*) FROM ref_ptp_practitioner WHERE column1 = '10060' AND column2 = "
        "'11401' AND (valid_from IS NULL OR valid_from <= :dos) "
        "AND (valid_before IS NULL OR :dos < valid_before)"
    )
    with db.connect() as conn:
        for day in (date(2024, 6, 1), date(2025, 4, 1)):
            in_db = conn.execute(sql, {"dos": day}).scalar_one()
            in_polars = refstore.ptp_edits("practitioner").filter(
                pl.col("column1") == "10060", pl.col("column2") == "11401",
                applies_on(pl.lit(day)),
            ).collect().height
            assert in_db == in_polars
    assert [t for t in _ref_tables(db) if t.endswith("__new")] == []


def test_failed_load_leaves_the_previous_copy(
    db: Engine, refstore: RefdataStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    load_reference(db, "ptp-practitioner", store=refstore)
    before = (_rows(db, "ref_ptp_practitioner"), loaded_releases(db))
    refstore.import_files("ptp-practitioner", [ptp_tab(tmp_path / "q2.txt", [OPEN])],
                          release="2025Q2")
    real = reference._bulk_load

    def half_then_fail(conn: sa.Connection, table: str, frame: pl.DataFrame) -> None:
        real(conn, table, frame.head(1))
        raise sa.exc.OperationalError("COPY", {}, Exception("connection lost"))

    monkeypatch.setattr(reference, "_bulk_load", half_then_fail)
    with pytest.raises(StoreError, match="previous copy is unchanged"):
        load_reference(db, "ptp-practitioner", store=refstore)
    assert (_rows(db, "ref_ptp_practitioner"), loaded_releases(db)) == before
    assert sorted(_ref_tables(db)) == ["ref_ptp_practitioner", RELEASES_TABLE]


def test_logical_table_names_and_settings(db: Engine, refstore: RefdataStore) -> None:
    assert reference_table_name("ptp", "hospital") == "ref_ptp_hospital"
    assert reference_table_name("mue-dme") == "ref_mue_dme"
    assert load_reference(db, "ptp", setting="practitioner", store=refstore) == 3
    assert load_reference(db, "ptp", store=refstore) == 3  # every setting; hospital is empty
    assert load_reference(db, "cpt-list", store=refstore) == 0
    assert set(_ref_tables(db)) == {
        "ref_ptp_practitioner", "ref_ptp", "ref_cpt_list", RELEASES_TABLE,
    }
    assert [c["name"] for c in sa.inspect(db).get_columns("ref_cpt_list")] == [
        "code", "release", "origin", "version_id", "valid_from", "valid_before",
    ]
    with pytest.raises(InputError, match="unknown reference table"):
        load_reference(db, "ptp-dentist", store=refstore)
    with pytest.raises(InputError, match="has no setting"):
        load_reference(db, "ptp-practitioner", setting="hospital", store=refstore)
    assert drop_reference(db, "cpt-list") and not drop_reference(db, "cpt-list")
    assert {r.table_name for r in loaded_releases(db)} == {"ref_ptp_practitioner", "ref_ptp"}


def test_builtin_synthetic_table_loads_labelled(db: Engine, tmp_path: Path) -> None:
    store = RefdataStore(tmp_path / "data")
    rows = load_reference(db, "aoc", store=store)
    assert rows > 1000
    with db.connect() as conn:
        origins = conn.execute(sa.text("SELECT DISTINCT origin FROM ref_aoc")).scalars().all()
        type2 = conn.execute(sa.text(
            "SELECT count(*) FROM ref_aoc WHERE edit_type = 2 AND primary_code IS NOT NULL"
        )).scalar_one()
    assert origins == ["synthetic"] and type2 == 0

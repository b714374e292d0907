"""The synthetic generator: official layouts, seeded, labelled synthetic on import."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from cleanclaim.refdata import Origin, RefdataStore
from cleanclaim.refdata.synthetic import (
    synthetic_ptp,
    write_hcpcs_file,
    write_mue_file,
    write_ptp_files,
)


def test_synthetic_ptp_is_seeded_and_distinct() -> None:
    a, b = synthetic_ptp(5_000, seed=3), synthetic_ptp(5_000, seed=3)
    assert a.equals(b) and not a.equals(synthetic_ptp(5_000, seed=4))
    assert a.select("column1", "column2").is_unique().all()
    assert (a["column1"] != a["column2"]).all()
    retro = a.filter(pl.col("modifier_indicator") == 9)
    assert (retro["deletion_date"] == retro["effective_date"]).all()
    dated = a.drop_nulls("deletion_date")
    assert (dated["deletion_date"] >= dated["effective_date"]).all()


def test_written_files_import_as_synthetic(tmp_path: Path) -> None:
    store = RefdataStore(tmp_path / "data")
    parts = write_ptp_files(tmp_path / "files", 3_000, seed=1, parts=3)
    assert len(parts) == 3
    result = store.import_files("ptp-practitioner", parts)
    assert result.provenance.origin is Origin.SYNTHETIC and result.provenance.row_count == 3_000
    csv_parts = write_ptp_files(tmp_path / "csv", 500, seed=2, parts=1, separator=",")
    assert store.import_files("ptp-hospital", csv_parts).provenance.origin is Origin.SYNTHETIC
    mue = write_mue_file(tmp_path / "files" / "mue.csv", seed=1)
    prov = store.import_files("mue-dme", [mue], release="2026Q1").provenance
    assert prov.origin is Origin.SYNTHETIC and prov.row_count > 0
    hcpcs = write_hcpcs_file(tmp_path / "files" / "hcpcs.csv", seed=1)
    assert store.import_files("hcpcs", [hcpcs]).provenance.origin is Origin.SYNTHETIC
    assert store.ptp_edits("practitioner").collect()["origin"].unique().to_list() == [
        "synthetic"
    ]

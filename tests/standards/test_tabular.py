"""Canonical CSV/Parquet batch files and their documented layout."""

from __future__ import annotations

from pathlib import Path

import pytest

from cleanclaim.domain import Claim, ClaimPayment
from cleanclaim.domain.schema import batch_from_records, records_from_batch
from cleanclaim.errors import InputError
from cleanclaim.standards.tabular import (
    BatchFormat,
    find_batches,
    read_batch_files,
    write_batch_files,
)
from cleanclaim.standards.tabular.layout import render_layouts
from tests.records import full_records

DOCS = Path(__file__).resolve().parents[2] / "docs" / "tabular.md"


@pytest.mark.parametrize("fmt", list(BatchFormat))
@pytest.mark.parametrize("kind", [Claim, ClaimPayment], ids=lambda k: k.__name__)
def test_files_round_trip(tmp_path: Path, fmt: BatchFormat, kind: type[Claim]) -> None:
    records = full_records()[kind]
    written = write_batch_files(batch_from_records(kind, records), tmp_path, fmt)
    assert all(p.suffix == f".{fmt.value}" for p in written)
    assert find_batches(tmp_path) == [kind]
    assert records_from_batch(read_batch_files(tmp_path, kind)) == records


def test_missing_child_file_is_an_empty_table_but_claims_need_lines(tmp_path: Path) -> None:
    write_batch_files(batch_from_records(Claim, full_records()[Claim]), tmp_path)
    (tmp_path / "claim_diagnoses.csv").unlink()
    assert all(c.diagnoses == [] for c in records_from_batch(read_batch_files(tmp_path, Claim)))
    (tmp_path / "claim_lines.csv").unlink()
    with pytest.raises(InputError, match="needs at least 1 row"):
        read_batch_files(tmp_path, Claim)


def test_malformed_csv_names_the_file(tmp_path: Path) -> None:
    (tmp_path / "claims.csv").write_text('claim_id,claim_type\n"unterminated,professional\n')
    with pytest.raises(InputError, match=r"claims\.csv"):
        read_batch_files(tmp_path, Claim)


def test_documented_layout_is_current() -> None:
    assert DOCS.read_text() == render_layouts(), (
        "regenerate: python -m cleanclaim.standards.tabular.layout > docs/tabular.md"
    )

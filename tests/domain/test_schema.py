"""The tabular form derived from the record declarations."""

from __future__ import annotations

import pyarrow as pa
import pytest
from pydantic import ValidationError

from cleanclaim.domain import ROOT_RECORDS, Claim, ClaimPayment, Record, ServiceLine
from cleanclaim.domain.schema import batch_from_records, records_from_batch, table_specs
from tests.records import full_claim, full_records


def test_claim_lays_out_as_three_tables_keyed_by_parent() -> None:
    specs = {s.name: s for s in table_specs(Claim)}
    assert list(specs) == ["claims", "claim_diagnoses", "claim_lines"]
    assert specs["claim_lines"].key == ("claim_id", "line_number")
    schema = specs["claim_lines"].arrow_schema()
    assert schema.field("charge").type == pa.decimal128(14, 2)
    assert schema.field("units").type == pa.decimal128(12, 3)
    assert schema.field("modifiers").type == pa.list_(pa.string())
    assert schema.field("diagnosis_pointers").type == pa.list_(pa.int64())
    assert schema.field("service_from").type == pa.date32()
    assert not schema.field("service_from").nullable
    assert schema.field("service_to").nullable


def test_every_model_field_has_a_column() -> None:
    for model in ROOT_RECORDS:
        for spec in table_specs(model):
            columns = {c.name for c in spec.columns}
            own = set(spec.model.model_fields) - set(spec.model.__children__)
            assert own <= columns, (spec.name, own - columns)


def test_keyless_children_keep_their_order_through_an_ordinal() -> None:
    spec = {s.name: s for s in table_specs(ClaimPayment)}["remittance_adjustments"]
    assert spec.key == ("payment_id", "seq")
    payment = full_records()[ClaimPayment][0]
    back = records_from_batch(batch_from_records(ClaimPayment, [payment]))
    assert [a.carc for a in back[0].adjustments] == ["45", "1", "45"]


@pytest.mark.parametrize("kind", ROOT_RECORDS, ids=lambda k: k.__name__)
def test_batch_round_trip_is_exact(kind: type[Record]) -> None:
    records = full_records()[kind]
    batch = batch_from_records(kind, records)
    assert len(batch) == len(records)
    assert records_from_batch(batch) == records


def test_keyed_children_get_one_canonical_order() -> None:
    claim = full_claim()
    assert [d.sequence for d in claim.diagnoses] == [1, 2]
    with pytest.raises(ValidationError, match="duplicate line_number 1"):
        full_claim(lines=[claim.lines[0], claim.lines[0]])


def test_date_order_is_part_of_the_declaration() -> None:
    with pytest.raises(ValidationError, match=r"service_to .* is before service_from"):
        ServiceLine(line_number=1, units=1, charge=1, service_from="2024-03-02",
                    service_to="2024-03-01")


def test_a_record_of_the_wrong_kind_is_refused() -> None:
    with pytest.raises(TypeError, match="not a Claim"):
        batch_from_records(Claim, [full_records()[ClaimPayment][0]])

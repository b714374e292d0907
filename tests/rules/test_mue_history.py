"""Date-of-service MUE counted across stream chunks and the stored claim history."""

from __future__ import annotations

from typing import Any

import polars as pl

from cleanclaim.domain import Claim
from cleanclaim.domain.schema import batch_from_records
from cleanclaim.rules import scrub_stream
from cleanclaim.rules.api import Example
from cleanclaim.rules.examples import OTHER_NPI, example_claim, example_context

RULE = "code.mue_exceeded"


def _claim(claim_id: str, units: int, **header: Any) -> Claim:
    """The example claim (DOS 2025-03-10) billing ``units`` of 20610 (MUE 2 per day)."""
    return example_claim(Example(claim_id, True, claim={"claim_id": claim_id, **header},
                                 lines=({"procedure_code": "20610", "units": units,
                                         "charge": str(260 * units)},)))


def _findings(chunks: list[list[Claim]], carry: int) -> list[pl.DataFrame]:
    batches = [batch_from_records(Claim, chunk) for chunk in chunks]
    return [r.findings for r in scrub_stream(iter(batches), example_context(), only=[RULE],
                                             carry=carry)]


def test_units_of_an_earlier_chunk_count_toward_the_days_mue() -> None:
    chunks = [[_claim("A", 2)], [_claim("B", 1)]]
    first, second = _findings(chunks, carry=1)
    assert first.height == 0  # 2 units on the day: within the MUE of 2
    assert second.select("claim_id", "line", "message").rows() == [
        ("B", 1, "3 units of 20610 on the date of service; MUE is 2")]
    # Each chunk alone stays within the MUE.
    assert [f.height for f in _findings(chunks, carry=0)] == [0, 0]


def test_the_earlier_claim_is_never_flagged_again() -> None:
    # Both chunks exceed together; only the current chunk's line is reported.
    _, second = _findings([[_claim("A", 2)], [_claim("B", 2)]], carry=1)
    assert second["claim_id"].to_list() == ["B"]


def test_history_of_another_provider_or_a_void_claim_does_not_count() -> None:
    other = _claim("A", 2, rendering_npi=OTHER_NPI)
    void = _claim("V", 2, frequency_code="8")
    for earlier in (other, void):
        _, second = _findings([[earlier], [_claim("B", 1)]], carry=1)
        assert second.height == 0, earlier.claim_id


def test_a_corrected_claim_does_not_add_its_original_again() -> None:
    corrected = _claim("B", 2, frequency_code="7", original_claim_ref="A")
    _, second = _findings([[_claim("A", 2)], [corrected]], carry=1)
    assert second.height == 0

"""837 straight into a canonical batch: the same claims as the record path, or its error."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cleanclaim.domain import Claim, ClaimType
from cleanclaim.domain.schema import Batch, batch_from_records, records_from_batch
from cleanclaim.standards.x12 import (
    WriteOptions,
    X12ParseError,
    format_837,
    parse_claim_batch,
    parse_claims,
)

from .factories import make_claims
from .samples import PROFESSIONAL, interchange, render, sample

OPTIONS = WriteOptions(created=dt.datetime(2024, 12, 1, 10, 15))


def _same(batch: Batch, text: str, *, unique: bool = True) -> None:
    expected = batch_from_records(Claim, list(parse_claims(text)))
    assert set(batch.tables) == set(expected.tables)
    for name, table in expected.tables.items():
        assert batch.tables[name].equals(table), name
    if unique:  # rows of claims sharing an id cannot be told apart in the tables
        assert records_from_batch(batch) == list(parse_claims(text))


def _837(*changes: tuple[str, str]) -> str:
    body = list(PROFESSIONAL)
    for old, new in changes:
        index = next(i for i, s in enumerate(body) if s.startswith(old))
        body[index] = new
    return render(interchange([("HC", "005010X222A1", [body])]))


@pytest.mark.parametrize("kind", ["837P", "837I"])
def test_samples(kind: str) -> None:
    text = sample(kind)
    _same(parse_claim_batch(text), text)


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 10**6), count=st.integers(1, 30), institutional=st.booleans())
def test_generated_claims(seed: int, count: int, institutional: bool) -> None:
    claim_type = ClaimType.INSTITUTIONAL if institutional else ClaimType.PROFESSIONAL
    text = format_837(make_claims(count, seed, claim_type), OPTIONS)
    _same(parse_claim_batch(text), text)


def test_text_pydantic_and_polars_would_read_apart_goes_the_record_way() -> None:
    text = _837(("REF*G1*AUTH01", "REF*G1*AUTH01 "), ("NM1*DN*1*REFER", "NM1*DN*1*REFER*RITA"))
    batch = parse_claim_batch(text)
    _same(batch, text)
    assert batch.root.column("prior_auth_number")[0].as_py() == "AUTH01 "


def test_duplicate_claim_ids_are_kept_like_the_record_path() -> None:
    text = _837(("CLM*PCLM003", "CLM*PCLM001*20***02:B:1*Y*A*Y*Y"))
    _same(parse_claim_batch(text), text, unique=False)


@pytest.mark.parametrize(
    "change",
    [
        ("REF*G1*AUTH01", "REF*G1*"),
        ("CLM*PCLM002", "CLM*PCLM002*75.123***11:B:7*Y*A*Y*Y"),
        ("DTP*472*RD8*20241120-20241121", "DTP*472*RD8*20241122-20241121"),
        ("DMG*D8*19800215", "DMG*D8*19800230*F"),
    ],
)
def test_errors_are_those_of_the_record_path(change: tuple[str, str]) -> None:
    text = _837(change)
    with pytest.raises(X12ParseError) as expected:
        list(parse_claims(text))
    with pytest.raises(X12ParseError) as caught:
        parse_claim_batch(text)
    assert caught.value.problem == expected.value.problem

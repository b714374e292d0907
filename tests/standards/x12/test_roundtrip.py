"""Parse -> write -> parse gives equal records (837P, 837I, 835), whatever the delimiters."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cleanclaim.domain import ClaimType
from cleanclaim.standards.x12 import (
    Delimiters,
    WriteOptions,
    format_835,
    format_837,
    parse,
    parse_claims,
    parse_payments,
    validate,
)

from .factories import make_claim, make_claims, make_payment
from .samples import sample

OPTIONS = WriteOptions(created=dt.datetime(2024, 12, 1, 10, 15))
ODD = WriteOptions(
    created=dt.datetime(2024, 12, 1, 10, 15),
    delimiters=Delimiters(element="|", component=">", segment="'", repetition="!"),
    line_breaks=False,
)


@pytest.mark.parametrize("kind", ["837P", "837I", "835"])
@pytest.mark.parametrize("options", [OPTIONS, ODD], ids=["standard", "odd"])
def test_samples_round_trip(kind: str, options: WriteOptions) -> None:
    records = list(parse(sample(kind)))
    if kind == "835":
        text = format_835(list(parse_payments(sample(kind))), options)
    else:
        text = format_837(list(parse_claims(sample(kind))), options)
    assert validate(text) == []
    assert list(parse(text)) == records


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(min_value=0, max_value=10**6),
    count=st.integers(min_value=1, max_value=6),
    institutional=st.booleans(),
    odd=st.booleans(),
)
def test_generated_claims_round_trip(seed: int, count: int, institutional: bool, odd: bool) -> None:
    claim_type = ClaimType.INSTITUTIONAL if institutional else ClaimType.PROFESSIONAL
    claims = make_claims(count, seed, claim_type)
    text = format_837(claims, ODD if odd else OPTIONS)
    assert validate(text) == []
    assert list(parse_claims(text)) == claims


def test_mixed_types_dates_and_many_claims_split_into_sets() -> None:
    rng = random.Random(3)
    claims = [make_claim(rng, i, ClaimType.PROFESSIONAL) for i in range(1, 5)]
    claims += [make_claim(rng, i, ClaimType.INSTITUTIONAL) for i in range(5, 8)]
    claims[1] = claims[1].model_copy(update={"submitted_on": dt.date(2024, 11, 30)})
    claims += make_claims(5003, seed=4)
    text = format_837(claims, OPTIONS)
    assert text.count("~\nGS*") == 3  # professional, institutional, professional again
    assert text.count("~\nST*") == 6  # date change, type change, and the 5000-claim limit
    assert validate(text) == []
    assert list(parse_claims(text)) == claims


def test_claim_without_submission_date_takes_the_interchange_date() -> None:
    claim = make_claims(1)[0].model_copy(update={"submitted_on": None})
    (back,) = parse_claims(format_837([claim], OPTIONS))
    assert back.submitted_on == dt.date(2024, 12, 1)


def test_payments_round_trip() -> None:
    rng = random.Random(5)
    payments = [make_payment(rng, i) for i in range(1, 8)]
    payments += [make_payment(rng, i, trace="EFT77") for i in range(1, 4)]
    text = format_835(payments, OPTIONS)
    assert validate(text) == []
    assert list(parse_payments(text)) == payments


def test_values_holding_a_delimiter_are_refused() -> None:
    claim = make_claims(1)[0].model_copy(update={"patient_last_name": "O*BRIEN"})
    with pytest.raises(ValueError, match="delimiter"):
        format_837([claim], OPTIONS)
    assert "O*BRIEN" in format_837([claim], ODD)


def test_names_and_filing_indicator_are_written() -> None:
    claims = [c for c in make_claims(40, seed=9) if c.patient_relationship != "18"][:2]
    claims.append(make_claims(1, seed=1)[0].model_copy(update={"patient_relationship": "18"}))
    text = format_837(claims, OPTIONS)
    for claim in claims:
        assert f"NM1*PR*2*{claim.payer_name}*" in text
        assert f"NM1*85*2*{claim.billing_name}*" in text
        assert f"*{claim.filing_indicator}~" in text
    dependent = claims[0]
    assert (
        f"NM1*IL*1*{dependent.subscriber_last_name}*{dependent.subscriber_first_name}*" in text
    )
    assert list(parse_claims(text)) == claims


def test_missing_filing_indicator_takes_the_default() -> None:
    claim = make_claims(1)[0].model_copy(update={"filing_indicator": None})
    (back,) = parse_claims(format_837([claim], OPTIONS))
    assert back.filing_indicator == OPTIONS.filing_indicator


def test_payee_npi_round_trips_and_splits_payments() -> None:
    rng = random.Random(8)
    payments = [make_payment(rng, i) for i in range(1, 3)]
    payments.append(make_payment(rng, 3).model_copy(update={"payee_npi": None}))
    text = format_835(payments, OPTIONS)
    assert "N1*PE*PAYEE*XX*1234567893~" in text
    assert text.count("~\nST*835") == 2
    back = list(parse_payments(text))
    assert back[:2] == payments[:2]
    assert back[2].payee_npi is None

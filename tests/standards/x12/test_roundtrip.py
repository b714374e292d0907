"""Parse -> write -> parse gives equal records (837P, 837I, 835), whatever the delimiters."""

from __future__ import annotations

import datetime as dt
import random
import re

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
    assert f"NM1*IL*1*{dependent.subscriber_last_name}*{dependent.subscriber_first_name}*" in text
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
    assert "N1*PE*FAMILY CLINIC*XX*1234567893~" in text
    assert "N1*PE*FAMILY CLINIC~" in text
    assert text.count("~\nST*835") == 2
    back = list(parse_payments(text))
    assert back[:2] == payments[:2]
    # The payment without a payee NPI opens a set of its own: its id is numbered there.
    assert back[2] == payments[2].model_copy(update={"payment_id": "TRACE1-1"})


def test_payer_names_address_and_ein_are_written_and_read() -> None:
    rng = random.Random(2)
    payment = make_payment(rng, 1)
    text = format_835([payment], OPTIONS)
    assert "TRN*1*TRACE1*1411289245~" in text
    assert "N1*PR*UNITED PLANS~\nN3*PO BOX 30555~\nN4*SALT LAKE CITY*UT*841300555~" in text
    assert "PER*BL*CLAIMS*TE*8005550100~" in text
    assert "NM1*QC*1*JOHNSON*JAMES****MI*M000000001~" in text
    assert list(parse_payments(text)) == [payment]


def test_payment_without_ein_or_names_sends_what_it_has() -> None:
    rng = random.Random(2)
    bare = make_payment(rng, 1).model_copy(
        update={
            "payer_tax_id": None,
            "payer_name": None,
            "payer_address_line": None,
            "payer_city": None,
            "payer_state": None,
            "payer_postal_code": None,
            "patient_first_name": None,
            "patient_last_name": None,
            "member_id": None,
        }
    )
    text = format_835([bare], OPTIONS)
    assert "TRN*1*TRACE1*87726~\nN1*PR~\nREF*2U*87726~" in text
    assert "NM1*QC*1~" in text
    assert list(parse_payments(text)) == [bare]


def test_claim_addresses_and_provider_names_go_where_the_guide_puts_them() -> None:
    claims = make_claims(60, seed=9)
    self_paid = next(c for c in claims if c.patient_relationship == "18")
    dependent = next(c for c in claims if c.patient_relationship != "18")
    full = next(c for c in claims if c.referring_npi and c.rendering_npi and c.facility_npi)
    text = format_837([self_paid, dependent, full], OPTIONS)
    assert "NM1*85*2*FAMILY CLINIC" in text or "NM1*85*2*GENERAL HOSPITAL" in text
    assert "\nN3*100 MAIN ST~\nN4*SPRINGFIELD*IL*627011234~\nREF*EI*" in text or (
        "\nN3*2500 HOSPITAL DR~\nN4*COLUMBUS*OH*432151000~\nREF*EI*" in text
    )
    home = f"N3*{self_paid.patient_address_line}~\nN4*{self_paid.patient_city}*"
    assert f"*MI*{self_paid.member_id}~\n{home}" in text  # 2010BA, after NM1*IL
    home = f"N3*{dependent.patient_address_line}~\nN4*{dependent.patient_city}*"
    assert f"NM1*QC*1*{dependent.patient_last_name}*{dependent.patient_first_name}~\n{home}" in text
    assert f"*MI*{dependent.member_id}~\nNM1*PR" in text  # no subscriber address for a dependent
    assert (
        "NM1*DN*1*HOUSE*GREGORY****XX*1003000126~\nNM1*82*1*WELBY*MARCUS****XX*1992753880~\n"
        "NM1*77*2*NORTHSIDE SURGERY CENTER*****XX*1497758544~\nN3*77 LAKE DR~\n"
        "N4*MADISON*WI*537031212~" in text
    )
    assert list(parse_claims(text)) == [self_paid, dependent, full]


def test_institutional_provider_loops_are_in_the_837i_order() -> None:
    claims = make_claims(60, seed=9, claim_type=ClaimType.INSTITUTIONAL)
    full = next(c for c in claims if c.referring_npi and c.rendering_npi and c.facility_npi)
    text = format_837([full], OPTIONS)
    rendering, facility, referring = (text.index(f"NM1*{e}*") for e in ("82", "77", "DN"))
    assert rendering < facility < referring  # 2310D, 2310E, 2310F
    assert list(parse_claims(text)) == [full]


def test_facility_without_npi_and_second_address_line() -> None:
    claim = make_claims(1)[0].model_copy(
        update={
            "facility_npi": None,
            "facility_name": "MOBILE UNIT 4",
            "facility_address_line": "1 FAIR ST",
            "facility_city": "AMES",
            "facility_state": "IA",
            "facility_postal_code": "500101234",
        }
    )
    text = format_837([claim], OPTIONS)
    assert "NM1*77*2*MOBILE UNIT 4~\nN3*1 FAIR ST~\nN4*AMES*IA*500101234~" in text
    assert list(parse_claims(text)) == [claim]
    (back,) = parse_claims(text.replace("N3*1 FAIR ST~", "N3*1 FAIR ST*BLDG 2~"))
    assert back.facility_address_line == "1 FAIR ST, BLDG 2"


def test_addresses_of_other_loops_are_not_taken_for_the_patient_or_facility() -> None:
    claim = make_claims(1)[0].model_copy(
        update={
            "facility_npi": None,
            "facility_name": None,
            "facility_address_line": None,
            "facility_city": None,
            "facility_state": None,
            "facility_postal_code": None,
        }
    )
    text = format_837([claim], OPTIONS)
    payer = f"NM1*PR*2*{claim.payer_name}*****PI*{claim.payer_id}~"
    extra = "\nN3*PO BOX 1~\nN4*HARTFORD*CT*06101~"  # the payer's address (2010BB)
    text = text.replace(payer, payer + extra)
    count = re.search(r"\nSE\*(\d+)\*", text)
    assert count is not None
    text = text.replace(count.group(0), f"\nSE*{int(count.group(1)) + 2}*")
    assert validate(text) == []
    assert list(parse_claims(text)) == [claim]


def test_statement_period_is_not_written_on_a_professional_claim() -> None:
    claim = make_claims(1)[0].model_copy(
        update={"statement_from": dt.date(2024, 3, 1), "statement_to": dt.date(2024, 3, 2)}
    )
    text = format_837([claim], OPTIONS)
    assert "DTP*434" not in text
    (back,) = parse_claims(text)
    assert back == claim.model_copy(update={"statement_from": None, "statement_to": None})

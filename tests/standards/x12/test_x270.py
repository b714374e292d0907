"""270/271 eligibility: inquiries from canonical records, responses with benefits and dates."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from cleanclaim.domain import Coverage, Member, ProductLine, Sex
from cleanclaim.standards.x12 import (
    EligibilityBenefit,
    EligibilityInquiry,
    EligibilityResponse,
    WriteOptions,
    X12ParseError,
    format_270,
    format_271,
    inquiry_for,
    parse_eligibility,
    validate,
)

from .samples import ELIGIBILITY, interchange, render, sample
from .test_roundtrip import ODD

D = dt.date
OPTIONS = WriteOptions(created=dt.datetime(2024, 12, 1, 9, 0))

MEMBER = Member(
    member_id="SUB0001-02",
    first_name="JIMMY",
    last_name="DOE",
    birth_date=D(2015, 7, 4),
    sex=Sex.MALE,
)
COVERAGE = Coverage(
    coverage_id="COV1",
    member_id="SUB0001-02",
    payer_id="60054",
    plan_id="PPO500",
    product_line=ProductLine.COMMERCIAL,
    subscriber_id="SUB0001",
    relationship="19",
    effective_date=D(2024, 1, 1),
)


def test_inquiry_sample() -> None:
    (inquiry,) = parse_eligibility(sample("270"))
    assert inquiry == EligibilityInquiry(
        trace_number="TRACE01",
        payer_id="60054",
        payer_name="ACME HEALTH",
        provider_npi="1234567893",
        provider_name="FAMILY CLINIC",
        member_id="MEM0001",
        first_name="JANE",
        last_name="DOE",
        birth_date=D(1980, 2, 15),
        sex=Sex.FEMALE,
        service_date=D(2024, 12, 1),
        service_types=["30", "98", "MH"],
    )


def test_inquiries_from_canonical_records_round_trip() -> None:
    first = inquiry_for(MEMBER, COVERAGE, "1234567893", D(2024, 12, 1), payer_name="ACME")
    assert (first.member_id, first.first_name, first.trace_number) == (
        "SUB0001", "JIMMY", "COV1-SUB0001-02",
    )
    second = inquiry_for(
        MEMBER, COVERAGE, "1245319599", trace_number="T2", service_types=["30", "88"]
    )
    third = first.model_copy(update={"trace_number": "T3", "birth_date": None, "sex": None})
    inquiries = [first, second, third]
    for options in (OPTIONS, ODD):
        text = format_270(inquiries, options)
        assert validate(text) == []
        assert list(parse_eligibility(text)) == inquiries
    assert format_270(inquiries, OPTIONS).count("ST*270*") == 3


def test_response_sample() -> None:
    subscriber, dependent = parse_eligibility(sample("271"))
    assert isinstance(subscriber, EligibilityResponse)
    assert (subscriber.trace_number, subscriber.member_id, subscriber.group_number) == (
        "TRACE01", "MEM0001", "GRP01",
    )
    assert (subscriber.plan_begin, subscriber.plan_end) == (D(2024, 1, 1), D(2024, 12, 31))
    assert subscriber.active and subscriber.rejections == []
    active, deductible, coinsurance, inactive = subscriber.benefits
    assert (active.code, active.coverage_level, active.service_types) == (
        "1", "FAM", ["30", "1", "98"],
    )
    assert active.plan_description == "PPO 500" and active.active
    assert (deductible.time_period, deductible.amount, deductible.in_network) == (
        "23", Decimal(500), "Y",
    )
    assert deductible.begin == D(2024, 1, 1) and deductible.end is None
    assert (coinsurance.percent, coinsurance.messages) == (0.2, ["AFTER DEDUCTIBLE"])
    assert (inactive.code, inactive.active, inactive.end) == ("6", False, D(2024, 6, 30))
    assert isinstance(dependent, EligibilityResponse)
    assert (dependent.member_id, dependent.first_name, dependent.sex) == (
        "MEM0001", "JIMMY", Sex.MALE,
    )
    assert dependent.rejections == ["73"] and not dependent.active
    assert dependent.benefits == []


def test_responses_round_trip() -> None:
    responses = [r for r in parse_eligibility(sample("271")) if isinstance(r, EligibilityResponse)]
    responses.append(
        EligibilityResponse(
            trace_number="T9",
            payer_id="87726",
            member_id="X1",
            benefits=[
                EligibilityBenefit(code="6", begin=D(2023, 1, 1), end=D(2023, 12, 31)),
                EligibilityBenefit(code="1", service_types=["30"], amount=Decimal("20.5")),
            ],
        )
    )
    for options in (OPTIONS, ODD):
        text = format_271(responses, options)
        assert validate(text) == []
        assert list(parse_eligibility(text)) == responses


def test_mangled_response_is_located() -> None:
    body = list(ELIGIBILITY)
    body[12] = "DTP*291*RD8*20241231-20240101"
    body[14] = "EB*C*IND*30***23*5X0"
    problems = validate(render(interchange([("HB", "005010X279A1", [body])])))
    assert [(p.segment, p.segment_id, p.element) for p in problems] == [(18, "EB", 7)]
    body[14] = "EB*C*IND*30***23*500"
    (problem,) = validate(render(interchange([("HB", "005010X279A1", [body])])))
    assert (problem.segment, problem.segment_id, problem.element) == (16, "DTP", 3)
    assert "plan_end" in problem.cause
    body = ["BHT*0022*11*R*20241201*0901", "EB*1"]
    with pytest.raises(X12ParseError, match="EB outside"):
        list(parse_eligibility(render(interchange([("HB", "005010X279A1", [body])]))))


def test_payer_and_provider_rejections_reach_their_records_only() -> None:
    body = [
        "BHT*0022*11*R*20241201*0901",
        "HL*1**20*1",
        "NM1*PR*2*ACME*****PI*60054",
        "AAA*N**42*R",
        "HL*2*1*21*1",
        "NM1*1P*2*CLINIC*****XX*1234567893",
        "AAA*N**43*C",
        "HL*3*2*22*0",
        "NM1*IL*1*DOE*JANE****MI*M1",
        "HL*4*1*21*1",
        "NM1*1P*2*OTHER*****XX*1245319599",
        "HL*5*4*22*0",
        "NM1*IL*1*ROE*RITA****MI*M2",
        "HL*6**20*1",
        "NM1*PR*2*UNITED*****PI*87726",
        "HL*7*6*21*1",
        "NM1*1P*2*OTHER*****XX*1245319599",
        "HL*8*7*22*0",
        "NM1*IL*1*ROE*RITA****MI*M3",
    ]
    first, second, third = parse_eligibility(
        render(interchange([("HB", "005010X279A1", [body])]))
    )
    assert isinstance(first, EligibilityResponse) and isinstance(second, EligibilityResponse)
    assert isinstance(third, EligibilityResponse)
    assert (first.rejections, first.provider_npi) == (["42", "43"], "1234567893")
    assert (second.rejections, second.provider_npi) == (["42"], "1245319599")
    assert (third.rejections, third.payer_id, third.payer_name) == ([], "87726", "UNITED")

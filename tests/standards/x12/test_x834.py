"""834 enrollment into canonical members and coverages, COB loops, and the writer."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cleanclaim.domain import Coverage, Member, ProductLine, Sex
from cleanclaim.standards.x12 import (
    Delimiters,
    WriteOptions,
    X12ParseError,
    format_834,
    parse,
    parse_enrollment,
    validate,
)

from .samples import ENROLLMENT, interchange, render, sample

D = dt.date
OPTIONS = WriteOptions(created=dt.datetime(2024, 12, 1, 12, 0))
ODD = WriteOptions(
    created=dt.datetime(2024, 12, 1, 12, 0),
    delimiters=Delimiters(element="|", component=">", segment="'", repetition="!"),
    line_breaks=False,
)


def _enrollment(body: list[str]) -> str:
    return render(interchange([("BE", "005010X220A1", [body])]))


def test_members_and_coverages() -> None:
    records = list(parse_enrollment(sample("834")))
    assert [type(r).__name__ for r in records] == [
        "Member", "Coverage", "Coverage", "Coverage", "Member", "Coverage",
    ]
    jane, medical, medicare, dental, jimmy, child = records
    assert isinstance(jane, Member) and isinstance(jimmy, Member)
    assert (jane.member_id, jane.first_name, jane.last_name) == ("SUB0001", "JANE", "DOE")
    assert (jane.birth_date, jane.sex) == (D(1980, 2, 15), Sex.FEMALE)
    # The member's own address, not the mailing address loop (NM1*31) after it.
    assert (jane.address_line, jane.city, jane.state, jane.postal_code) == (
        "2 ELM ST", "SPRINGFIELD", "IL", "62701",
    )
    assert isinstance(medical, Coverage)
    assert (medical.coverage_id, medical.payer_id, medical.plan_id) == (
        "SUB0001-PPO500-20240101", "60054", "PPO500",
    )
    assert (medical.subscriber_id, medical.group_number, medical.relationship) == (
        "SUB0001", "GRP01", "18",
    )
    assert (medical.effective_date, medical.termination_date) == (D(2024, 1, 1), D(2024, 12, 31))
    assert medical.product_line is ProductLine.COMMERCIAL
    assert medical.cob_order == 2  # Medicare is primary
    assert isinstance(medicare, Coverage)
    assert (medicare.payer_id, medicare.plan_id, medicare.subscriber_id) == (
        "00431", None, "MEDICARE123",
    )
    assert (medicare.cob_order, medicare.group_number) == (1, "MGRP")
    assert (medicare.effective_date, medicare.termination_date) == (D(2024, 3, 1), None)
    assert isinstance(dental, Coverage)
    assert (dental.coverage_id, dental.cob_order, dental.termination_date) == (
        "COV-DENTAL-1", 1, None,
    )
    assert (jimmy.member_id, jimmy.first_name, jimmy.sex) == ("SUB0001-02", "JIMMY", Sex.MALE)
    assert isinstance(child, Coverage)
    assert (child.member_id, child.subscriber_id, child.relationship, child.group_number) == (
        "SUB0001-02", "SUB0001", "19", "GRP99",
    )


def test_sample_round_trips() -> None:
    records = list(parse_enrollment(sample("834")))
    members = [r for r in records if isinstance(r, Member)]
    coverages = [r for r in records if isinstance(r, Coverage)]
    text = format_834(members, coverages, OPTIONS, payer_names={"60054": "ACME HEALTH"})
    assert validate(text) == []
    assert "N1*IN*ACME HEALTH*XV*60054~" in text
    # The other payer of a COB loop is the 2330 NM1 of the guide (the sample sends an N1).
    assert "NM1*IN*2******XV*00431~" in text
    assert text.count("N1*IN*") == 1
    assert list(parse_enrollment(text)) == records


_PLANS = ["PPO500", "HMO10", "EPO1"]


def _world(seed: int, count: int) -> tuple[list[Member], list[Coverage]]:
    rng = random.Random(seed)
    members, coverages = [], []
    for n in range(1, count + 1):
        subscriber = f"S{seed % 1000:03d}{n:04d}"
        relationship = rng.choice(["18", "18", "19", "01"])
        member_id = subscriber if relationship == "18" else f"{subscriber}-{n}"
        members.append(
            Member(
                member_id=member_id,
                first_name=rng.choice(["ANA", "WEI", "JOSE"]),
                last_name=rng.choice(["SMITH", "NGUYEN", "GARCIA"]),
                birth_date=D(1950, 1, 1) + dt.timedelta(days=rng.randrange(25000)),
                sex=rng.choice([Sex.FEMALE, Sex.MALE, Sex.UNKNOWN]),
                address_line=rng.choice([None, f"{n} MAIN ST"]),
                city=rng.choice([None, "SPRINGFIELD"]),
                state="IL",
                postal_code=rng.choice([None, "62701"]),
            )
        )
        other = rng.random() < 0.4
        primary_other = other and rng.random() < 0.5
        begin = D(2024, 1, 1) + dt.timedelta(days=rng.randrange(200))
        payer = rng.choice(["60054", "87726"]) if n % 3 == 0 else "60054"
        for k in range(rng.randint(1, 2)):
            coverages.append(
                Coverage(
                    coverage_id=f"C{n}-{k}",
                    member_id=member_id,
                    payer_id=payer,
                    plan_id=rng.choice(_PLANS),
                    product_line=rng.choice(list(ProductLine)),
                    subscriber_id=subscriber,
                    group_number=rng.choice([None, "G1"]),
                    relationship=relationship,
                    effective_date=begin,
                    termination_date=rng.choice([None, begin + dt.timedelta(days=90)]),
                    cob_order=2 if primary_other and k == 0 else 1,
                )
            )
        if other:
            coverages.append(
                Coverage(
                    coverage_id=f"C{n}-other",
                    member_id=member_id,
                    payer_id="00431",
                    product_line=ProductLine.COMMERCIAL,
                    subscriber_id=f"OTHER{n}",
                    group_number=rng.choice([None, "OG"]),
                    relationship=relationship,
                    effective_date=begin - dt.timedelta(days=10),
                    cob_order=1 if primary_other else 2,
                )
            )
    return members, coverages


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 10**6), count=st.integers(1, 8), odd=st.booleans())
def test_generated_enrollment_round_trips(seed: int, count: int, odd: bool) -> None:
    members, coverages = _world(seed, count)
    options = ODD if odd else OPTIONS
    text = format_834(members, coverages, options)
    assert validate(text) == []
    back = list(parse_enrollment(text))
    assert [r for r in back if isinstance(r, Member)] == members
    by_id = {c.coverage_id: c for c in coverages}
    assert {c.coverage_id: c for c in back if isinstance(c, Coverage)} == by_id


def test_problems_are_located() -> None:
    body = list(ENROLLMENT)
    body[7] = "NM1*IL*1*DOE"
    body[17] = "DTP*349*D8*20231231"
    body[30] = "DMG*D8*20150230*M"
    problems = validate(_enrollment(body))
    assert [(p.segment, p.segment_id, p.element) for p in problems] == [
        (11, "NM1", 4),
        (21, "DTP", 3),
        (34, "DMG", 2),
    ]
    assert problems[0].cause.startswith("first_name")
    assert "termination_date" in problems[1].cause


def test_structure_errors() -> None:
    body = ["BGN*00*E*20241201*1200****4", "N1*IN*ACME*XV*60054", "HD*030**HLT*P"]
    with pytest.raises(X12ParseError) as caught:
        list(parse(_enrollment(body)))
    assert (caught.value.segment, caught.value.segment_id) == (6, "HD")
    body = ["BGN*00*E*20241201*1200****4", "INS*Y*18", "COB*Q"]
    with pytest.raises(X12ParseError, match="COB outside a coverage loop"):
        list(parse(_enrollment(body)))

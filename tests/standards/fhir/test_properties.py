"""Property: any canonical claim or payment survives canonical -> FHIR JSON -> canonical."""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cleanclaim.domain import (
    Claim,
    ClaimPayment,
    ClaimStatus,
    DiagnosisQualifier,
    FrequencyCode,
    GroupCode,
)
from cleanclaim.standards.fhir import iter_ndjson, parse

_CODE = st.from_regex(r"[A-Z0-9]{1,8}", fullmatch=True)
_NAME = st.from_regex(r"[A-Za-z][A-Za-z' .,-]{0,18}[A-Za-z.]", fullmatch=True)
_NPI = st.sampled_from(["1234567893", "1245319599", "1003000126", "1508869908"])
_DAY = st.dates(dt.date(2015, 1, 1), dt.date(2030, 12, 31))
_MONEY = st.decimals(min_value=-(10**6), max_value=10**9, places=2, allow_nan=False)
_UNITS = st.decimals(min_value=0, max_value=10**6, places=3, allow_nan=False)


def _maybe(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.none() | strategy


@st.composite
def _lines(draw: st.DrawFn, start: dt.date) -> list[dict[str, Any]]:
    numbers = draw(st.lists(st.integers(1, 999), min_size=1, max_size=4, unique=True))
    lines = []
    for n in numbers:
        day = start + dt.timedelta(days=draw(st.integers(0, 5)))
        lines.append(
            {
                "line_number": n,
                "procedure_code": draw(
                    _maybe(st.from_regex(r"[0-9A-Z][0-9]{3}[0-9A-Z]", fullmatch=True))
                ),
                "modifiers": draw(st.lists(_CODE, max_size=4)),
                "revenue_code": draw(_maybe(st.from_regex(r"0[0-9]{3}", fullmatch=True))),
                "units": draw(_UNITS),
                "charge": draw(_MONEY),
                "service_from": day,
                "service_to": draw(_maybe(st.just(day + dt.timedelta(days=1)))),
                "diagnosis_pointers": draw(st.lists(st.integers(1, 12), max_size=4)),
                "place_of_service": draw(_maybe(_CODE)),
                "rendering_npi": draw(_maybe(_NPI)),
                "ndc": draw(_maybe(st.from_regex(r"[0-9]{11}", fullmatch=True))),
                "prior_auth_number": draw(_maybe(_CODE)),
            }
        )
    return lines


@st.composite
def claims(draw: st.DrawFn) -> Claim:
    start = draw(_DAY)
    sequences = draw(st.lists(st.integers(1, 25), max_size=5, unique=True))
    data = {
        "claim_id": draw(
            st.from_regex(r"[A-Za-z0-9_:/ -]{1,30}", fullmatch=True).map(str.strip).filter(bool)
        ),
        "claim_type": draw(st.sampled_from(["professional", "institutional"])),
        "frequency_code": draw(st.sampled_from(list(FrequencyCode))),
        "original_claim_ref": draw(_maybe(_CODE)),
        "payer_id": draw(_CODE),
        "payer_name": draw(_maybe(_NAME)),
        "filing_indicator": draw(_maybe(st.sampled_from(["CI", "MB", "MC", "HM"]))),
        "member_id": draw(_CODE),
        "subscriber_first_name": draw(_maybe(_NAME)),
        "subscriber_last_name": draw(_maybe(_NAME)),
        "patient_first_name": draw(_maybe(_NAME)),
        "patient_last_name": draw(_maybe(_NAME)),
        "patient_birth_date": draw(_maybe(st.just(start - dt.timedelta(days=9000)))),
        "patient_sex": draw(_maybe(st.sampled_from(["F", "M", "U"]))),
        "patient_relationship": draw(st.sampled_from(["18", "01", "19", "G8", "21", "53"])),
        "billing_npi": draw(_NPI),
        "billing_name": draw(_maybe(_NAME)),
        "billing_tax_id": draw(_maybe(st.from_regex(r"[0-9]{9}", fullmatch=True))),
        "billing_taxonomy": draw(_maybe(st.from_regex(r"[0-9]{3}[A-Z0-9]{6}X", fullmatch=True))),
        "rendering_npi": draw(_maybe(_NPI)),
        "referring_npi": draw(_maybe(_NPI)),
        "facility_npi": draw(_maybe(_NPI)),
        "place_of_service": draw(_maybe(_CODE)),
        "type_of_bill": draw(_maybe(st.from_regex(r"0[0-9]{3}", fullmatch=True))),
        "statement_from": draw(_maybe(st.just(start))),
        "statement_to": draw(_maybe(st.just(start + dt.timedelta(days=3)))),
        "admission_date": draw(_maybe(_DAY)),
        "discharge_status": draw(_maybe(st.from_regex(r"[0-9]{2}", fullmatch=True))),
        "total_charge": draw(_MONEY),
        "prior_auth_number": draw(_maybe(_CODE)),
        "referral_number": draw(_maybe(_CODE)),
        "submitted_on": draw(_maybe(_DAY)),
        "diagnoses": [
            {
                "sequence": s,
                "code": draw(st.from_regex(r"[A-Z][0-9]{2}[0-9A-Z]{0,4}", fullmatch=True)),
                "qualifier": draw(st.sampled_from(list(DiagnosisQualifier))),
                "present_on_admission": draw(_maybe(st.sampled_from(["Y", "N", "U", "W", "1"]))),
            }
            for s in sequences
        ],
        "lines": draw(_lines(start)),
    }
    return Claim.model_validate(data)


def _adjustments(draw: st.DrawFn) -> list[dict[str, Any]]:
    return draw(
        st.lists(
            st.fixed_dictionaries(
                {
                    "group_code": st.sampled_from(list(GroupCode)),
                    "carc": st.from_regex(r"[0-9]{1,3}|[A-Z][0-9]", fullmatch=True),
                    "amount": _MONEY,
                    "quantity": _maybe(_UNITS),
                }
            ),
            max_size=3,
        )
    )


@st.composite
def payments(draw: st.DrawFn) -> ClaimPayment:
    numbers = draw(st.lists(st.integers(1, 999), max_size=3, unique=True))
    rarcs = st.lists(st.from_regex(r"(N|M|MA)[0-9]{1,3}", fullmatch=True), max_size=2)
    lines = [
        {
            "line_number": n,
            "procedure_code": draw(_maybe(st.from_regex(r"[0-9A-Z][0-9]{4}", fullmatch=True))),
            "modifiers": draw(st.lists(_CODE, max_size=4)),
            "revenue_code": draw(_maybe(st.from_regex(r"0[0-9]{3}", fullmatch=True))),
            "charge": draw(_MONEY),
            "paid": draw(_MONEY),
            "units_paid": draw(_maybe(_UNITS)),
            "service_date": draw(_maybe(_DAY)),
            "rarcs": draw(rarcs),
            "adjustments": _adjustments(draw),
        }
        for n in numbers
    ]
    data = {
        "payment_id": draw(_CODE),
        "claim_id": draw(_CODE),
        "payer_id": draw(_CODE),
        "payer_claim_control_number": draw(_maybe(_CODE)),
        "payee_npi": draw(_maybe(_NPI)),
        "status": draw(st.sampled_from(list(ClaimStatus))),
        "total_charge": draw(_MONEY),
        "paid": draw(_MONEY),
        "patient_responsibility": draw(_maybe(_MONEY)),
        "filing_indicator": draw(_maybe(_CODE)),
        "payment_date": draw(_maybe(_DAY)),
        "trace_number": draw(_maybe(_CODE)),
        "rarcs": draw(rarcs),
        "adjustments": _adjustments(draw),
        "lines": lines,
    }
    return ClaimPayment.model_validate(data)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(claims())
def test_any_claim_round_trips(claim: Claim) -> None:
    assert list(parse("".join(iter_ndjson([claim])))) == [claim]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(payments(), st.sampled_from(["ClaimResponse", "ExplanationOfBenefit"]))
def test_any_payment_round_trips(payment: ClaimPayment, kind: Any) -> None:
    assert list(parse("".join(iter_ndjson([payment], payment_kind=kind)))) == [payment]

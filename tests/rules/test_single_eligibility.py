"""Eligibility kernels on cases the examples and the synthetic world do not reach: benefit
limits counted with claim history in every period, providers known but out of network,
several payers primary, enrolled names with punctuation or missing parts, and the eligibility
a claim resolves to with several coverages of one ID."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal
from typing import Any

import polars as pl
import pytest

from cleanclaim.domain import Claim
from cleanclaim.domain.schema import batch_from_records
from cleanclaim.rules import Context, default_registry
from cleanclaim.rules.api import Example
from cleanclaim.rules.context import ScrubContext
from cleanclaim.rules.examples import BILLING_NPI, example_claim, example_context
from cleanclaim.rules.single import OneClaim

from .equivalence import kernel_findings

DOS = dt.date(2025, 3, 10)


def _found(claim: Claim, context: Context, rule_id: str) -> list[dict[str, Any]]:
    """The rule's findings on the claim by its kernel, checked equal to its plan's."""
    return kernel_findings(claim, context, [rule_id])


def _messages(rows: list[dict[str, Any]]) -> list[str]:
    return [r["message"] for r in rows]


def _claim(**header: Any) -> Claim:
    lines = header.pop("lines", None)
    return example_claim(Example("case", True, claim=header, lines=lines))


# Benefit limits with history -------------------------------------------------------------

_LIMITS = [
    ("PLAN1", "pt_visit", ["97110", "97140"], "4", "per_visit"),
    ("PLAN1", "pt_year", ["97110", "97140"], "8", "calendar_year"),
    ("PLAN1", "pt_life", ["97110"], "5", "lifetime"),
    ("PLAN1", "pt_plan", ["97140"], "3", "plan_year"),
    ("PLAN1", "pt_dup", ["97110"], "2", "per_visit"),
    ("PLAN1", "pt_dup", ["97110"], "2", "calendar_year"),
    ("PLAN1", "pt_open", ["97110"], None, "calendar_year"),
    ("PLAN1", "pt_none", [], "1", "calendar_year"),
    ("PLAN2", "pt_other", ["97110"], "1", "calendar_year"),
]


def _past(claim_id: str, day: str, code: str, units: str) -> Claim:
    when = dt.date.fromisoformat(day)
    return _claim(claim_id=claim_id, statement_from=when, statement_to=when,
                  submitted_on=when + dt.timedelta(days=2),
                  lines=({"procedure_code": code, "units": Decimal(units), "charge": "50",
                          "service_from": when},))


def _limit_context(history: bool) -> Context:
    base = example_context()
    limits = pl.DataFrame(
        [(p, b, c, None if m is None else Decimal(m), t) for p, b, c, m, t in _LIMITS],
        schema=base.plan_limits.schema if base.plan_limits is not None else None,
        orient="row")
    if not history:
        return replace(base, plan_limits=limits, history_claims=None, history_lines=None)
    past = batch_from_records(Claim, [
        _past("H-3", "2025-01-15", "97110", "3"),
        _past("H-4", "2024-06-01", "97110", "2"),
        _past("H-5", "2025-02-01", "97140", "1.5"),
        # The claim itself, already in history, does not count against its own limits.
        _past("EX-1", "2025-02-01", "97140", "5"),
    ]).frames()
    assert base.history_claims is not None and base.history_lines is not None
    claims = pl.concat([base.history_claims, past["claims"]], how="vertical_relaxed")
    lines = pl.concat([base.history_lines, past["claim_lines"]], how="vertical_relaxed")
    return replace(base, plan_limits=limits, history_claims=claims, history_lines=lines)


_THERAPY = ({"procedure_code": "97110", "units": 3, "charge": "165"},
            {"procedure_code": "97140", "units": Decimal("1.5"), "charge": "87"})


@pytest.mark.parametrize("history", [False, True], ids=["no-history", "history"])
def test_benefit_limits_count_history_per_period(history: bool) -> None:
    found = _messages(_found(_claim(lines=_THERAPY), _limit_context(history),
                             "cov.benefit_limit_exceeded"))
    if history:
        # Each limit row is judged on its own: pt_dup's per-visit row counts the claim
        # (3), its calendar-year row the claim and the year's history (3 + 2 x 3); the
        # lifetime limit adds every year of history (3 + 3 + 2).
        assert found == ["3.0 units of pt_dup exceed the limit of 2.0; "
                         "4.5 units of pt_visit exceed the limit of 4.0; "
                         "8.0 units of pt_life exceed the limit of 5.0; "
                         "9.0 units of pt_dup exceed the limit of 2.0; "
                         "9.0 units of pt_year exceed the limit of 8.0"]
    else:
        assert found == ["3.0 units of pt_dup exceed the limit of 2.0; "
                         "4.5 units of pt_visit exceed the limit of 4.0"]


def test_benefit_limits_without_an_active_coverage_find_nothing() -> None:
    claim = _claim(statement_from=dt.date(2025, 7, 1), statement_to=dt.date(2025, 7, 1),
                   lines=tuple({**ln, "service_from": dt.date(2025, 7, 1)} for ln in _THERAPY))
    assert _found(claim, _limit_context(True), "cov.benefit_limit_exceeded") == []


# Providers ---------------------------------------------------------------------------------

def _providers(*rows: dict[str, Any]) -> Context:
    base = example_context()
    assert base.providers is not None
    template = base.providers.row(0, named=True)
    frame = pl.DataFrame([{**template, **r} for r in rows], schema=base.providers.schema)
    return replace(base, providers=frame)


@pytest.mark.parametrize(("rows", "expected"), [
    ([{"network_status": "out_of_network"}],
     [f"billing NPI {BILLING_NPI} is not in network with payer PAY01 on 2025-03-10"]),
    ([{"network_termination": dt.date(2025, 3, 9)}],
     [f"billing NPI {BILLING_NPI} is not in network with payer PAY01 on 2025-03-10"]),
    ([{"network_effective": dt.date(2025, 3, 11)}],
     [f"billing NPI {BILLING_NPI} is not in network with payer PAY01 on 2025-03-10"]),
    ([{"network_effective": DOS, "network_termination": DOS}], []),
    ([{}, {"network_status": "out_of_network"}],
     [f"billing NPI {BILLING_NPI} is not in network with payer PAY01 on 2025-03-10"]),
    ([{"payer_id": "PAY02"}], [f"billing NPI {BILLING_NPI} is not known to payer PAY01"]),
    ([{"network_status": None}],
     [f"billing NPI {BILLING_NPI} is not in network with payer PAY01 on 2025-03-10"]),
], ids=["out", "ended", "not-yet", "one-day", "in-and-out", "other-payer", "no-status"])
def test_provider_network(rows: list[dict[str, Any]], expected: list[str]) -> None:
    found = _found(example_claim(), _providers(*rows), "elig.provider_out_of_network")
    assert _messages(found) == expected


# Coordination of benefits -------------------------------------------------------------------

_BEN = {"member_id": "XYZ000111", "patient_first_name": "BEN", "patient_last_name": "KING",
        "patient_birth_date": dt.date(1970, 2, 1), "patient_sex": "M"}


def _coverages(*rows: dict[str, Any], first: bool = False) -> Context:
    base = example_context()
    assert base.coverages is not None
    template = base.coverages.row(2, named=True)
    extra = pl.DataFrame([{**template, **r} for r in rows], schema=base.coverages.schema)
    parts = [extra, base.coverages] if first else [base.coverages, extra]
    return replace(base, coverages=pl.concat(parts))


@pytest.mark.parametrize("first", [False, True], ids=["after", "before"])
def test_the_first_primary_payer_found_is_named(first: bool) -> None:
    context = _coverages(
        {"coverage_id": "C4", "payer_id": "PAY03", "subscriber_id": "P3"},
        {"coverage_id": "C5", "payer_id": "PAY04", "subscriber_id": "P4",
         "termination_date": dt.date(2025, 3, 9)},
        {"coverage_id": "C6", "payer_id": "PAY05", "subscriber_id": "P5",
         "effective_date": dt.date(2025, 3, 11)},
        first=first)
    found = _messages(_found(_claim(**_BEN), context, "elig.other_payer_primary"))
    primary = "PAY03" if first else "PAY02"
    assert found == [f"payer {primary} is primary on 2025-03-10; PAY01 is secondary"]


def test_a_payer_of_the_same_order_is_not_primary() -> None:
    context = _coverages({"coverage_id": "C3", "payer_id": "PAY03", "subscriber_id": "P3",
                          "cob_order": 2})
    assert context.coverages is not None
    context = replace(context, coverages=context.coverages.filter(
        pl.col("payer_id") != "PAY02"))
    assert _found(_claim(**_BEN), context, "elig.other_payer_primary") == []


# Names and demographics ------------------------------------------------------------------

@pytest.mark.parametrize(("last", "fires"), [
    ("Lopez", False), ("LO-PEZ", False), ("LOPEZ JR", True), ("LÓPEZ", True)])
def test_names_compare_letters_only(last: str, fires: bool) -> None:
    found = _found(_claim(patient_last_name=last), example_context(),
                   "elig.patient_name_mismatch")
    assert bool(found) is fires


def test_a_missing_enrolled_name_falls_back_to_the_rules_wording() -> None:
    base = example_context()
    assert base.members is not None
    members = base.members.with_columns(
        pl.when(pl.col("member_id") == "M1").then(None).otherwise(pl.col("first_name"))
        .alias("first_name"))
    context = replace(base, members=members)
    assert _found(example_claim(), context, "elig.patient_name_mismatch") == []
    found = _found(_claim(patient_last_name="LOPES"), context, "elig.patient_name_mismatch")
    rule = default_registry().get("elig.patient_name_mismatch")
    assert [(r["message"], r["fix"]) for r in found] == [(rule.title, rule.fix)]
    found = _found(_claim(patient_sex="M"), context, "elig.patient_demographics_mismatch")
    assert _messages(found) == ["patient born 1980-05-04 sex M; enrolled born 1980-05-04 sex F"]


# The eligibility a claim resolves to -----------------------------------------------------

def _plan_eligibility(claim: Claim, context: Context) -> dict[str, Any]:
    ctx = ScrubContext(batch_from_records(Claim, [claim]), context)
    rows = ctx.collect(ctx.eligibility).to_dicts()
    assert len(rows) == 1
    return rows[0]


@pytest.mark.parametrize("rows", [
    [{"coverage_id": "C7", "payer_id": "PAY01", "subscriber_id": "ABC123456",
      "member_id": "M1", "plan_id": "PLAN9", "effective_date": dt.date(2025, 3, 1),
      "cob_order": 2}],
    [{"coverage_id": "C7", "payer_id": "PAY01", "subscriber_id": "ABC123456",
      "member_id": "M1", "plan_id": "PLAN9", "effective_date": dt.date(2025, 3, 1),
      "cob_order": None}],
    [{"coverage_id": "C7", "payer_id": "PAY01", "subscriber_id": "ABC123456",
      "member_id": "M1", "effective_date": dt.date(2024, 1, 1),
      "termination_date": dt.date(2024, 6, 30)},
     {"coverage_id": "C8", "payer_id": "PAY01", "subscriber_id": "ABC123456",
      "member_id": "M1", "effective_date": dt.date(2025, 9, 1)}],
], ids=["two-active", "null-order", "ended-and-future"])
@pytest.mark.parametrize("day", ["2025-03-10", "2025-07-01", "2024-08-01"])
def test_one_claim_eligibility_is_the_plans(rows: list[dict[str, Any]], day: str) -> None:
    when = dt.date.fromisoformat(day)
    claim = _claim(statement_from=when, statement_to=when,
                   lines=({"service_from": when},))
    context = _coverages(*rows)
    assert OneClaim(claim, context).eligibility == _plan_eligibility(claim, context)
    for rule_id in ("elig.coverage_inactive", "elig.coverage_not_started",
                    "cov.service_excluded", "elig.member_unknown", "elig.wrong_payer"):
        _found(claim, context, rule_id)

"""The shared example world every rule's examples are written against.

One small, fixed context (two payers, one plan with an exclusion, a prior-auth list and a
per-visit therapy limit, three members, authorizations in every state, two claims in history
and a few reference rows) and one clean professional claim. A rule's :class:`~.api.Example`
states only what it changes; :func:`example_claim` applies it. Examples run as tests and render
into ``docs/rules.md``, so they double as the rules' documentation.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from functools import lru_cache
from typing import Any

import polars as pl

from ..domain import (
    Authorization,
    AuthorizationStatus,
    BenefitLimit,
    BenefitPeriod,
    Claim,
    ClaimType,
    Coverage,
    EntityType,
    Member,
    NetworkStatus,
    Payer,
    Plan,
    ProductLine,
    Provider,
    Sex,
)
from ..domain.schema import batch_from_records
from .api import Example
from .context import Context
from .reference import Reference

__all__ = [
    "BASE_CLAIM",
    "BASE_LINE",
    "BILLING_NPI",
    "OTHER_NPI",
    "day",
    "example_claim",
    "example_context",
    "example_reference",
]

BILLING_NPI = "1234567893"
OTHER_NPI = "1003000126"
DOS = dt.date(2025, 3, 10)

BASE_LINE: dict[str, Any] = {
    "line_number": 1, "procedure_code": "99213", "units": Decimal(1),
    "charge": Decimal("140.00"), "service_from": DOS, "diagnosis_pointers": [1],
}
"""The example claim's one service line: an office visit."""

BASE_CLAIM: dict[str, Any] = {
    "claim_id": "EX-1", "claim_type": ClaimType.PROFESSIONAL, "payer_id": "PAY01",
    "payer_name": "Example Health", "filing_indicator": "CI", "member_id": "ABC123456",
    "patient_first_name": "ANA", "patient_last_name": "LOPEZ",
    "patient_birth_date": dt.date(1980, 5, 4), "patient_sex": Sex.FEMALE,
    "billing_npi": BILLING_NPI, "billing_name": "Example Clinic",
    "billing_tax_id": "123456789", "place_of_service": "11", "statement_from": DOS,
    "statement_to": DOS, "submitted_on": dt.date(2025, 3, 15),
}
"""The example claim's header: a clean office visit for member ABC123456."""

_DIAGNOSES = ("E119", "I10")


def example_claim(example: Example | None = None) -> Claim:
    """The example claim with ``example``'s changes applied."""
    header = dict(BASE_CLAIM)
    lines = [dict(BASE_LINE)]
    dx: tuple[str, ...] = _DIAGNOSES
    if example is not None:
        header.update(example.claim)
        if example.lines is not None:
            lines = [{**BASE_LINE, "line_number": i, **ln}
                     for i, ln in enumerate(example.lines, start=1)]
        if example.diagnoses is not None:
            dx = example.diagnoses
    header.setdefault("total_charge", sum((Decimal(str(ln["charge"])) for ln in lines),
                                          Decimal(0)))
    diagnoses = [{"sequence": i, "code": c} for i, c in enumerate(dx, start=1)]
    return Claim.model_validate({**header, "lines": lines, "diagnoses": diagnoses})


def day(text: str) -> dt.date:
    """A date written ``YYYY-MM-DD``, as rule examples give them."""
    return dt.date.fromisoformat(text)


def _auth(auth_id: str, status: AuthorizationStatus, start: str, end: str,
          used: int = 0, code: str = "72148") -> Authorization:
    return Authorization(
        auth_id=auth_id, payer_id="PAY01", member_id="M1", provider_npi=BILLING_NPI,
        procedure_codes=[code], start_date=day(start), end_date=day(end),
        units_approved=Decimal(1), units_used=Decimal(used), status=status)


@lru_cache(maxsize=1)
def _records() -> dict[str, list[Any]]:
    payers = [
        Payer(payer_id="PAY01", name="Example Health", timely_filing_days=90,
              appeal_window_days=180, member_id_pattern=r"^[A-Z]{3}[0-9]{6}$"),
        Payer(payer_id="PAY02", name="Second Mutual", timely_filing_days=365,
              appeal_window_days=180, member_id_pattern=r"^[0-9]{9}$"),
    ]
    plans = [Plan(
        plan_id="PLAN1", payer_id="PAY01", name="Example PPO",
        product_line=ProductLine.COMMERCIAL, excluded_codes=["97810"],
        auth_required_codes=["72148"],
        limits=[BenefitLimit(benefit="physical_therapy", procedure_codes=["97110", "97140"],
                             max_units=Decimal(4), period=BenefitPeriod.PER_VISIT)],
    )]
    members = [
        Member(member_id="M1", first_name="ANA", last_name="LOPEZ",
               birth_date=day("1980-05-04"), sex=Sex.FEMALE),
        Member(member_id="M2", first_name="BEN", last_name="KING",
               birth_date=day("1970-02-01"), sex=Sex.MALE),
    ]
    coverages = [
        Coverage(coverage_id="C1", member_id="M1", payer_id="PAY01", plan_id="PLAN1",
                 product_line=ProductLine.COMMERCIAL, subscriber_id="ABC123456",
                 effective_date=day("2025-01-01"), termination_date=day("2025-06-30")),
        Coverage(coverage_id="C2", member_id="M2", payer_id="PAY01", plan_id="PLAN1",
                 product_line=ProductLine.COMMERCIAL, subscriber_id="XYZ000111",
                 effective_date=day("2025-01-01"), cob_order=2),
        Coverage(coverage_id="C3", member_id="M2", payer_id="PAY02",
                 product_line=ProductLine.COMMERCIAL, subscriber_id="123456789",
                 effective_date=day("2025-01-01"), cob_order=1),
    ]
    providers = [
        Provider(payer_id="PAY01", npi=BILLING_NPI, entity_type=EntityType.ORGANIZATION,
                 name="Example Clinic", network_status=NetworkStatus.IN_NETWORK),
    ]
    auths = [
        _auth("AUTH-OK", AuthorizationStatus.APPROVED, "2025-03-01", "2025-04-30"),
        _auth("AUTH-DENIED", AuthorizationStatus.DENIED, "2025-03-01", "2025-04-30"),
        _auth("AUTH-OLD", AuthorizationStatus.APPROVED, "2025-01-01", "2025-02-28"),
        _auth("AUTH-USED", AuthorizationStatus.APPROVED, "2025-03-01", "2025-04-30", used=1),
        _auth("AUTH-KNEE", AuthorizationStatus.APPROVED, "2025-03-01", "2025-04-30",
              code="73721"),
    ]
    history = [example_claim(Example("history", True, claim={
        "claim_id": "H-1", "statement_from": day("2025-02-10"),
        "statement_to": day("2025-02-10"), "submitted_on": day("2025-02-12")},
        lines=({"service_from": day("2025-02-10")},))),
        # Two units of 20610 (date-of-service MUE 2) already billed on 24 February.
        example_claim(Example("history", True, claim={
            "claim_id": "H-2", "statement_from": day("2025-02-24"),
            "statement_to": day("2025-02-24"), "submitted_on": day("2025-02-26")},
            lines=({"procedure_code": "20610", "units": 2, "charge": "520",
                    "service_from": day("2025-02-24")},)))]
    return {"payers": payers, "plans": plans, "members": members, "coverages": coverages,
            "providers": providers, "authorizations": auths, "claims": history}


def _frame(rows: list[tuple[Any, ...]], schema: Mapping[str, Any]) -> pl.LazyFrame:
    return pl.DataFrame(list(rows), schema=dict(schema), orient="row").lazy()


def _dated(rows: list[tuple[Any, ...]], schema: dict[str, Any]) -> pl.LazyFrame:
    frame = pl.DataFrame(rows, schema=schema, orient="row")
    return frame.with_columns(pl.lit(None, pl.Date).alias("valid_from"),
                              pl.lit(None, pl.Date).alias("valid_before")).lazy()


_PTP = {"column1": pl.String, "column2": pl.String, "modifier_indicator": pl.Int64}
_MUE = {"code": pl.String, "mue_value": pl.Int64, "adjudication_indicator": pl.Int64}


@lru_cache(maxsize=1)
def example_reference() -> Reference:
    """A few reference rows the examples use (ICD-10-CM in force for FY2025 only)."""
    icd = pl.DataFrame(
        [("E119", True), ("I10", True), ("E11", False), ("M545", False), ("M5450", True),
         ("Z3400", True), ("Z0000", True)],
        schema={"code": pl.String, "billable": pl.Boolean}, orient="row",
    ).with_columns(pl.lit(dt.date(2024, 10, 1)).alias("valid_from"),
                   pl.lit(dt.date(2025, 10, 1)).alias("valid_before")).lazy()
    codes = ["99213", "99214", "99215", "99417", "20610", "72148", "97110", "97140",
             "97810", "77067", "99385", "99395", "29880", "29881", "J3301"]
    procedures = pl.DataFrame({"code": codes, "system": ["any"] * len(codes)}).with_columns(
        pl.lit(None, pl.Date).alias("valid_from"), pl.lit(None, pl.Date).alias("valid_before"),
    ).lazy()
    # 99417 became reportable later than the others: a code not valid on an early DOS.
    procedures = procedures.with_columns(
        pl.when(pl.col("code") == "99417").then(pl.lit(dt.date(2021, 1, 1)))
        .otherwise(pl.col("valid_from")).alias("valid_from"))
    return Reference(
        icd10cm=icd, procedures=procedures, procedure_systems=frozenset({"any"}),
        ptp=_dated([("20610", "99213", 1), ("29881", "29880", 0)], _PTP),
        # The outpatient hospital edits differ: a pair found only on institutional claims.
        ptp_institutional=_dated([("29881", "29880", 0), ("72148", "97110", 0)], _PTP),
        mue=_dated([("99213", 1, 1), ("20610", 2, 2), ("J3301", 8, 3)], _MUE),
        mue_institutional=_dated([("99213", 1, 1), ("20610", 2, 2), ("J3301", 16, 3)], _MUE),
        restrictions=_frame(
            [("77067", "F", 40, 200), ("99385", None, 18, 39), ("99395", None, 18, 39)],
            {"code": pl.String, "sex": pl.String, "min_age": pl.Int64, "max_age": pl.Int64}),
        dx_restrictions=_frame(
            [("Z3400", "maternity", None, 9, 64), ("Z3400", "female", "F", None, None),
             ("Z00110", "newborn", None, 0, 0), ("N400", "male", "M", None, None)],
            {"code": pl.String, "edit": pl.String, "sex": pl.String, "min_age": pl.Int64,
             "max_age": pl.Int64}),
        dx_support=_frame([("EX-MRI", "72148", "72149", "M545")],
                          {"policy_id": pl.String, "procedure_low": pl.String,
                           "procedure_high": pl.String, "diagnosis": pl.String}),
        addon=_dated([("99417", "99215")], {"addon_code": pl.String, "primary_code": pl.String}),
    )


@lru_cache(maxsize=1)
def example_context() -> Context:
    """The context every example claim is scrubbed against."""
    recs = _records()
    batches = {name: batch_from_records(type(items[0]), items) for name, items in recs.items()}
    return Context.from_batches(batches, reference=example_reference(),
                                as_of=dt.date(2025, 3, 20))

"""Coverage rules: is the service covered by the member's plan (not excluded) and within its
benefit limits, counting the member's earlier claims in the limit's period.

Both rules judge the plan of the coverage the claim resolves to on its first date of service
(the shared ``ScrubContext.eligibility`` join); a claim without an active coverage has no plan
to judge by (the eligibility rules report it).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import polars as pl

from ...domain import DenialCategory, Severity
from ..api import Example, finding_frame
from ..context import ScrubContext
from ..registry import rule, single
from ..single import Hit, OneClaim, formatted

__all__: list[str] = []


def _plan_lines(ctx: ScrubContext) -> pl.LazyFrame:
    elig = ctx.eligibility.filter(pl.col("active")).select("claim_id", "person_id", "plan_id")
    return ctx.claim_lines.join(elig, on="claim_id")


def _plan_id_one(one: OneClaim) -> Any:
    """The plan of the claim's active coverage (None: no line joins a plan)."""
    e = one.eligibility
    return e["plan_id"] if e["active"] else None


@rule(
    "cov.service_excluded", title="Service excluded by the member's plan",
    category=DenialCategory.COVERAGE, severity=Severity.DENY, carc="96", rarc="N130",
    fix="Do not bill the plan; have the patient sign a waiver and bill the patient.",
    source="payer plan benefits (exclusions)", needs=["coverages", "plans"],
    examples=[Example("acupuncture on a plan excluding it", True,
                      lines=({"procedure_code": "97810", "charge": "80"},), line=1),
              Example("office visit", False)],
)
def service_excluded(ctx: ScrubContext) -> pl.LazyFrame:
    """A line's code is on the plan's exclusion list."""
    assert ctx.plans is not None
    excl = ctx.plans.select("plan_id", pl.col("excluded_codes").alias("procedure_code")
                            ).explode("procedure_code")
    hits = _plan_lines(ctx).join(excl, on=["plan_id", "procedure_code"])
    return finding_frame(hits, pl.format("{} is excluded by plan {}", "procedure_code",
                                         "plan_id"),
                         "Bill the patient (with a signed waiver) instead of the plan.",
                         line=pl.col("line_number"))


@single("cov.service_excluded")
def _service_excluded_one(one: OneClaim) -> list[Hit]:
    """One claim: lines whose code the plan excludes."""
    plan = _plan_id_one(one)
    excluded = {code for p in one.rows("plans", "plan_id", plan)
                for code in p["excluded_codes"] or () if code is not None}
    return [Hit(ln["line_number"], formatted("{} is excluded by plan {}", ln["procedure_code"],
                                           plan),
                "Bill the patient (with a signed waiver) instead of the plan.")
            for ln in one.lines if ln["procedure_code"] in excluded]


@rule(
    "cov.benefit_limit_exceeded", title="Benefit limit exceeded",
    category=DenialCategory.COVERAGE, severity=Severity.DENY, carc="119",
    fix="Bill only the units the benefit allows; the rest is the patient's or needs an "
    "exception.",
    source="payer plan benefits (limits)", needs=["coverages", "plans", "plan_limits"],
    examples=[Example("6 therapy units in one visit, limit 4", True,
                      lines=({"procedure_code": "97110", "units": 3, "charge": "165"},
                             {"procedure_code": "97140", "units": 3, "charge": "174"})),
              Example("4 therapy units", False,
                      lines=({"procedure_code": "97110", "units": 2, "charge": "110"},
                             {"procedure_code": "97140", "units": 2, "charge": "116"}))],
)
def benefit_limit_exceeded(ctx: ScrubContext) -> pl.LazyFrame:
    """Units of a limit's codes exceed its maximum: on the claim (per visit), or with the
    member's claim history in the same calendar year, plan year or lifetime. Plans carry no
    plan-year start, so a plan year counts as the calendar year of the first DOS."""
    assert ctx.plan_limits is not None
    limits = ctx.plan_limits.select(
        "plan_id", "benefit", pl.col("max_units").cast(pl.Float64), "period",
        pl.col("procedure_codes").alias("procedure_code")).explode("procedure_code")
    lines = _plan_lines(ctx).join(limits, on=["plan_id", "procedure_code"])
    used = lines.group_by("claim_id", "benefit", "period", "max_units", "person_id").agg(
        pl.col("units").cast(pl.Float64).sum().alias("units"), pl.col("dos").first())
    if ctx.history_lines is not None and ctx.history_claims is not None:
        # Past units by year: a lifetime limit counts every year, the others the DOS's.
        past = _history_units(ctx, limits)
        counted = (pl.col("period") != "per_visit") & (
            (pl.col("period") == "lifetime") | (pl.col("past_year") == pl.col("dos").dt.year()))
        used = used.join(past, on=["person_id", "benefit"], how="left").group_by(
            "claim_id", "benefit", "period", "max_units", "person_id").agg(
            (pl.col("units").first() + pl.when(counted).then(pl.col("past_units"))
             .otherwise(0.0).fill_null(0.0).sum()).alias("units"))
    hits = used.filter(pl.col("units") > pl.col("max_units"))
    return finding_frame(hits, pl.format("{} units of {} exceed the limit of {}", "units",
                                         "benefit", "max_units"),
                         "Bill within the benefit limit; bill the excess to the patient.")


def _history_units(ctx: ScrubContext, limits: pl.LazyFrame) -> pl.LazyFrame:
    assert ctx.history_lines is not None and ctx.history_claims is not None
    assert ctx.coverages is not None
    cov = ctx.coverages.select(pl.col("subscriber_id").alias("member_id"), "payer_id",
                               pl.col("member_id").alias("person_id"), "plan_id").unique()
    mine = ctx.claims.select("claim_id")
    hist = ctx.history_claims.join(mine, on="claim_id", how="anti").select(
        "claim_id", "payer_id", "member_id").join(cov, on=["payer_id", "member_id"])
    lines = ctx.history_lines.join(hist, on="claim_id").join(
        limits, on=["plan_id", "procedure_code"])
    return lines.group_by("person_id", "benefit", pl.col("service_from").dt.year()
                          .alias("past_year")).agg(
        pl.col("units").cast(pl.Float64).sum().alias("past_units"))


_Limit = tuple[Any, Any, float | None]
"""A limit row's benefit, period and maximum (as a float)."""


def _limits_one(one: OneClaim, plan: Any) -> dict[Any, list[_Limit]]:
    """The plan's limits by each code they count (one entry per limit row and code)."""
    out: dict[Any, list[_Limit]] = {}
    for row in one.rows("plan_limits", "plan_id", plan):
        most = None if row["max_units"] is None else float(row["max_units"])
        for code in row["procedure_codes"] or ():
            if code is not None:
                out.setdefault(code, []).append((row["benefit"], row["period"], most))
    return out


def _units(values: Iterable[Any]) -> float:
    """``cast(Float64).sum()``: nulls skipped, none summing to 0."""
    total = 0.0
    for v in values:
        if v is not None:
            total += float(v)
    return total


def _history_units_one(one: OneClaim) -> dict[tuple[Any, Any], list[tuple[Any, float]]]:
    """Per person and benefit, the units of the member's past claims (other than this one)
    with the same payer, by year of service."""
    assert one.history_claims is not None and one.history_lines is not None
    cov = list(dict.fromkeys((c["subscriber_id"], c["payer_id"], c["member_id"], c["plan_id"])
                             for c in one.coverages or ()))
    lines: dict[Any, list[dict[str, Any]]] = {}
    for ln in one.history_lines:
        lines.setdefault(ln["claim_id"], []).append(ln)
    limits: dict[Any, dict[Any, list[_Limit]]] = {}
    past: dict[tuple[Any, Any, Any], list[Any]] = {}
    for h in one.history_claims:
        if h["claim_id"] == one.claim_id:
            continue
        for subscriber, payer, person, plan in cov:
            if (subscriber is None or payer is None or subscriber != h["member_id"]
                    or payer != h["payer_id"]):
                continue
            if plan not in limits:
                limits[plan] = _limits_one(one, plan)
            for ln in lines.get(h["claim_id"], ()) if h["claim_id"] is not None else ():
                for benefit, _, _ in limits[plan].get(ln["procedure_code"], ()):
                    year = None if ln["service_from"] is None else ln["service_from"].year
                    past.setdefault((person, benefit, year), []).append(ln["units"])
    out: dict[tuple[Any, Any], list[tuple[Any, float]]] = {}
    for (person, benefit, year), units in past.items():
        out.setdefault((person, benefit), []).append((year, _units(units)))
    return out


@single("cov.benefit_limit_exceeded")
def _benefit_limit_exceeded_one(one: OneClaim) -> list[Hit]:
    """One claim: a limit whose units (with the member's history in its period) exceed it."""
    person, dos = one.eligibility["person_id"], one.claim["dos"]
    plan = _plan_id_one(one)
    limits = _limits_one(one, plan) if plan is not None else {}
    billed: dict[_Limit, list[Any]] = {}
    for ln in one.lines:
        for limit in limits.get(ln["procedure_code"], ()):
            billed.setdefault(limit, []).append(ln["units"])
    history = one.history_claims is not None and one.history_lines is not None
    past = _history_units_one(one) if history and billed else {}
    hits = []
    for (benefit, period, most), units in billed.items():
        total = _units(units)
        if period is not None and period != "per_visit":
            total += sum(past_units for year, past_units in past.get((person, benefit), ())
                         if period == "lifetime"
                         or (year is not None and dos is not None and year == dos.year))
        if most is not None and total > most:
            hits.append(Hit(None, formatted("{} units of {} exceed the limit of {}", total,
                                          benefit, most),
                            "Bill within the benefit limit; bill the excess to the patient."))
    return hits

"""Prior-authorization rules: a code on the plan's prior-auth list needs an approved
authorization for this member, payer, code and date, with units left.

The authorization a line relies on is the one whose number the line (or else the claim) carries.
When none is referenced, any approved authorization that matches member, payer, provider, code,
date and units counts; the claim is then only told to add its number.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import polars as pl

from ...domain import AuthorizationStatus, DenialCategory, Severity
from ..api import Example, finding_frame
from ..context import ScrubContext
from ..registry import rule, single
from ..single import Hit, OneClaim, Row, formatted, sequence

__all__: list[str] = []

_SOURCE = "payer prior-authorization list (plans.auth_required_codes) and decisions (X12 278)"
_NEEDS = ["coverages", "plans", "authorizations"]
_APPROVED = AuthorizationStatus.APPROVED.value


def _auth_lines(ctx: ScrubContext) -> pl.LazyFrame:
    """Lines whose code needs authorization, with the referenced authorization (if any)."""
    return ctx.shared("auth_lines", lambda: _build_auth_lines(ctx))


def _build_auth_lines(ctx: ScrubContext) -> pl.LazyFrame:
    assert ctx.plans is not None and ctx.authorizations is not None
    required = ctx.plans.select("plan_id", pl.col("auth_required_codes").alias("procedure_code")
                                ).explode("procedure_code")
    elig = ctx.eligibility.filter(pl.col("active")).select("claim_id", "person_id", "plan_id")
    auths = ctx.authorizations.select(
        pl.col("auth_id").alias("auth_number"), pl.col("payer_id").alias("a_payer"),
        pl.col("member_id").alias("a_member"), pl.col("provider_npi").alias("a_npi"),
        pl.col("procedure_codes").alias("a_codes"), pl.col("start_date").alias("a_start"),
        pl.col("end_date").alias("a_end"), pl.col("status").alias("a_status"),
        (pl.col("units_approved") - pl.col("units_used")).cast(pl.Float64).alias("a_left"),
        pl.lit(True).alias("found"))
    # Lines of codes some plan lists first (a few in a hundred), then their claim's plan.
    lines = ctx.claim_lines.join(required.select("procedure_code").unique(),
                                 on="procedure_code", how="semi").join(
        elig, on="claim_id").join(
        required, on=["plan_id", "procedure_code"], how="semi").with_columns(
        pl.coalesce("prior_auth_number", "claim_auth").alias("auth_number"),
        pl.col("units").cast(pl.Float64).alias("units_f"))
    out = lines.join(auths, on="auth_number", how="left").with_columns(
        pl.col("found").fill_null(False))
    return out.with_columns(
        pl.col("a_codes").list.contains(pl.col("procedure_code")).fill_null(False)
        .alias("code_ok"),
        ((pl.col("a_start") <= pl.col("service_from"))
         & (pl.col("service_from") <= pl.col("a_end"))).fill_null(False).alias("date_ok"),
        ((pl.col("a_member") == pl.col("person_id"))
         & (pl.col("a_payer") == pl.col("payer_id"))).fill_null(False).alias("party_ok"),
    )


@dataclass(frozen=True, slots=True)
class _AuthLine:
    """One claim: a line whose code needs authorization, with the authorization its number
    names (``auth`` None: no known one; a number naming several gives one row each)."""

    line: Row
    person_id: Any
    number: str | None
    units: float | None
    auth: Row | None = None
    left: float | None = None
    code_ok: bool = False
    date_ok: bool = False
    party_ok: bool = False


def _same(value: Any, other: Any) -> bool:
    """Whether two values are equal as a Polars comparison keeps them (nulls never are)."""
    return value is not None and other is not None and bool(value == other)


def _float(value: Decimal | int | None) -> float | None:
    return None if value is None else float(value)


def _left(auth: Row) -> float | None:
    """Approved minus used units of an authorization (null when either is)."""
    approved, used = auth["units_approved"], auth["units_used"]
    return None if approved is None or used is None else float(approved - used)




def _auth_lines_one(one: OneClaim) -> list[_AuthLine]:
    """One claim: :func:`_auth_lines`."""
    built: list[_AuthLine] = one.shared("auth_lines", lambda: _build_auth_lines_one(one))
    return built


def _build_auth_lines_one(one: OneClaim) -> list[_AuthLine]:
    elig = one.eligibility
    if not elig["active"]:
        return []
    person = elig["person_id"]
    required = {code for plan in one.rows("plans", "plan_id", elig["plan_id"])
                for code in sequence(plan["auth_required_codes"])}
    by_number: dict[str, list[Row]] = {}
    for auth in one.authorizations or ():
        if auth["auth_id"] is not None:
            by_number.setdefault(auth["auth_id"], []).append(auth)
    out: list[_AuthLine] = []
    for ln in one.lines:
        code = ln["procedure_code"]
        if code is None or code not in required:
            continue
        number = ln["prior_auth_number"]
        if number is None:
            number = ln["claim_auth"]
        units = _float(ln["units"])
        auths = by_number.get(number, []) if number is not None else []
        if not auths:
            out.append(_AuthLine(ln, person, number, units))
        day = ln["service_from"]
        for auth in auths:
            start, end = auth["start_date"], auth["end_date"]
            out.append(_AuthLine(
                ln, person, number, units, auth, _left(auth),
                code_ok=code in sequence(auth["procedure_codes"]),
                date_ok=(start is not None and end is not None and day is not None
                         and start <= day <= end),
                party_ok=_same(auth["member_id"], person) and _same(auth["payer_id"],
                                                                   ln["payer_id"])))
    return out


def _matching(ctx: ScrubContext, lines: pl.LazyFrame) -> pl.LazyFrame:
    """Lines with an approved authorization covering them, whether referenced or not; adds
    ``match_id``."""
    assert ctx.authorizations is not None
    auths = ctx.authorizations.filter(pl.col("status") == _APPROVED).select(
        pl.col("auth_id").alias("match_id"), pl.col("payer_id"),
        pl.col("member_id").alias("person_id"), pl.col("provider_npi").alias("m_npi"),
        pl.col("procedure_codes").alias("procedure_code"), "start_date", "end_date",
        (pl.col("units_approved") - pl.col("units_used")).cast(pl.Float64).alias("m_left"),
    ).explode("procedure_code")
    hits = lines.join(auths, on=["payer_id", "person_id", "procedure_code"]).filter(
        (pl.col("start_date") <= pl.col("service_from"))
        & (pl.col("service_from") <= pl.col("end_date"))
        & (pl.col("m_left") >= pl.col("units_f"))
        & (pl.col("m_npi").is_null() | (pl.col("m_npi") == pl.col("provider_npi"))
           | (pl.col("m_npi") == pl.col("billing_npi"))))
    return hits.group_by("claim_id", "line_number").agg(pl.col("match_id").sort().first())


def _covers(auth: Row, row: _AuthLine) -> bool:
    """Whether an approved authorization covers an unreferenced line (as :func:`_matching`
    joins and filters them)."""
    ln = row.line
    day, npi, left = ln["service_from"], auth["provider_npi"], _left(auth)
    start, end = auth["start_date"], auth["end_date"]
    return (_same(auth["payer_id"], ln["payer_id"]) and _same(auth["member_id"], row.person_id)
            and ln["procedure_code"] in sequence(auth["procedure_codes"])
            and start is not None and end is not None and day is not None
            and start <= day <= end
            and left is not None and row.units is not None and left >= row.units
            and (npi is None or _same(npi, ln["provider_npi"])
                 or _same(npi, ln["billing_npi"])))


def _matching_one(one: OneClaim) -> dict[int, str | None]:
    """One claim: :func:`_matching` of the unreferenced lines, as the first authorization
    number (null first, as Polars sorts) covering each line number."""
    built: dict[int, str | None] = one.shared("auth_matching", lambda: _build_matching_one(one))
    return built


def _build_matching_one(one: OneClaim) -> dict[int, str | None]:
    approved = [a for a in one.authorizations or () if a["status"] == _APPROVED]
    found: dict[int, list[str | None]] = {}
    for row in _unusable_one(one):
        number = row.line["line_number"]
        if number is None:
            continue
        for auth in approved:
            if _covers(auth, row):
                found.setdefault(number, []).append(auth["auth_id"])
    return {n: None if None in ids else min(i for i in ids if i is not None)
            for n, ids in found.items()}


def _unusable(ctx: ScrubContext) -> pl.LazyFrame:
    lines = _auth_lines(ctx)
    return lines.filter(~pl.col("found"))


def _unusable_one(one: OneClaim) -> list[_AuthLine]:
    return [row for row in _auth_lines_one(one) if row.auth is None]


def _mri_lines(auth: str | None = None, units: int = 1, day: str = "2025-03-10"
               ) -> tuple[dict[str, object], ...]:
    line: dict[str, object] = {"procedure_code": "72148", "charge": "1900", "units": units,
                               "service_from": dt.date.fromisoformat(day)}
    if auth is not None:
        line["prior_auth_number"] = auth
    return (line,)


_DX = ("M5450",)


@rule(
    "auth.missing", title="Prior authorization required and none on file",
    category=DenialCategory.AUTHORIZATION, severity=Severity.DENY, carc="197",
    fix="Request authorization (278) before the service, or a retro-authorization now.",
    source=_SOURCE, needs=_NEEDS,
    examples=[Example("MRI with no authorization", True,
                      diagnoses=_DX,
                      lines=_mri_lines(day="2025-05-10"), line=1),
              Example("MRI with its authorization", False, diagnoses=_DX,
                      lines=_mri_lines("AUTH-OK"))],
)
def missing(ctx: ScrubContext) -> pl.LazyFrame:
    """A line's code is on the plan's prior-auth list, the claim references no known
    authorization and no approved one matches member, payer, provider, code, date and units."""
    unref = _unusable(ctx)
    covered = _matching(ctx, unref)
    bad = unref.join(covered, on=["claim_id", "line_number"], how="anti")
    return finding_frame(bad, pl.format("{} needs prior authorization; none found for {}",
                                        "procedure_code", "service_from"),
                         "Request authorization (or retro-authorization) from the payer.",
                         line=pl.col("line_number"))


@single("auth.missing")
def _missing_one(one: OneClaim) -> list[Hit]:
    """One claim: lines needing authorization that none covers."""
    covered = _matching_one(one)
    return [Hit(row.line["line_number"],
                formatted("{} needs prior authorization; none found for {}",
                      row.line["procedure_code"], row.line["service_from"]),
                "Request authorization (or retro-authorization) from the payer.")
            for row in _unusable_one(one)
            if row.line["line_number"] is None or row.line["line_number"] not in covered]


@rule(
    "auth.number_not_on_claim", title="Authorization on file but not on the claim",
    category=DenialCategory.AUTHORIZATION, severity=Severity.WARN, carc="197",
    fix="Add the authorization number to the claim (REF*G1).",
    source=_SOURCE, needs=_NEEDS,
    examples=[Example("MRI authorized, number left off", True, diagnoses=_DX,
                      lines=_mri_lines(), line=1),
              Example("number on the claim", False, diagnoses=_DX,
                      lines=_mri_lines("AUTH-OK"))],
)
def number_not_on_claim(ctx: ScrubContext) -> pl.LazyFrame:
    """No authorization is referenced, but an approved one covers the line (suggested repair:
    add its number)."""
    unref = _unusable(ctx)
    covered = unref.join(_matching(ctx, unref), on=["claim_id", "line_number"])
    return finding_frame(covered, pl.format("authorization {} covers {} but is not on the "
                                            "claim", "match_id", "procedure_code"),
                         pl.format("Add authorization number {} (REF*G1).", "match_id"),
                         line=pl.col("line_number"),
                         extra={"repair": pl.format("prior_auth_number={}", "match_id")})


@single("auth.number_not_on_claim")
def _number_not_on_claim_one(one: OneClaim) -> list[Hit]:
    """One claim: unreferenced lines an approved authorization covers."""
    covered = _matching_one(one)
    hits = []
    for row in _unusable_one(one):
        number = row.line["line_number"]
        if number is None or number not in covered:
            continue
        match = covered[number]
        hits.append(Hit(number, formatted("authorization {} covers {} but is not on the claim",
                                      match, row.line["procedure_code"]),
                        formatted("Add authorization number {} (REF*G1).", match),
                        repair=formatted("prior_auth_number={}", match)))
    return hits


def _referenced(ctx: ScrubContext) -> pl.LazyFrame:
    return _auth_lines(ctx).filter(pl.col("found"))


def _referenced_one(one: OneClaim, *, approved: bool) -> list[tuple[_AuthLine, Row]]:
    """One claim: the lines with the authorization they reference, kept when its status is
    approved (``approved``) or is another one (a null status is neither)."""
    return [(row, row.auth) for row in _auth_lines_one(one)
            if row.auth is not None and row.auth["status"] is not None
            and (row.auth["status"] == _APPROVED) == approved]


@rule(
    "auth.not_approved", title="Referenced authorization was denied or is not approved",
    category=DenialCategory.AUTHORIZATION, severity=Severity.DENY, carc="39",
    fix="Appeal the authorization decision or obtain a new approval before billing.",
    source=_SOURCE, needs=_NEEDS,
    examples=[Example("authorization denied", True, diagnoses=_DX,
                      lines=_mri_lines("AUTH-DENIED"), line=1),
              Example("authorization approved", False, diagnoses=_DX,
                      lines=_mri_lines("AUTH-OK"))],
)
def not_approved(ctx: ScrubContext) -> pl.LazyFrame:
    """The referenced authorization's status is not approved (denied, pending, cancelled)."""
    bad = _referenced(ctx).filter(pl.col("a_status") != _APPROVED)
    return finding_frame(bad, pl.format("authorization {} is {}", "auth_number", "a_status"),
                         "Appeal the decision or obtain a new approval.",
                         line=pl.col("line_number"))


@single("auth.not_approved")
def _not_approved_one(one: OneClaim) -> list[Hit]:
    """One claim: referenced authorizations whose status is not approved."""
    return [Hit(row.line["line_number"],
                formatted("authorization {} is {}", row.number, auth["status"]),
                "Appeal the decision or obtain a new approval.")
            for row, auth in _referenced_one(one, approved=False)]


@rule(
    "auth.wrong_service", title="Referenced authorization is for another code or member",
    category=DenialCategory.AUTHORIZATION, severity=Severity.DENY, carc="15",
    fix="Reference the authorization issued for this member and code, or request one.",
    source=_SOURCE, needs=_NEEDS,
    examples=[Example("lumbar MRI billed on a knee-MRI authorization", True, diagnoses=_DX,
                      lines=_mri_lines("AUTH-KNEE"), line=1),
              Example("authorization matches", False, diagnoses=_DX,
                      lines=_mri_lines("AUTH-OK"))],
)
def wrong_service(ctx: ScrubContext) -> pl.LazyFrame:
    """The referenced approved authorization lists other codes, or another member or payer."""
    bad = _referenced(ctx).filter((pl.col("a_status") == _APPROVED)
                                  & ~(pl.col("code_ok") & pl.col("party_ok")))
    return finding_frame(bad, pl.format("authorization {} does not cover {} for this member",
                                        "auth_number", "procedure_code"),
                         "Reference the authorization for this member and code.",
                         line=pl.col("line_number"))


@single("auth.wrong_service")
def _wrong_service_one(one: OneClaim) -> list[Hit]:
    """One claim: referenced approved authorizations for another code, member or payer."""
    return [Hit(row.line["line_number"],
                formatted("authorization {} does not cover {} for this member", row.number,
                      row.line["procedure_code"]),
                "Reference the authorization for this member and code.")
            for row, _ in _referenced_one(one, approved=True)
            if not (row.code_ok and row.party_ok)]


@rule(
    "auth.expired", title="Service outside the authorization's dates",
    category=DenialCategory.AUTHORIZATION, severity=Severity.DENY, carc="15",
    fix="Request an extension or a new authorization covering the date of service.",
    source=_SOURCE, needs=_NEEDS,
    examples=[Example("authorization ended in February", True, diagnoses=_DX,
                      lines=_mri_lines("AUTH-OLD"), line=1),
              Example("within the dates", False, diagnoses=_DX, lines=_mri_lines("AUTH-OK"))],
)
def expired(ctx: ScrubContext) -> pl.LazyFrame:
    """The referenced approved authorization is for this code but not this date."""
    bad = _referenced(ctx).filter((pl.col("a_status") == _APPROVED) & pl.col("code_ok")
                                  & pl.col("party_ok") & ~pl.col("date_ok"))
    return finding_frame(bad, pl.format("authorization {} runs {} to {}; service on {}",
                                        "auth_number", "a_start", "a_end", "service_from"),
                         "Request an extension or a new authorization.",
                         line=pl.col("line_number"))


@single("auth.expired")
def _expired_one(one: OneClaim) -> list[Hit]:
    """One claim: referenced approved authorizations for this service but not this date."""
    return [Hit(row.line["line_number"],
                formatted("authorization {} runs {} to {}; service on {}", row.number,
                      auth["start_date"], auth["end_date"], row.line["service_from"]),
                "Request an extension or a new authorization.")
            for row, auth in _referenced_one(one, approved=True)
            if row.code_ok and row.party_ok and not row.date_ok]


@rule(
    "auth.units_exhausted", title="Authorized units used up",
    category=DenialCategory.AUTHORIZATION, severity=Severity.DENY, carc="198",
    fix="Request more units from the payer before billing these.",
    source=_SOURCE, needs=_NEEDS,
    examples=[Example("its one unit already used", True, diagnoses=_DX,
                      lines=_mri_lines("AUTH-USED"), line=1),
              Example("one unit left", False, diagnoses=_DX, lines=_mri_lines("AUTH-OK"))],
)
def units_exhausted(ctx: ScrubContext) -> pl.LazyFrame:
    """Approved minus used units of the referenced authorization is below the units billed."""
    bad = _referenced(ctx).filter((pl.col("a_status") == _APPROVED) & pl.col("code_ok")
                                  & pl.col("party_ok") & pl.col("date_ok")
                                  & (pl.col("a_left") < pl.col("units_f")))
    return finding_frame(bad, pl.format("{} unit(s) billed, {} left on authorization {}",
                                        "units_f", "a_left", "auth_number"),
                         "Request more units, or bill only the units left.",
                         line=pl.col("line_number"))


@single("auth.units_exhausted")
def _units_exhausted_one(one: OneClaim) -> list[Hit]:
    """One claim: referenced authorizations with fewer units left than billed."""
    return [Hit(row.line["line_number"],
                formatted("{} unit(s) billed, {} left on authorization {}", row.units, row.left,
                      row.number),
                "Request more units, or bill only the units left.")
            for row, _ in _referenced_one(one, approved=True)
            if row.code_ok and row.party_ok and row.date_ok
            and row.left is not None and row.units is not None and row.left < row.units]

"""Prior-authorization rules: a code on the plan's prior-auth list needs an approved
authorization for this member, payer, code and date, with units left.

The authorization a line relies on is the one whose number the line (or else the claim) carries.
When none is referenced, any approved authorization that matches member, payer, provider, code,
date and units counts; the claim is then only told to add its number.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from ...domain import AuthorizationStatus, DenialCategory, Severity
from ..api import Example, finding_frame
from ..context import ScrubContext
from ..registry import rule

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
    lines = ctx.claim_lines.join(elig, on="claim_id").join(
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


def _unusable(ctx: ScrubContext) -> pl.LazyFrame:
    lines = _auth_lines(ctx)
    return lines.filter(~pl.col("found"))


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


def _referenced(ctx: ScrubContext) -> pl.LazyFrame:
    return _auth_lines(ctx).filter(pl.col("found"))


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

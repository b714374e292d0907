"""Duplicate claims: an exact repeat of an earlier claim (a denial), or one that looks like it
(a warning), within the batch or against the claim history.

A claim is summed up in two signatures: exact (payer, member, billing NPI, from-date and every
line: code, revenue code, modifiers, units, charge, date) and loose (payer, member, first date,
the sorted procedure codes). A claim repeats the earliest sent earlier claim with the same
signature; corrected and void claims (frequency 7 and 8) are never duplicates nor originals.
Source: the payer's duplicate-claim policy.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl

from ...domain import DenialCategory, Severity
from ..api import Example, finding_frame
from ..context import ScrubContext
from ..examples import day as _day
from ..registry import rule, single
from ..single import Hit, OneClaim, Row, formatted, least

__all__: list[str] = []


def _signatures(claims: pl.LazyFrame, lines: pl.LazyFrame) -> pl.LazyFrame:
    """claim_id, exact (payer, member, billing NPI, from-date, every line in line order: code,
    revenue code, modifiers, units, charge, date) and loose (payer, member, first date, the
    procedure codes in any order) signatures, as 64-bit hashes compared only for equality
    (building them as text cost twice as much: 0.25 s against 0.11 s on 100,000 claims); null
    where a part of the claim is missing, so that such a claim matches none."""
    # The codes whatever their order: a sum of their hashes (cut to 52 bits, so a claim of
    # up to 4,096 lines cannot overflow), not a sorted list: sorting every claim's codes cost
    # 30 of the 70 ms the signatures took on 100,000 claims.
    code_hash = pl.col("procedure_code").fill_null("").hash() // 4096
    line_sig = lines.with_columns(code_hash.alias("_code_hash")).sort(
        "claim_id", "line_number").group_by("claim_id", maintain_order=True).agg(
        pl.struct("procedure_code", "revenue_code", "modifiers", "units", "charge",
                  "service_from").hash().alias("_lines"),
        pl.col("_code_hash").sum().alias("_codes"),
        pl.col("service_from").min().alias("_dos"),
    )
    out = claims.select("claim_id", "payer_id", "member_id", "billing_npi", "statement_from",
                        "submitted_on", "frequency_code").join(line_sig, on="claim_id")
    day = pl.coalesce("statement_from", "_dos")
    party = pl.col("payer_id").is_not_null() & pl.col("member_id").is_not_null()
    return out.select(
        "claim_id", "submitted_on", "frequency_code",
        pl.when(party & pl.col("billing_npi").is_not_null() & day.is_not_null()).then(
            pl.struct("payer_id", "member_id", "billing_npi", day.alias("_day"), "_lines")
            .hash()).alias("exact"),
        pl.when(party & pl.col("_dos").is_not_null()).then(
            pl.struct("payer_id", "member_id", "_dos", "_codes").hash()).alias("loose"),
    )


_Signature = tuple[Any, ...] | None


def _signature_one(claim: Row, lines: list[Row]) -> dict[str, _Signature]:
    """:func:`_signatures` of one claim with lines, as the values the plan hashes (None where
    a part is missing)."""
    ordered = sorted(lines, key=lambda ln: (ln["line_number"] is not None,
                                            ln["line_number"] or 0))
    parts = tuple((ln["procedure_code"], ln["revenue_code"],
                   None if ln["modifiers"] is None else tuple(ln["modifiers"]),
                   ln["units"], ln["charge"], ln["service_from"]) for ln in ordered)
    codes = tuple(sorted(_or_empty(ln["procedure_code"]) for ln in ordered))
    first = least(ln["service_from"] for ln in lines)
    day = claim["statement_from"] if claim["statement_from"] is not None else first
    payer, member, npi = claim["payer_id"], claim["member_id"], claim["billing_npi"]
    exact = loose = None
    if payer is not None and member is not None:
        if npi is not None and day is not None:
            exact = (payer, member, npi, day, parts)
        if first is not None:
            loose = (payer, member, first, codes)
    return {"exact": exact, "loose": loose}


def _or_empty(value: str | None) -> str:
    return "" if value is None else value


def _originals(frame: pl.LazyFrame) -> pl.LazyFrame:
    return frame.filter(~pl.col("frequency_code").is_in(["7", "8"]))


def _original_one(claim: Row) -> bool:
    """:func:`_originals` on one claim (a null frequency code is dropped, as a null filter)."""
    return claim["frequency_code"] is not None and claim["frequency_code"] not in ("7", "8")


def _days_one(claim: Row, lines: list[Row]) -> set[dt.date]:
    """The dates one claim can be matched on, those its two signatures hold (its first date of
    service, and its statement date or else the first date), non-null: a history claim is near
    the claim when it has the same member and one of these dates."""
    first = least(ln["service_from"] for ln in lines)
    both = {first, claim["statement_from"] if claim["statement_from"] is not None else first}
    return {d for d in both if d is not None}


def _duplicates(ctx: ScrubContext, key: str) -> pl.LazyFrame:
    """claim_id, original (the claim it repeats) for claims repeating an earlier one."""
    return ctx.shared(f"duplicates_{key}", lambda: _find_duplicates(ctx, key))


def _find_duplicates(ctx: ScrubContext, key: str) -> pl.LazyFrame:
    # The original of several is the earliest sent, then the lowest ID. Only the few claims
    # whose signature recurs are sorted into that order: sorting the whole batch by date and
    # ID cost more than building the signatures (28 ms of text sort on 100,000 claims).
    order = ["submitted_on", "claim_id"]
    mine = ctx.shared("signatures", lambda: _originals(_signatures(ctx.claims, ctx.claim_lines)))
    signed = mine.filter(pl.col(key).is_not_null())
    within = signed.filter(pl.col(key).is_duplicated()).sort(order, nulls_last=True
                                                             ).with_columns(
        pl.col("claim_id").first().over(key).alias("original")).filter(
        pl.col("claim_id") != pl.col("original"))
    parts = [within.select("claim_id", "original")]
    if ctx.history_claims is not None and ctx.history_lines is not None:
        hc, hl = ctx.history_claims, ctx.history_lines
        # The history reached is already cut to the batch's members; cutting it further to
        # their dates first cost more than signing it all (59 ms against 34 ms on a carried
        # chunk of 100,000 claims), since both group the lines by claim.
        past = ctx.shared("history_signatures", lambda: _originals(_signatures(hc, hl)))
        past = past.join(mine.select("claim_id"), on="claim_id", how="anti").join(
            signed.select(key), on=key, how="semi").sort(order, nulls_last=True).group_by(
            key).agg(pl.col("claim_id").first().alias("original"))
        parts.append(signed.join(past, on=key).select("claim_id", "original"))
    return pl.concat(parts).unique(subset=["claim_id"], keep="first", maintain_order=True)


def _duplicates_one(one: OneClaim) -> dict[str, list[str | None]]:
    """:func:`_duplicates` of a one-claim batch, per signature: the history claim the claim
    repeats (none, or one, which may be null). Alone in its batch, a claim repeats no peer;
    it repeats the first original of the history near it (same member, a shared date) with
    the same signature, other than one of its own ID."""
    found: dict[str, list[str | None]] = one.shared("adm_duplicates",
                                                    lambda: _find_duplicates_one(one))
    return found


def _sent_first(claims: list[Row]) -> list[Row]:
    """Claims earliest sent first (unsent last), then by ID: the plan's order of originals."""
    return sorted(claims, key=lambda h: (h["submitted_on"] is None,
                                         h["submitted_on"] or dt.date.min, str(h["claim_id"])))


def _find_duplicates_one(one: OneClaim) -> dict[str, list[str | None]]:
    found: dict[str, list[str | None]] = {"exact": [], "loose": []}
    claim, history, history_lines = one.claim, one.history_claims, one.history_lines
    if history is None or history_lines is None or not one.lines or not _original_one(claim):
        return found
    member, days = claim["member_id"], _days_one(claim, one.lines)
    if member is None or not days:
        return found
    lines_of: dict[Any, list[Row]] = {}
    for ln in history_lines:
        lines_of.setdefault(ln["claim_id"], []).append(ln)
    near = {h["claim_id"] for h in history if h["claim_id"] is not None
            and h["member_id"] == member
            and days & _days_one(h, lines_of.get(h["claim_id"], []))}
    mine = _signature_one(claim, one.lines)
    for h in _sent_first([h for h in history if h["claim_id"] in near]):
        ident = h["claim_id"]
        if ident not in lines_of or ident == claim["claim_id"] or not _original_one(h):
            continue
        theirs = _signature_one(h, lines_of[ident])
        for key, hits in found.items():
            if not hits and mine[key] is not None and theirs[key] == mine[key]:
                hits.append(ident)
    return found


_DUP_EXAMPLE = {"statement_from": _day("2025-02-10"), "statement_to": _day("2025-02-10")}


@rule(
    "adm.duplicate_claim", title="Exact duplicate of an earlier claim",
    category=DenialCategory.DUPLICATE, severity=Severity.DENY, carc="18",
    fix="Do not resubmit; check the status of the original (276) or send a corrected claim "
    "(frequency 7) referencing it.",
    source="payer duplicate-claim policy",
    examples=[Example("same visit as claim H-1 in history", True, claim=_DUP_EXAMPLE,
                      lines=({"service_from": _day("2025-02-10")},)),
              Example("new visit", False)],
)
def duplicate_claim(ctx: ScrubContext) -> pl.LazyFrame:
    """Same payer, member, billing NPI, dates and lines (codes, modifiers, units, charges) as an
    earlier claim of the batch or of the history; corrected and void claims are not
    duplicates."""
    dups = _duplicates(ctx, "exact")
    return finding_frame(dups, pl.format("repeats claim {}", "original"),
                         pl.format("Drop it, or send a corrected claim referencing {}.",
                                   "original"))


@single("adm.duplicate_claim")
def _duplicate_claim_one(one: OneClaim) -> list[Hit]:
    """One claim: an exact repeat of a history claim."""
    return [Hit(None, formatted("repeats claim {}", original),
                formatted("Drop it, or send a corrected claim referencing {}.", original))
            for original in _duplicates_one(one)["exact"]]


@rule(
    "adm.duplicate_suspected", title="Possible duplicate of an earlier claim",
    category=DenialCategory.DUPLICATE, severity=Severity.WARN, carc="18",
    fix="Check whether this repeats the earlier claim; if it corrects it, send frequency 7.",
    source="payer duplicate-claim policy",
    examples=[Example("same visit billed again with another charge", True,
                      claim=_DUP_EXAMPLE,
                      lines=({"service_from": _day("2025-02-10"), "charge": "150"},)),
              Example("new visit", False)],
)
def duplicate_suspected(ctx: ScrubContext) -> pl.LazyFrame:
    """Same payer, member, first date of service and procedure codes as an earlier claim,
    but not an exact duplicate (other charges, units, modifiers or billing provider)."""
    loose = _duplicates(ctx, "loose")
    exact = _duplicates(ctx, "exact").select("claim_id")
    hits = loose.join(exact, on="claim_id", how="anti")
    return finding_frame(hits, pl.format("same member, date and codes as claim {}",
                                         "original"),
                         pl.format("Confirm it is not a repeat of {}.", "original"))


@single("adm.duplicate_suspected")
def _duplicate_suspected_one(one: OneClaim) -> list[Hit]:
    """One claim: a loose repeat of a history claim, when not an exact one."""
    found = _duplicates_one(one)
    if found["exact"]:
        return []
    return [Hit(None, formatted("same member, date and codes as claim {}", original),
                formatted("Confirm it is not a repeat of {}.", original))
            for original in found["loose"]]

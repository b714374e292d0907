"""NCCI edits: procedure-to-procedure pairs, Medically Unlikely Edits and add-on codes.

Professional claims are judged against the practitioner tables, institutional claims against
the outpatient hospital (PTP) and facility (MUE) tables when those are loaded. Every edit is
judged as of the line's date of service through the tables' ``valid_from``/``valid_before``
windows.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl

from ...domain import ClaimType, DenialCategory, Severity
from ...refdata import applies_on
from ..api import Example, empty_findings, finding_frame
from ..context import ScrubContext
from ..examples import day as _day
from ..registry import rule, single
from ..single import Hit, OneClaim, polars_text, sequence
from ..single import applies_on as in_force_on

__all__: list[str] = []

_PTP = "CMS NCCI procedure-to-procedure edits (practitioner or hospital)"


_INSTITUTIONAL = {"claim_type": ClaimType.INSTITUTIONAL, "type_of_bill": "0131"}
_HOSPITAL_PAIR = ({"procedure_code": "72148", "charge": "1900", "prior_auth_number": "AUTH-OK"},
                  {"procedure_code": "97110", "charge": "90"})


def _bypass(ctx: ScrubContext) -> list[str]:
    return ctx.reference.ptp_bypass_modifiers


@rule(
    "code.ptp_unbundled", title="NCCI PTP pair billed without an allowed modifier",
    category=DenialCategory.BUNDLING, severity=Severity.DENY, carc="97",
    fix="Drop the column-2 code, or append a PTP-associated modifier (59, XE, XP, XS, XU, 25 "
    "...) when the services were truly distinct.",
    source=_PTP, needs=["ptp"],
    examples=[
        Example("joint injection and office visit, no modifier", True,
                lines=({"procedure_code": "20610", "charge": "260"},
                       {"procedure_code": "99213"}), line=2),
        Example("visit with modifier 25", False,
                lines=({"procedure_code": "20610", "charge": "260"},
                       {"procedure_code": "99213", "modifiers": ["25"]})),
        Example("modifier indicator 0: a modifier does not help", True,
                lines=({"procedure_code": "29881", "charge": "5200"},
                       {"procedure_code": "29880", "modifiers": ["59"], "charge": "5000"}),
                line=2),
        Example("on different dates", False,
                lines=({"procedure_code": "20610", "charge": "260"},
                       {"procedure_code": "99213", "service_from": _day("2025-03-11")}),
                claim={"statement_to": _day("2025-03-11")}),
        Example("pair of the outpatient hospital edits on an institutional claim", True,
                claim=_INSTITUTIONAL, lines=_HOSPITAL_PAIR, line=2),
        Example("same pair on a professional claim: no practitioner edit", False,
                lines=_HOSPITAL_PAIR),
    ],
)
def ptp_unbundled(ctx: ScrubContext) -> pl.LazyFrame:
    """Two lines of a claim with the same date and provider form an NCCI PTP pair in force
    that day: modifier indicator 0 always; 1 unless either line has a PTP-associated
    modifier; 9 never. Professional claims are checked against the practitioner edits,
    institutional claims against the outpatient hospital edits."""
    assert ctx.reference.ptp is not None
    bypass = _bypass(ctx)
    lines = ctx.claim_lines.filter(pl.col("procedure_code").is_not_null()).select(
        "claim_id", "line_number", "procedure_code", "service_from", "provider_npi",
        "claim_type", pl.col("modifiers").list.eval(pl.element().is_in(bypass)).list.any()
        .fill_null(False).alias("_bypass"))
    parts = []
    for subset, table in _by_claim_type(ctx, lines, "ptp"):
        pairs = subset.join(subset, on=["claim_id", "service_from", "provider_npi"],
                            suffix="_2").filter(pl.col("line_number") != pl.col("line_number_2"))
        edits = ctx.reference_rows(table, "column1", subset.select("procedure_code")).filter(
            pl.col("modifier_indicator") != 9)
        parts.append(pairs.join(edits, left_on=["procedure_code", "procedure_code_2"],
                                right_on=["column1", "column2"]).filter(
            applies_on("service_from")
            & ((pl.col("modifier_indicator") == 0)
               | ~(pl.col("_bypass") | pl.col("_bypass_2")))))
    hits = pl.concat(parts)
    msg = pl.format("{} is bundled into {} (line {}) on the same date{}", "procedure_code_2",
                    "procedure_code", "line_number",
                    pl.when(pl.col("modifier_indicator") == 0).then(
                        pl.lit("; no modifier allowed")).otherwise(pl.lit("")))
    return finding_frame(hits, msg, pl.when(pl.col("modifier_indicator") == 0).then(
        pl.format("Remove {}; the pair is never paid together.", "procedure_code_2"))
        .otherwise(pl.format("Remove {} or add a PTP modifier (e.g. 59/XS, 25 for a visit) "
                             "if distinct.", "procedure_code_2")),
        line=pl.col("line_number_2"))


def _bypass_one(one: OneClaim, line: dict[str, Any]) -> bool:
    """Whether the line carries a modifier that bypasses a PTP edit of indicator 1."""
    bypass = one.reference.ptp_bypass_modifiers
    return any(m is not None and m in bypass for m in sequence(line["modifiers"]))


def _same_day_and_provider(first: dict[str, Any], second: dict[str, Any]) -> bool:
    """Two distinct lines pairing as the plan's self-join pairs them (null keys never pair)."""
    return (first["service_from"] is not None and first["provider_npi"] is not None
            and first["service_from"] == second["service_from"]
            and first["provider_npi"] == second["provider_npi"]
            and first["line_number"] is not None and second["line_number"] is not None
            and first["line_number"] != second["line_number"])


@single("code.ptp_unbundled")
def _ptp_unbundled_one(one: OneClaim) -> list[Hit]:
    """One claim: the PTP pairs among its lines, against the table serving its type."""
    lines = [ln for ln in one.lines if ln["procedure_code"] is not None]
    if len(lines) < 2:
        return []
    edits: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for e in one.reference_rows(one.table("ptp"), "column1",
                                (ln["procedure_code"] for ln in lines)):
        if e["modifier_indicator"] is not None and e["modifier_indicator"] != 9:
            edits.setdefault((e["column1"], e["column2"]), []).append(e)
    hits = []
    for first in lines:
        for second in lines:
            pair = edits.get((first["procedure_code"], second["procedure_code"]))
            if not pair or not _same_day_and_provider(first, second):
                continue
            for e in pair:
                never = e["modifier_indicator"] == 0
                bypassed = not never and (_bypass_one(one, first) or _bypass_one(one, second))
                if bypassed or not in_force_on(e, first["service_from"]):
                    continue
                code = second["procedure_code"]
                hits.append(Hit(
                    second["line_number"],
                    f"{code} is bundled into {first['procedure_code']} (line "
                    f"{first['line_number']}) on the same date"
                    + ("; no modifier allowed" if never else ""),
                    f"Remove {code}; the pair is never paid together." if never else
                    f"Remove {code} or add a PTP modifier (e.g. 59/XS, 25 for a visit) "
                    "if distinct."))
    return hits


def _by_claim_type(ctx: ScrubContext, lines: pl.LazyFrame, name: str
                   ) -> list[tuple[pl.LazyFrame, str]]:
    """The lines (with ``claim_type``) split by the reference table that serves them: the
    practitioner table ``name`` for professional claims, its institutional counterpart for
    institutional ones when loaded (else ``name`` serves both). Only types in the batch."""
    ref = ctx.reference
    if ref.for_claim_type(name, institutional=True) == name:
        return [(lines, name)]
    types = ctx.shared("claim_types", lambda: ctx.claims.select("claim_type").unique())
    present = set(ctx.collect(types)["claim_type"].to_list())
    inst = pl.col("claim_type") == ClaimType.INSTITUTIONAL.value
    out = []
    if present - {ClaimType.INSTITUTIONAL.value}:
        out.append((lines.filter(~inst.fill_null(False)), name))
    if ClaimType.INSTITUTIONAL.value in present:
        out.append((lines.filter(inst), ref.for_claim_type(name, institutional=True)))
    return out or [(lines, name)]


def _on(day: str) -> dict[str, dt.date]:
    return {"statement_from": _day(day), "statement_to": _day(day)}


def _one_20610(day: str) -> dict[str, object]:
    return {"procedure_code": "20610", "units": 1, "charge": "260", "service_from": _day(day)}


@rule(
    "code.mue_exceeded", title="Units above the Medically Unlikely Edit",
    category=DenialCategory.CODING, severity=Severity.DENY, carc="151",
    fix="Bill no more units than the MUE allows, or split across lines only when the edit "
    "is per line and the services were distinct.",
    source="CMS NCCI Medically Unlikely Edits", needs=["mue"],
    examples=[Example("two office visits on one line (MUE 1 per line)", True,
                      lines=({"units": 2, "charge": "280"},), line=1),
              Example("date-of-service MUE 2 exceeded across lines", True,
                      lines=({"procedure_code": "20610", "units": 2, "charge": "520"},
                             {"procedure_code": "20610", "units": 1, "charge": "260"})),
              Example("within the MUE", False),
              Example("one unit of 20610 on a day claim H-2 in history billed 2 (MUE 2)", True,
                      claim=_on("2025-02-24"), lines=(_one_20610("2025-02-24"),), line=1),
              Example("one unit of 20610 the day after claim H-2", False,
                      claim=_on("2025-02-25"), lines=(_one_20610("2025-02-25"),)),
              Example("12 units of J3301, practitioner MUE 8", True,
                      lines=({"procedure_code": "J3301", "units": 12, "charge": "120"},),
                      line=1),
              Example("12 units of J3301 on an institutional claim, facility MUE 16", False,
                      claim=_INSTITUTIONAL,
                      lines=({"procedure_code": "J3301", "units": 12, "charge": "120"},))],
)
def mue_exceeded(ctx: ScrubContext) -> pl.LazyFrame:
    """Adjudication indicator 1: a line's units above the MUE. 2 or 3: the units of the code
    for the member, provider and date (across the batch and the original claims of the
    history, e.g. earlier stream chunks) above the MUE. Professional claims
    are checked against the practitioner values, institutional ones against the facility
    values."""
    assert ctx.reference.mue is not None
    # A per-line code's lines count alone; the others by member, provider, code and day. A
    # code has one indicator on a date, so the two sets share no day, and the day sums run
    # over the per-day lines only. Each set is cut down before its join with what the table
    # itself tells: a per-line code's line is over its MUE only with more units than the
    # table's smallest per-line value (most lines bill one unit), and a day sum is needed
    # only for the codes with a per-day value. A line without a code joins no MUE row.
    units = pl.col("units").cast(pl.Float64)
    per_line_code = pl.col("adjudication_indicator") == 1
    per_line, daily = [], []
    for subset, table in _by_claim_type(ctx, ctx.claim_lines, "mue"):
        # An MUE table holds one row per code and date window (tens of thousands, not the
        # millions of PTP edits): joined whole from its kept in-memory copy, which costs less
        # than finding the batch's codes in it first.
        rows = ctx.reference.sorted_copy(table, "code").select(
            pl.col("code").alias("procedure_code"), "mue_value", "adjudication_indicator",
            "valid_from", "valid_before")
        by_line = rows.filter(per_line_code)
        floor = by_line["mue_value"].min()
        if floor is not None:
            per_line.append(subset.filter(units > floor).join(
                by_line.lazy(), on="procedure_code").filter(
                applies_on("service_from") & (units > pl.col("mue_value"))))
        by_day = rows.filter(~per_line_code.fill_null(False))
        if by_day.height:
            daily.append(subset.filter(pl.col("procedure_code").is_in(
                by_day["procedure_code"].unique().implode())).join(
                by_day.lazy(), on="procedure_code").filter(applies_on("service_from")))
    parts = [pl.concat(per_line).with_columns(units.alias("_counted"))] if per_line else []
    if daily:
        parts.append(_day_sums(ctx, pl.concat(daily).with_columns(units.alias("_units"))))
    if not parts:
        return empty_findings()
    bad = pl.concat(parts, how="diagonal").filter(pl.col("_counted") > pl.col("mue_value"))
    counted = pl.col("_counted").cast(pl.String).str.strip_suffix(".0")
    msg = pl.format("{} units of {} {}; MUE is {}", counted, "procedure_code",
                    pl.when(pl.col("adjudication_indicator") == 1).then(pl.lit("on the line"))
                    .otherwise(pl.lit("on the date of service")), "mue_value")
    return finding_frame(bad, msg, pl.format("Bill at most {} unit(s) of {}.", "mue_value",
                                             "procedure_code"), line=pl.col("line_number"))


def _day_sums(ctx: ScrubContext, daily: pl.LazyFrame) -> pl.LazyFrame:
    """Per-day lines with ``_counted``: the units of their member, provider, code and day in
    the batch, plus those the history's original claims billed on it."""
    per_day = pl.col("_units").sum().over(*_MUE_DAY)
    past = _mue_history_units(ctx, daily)
    if past is not None:
        # A corrected or void claim restates its original, which sits in the history.
        per_day = per_day + pl.when(pl.col("frequency_code").is_in(["7", "8"])).then(
            0.0).otherwise(pl.col("_past").fill_null(0.0))
        daily = daily.join(past, on=_MUE_DAY, how="left")
    return daily.with_columns(per_day.alias("_counted"))


def _mue_day_one(line: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(line[k] for k in _MUE_DAY)


def _units_one(value: Any) -> float | None:
    return None if value is None else float(value)


@single("code.mue_exceeded")
def _mue_exceeded_one(one: OneClaim) -> list[Hit]:
    """One claim: its lines' units (per line, or per day with the history's) against the
    MUE table serving its type."""
    lines = [ln for ln in one.lines if ln["procedure_code"] is not None]
    values: dict[str, list[dict[str, Any]]] = {}
    for m in one.reference_rows(one.table("mue"), "code",
                                (ln["procedure_code"] for ln in lines)):
        values.setdefault(m["code"], []).append(m)
    checked = [(ln, m) for ln in lines for m in values.get(ln["procedure_code"], ())
               if in_force_on(m, ln["service_from"])]
    if not checked:
        return []
    per_day: dict[tuple[Any, ...], float] = {}
    for ln, _ in checked:
        key = _mue_day_one(ln)
        per_day[key] = per_day.get(key, 0.0) + (_units_one(ln["units"]) or 0.0)
    past = _mue_history_units_one(one, {
        _mue_day_one(ln) for ln, m in checked
        if m["adjudication_indicator"] is not None and m["adjudication_indicator"] != 1})
    hits = []
    for ln, m in checked:
        key = _mue_day_one(ln)
        per_line = m["adjudication_indicator"] == 1
        # A corrected or void claim restates its original, which sits in the history.
        earlier = (past.get(key, 0.0) if past is not None
                   and ln["frequency_code"] not in ("7", "8") else 0.0)
        counted = _units_one(ln["units"]) if per_line else per_day[key] + earlier
        if counted is None or m["mue_value"] is None or not counted > m["mue_value"]:
            continue
        units_text = str(polars_text(counted)).removesuffix(".0")
        code, mue = ln["procedure_code"], polars_text(m["mue_value"])
        scope = "on the line" if per_line else "on the date of service"
        hits.append(Hit(ln["line_number"], f"{units_text} units of {code} {scope}; MUE is {mue}",
                        f"Bill at most {mue} unit(s) of {code}."))
    return hits


_MUE_DAY = ("member_id", "provider_npi", "procedure_code", "service_from")


def _mue_history_units(ctx: ScrubContext, checked: pl.LazyFrame) -> pl.LazyFrame | None:
    """``_MUE_DAY`` keys and ``_past``: the units earlier claims (the history, e.g. previous
    stream chunks) billed on the batch's per-day MUE keys. Only original claims count (not
    corrected or void ones), and never a claim of the batch itself."""
    if ctx.history_claims is None or ctx.history_lines is None:
        return None
    claims = ctx.history_claims.filter(~pl.col("frequency_code").is_in(["7", "8"])).join(
        ctx.claims.select("claim_id"), on="claim_id", how="anti").select(
        "claim_id", "member_id", "billing_npi", pl.col("rendering_npi").alias("_claim_npi"))
    lines = ctx.history_lines.filter(pl.col("procedure_code").is_not_null()).join(
        claims, on="claim_id").select(
        "member_id", pl.coalesce("rendering_npi", "_claim_npi", "billing_npi")
        .alias("provider_npi"), "procedure_code", "service_from", "units")
    keys = checked.filter(pl.col("adjudication_indicator") != 1).select(*_MUE_DAY).unique()
    return lines.join(keys, on=list(_MUE_DAY), how="semi").group_by(*_MUE_DAY).agg(
        pl.col("units").cast(pl.Float64).sum().alias("_past"))


def _mue_history_units_one(one: OneClaim, keys: set[tuple[Any, ...]]
                           ) -> dict[tuple[Any, ...], float] | None:
    """:func:`_mue_history_units` for one claim: ``_MUE_DAY`` key -> units the history's
    original claims (not this one) billed on it; None without a history."""
    if one.history_claims is None or one.history_lines is None:
        return None
    wanted = {k for k in keys if None not in k}
    originals: dict[Any, list[dict[str, Any]]] = {}
    for c in one.history_claims:
        # A null frequency code fails ``is_in`` and its negation alike: the plan drops it.
        if (c["frequency_code"] is not None and c["frequency_code"] not in ("7", "8")
                and c["claim_id"] is not None and c["claim_id"] != one.claim_id):
            originals.setdefault(c["claim_id"], []).append(c)
    past: dict[tuple[Any, ...], float] = {}
    for ln in one.history_lines:
        if ln["procedure_code"] is None:
            continue
        for c in originals.get(ln["claim_id"], ()):
            npi = next((v for v in (ln["rendering_npi"], c["rendering_npi"], c["billing_npi"])
                        if v is not None), None)
            key = (c["member_id"], npi, ln["procedure_code"], ln["service_from"])
            if key in wanted:
                past[key] = past.get(key, 0.0) + (_units_one(ln["units"]) or 0.0)
    return past


@rule(
    "code.addon_without_primary", title="Add-on code without its primary procedure",
    category=DenialCategory.BUNDLING, severity=Severity.DENY, carc="107",
    fix="Bill the primary procedure on the same claim and date, or remove the add-on.",
    source="CMS NCCI add-on code edits", needs=["addon"],
    examples=[Example("prolonged-service add-on with a level-3 visit", True,
                      lines=({"procedure_code": "99213"},
                             {"procedure_code": "99417", "charge": "60"}), line=2),
              Example("with its level-5 primary", False,
                      lines=({"procedure_code": "99215", "charge": "290"},
                             {"procedure_code": "99417", "charge": "60"}))],
)
def addon_without_primary(ctx: ScrubContext) -> pl.LazyFrame:
    """An add-on code's line has no line with one of its primary codes on the same date."""
    addon = ctx.reference.addon
    assert addon is not None
    lines = ctx.claim_lines.filter(pl.col("procedure_code").is_not_null()).select(
        "claim_id", "line_number", "procedure_code", "service_from")
    in_force = addon.join(lines.select(pl.col("procedure_code").alias("addon_code"),
                                       "service_from").unique(), on="addon_code").filter(
        applies_on("service_from")).select(pl.col("addon_code").alias("procedure_code"),
                                           "service_from").unique()
    addons = lines.join(in_force, on=["procedure_code", "service_from"], how="semi")
    present = lines.select("claim_id", "service_from",
                           pl.col("procedure_code").alias("primary_code"))
    edits = addon.rename({"addon_code": "procedure_code"})
    with_primary = addons.join(edits, on="procedure_code").filter(
        applies_on("service_from")).join(
        present, on=["claim_id", "service_from", "primary_code"], how="semi").select(
        "claim_id", "line_number").unique()
    bad = addons.join(with_primary, on=["claim_id", "line_number"], how="anti")
    return finding_frame(bad, pl.format("add-on {} without its primary procedure",
                                        "procedure_code"),
                         "Bill the primary procedure with it, or remove the add-on.",
                         line=pl.col("line_number"))



@single("code.addon_without_primary")
def _addon_without_primary_one(one: OneClaim) -> list[Hit]:
    """One claim: its add-on lines with no line of a listed primary on the same date."""
    edits = one.reference.index("addon", "addon_code")
    lines = [ln for ln in one.lines if ln["procedure_code"] is not None]
    billed = {(ln["service_from"], ln["procedure_code"]) for ln in lines}
    addons, with_primary = [], set()
    for ln in lines:
        day = ln["service_from"]
        in_force = [e for e in edits.get(ln["procedure_code"], ()) if in_force_on(e, day)]
        if day is None or not in_force:
            continue
        addons.append(ln)
        if ln["line_number"] is not None and any(
                e["primary_code"] is not None and (day, e["primary_code"]) in billed
                for e in in_force):
            with_primary.add(ln["line_number"])
    return [Hit(ln["line_number"], f"add-on {ln['procedure_code']} without its primary "
                "procedure", "Bill the primary procedure with it, or remove the add-on.")
            for ln in addons if ln["line_number"] not in with_primary]

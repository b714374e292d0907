"""Coding rules: diagnosis and procedure codes valid on the date of service, diagnosis
pointers, coverage policies (medical necessity) and modifiers. The NCCI edits (PTP, MUE,
add-ons) are in :mod:`.ncci`, the procedure and diagnosis age and sex edits in :mod:`.agesex`.

Every code-set lookup is judged as of the line's (or the claim's first) date of service through
the reference tables' ``valid_from``/``valid_before`` windows. A date of service outside every
loaded ICD-10-CM release cannot be judged and yields no finding (the summary's refdata status
says which releases are loaded).
"""

from __future__ import annotations

import re
from typing import Any

import polars as pl

from ...domain import ClaimType, DenialCategory, Severity
from ...refdata import applies_on
from ..api import Example, finding_frame
from ..context import ScrubContext
from ..examples import day as _day
from ..registry import rule, single
from ..single import Hit, OneClaim, Row, formatted, greatest, grouped, polars_text, sequence
from ..single import applies_on as in_force_on

__all__: list[str] = []

_ICD = "ICD-10-CM (CMS/CDC), fiscal-year release in force on the date of service"


def _dx_with_dos(ctx: ScrubContext) -> pl.LazyFrame:
    return ctx.claim_diagnoses.join(ctx.claims.select("claim_id", "dos"), on="claim_id")


def _icd_judged(ctx: ScrubContext) -> tuple[pl.LazyFrame, pl.LazyFrame]:
    """(diagnoses whose DOS some ICD-10-CM release covers, the in-force rows matched)."""
    judged = ctx.shared("icd_judged", lambda: _build_judged(ctx))
    rows = ctx.shared("icd_rows", lambda: _build_rows(ctx, judged))
    return judged, rows


def _build_judged(ctx: ScrubContext) -> pl.LazyFrame:
    assert ctx.reference.icd10cm is not None
    # The dates some release covers, found among the batch's few hundred distinct dates; a
    # diagnosis is one row per claim and position (the batch's key), so none repeats.
    windows = ctx.reference.icd10cm_windows
    covered = ctx.claims.select("dos").unique().join(windows, how="cross").filter(
        applies_on("dos")).select("dos").unique()
    return _dx_with_dos(ctx).join(covered, on="dos", how="semi", nulls_equal=True).select(
        "claim_id", "sequence", "code", "dos")


def _build_rows(ctx: ScrubContext, judged: pl.LazyFrame) -> pl.LazyFrame:
    # Only judged diagnoses are looked up, so their codes are all the rows needed.
    icd = ctx.reference_rows("icd10cm", "code", judged.select("code"))
    return judged.join(icd.select("code", "billable", "valid_from", "valid_before"),
                       on="code").filter(applies_on("dos")).select(
        "claim_id", "sequence", "billable").unique(subset=["claim_id", "sequence"])


def _icd_judged_one(one: OneClaim) -> tuple[list[Row], dict[Any, Any]]:
    """One claim's (diagnoses some ICD-10-CM release judges on the first DOS, billable flag of
    the in-force row by diagnosis sequence), as :func:`_icd_judged`."""
    return one.shared("coding.icd_judged", lambda: _build_judged_one(one))  # type: ignore[no-any-return]


def _build_judged_one(one: OneClaim) -> tuple[list[Row], dict[Any, Any]]:
    dos = one.claim["dos"]
    windows = [w for rows in one.reference.index("icd10cm_windows", "valid_from").values()
               for w in rows]
    judged: list[Row] = []
    if any(in_force_on(w, dos) for w in windows):
        seen = set()
        for dx in one.diagnoses:
            if (dx["sequence"], dx["code"]) not in seen:
                seen.add((dx["sequence"], dx["code"]))
                judged.append(dx)
    icd = grouped(one.reference_rows("icd10cm", "code", (dx["code"] for dx in judged)), "code")
    billable: dict[Any, Any] = {}
    for dx in judged:
        for row in icd.get(dx["code"], ()):
            if in_force_on(row, dos) and dx["sequence"] not in billable:
                billable[dx["sequence"]] = row["billable"]
    return judged, billable


@rule(
    "code.icd_invalid", title="Diagnosis is not an ICD-10-CM code on the date of service",
    category=DenialCategory.CODING, severity=Severity.DENY, carc="146", rarc="M76",
    fix="Code the diagnosis from the ICD-10-CM release in force on the date of service.",
    source=_ICD, needs=["icd10cm"],
    examples=[Example("made-up code", True, diagnoses=("E119", "X999")),
              Example("valid codes", False),
              Example("date of service outside every loaded release: not judged", False,
                      diagnoses=("X999",), lines=({"service_from": _day("2026-01-05")},),
                      claim={"statement_from": _day("2026-01-05"),
                             "statement_to": _day("2026-01-05")})],
)
def icd_invalid(ctx: ScrubContext) -> pl.LazyFrame:
    """A diagnosis code is not in the ICD-10-CM release in force on the first DOS."""
    judged, rows = _icd_judged(ctx)
    bad = judged.join(rows, on=["claim_id", "sequence"], how="anti")
    return finding_frame(bad, pl.format("diagnosis {} (position {}) is not a valid ICD-10-CM "
                                        "code on {}", "code", "sequence", "dos"),
                         "Replace it with a valid, billable ICD-10-CM code.")


@single("code.icd_invalid")
def _icd_invalid_one(one: OneClaim) -> list[Hit]:
    """One claim: judged diagnoses without an in-force ICD-10-CM row."""
    judged, billable = _icd_judged_one(one)
    dos = polars_text(one.claim["dos"])
    return [Hit(None, formatted("diagnosis {} (position {}) is not a valid ICD-10-CM code on {}",
                            dx["code"], dx["sequence"], dos),
                "Replace it with a valid, billable ICD-10-CM code.")
            for dx in judged if dx["sequence"] not in billable]


@rule(
    "code.icd_not_billable", title="Diagnosis is a category, not a billable code",
    category=DenialCategory.CODING, severity=Severity.DENY, carc="146", rarc="M76",
    fix="Code to the highest specificity: a billable (leaf) ICD-10-CM code.",
    source=_ICD, needs=["icd10cm"],
    examples=[Example("category E11 instead of E11.9", True, diagnoses=("E11",)),
              Example("billable E11.9", False)],
)
def icd_not_billable(ctx: ScrubContext) -> pl.LazyFrame:
    """A diagnosis code exists but is a header (category or subcategory), not billable."""
    judged, rows = _icd_judged(ctx)
    bad = judged.join(rows.filter(~pl.col("billable")), on=["claim_id", "sequence"])
    return finding_frame(bad, pl.format("diagnosis {} is not billable (needs more "
                                        "characters)", "code"),
                         pl.format("Replace {} with one of its billable subcodes.", "code"))


@single("code.icd_not_billable")
def _icd_not_billable_one(one: OneClaim) -> list[Hit]:
    """One claim: judged diagnoses whose in-force row is a header, not billable."""
    judged, billable = _icd_judged_one(one)
    return [Hit(None, formatted("diagnosis {} is not billable (needs more characters)", dx["code"]),
                formatted("Replace {} with one of its billable subcodes.", dx["code"]))
            for dx in judged if billable.get(dx["sequence"], True) is False]


def _system(code: pl.Expr) -> pl.Expr:
    return (pl.when(code.str.contains(r"^[A-Z][0-9]{4}$")).then(pl.lit("hcpcs"))
            .when(code.str.contains(r"^[0-9]{4}[0-9FTU]$")).then(pl.lit("cpt"))
            .otherwise(pl.lit("other")))


_HCPCS = re.compile(r"[A-Z][0-9]{4}")
_CPT = re.compile(r"[0-9]{4}[0-9FTU]")


def _system_one(code: str) -> str:
    if _HCPCS.fullmatch(code):
        return "hcpcs"
    return "cpt" if _CPT.fullmatch(code) else "other"


@rule(
    "code.procedure_invalid", title="Procedure code invalid or not valid on the date of service",
    category=DenialCategory.CODING, severity=Severity.DENY, carc="181", rarc="M51",
    fix="Bill a CPT/HCPCS code in force on the date of service (deleted codes have "
    "successors).",
    source="HCPCS Level II (CMS quarterly) and the licensed CPT code list",
    examples=[Example("deleted office-visit code", True,
                      lines=({"procedure_code": "99201"},), line=1),
              Example("code before it existed", True,
                      lines=({"procedure_code": "99417", "service_from": _day("2020-06-01")},),
                      claim={"statement_from": _day("2020-06-01"),
                             "statement_to": _day("2020-06-01")}, line=1),
              Example("current code", False)],
    needs=["procedures"],
)
def procedure_invalid(ctx: ScrubContext) -> pl.LazyFrame:
    """A line's code is unknown, or not in force on the line's date of service. Only codes of
    a loaded code system are judged (5-digit CPT needs a CPT list)."""
    ref = ctx.reference
    assert ref.procedures is not None
    systems = list(ref.procedure_systems)
    lines = ctx.claim_lines.filter(pl.col("procedure_code").is_not_null()).with_columns(
        _system(pl.col("procedure_code")).alias("_system"))
    if "any" not in systems:
        lines = lines.filter(pl.col("_system").is_in(systems))
    procs = ctx.reference_rows("procedures", "code", lines.select("procedure_code")).select(
        pl.col("code").alias("procedure_code"), "valid_from", "valid_before")
    ok = lines.join(procs, on="procedure_code").filter(applies_on("service_from")).select(
        "claim_id", "line_number").unique()
    known = procs.select("procedure_code").unique().with_columns(pl.lit(True).alias("_known"))
    bad = lines.join(ok, on=["claim_id", "line_number"], how="anti").join(
        known, on="procedure_code", how="left")
    msg = pl.when(pl.col("_known").is_null()).then(
        pl.format("{} is not a valid procedure code", "procedure_code")).otherwise(
        pl.format("{} is not valid on {}", "procedure_code", "service_from"))
    return finding_frame(bad, msg, "Bill the code in force on the date of service.",
                         line=pl.col("line_number"))


@single("code.procedure_invalid")
def _procedure_invalid_one(one: OneClaim) -> list[Hit]:
    """One claim: lines of a judged code system with no row in force on their DOS."""
    systems = one.reference.procedure_systems
    lines = [ln for ln in one.lines if ln["procedure_code"] is not None
             and ("any" in systems or _system_one(ln["procedure_code"]) in systems)]
    procs = grouped(one.reference_rows("procedures", "code",
                                        (ln["procedure_code"] for ln in lines)), "code")
    out = []
    for ln in lines:
        code, day = ln["procedure_code"], ln["service_from"]
        rows = procs.get(code, [])
        if any(in_force_on(r, day) for r in rows):
            continue
        msg = (formatted("{} is not valid on {}", code, day) if rows
               else formatted("{} is not a valid procedure code", code))
        out.append(Hit(ln["line_number"], msg, "Bill the code in force on the date of service."))
    return out


@rule(
    "code.dx_pointer_invalid", title="Diagnosis pointer missing or pointing past the list",
    category=DenialCategory.MISSING_INFORMATION, severity=Severity.REJECT, carc="16",
    rarc="M76", fix="Point each line at one to four of the claim's diagnoses.",
    source="X12 837P SV107 (diagnosis code pointers)", claim_types=[ClaimType.PROFESSIONAL],
    examples=[Example("no pointer", True, lines=({"diagnosis_pointers": []},), line=1),
              Example("points at the 3rd of 2 diagnoses", True,
                      lines=({"diagnosis_pointers": [3]},), line=1),
              Example("points at the 1st", False)],
)
def dx_pointer_invalid(ctx: ScrubContext) -> pl.LazyFrame:
    """A professional line has no diagnosis pointer or one beyond the number of diagnoses."""
    n = ctx.claim_diagnoses.group_by("claim_id").agg(pl.col("sequence").max().alias("_n"))
    lines = ctx.claim_lines.join(n, on="claim_id").filter(
        (pl.col("diagnosis_pointers").list.len().fill_null(0) == 0)
        | (pl.col("diagnosis_pointers").list.max() > pl.col("_n")).fill_null(False))
    msg = pl.format("pointers [{}] with {} diagnoses",
                    pl.col("diagnosis_pointers").cast(pl.List(pl.String)).list.join(","),
                    "_n")
    return finding_frame(lines, msg, "Point the line at the diagnoses it treats (1-4).",
                         line=pl.col("line_number"))


@single("code.dx_pointer_invalid")
def _dx_pointer_invalid_one(one: OneClaim) -> list[Hit]:
    """One claim: lines without a pointer or pointing past the last diagnosis (a claim
    without diagnoses has nothing to point at and yields none, as the plan's join)."""
    if not one.diagnoses:
        return []
    n = greatest(dx["sequence"] for dx in one.diagnoses)
    out = []
    for ln in one.lines:
        pointers = ln["diagnosis_pointers"]
        top = greatest(sequence(pointers))
        if not sequence(pointers) or (top is not None and n is not None and top > n):
            out.append(Hit(ln["line_number"],
                           formatted("pointers [{}] with {} diagnoses", _joined(pointers), n),
                           "Point the line at the diagnoses it treats (1-4)."))
    return out


@rule(
    "code.dx_not_supporting", title="Diagnosis does not support the procedure",
    category=DenialCategory.MEDICAL_NECESSITY, severity=Severity.DENY, carc="50",
    fix="Point the line at the diagnosis that justifies it (per the payer's coverage policy) "
    "or obtain an advance beneficiary notice.",
    source="coverage policies, LCD/NCD style (refdata coverage-policy, or the payer's "
    "ref_dx_support)", needs=["dx_support"],
    claim_types=[ClaimType.PROFESSIONAL],
    examples=[Example("lumbar MRI for diabetes", True,
                      lines=({"procedure_code": "72148", "charge": "1900",
                              "prior_auth_number": "AUTH-OK"},), line=1),
              Example("lumbar MRI for radiculopathy", False, diagnoses=("M5450",),
                      lines=({"procedure_code": "72148", "charge": "1900",
                              "prior_auth_number": "AUTH-OK"},))],
)
def dx_not_supporting(ctx: ScrubContext) -> pl.LazyFrame:
    """A line's code is in the procedure range of a coverage policy in force on its date of
    service and none of its pointed diagnoses is listed by such a policy (as the code itself
    or a prefix of it: ``M54`` covers ``M5450``)."""
    support = ctx.reference.dx_support
    assert support is not None
    lines = ctx.claim_lines.filter(pl.col("procedure_code").is_not_null()).select(
        "claim_id", "line_number", "procedure_code", "service_from", "diagnosis_pointers")
    covered = _policies_of(ctx, support, lines.select("procedure_code").unique())
    # Everything that depends only on the code, the date and the diagnosis is judged on the
    # distinct pairs and triples (a few thousand), not per line: grouping 100,000 lines by
    # claim and line number cost half the rule. Null dates are kept as keys (nulls_equal),
    # since a policy without validity dates applies on any day.
    day = ["procedure_code", "service_from"]
    in_force = lines.select(day).unique().join(covered, on="procedure_code").filter(
        applies_on("service_from")).select(day).unique()
    pointed = lines.join(in_force, on=day, how="semi", nulls_equal=True,
                         maintain_order="left").select(
        "claim_id", "line_number", "procedure_code", "service_from",
        pl.col("diagnosis_pointers").alias("sequence")).explode("sequence").join(
        ctx.claim_diagnoses.select("claim_id", "sequence", "code"), on=["claim_id", "sequence"],
        maintain_order="left")
    # The policy rows listing each distinct pointed code (itself or a prefix).
    triples = pointed.select(*day, "code").unique()
    listed = triples.select("code").unique().with_columns(pl.concat_list(
        [pl.col("code").str.slice(0, n) for n in range(3, 8)]).list.unique()
        .alias("diagnosis")).explode("diagnosis").join(
        support.select("policy_id", "procedure_low", "procedure_high", "diagnosis",
                       "valid_from", "valid_before"), on="diagnosis").drop("diagnosis")
    supported = triples.join(listed, on="code").filter(
        _in_range("procedure_code") & applies_on("service_from")).select(*day, "code")
    fine = pointed.join(supported, on=[*day, "code"], how="semi", nulls_equal=True)
    judged = pointed.join(fine, on=["claim_id", "line_number"], how="anti",
                          maintain_order="left").group_by(
        "claim_id", "line_number").agg(
        pl.col("procedure_code").first(), pl.col("service_from").first(),
        pl.col("code").alias("_codes"))
    # The policies in force, named in the message, only for the few lines found.
    bad = judged.join(covered, on="procedure_code").filter(applies_on("service_from")
                                                           ).group_by(
        "claim_id", "line_number").agg(
        pl.col("procedure_code").first(), pl.col("_codes").first().list.join(","),
        pl.col("policy_id").unique().sort().str.join(","))
    return finding_frame(bad, pl.format("{} is not supported by diagnosis {} (policy {})",
                                        "procedure_code", "_codes", "policy_id"),
                         "Point the line at a diagnosis the coverage policy lists for it.",
                         line=pl.col("line_number"))


@single("code.dx_not_supporting")
def _dx_not_supporting_one(one: OneClaim) -> list[Hit]:
    """One claim: lines under a policy in force whose pointed diagnoses no policy lists."""
    by_diagnosis = one.reference.index("dx_support", "diagnosis")
    codes: dict[Any, list[str]] = {}
    for dx in one.diagnoses:
        codes.setdefault(dx["sequence"], []).append(dx["code"])
    out = []
    for ln in one.lines:
        code, day = ln["procedure_code"], ln["service_from"]
        if code is None:
            continue
        policies = [r["policy_id"] for r in _policies_one(one, code) if in_force_on(r, day)]
        if not policies:
            continue
        pointed = [c for p in sequence(ln["diagnosis_pointers"]) for c in codes.get(p, ())]
        if not pointed:
            continue
        prefixes = {dx[:n] for dx in pointed if dx is not None for n in range(3, 8)}
        if any(_in_range_one(code, r) and in_force_on(r, day)
               for p in prefixes for r in by_diagnosis.get(p, ())):
            continue
        named = sorted({p for p in policies if p is not None})
        out.append(Hit(ln["line_number"],
                       formatted("{} is not supported by diagnosis {} (policy {})", code,
                             _joined(pointed), ",".join(named)),
                       "Point the line at a diagnosis the coverage policy lists for it."))
    return out


def _in_range(code: str) -> pl.Expr:
    c = pl.col(code)
    return ((c >= pl.col("procedure_low")) & (c <= pl.col("procedure_high"))
            & (c.str.len_chars() == pl.col("procedure_low").str.len_chars()))


def _in_range_one(code: str, row: Row) -> bool:
    low, high = row["procedure_low"], row["procedure_high"]
    return (low is not None and high is not None and low <= code <= high
            and len(code) == len(low))


def _policies_of(ctx: ScrubContext, support: pl.LazyFrame, codes: pl.LazyFrame
                 ) -> pl.LazyFrame:
    """(procedure_code, policy_id, valid_from, valid_before) for the batch's ``codes``: single
    codes by an equality join, ranges by comparing the few distinct ranges."""
    ranges = ctx.shared("coverage_ranges", lambda: support.select(
        "policy_id", "procedure_low", "procedure_high", "valid_from", "valid_before").unique())
    single = ranges.filter(pl.col("procedure_low") == pl.col("procedure_high"))
    spans = ranges.filter(pl.col("procedure_low") != pl.col("procedure_high"))
    exact = codes.join(single, left_on="procedure_code", right_on="procedure_low")
    wide = codes.join(spans, how="cross").filter(_in_range("procedure_code"))
    keep = ("procedure_code", "policy_id", "valid_from", "valid_before")
    return pl.concat([exact.select(keep), wide.select(keep)])


def _policies_one(one: OneClaim, code: str) -> list[Row]:
    """The coverage-policy rows whose procedure range holds ``code`` (any date)."""
    by_low = one.reference.index("dx_support", "procedure_low")
    exact = [r for r in by_low.get(code, ()) if r["procedure_high"] == code]
    return exact + [r for r in _spans(by_low) if _in_range_one(code, r)]


_SPANS: dict[int, tuple[dict[Any, list[Row]], list[Row]]] = {}
"""Per coverage-policy index (by identity), its distinct multi-code ranges: worked out once
per reference, not once per claim (an imported policy set lists thousands of diagnoses over a
few ranges)."""


def _spans(by_low: dict[Any, list[Row]]) -> list[Row]:
    kept = _SPANS.get(id(by_low))
    if kept is None or kept[0] is not by_low:
        if len(_SPANS) >= 16:
            _SPANS.clear()
        window = ("policy_id", "procedure_low", "procedure_high", "valid_from", "valid_before")
        distinct = {tuple(r[k] for k in window): r for rows in by_low.values() for r in rows
                    if r["procedure_low"] is not None and r["procedure_high"] is not None
                    and r["procedure_low"] != r["procedure_high"]}
        kept = (by_low, list(distinct.values()))
        _SPANS[id(by_low)] = kept
    return kept[1]


@rule(
    "code.modifier_invalid", title="Malformed or repeated modifier",
    category=DenialCategory.CODING, severity=Severity.DENY, carc="4",
    fix="Use two-character modifiers, each at most once per line.",
    source="X12 837 SV101-3..6 / AMA and HCPCS modifier sets",
    examples=[Example("three-character modifier", True,
                      lines=({"modifiers": ["255"]},), line=1),
              Example("modifier 25", False, lines=({"modifiers": ["25"]},))],
)
def modifier_invalid(ctx: ScrubContext) -> pl.LazyFrame:
    """A modifier is not two letters or digits, or repeats on the line."""
    lines = ctx.claim_lines.filter(
        pl.col("modifiers").list.eval(~pl.element().str.contains(r"^[A-Z0-9]{2}$")).list.any()
        | (pl.col("modifiers").list.n_unique() < pl.col("modifiers").list.len()))
    return finding_frame(lines, pl.format("modifiers {} are malformed or repeated",
                                          pl.col("modifiers").list.join(",")),
                         "Correct the modifiers.", line=pl.col("line_number"))


_MODIFIER = re.compile(r"[A-Z0-9]{2}")


def _well_formed(modifier: str | None) -> bool | None:
    return None if modifier is None else _MODIFIER.fullmatch(modifier) is not None


@single("code.modifier_invalid")
def _modifier_invalid_one(one: OneClaim) -> list[Hit]:
    """One claim: lines with a malformed or repeated modifier."""
    out = []
    for ln in one.lines:
        mods = ln["modifiers"]
        if mods is None:
            continue
        if any(_well_formed(m) is False for m in mods) or len(set(mods)) < len(mods):
            out.append(Hit(ln["line_number"],
                           formatted("modifiers {} are malformed or repeated", _joined(mods)),
                           "Correct the modifiers."))
    return out


@rule(
    "code.modifier_unknown", title="Modifier not in the modifier table",
    category=DenialCategory.CODING, severity=Severity.WARN, carc="4",
    fix="Check the modifier against the payer's list; remove it if it does not apply.",
    source="bundled modifier table (common CPT/HCPCS modifiers)",
    examples=[Example("unknown modifier ZZ", True, lines=({"modifiers": ["ZZ"]},), line=1),
              Example("modifier 59", False, lines=({"modifiers": ["59"]},))],
)
def modifier_unknown(ctx: ScrubContext) -> pl.LazyFrame:
    """A well-formed modifier missing from the bundled table (a warning: the table holds the
    common modifiers, not every payer-specific one)."""
    known = ctx.reference.known_modifiers
    lines = ctx.claim_lines.with_columns(
        pl.col("modifiers").list.eval(pl.element().filter(
            ~pl.element().is_in(known) & pl.element().str.contains(r"^[A-Z0-9]{2}$")))
        .alias("_unknown")).filter(pl.col("_unknown").list.len() > 0)
    return finding_frame(lines, pl.format("modifier(s) {} not recognized",
                                          pl.col("_unknown").list.join(",")),
                         "Check the modifier against the payer's list.",
                         line=pl.col("line_number"))


@single("code.modifier_unknown")
def _modifier_unknown_one(one: OneClaim) -> list[Hit]:
    """One claim: lines with well-formed modifiers missing from the bundled table."""
    known = one.reference.index("modifiers", "modifier")
    out = []
    for ln in one.lines:
        unknown = [m for m in sequence(ln["modifiers"])
                   if m is not None and m not in known and _well_formed(m)]
        if unknown:
            out.append(Hit(ln["line_number"],
                           formatted("modifier(s) {} not recognized", _joined(unknown)),
                           "Check the modifier against the payer's list."))
    return out


def _joined(values: list[Any] | None) -> str | None:
    """A list column joined with commas as ``list.join`` does (null elements skipped)."""
    if values is None:
        return None
    return ",".join(str(polars_text(v)) for v in values if v is not None)

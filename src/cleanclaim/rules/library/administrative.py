"""Administrative rules: what a clearinghouse or payer front end checks before adjudication,
and the payer's administrative policies (timely filing, corrected claims). Duplicates are in
:mod:`.duplicates`.

Sources: the X12 837 implementation guides (005010X222A1 professional, 005010X223A2
institutional) for required data, the NPI standard (CMS) for the check digit, the bundled CMS
place-of-service table, and each payer's own limits (``payers`` table).
"""

from __future__ import annotations

import functools
import re
from typing import Any

import polars as pl

from ...domain import ClaimType, DenialCategory, Severity
from ...refdata import claim_frequency_codes
from ..api import Example, finding_frame
from ..context import ScrubContext
from ..examples import day as _day
from ..registry import rule, single
from ..single import Hit, OneClaim, formatted

__all__ = ["npi_is_valid"]

Row = dict[str, Any]

_GUIDE = "X12 837 implementation guides (005010X222A1 / 005010X223A2)"




def npi_is_valid(col: pl.Expr) -> pl.Expr:
    """Ten digits whose last is the Luhn check digit over ``80840`` + the first nine.

    The prefix 80840 always contributes 24 to the Luhn sum, so only nine digits are summed:
    counting from the right of the payload, the 1st, 3rd, 5th, 7th and 9th digits are doubled.
    """
    # Digits by integer arithmetic on the number: slicing the string ten times cost 1.7 times
    # as much over a batch. Only ten-digit strings are judged, so the number is exact.
    number = col.cast(pl.Int64, strict=False)
    digits = [(number // int(10 ** (9 - i))) % 10 for i in range(10)]
    total = pl.lit(24, pl.Int64)
    for i in range(9):
        d = digits[i]
        # A doubled digit above 9 counts its two digits' sum: 2d - 9 for d of 5 and more.
        total = total + (d * 2 - (d >= 5).cast(pl.Int64) * 9 if i % 2 == 0 else d)
    check = (10 - total % 10) % 10
    return (col.str.contains(r"^[0-9]{10}$") & (check == digits[9])).fill_null(False)


@functools.cache
def _npi_ok(name: str) -> pl.Expr:
    # The check-digit expression has dozens of nodes: built once per column, not per scrub.
    return npi_is_valid(pl.col(name))


_TEN_DIGITS = re.compile(r"[0-9]{10}")


def _npi_ok_one(npi: str) -> bool:
    """:func:`npi_is_valid` on one NPI."""
    if _TEN_DIGITS.fullmatch(npi) is None:
        return False
    digits = [int(c) for c in npi]
    total = 24 + sum((2 * d - 9 if d >= 5 else 2 * d) if i % 2 == 0 else d
                     for i, d in enumerate(digits[:9]))
    return (10 - total % 10) % 10 == digits[9]


_PROF_REQUIRED = ("place_of_service", "patient_birth_date", "billing_tax_id")
_INST_REQUIRED = ("type_of_bill", "statement_from", "discharge_status", "billing_tax_id",
                  "patient_birth_date")


@rule(
    "adm.required_fields", title="Required claim data missing",
    category=DenialCategory.MISSING_INFORMATION, severity=Severity.REJECT, carc="16",
    rarc="MA130", fix="Fill in the missing fields and resubmit.", source=_GUIDE,
    examples=[Example("no birth date", True, claim={"patient_birth_date": None}),
              Example("line without a procedure code", True,
                      lines=({"procedure_code": None},), line=1),
              Example("institutional claim without type of bill or discharge status", True,
                      claim={"claim_type": "institutional", "place_of_service": None},
                      lines=({"revenue_code": "0450"},)),
              Example("complete institutional claim", False,
                      claim={"claim_type": "institutional", "type_of_bill": "0131",
                             "discharge_status": "01", "place_of_service": None},
                      lines=({"revenue_code": "0450"},)),
              Example("complete claim", False)],
)
def required_fields(ctx: ScrubContext) -> pl.LazyFrame:
    """Professional: place of service, patient birth date, billing tax ID, a diagnosis and a
    procedure code on every line. Institutional: type of bill, statement from-date, discharge
    status, billing tax ID, patient birth date, a diagnosis and a revenue code on every
    line."""
    dx = ctx.claim_diagnoses.group_by("claim_id").len("n_dx")
    claims = ctx.claims.join(dx, on="claim_id", how="left")
    prof = pl.col("claim_type") == ClaimType.PROFESSIONAL.value

    prof_only = set(_PROF_REQUIRED) - set(_INST_REQUIRED)
    inst_only = set(_INST_REQUIRED) - set(_PROF_REQUIRED)
    tests = {n: (prof if n in prof_only else ~prof if n in inst_only else pl.lit(True))
             & pl.col(n).is_null() for n in dict.fromkeys(_PROF_REQUIRED + _INST_REQUIRED)}
    tests["diagnoses"] = pl.col("n_dx").fill_null(0) == 0
    # The list of missing names is built only for the few claims missing something: built for
    # every claim, it made this the slowest rule of the suite.
    exprs = [pl.when(t).then(pl.lit(n)) for n, t in tests.items()]
    header = claims.filter(pl.any_horizontal([t.fill_null(False) for t in tests.values()])
                           ).with_columns(pl.concat_list(exprs).list.drop_nulls()
                                          .alias("_missing"))
    head = finding_frame(header, pl.format("missing: {}", pl.col("_missing").list.join(", ")),
                         pl.format("Fill in {} and resubmit.",
                                   pl.col("_missing").list.join(", ")))
    lines = ctx.claim_lines.filter((pl.col("claim_type") == ClaimType.PROFESSIONAL.value)
                                   & pl.col("procedure_code").is_null())
    line = finding_frame(lines, pl.lit("service line has no procedure code"),
                         "Enter the CPT/HCPCS code of the service.",
                         line=pl.col("line_number"))
    inst = ctx.claim_lines.filter((pl.col("claim_type") == ClaimType.INSTITUTIONAL.value)
                                  & pl.col("revenue_code").is_null())
    rev = finding_frame(inst, pl.lit("institutional line has no revenue code"),
                        "Enter the revenue code (SV201) of the line.",
                        line=pl.col("line_number"))
    return pl.concat([head, line, rev], how="diagonal_relaxed")


@single("adm.required_fields")
def _required_fields_one(one: OneClaim) -> list[Hit]:
    """One claim: the missing header fields (in the plan's order), then the lines."""
    c = one.claim
    claim_type = c["claim_type"]
    prof = None if claim_type is None else claim_type == ClaimType.PROFESSIONAL.value
    prof_only = set(_PROF_REQUIRED) - set(_INST_REQUIRED)
    inst_only = set(_INST_REQUIRED) - set(_PROF_REQUIRED)
    missing = [n for n in dict.fromkeys(_PROF_REQUIRED + _INST_REQUIRED)
               if c[n] is None and (prof is True if n in prof_only
                                    else prof is False if n in inst_only else True)]
    if not one.diagnoses:
        missing.append("diagnoses")
    hits = []
    if missing:
        names = ", ".join(missing)
        hits.append(Hit(None, f"missing: {names}", f"Fill in {names} and resubmit."))
    for ln in one.lines:
        if ln["claim_type"] == ClaimType.PROFESSIONAL.value and ln["procedure_code"] is None:
            hits.append(Hit(ln["line_number"], "service line has no procedure code",
                            "Enter the CPT/HCPCS code of the service."))
        if ln["claim_type"] == ClaimType.INSTITUTIONAL.value and ln["revenue_code"] is None:
            hits.append(Hit(ln["line_number"], "institutional line has no revenue code",
                            "Enter the revenue code (SV201) of the line."))
    return hits


_NPI_FIELDS = ("billing_npi", "rendering_npi", "referring_npi", "facility_npi")


@rule(
    "adm.npi_invalid", title="NPI fails the format or check-digit test",
    category=DenialCategory.MISSING_INFORMATION, severity=Severity.REJECT, carc="16",
    fix="Correct the NPI (10 digits, valid check digit) from NPPES.",
    source="NPI standard: Luhn check digit over 80840 + NPI (45 CFR 162.406)",
    examples=[Example("billing NPI with a wrong check digit", True,
                      claim={"billing_npi": "1234567890"}),
              Example("rendering NPI on the line is invalid", True,
                      lines=({"rendering_npi": "12345"},), line=1),
              Example("valid NPIs", False, claim={"rendering_npi": "1003000126"})],
)
def npi_invalid(ctx: ScrubContext) -> pl.LazyFrame:
    """Every NPI on the claim (billing, rendering, referring, facility, line rendering) is
    10 digits with a valid check digit."""
    # Every NPI of the batch in one long column, so the check-digit expression is planned
    # once rather than once per field: on one claim, planning it five times made this the
    # slowest rule (6 ms). Claim NPIs come field by field, then the lines: the order the
    # messages of one claim are joined in.
    label = {n: n.replace("_", " ") for n in _NPI_FIELDS}
    head = ctx.claims.select("claim_id", *_NPI_FIELDS).unpivot(
        index="claim_id", on=list(_NPI_FIELDS), variable_name="_field", value_name="_npi"
    ).select("claim_id", pl.lit(None, pl.Int64).alias("line_number"),
             pl.col("_field").replace_strict(label, return_dtype=pl.String).alias("_label"),
             "_npi",
             pl.when(pl.col("_field") == "rendering_npi").then(pl.lit("N290"))
             .otherwise(pl.lit(None, pl.String)).alias("rarc"))
    lines = ctx.claim_lines.select(
        "claim_id", pl.col("line_number").cast(pl.Int64), pl.lit("line rendering NPI")
        .alias("_label"), pl.col("rendering_npi").alias("_npi"), pl.lit("N290").alias("rarc"))
    every = pl.concat([head, lines], how="vertical_relaxed")
    # The check digit judged once per distinct NPI (a few thousand in 100,000 claims).
    invalid = every.select("_npi").unique().filter(
        pl.col("_npi").is_not_null() & ~_npi_ok("_npi"))
    bad = every.join(invalid, on="_npi", how="semi", maintain_order="left")
    fix = pl.when(pl.col("line_number").is_null()).then(
        pl.format("Correct the {} from NPPES.", "_label")).otherwise(
        pl.lit("Correct the line's rendering NPI from NPPES."))
    return finding_frame(bad, pl.format("{} {} is not a valid NPI", "_label", "_npi"), fix,
                         line=pl.col("line_number"), extra={"rarc": pl.col("rarc")})


@single("adm.npi_invalid")
def _npi_invalid_one(one: OneClaim) -> list[Hit]:
    """One claim: its NPIs field by field, then the lines' (the plan's order, which decides
    the fix and RARC of the claim's finding)."""
    hits = []
    for name in _NPI_FIELDS:
        npi = one.claim[name]
        if npi is not None and not _npi_ok_one(npi):
            label = name.replace("_", " ")
            hits.append(Hit(None, f"{label} {npi} is not a valid NPI",
                            f"Correct the {label} from NPPES.",
                            rarc="N290" if name == "rendering_npi" else None))
    for ln in one.lines:
        npi = ln["rendering_npi"]
        if npi is not None and not _npi_ok_one(npi):
            hits.append(Hit(ln["line_number"], f"line rendering NPI {npi} is not a valid NPI",
                            "Correct the line's rendering NPI from NPPES.", rarc="N290"))
    return hits


@rule(
    "adm.member_id_format", title="Member ID does not match the payer's format",
    category=DenialCategory.ELIGIBILITY, severity=Severity.REJECT, carc="31",
    fix="Copy the member ID exactly from the card (prefix, digits, suffix).",
    source="payer companion guide (member ID format)", needs=["payers"],
    examples=[Example("truncated member ID", True, claim={"member_id": "ABC12345"}),
              Example("ID in the payer's format", False)],
)
def member_id_format(ctx: ScrubContext) -> pl.LazyFrame:
    """The member ID matches the payer's regular expression (``payers.member_id_pattern``)."""
    assert ctx.payers is not None
    pats = ctx.payers.select("payer_id", "member_id_pattern").filter(
        pl.col("member_id_pattern").is_not_null())
    joined = ctx.claims.select("claim_id", "payer_id", "member_id").join(pats, on="payer_id")
    bad = joined.filter(~pl.col("member_id").str.contains(pl.col("member_id_pattern"))
                        .fill_null(False))
    return finding_frame(bad, pl.format("member ID {} does not match payer {}'s format {}",
                                        "member_id", "payer_id", "member_id_pattern"),
                         "Copy the member ID exactly from the card.")


_UNLIKE_RUST = re.compile(r"\[\[|&&|--|~~|\(\?<?[=!]|\\[1-9]")
"""Syntax Python's ``re`` and Polars' (Rust) regex read differently or only one accepts:
nested classes and set operations, lookaround, back references."""


@functools.lru_cache(maxsize=256)
def _python_pattern(text: str) -> re.Pattern[str] | None:
    """A payer's member-ID pattern for Python's ``re``, or None where it may not read as
    Polars reads it."""
    if _UNLIKE_RUST.search(text):
        return None
    try:
        return re.compile(text)
    except re.error:
        return None


def _matches(member: str, pattern: str) -> bool:
    """``member_id.str.contains(pattern)`` on one ID. Polars judges the rare ID with a line
    break (Python's ``$`` also matches before a final one) or pattern Python may read
    otherwise, and raises as the plan does on a pattern it cannot compile."""
    compiled = _python_pattern(pattern)
    if compiled is None or "\n" in member:
        return bool(pl.Series([member]).str.contains(pattern).item())
    return compiled.search(member) is not None


@single("adm.member_id_format")
def _member_id_format_one(one: OneClaim) -> list[Hit]:
    """One claim: its member ID against each pattern of its payer."""
    c = one.claim
    member, payer = c["member_id"], c["payer_id"]
    if member is None:
        return []
    return [Hit(None, f"member ID {member} does not match payer {payer}'s format {pattern}",
                "Copy the member ID exactly from the card.")
            for p in one.rows("payers", "payer_id", payer)
            if (pattern := p["member_id_pattern"]) is not None
            and not _matches(member, pattern)]


@rule(
    "adm.place_of_service_invalid", title="Place of service code not valid on the date",
    category=DenialCategory.MISSING_INFORMATION, severity=Severity.REJECT, carc="5",
    rarc="M77", fix="Use a valid CMS place-of-service code for where the service was given.",
    source="CMS place of service code set (bundled)",
    claim_types=[ClaimType.PROFESSIONAL],
    examples=[Example("unknown code 98", True, claim={"place_of_service": "98"}),
              Example("office (11)", False)],
)
def place_of_service_invalid(ctx: ScrubContext) -> pl.LazyFrame:
    """Claim and line place-of-service codes exist and are in force on the date of service."""
    pos = ctx.reference.place_of_service.select(
        pl.col("code").alias("pos"), "effective_from", pl.lit(True).alias("_known"))

    def bad(frame: pl.LazyFrame, col: str) -> pl.LazyFrame:
        return frame.filter(pl.col(col).is_not_null()).with_columns(
            pl.col(col).alias("pos")).join(pos, on="pos", how="left").filter(
            pl.col("_known").is_null()
            | (pl.col("effective_from") > pl.col("dos")).fill_null(False))

    head = finding_frame(bad(ctx.claims, "place_of_service"),
                         pl.format("place of service {} is not valid on {}", "pos", "dos"),
                         "Use the CMS place-of-service code for where the service was given.")
    line = finding_frame(bad(ctx.claim_lines, "place_of_service"),
                         pl.format("line place of service {} is not valid on {}", "pos", "dos"),
                         "Use the CMS place-of-service code for where the service was given.",
                         line=pl.col("line_number"))
    return pl.concat([head, line], how="diagonal_relaxed")


@single("adm.place_of_service_invalid")
def _place_of_service_invalid_one(one: OneClaim) -> list[Hit]:
    """One claim: the claim's place of service, then each line's."""
    pos = one.reference.index("place_of_service", "code")
    dos = one.claim["dos"]
    fix = "Use the CMS place-of-service code for where the service was given."

    def bad(code: str) -> bool:
        known = pos.get(code, [])
        return not known or any(r["effective_from"] is not None and dos is not None
                                and r["effective_from"] > dos for r in known)

    hits = []
    code = one.claim["place_of_service"]
    if code is not None and bad(code):
        hits.append(Hit(None, formatted("place of service {} is not valid on {}", code, dos), fix))
    for ln in one.lines:
        code = ln["place_of_service"]
        if code is not None and bad(code):
            hits.append(Hit(ln["line_number"],
                            formatted("line place of service {} is not valid on {}", code, dos),
                            fix))
    return hits


@rule(
    "adm.timely_filing", title="Filed after the payer's timely-filing limit",
    category=DenialCategory.TIMELY_FILING, severity=Severity.DENY, carc="29",
    fix="Send proof of timely filing (e.g. an earlier acceptance report) or write off.",
    source="payer contract (timely-filing days)", needs=["payers"],
    examples=[Example("sent 120 days after the service, limit 90", True,
                      claim={"submitted_on": _day("2025-07-08")}),
              Example("sent 5 days after the service", False)],
)
def timely_filing(ctx: ScrubContext) -> pl.LazyFrame:
    """Days from the last date of service (statement to-date) to submission (or the as-of
    date when not yet submitted) exceed the payer's limit; corrected and void claims use the
    payer's corrected-claim limit when it has one."""
    assert ctx.payers is not None
    payers = ctx.payers.select("payer_id", "timely_filing_days", "corrected_claim_days")
    frame = ctx.claims.join(payers, on="payer_id").with_columns(
        (pl.coalesce("submitted_on", pl.lit(ctx.as_of))
         - pl.coalesce("statement_to", "dos_last")).dt.total_days().alias("_days"),
        pl.when(pl.col("frequency_code").is_in(["7", "8"]))
        .then(pl.coalesce("corrected_claim_days", "timely_filing_days"))
        .otherwise(pl.col("timely_filing_days")).alias("_limit"))
    bad = frame.filter(pl.col("_days") > pl.col("_limit"))
    return finding_frame(bad, pl.format("filed {} days after the service; payer {} allows {}",
                                        "_days", "payer_id", "_limit"),
                         "Send proof of timely filing if you have it; otherwise write off.")


@single("adm.timely_filing")
def _timely_filing_one(one: OneClaim) -> list[Hit]:
    """One claim: its filing delay against each row of its payer."""
    c = one.claim
    sent = c["submitted_on"] if c["submitted_on"] is not None else one.as_of
    served = c["statement_to"] if c["statement_to"] is not None else c["dos_last"]
    if served is None:
        return []
    days = (sent - served).days
    corrected = c["frequency_code"] in ("7", "8")
    hits = []
    for p in one.rows("payers", "payer_id", c["payer_id"]):
        limit = p["timely_filing_days"]
        if corrected and p["corrected_claim_days"] is not None:
            limit = p["corrected_claim_days"]
        if limit is not None and days > limit:
            hits.append(Hit(None, formatted("filed {} days after the service; payer {} allows {}",
                                        days, c["payer_id"], limit),
                            "Send proof of timely filing if you have it; otherwise write off."))
    return hits


@rule(
    "adm.charge_units_invalid", title="Impossible charges or units",
    category=DenialCategory.MISSING_INFORMATION, severity=Severity.REJECT, carc="16",
    fix="Correct the charge or units; the total must equal the sum of the lines.",
    source=_GUIDE,
    examples=[Example("zero units", True, lines=({"units": 0},), line=1),
              Example("total differs from the lines", True, claim={"total_charge": "150"}),
              Example("consistent amounts", False)],
)
def charge_units_invalid(ctx: ScrubContext) -> pl.LazyFrame:
    """Every line has positive units and a non-negative charge; the claim's total charge
    equals the sum of its line charges."""
    lines = ctx.claim_lines.filter((pl.col("units") <= 0) | (pl.col("charge") < 0))
    line = finding_frame(lines, pl.format("units {} / charge {} are impossible", "units",
                                          "charge"),
                         "Bill at least one unit and a non-negative charge.",
                         line=pl.col("line_number"))
    sums = ctx.claim_lines.group_by("claim_id").agg(
        pl.col("charge").cast(pl.Float64).sum().alias("_sum"))
    total = ctx.claims.join(sums, on="claim_id").filter(
        (pl.col("total_charge").cast(pl.Float64) - pl.col("_sum")).abs() > 0.005)
    head = finding_frame(total, pl.format("total charge {} differs from the lines' sum {}",
                                          "total_charge", pl.col("_sum").round(2)),
                         pl.format("Set the total charge to {}.", pl.col("_sum").round(2)),
                         extra={"repair": pl.format("total_charge={}", pl.col("_sum").round(2))})
    return pl.concat([line, head], how="diagonal_relaxed")


@single("adm.charge_units_invalid")
def _charge_units_invalid_one(one: OneClaim) -> list[Hit]:
    """One claim: each line's units and charge, then the total against the lines' sum."""
    hits = []
    for ln in one.lines:
        units, charge = ln["units"], ln["charge"]
        if (units is not None and units <= 0) or (charge is not None and charge < 0):
            hits.append(Hit(ln["line_number"],
                            formatted("units {} / charge {} are impossible", units, charge),
                            "Bill at least one unit and a non-negative charge."))
    total = one.claim["total_charge"]
    if one.lines and total is not None:
        # Rounding half-way cases may differ from Polars', but a sum of cents is never one.
        lines_sum = round(sum((float(ln["charge"]) for ln in one.lines
                               if ln["charge"] is not None), 0.0), 2)
        if abs(float(total) - lines_sum) > 0.005:
            hits.append(Hit(None, formatted("total charge {} differs from the lines' sum {}",
                                        total, lines_sum),
                            formatted("Set the total charge to {}.", lines_sum),
                            repair=formatted("total_charge={}", lines_sum)))
    return hits


@rule(
    "adm.frequency_code", title="Claim frequency code misused",
    category=DenialCategory.MISSING_INFORMATION, severity=Severity.REJECT, carc="16",
    fix="A replacement (7) or void (8) must carry the payer's claim number of the original; "
    "the type of bill must end in the frequency code.",
    source=_GUIDE,
    examples=[Example("replacement without the original's number", True,
                      claim={"frequency_code": "7"}),
              Example("replacement with the original's number", False,
                      claim={"frequency_code": "7", "original_claim_ref": "PCN-77"}),
              Example("interim code on a professional claim", True,
                      claim={"frequency_code": "2"}),
              Example("original claim", False)],
)
def frequency_code(ctx: ScrubContext) -> pl.LazyFrame:
    """Frequency 7 or 8 needs ``original_claim_ref``; the code must be one the claim type
    uses (bundled table); an institutional type of bill ends in the frequency code."""
    freq = claim_frequency_codes().lazy().select(
        pl.col("code").alias("frequency_code"), "professional", "institutional",
        "refers_to_prior_claim")
    frame = ctx.claims.join(freq, on="frequency_code", how="left")
    no_ref = frame.filter(pl.col("refers_to_prior_claim").fill_null(False)
                          & pl.col("original_claim_ref").is_null())
    wrong_type = frame.filter(pl.when(pl.col("claim_type") == ClaimType.PROFESSIONAL.value)
                              .then(~pl.col("professional").fill_null(False))
                              .otherwise(~pl.col("institutional").fill_null(False)))
    tob = frame.filter(pl.col("type_of_bill").is_not_null()
                       & (pl.col("type_of_bill").str.slice(-1) != pl.col("frequency_code")))
    return pl.concat([
        finding_frame(no_ref, pl.format("frequency {} without the original claim number",
                                        "frequency_code"),
                      "Add the payer's claim control number of the original (REF*F8)."),
        finding_frame(wrong_type, pl.format("frequency {} is not used on {} claims",
                                            "frequency_code", "claim_type"),
                      "Use frequency 1 (original), 7 (replacement) or 8 (void)."),
        finding_frame(tob, pl.format("type of bill {} does not end in frequency {}",
                                     "type_of_bill", "frequency_code"),
                      "Make the type of bill's last digit the frequency code."),
    ], how="diagonal_relaxed")


@functools.cache
def _frequency_codes() -> dict[str, dict[str, Any]]:
    """The bundled frequency codes by code (read once)."""
    return {r["code"]: r for r in claim_frequency_codes().iter_rows(named=True)}


@single("adm.frequency_code")
def _frequency_code_one(one: OneClaim) -> list[Hit]:
    """One claim: the original's number, the code for the claim type, the type of bill (the
    plan's order, which decides the fix of the claim's finding)."""
    c = one.claim
    code, tob = c["frequency_code"], c["type_of_bill"]
    known = _frequency_codes().get(code) if code is not None else None
    hits = []
    if known is not None and known["refers_to_prior_claim"] and c["original_claim_ref"] is None:
        hits.append(Hit(None, formatted("frequency {} without the original claim number", code),
                        "Add the payer's claim control number of the original (REF*F8)."))
    column = ("professional" if c["claim_type"] == ClaimType.PROFESSIONAL.value
              else "institutional")
    if not (known is not None and known[column]):
        hits.append(Hit(None, formatted("frequency {} is not used on {} claims", code,
                                    c["claim_type"]),
                        "Use frequency 1 (original), 7 (replacement) or 8 (void)."))
    if tob is not None and code is not None and tob[-1:] != code:
        hits.append(Hit(None, formatted("type of bill {} does not end in frequency {}", tob, code),
                        "Make the type of bill's last digit the frequency code."))
    return hits

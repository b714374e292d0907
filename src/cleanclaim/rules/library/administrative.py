"""Administrative rules: what a clearinghouse or payer front end checks before adjudication,
and the payer's administrative policies (duplicates, timely filing, corrected claims).

Sources: the X12 837 implementation guides (005010X222A1 professional, 005010X223A2
institutional) for required data, the NPI standard (CMS) for the check digit, the bundled CMS
place-of-service table, and each payer's own limits (``payers`` table).
"""

from __future__ import annotations

import datetime as dt
import functools

import polars as pl

from ...domain import ClaimType, DenialCategory, Severity
from ...refdata import claim_frequency_codes
from ..api import Example, finding_frame
from ..context import ScrubContext
from ..registry import rule

__all__ = ["npi_is_valid"]

_GUIDE = "X12 837 implementation guides (005010X222A1 / 005010X223A2)"


def _day(d: str) -> dt.date:
    return dt.date.fromisoformat(d)


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
    bad = every.filter(pl.col("_npi").is_not_null() & ~_npi_ok("_npi"))
    fix = pl.when(pl.col("line_number").is_null()).then(
        pl.format("Correct the {} from NPPES.", "_label")).otherwise(
        pl.lit("Correct the line's rendering NPI from NPPES."))
    return finding_frame(bad, pl.format("{} {} is not a valid NPI", "_label", "_npi"), fix,
                         line=pl.col("line_number"), extra={"rarc": pl.col("rarc")})


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


def _signatures(claims: pl.LazyFrame, lines: pl.LazyFrame) -> pl.LazyFrame:
    """claim_id, exact (payer, member, billing NPI, from-date, every line) and loose (payer,
    member, first date, sorted procedure codes) signatures."""
    # Gathered as lists and joined afterwards: joining strings inside the aggregation, and
    # sorting each claim's codes there, cost twice as much (measured on 100,000 claims).
    line_sig = lines.sort("claim_id", "line_number").group_by("claim_id", maintain_order=True
                                                              ).agg(
        pl.concat_str([
            pl.col("procedure_code").fill_null(""), pl.col("revenue_code").fill_null(""),
            pl.col("modifiers").list.join(",").fill_null(""),
            pl.col("units").cast(pl.String), pl.col("charge").cast(pl.String),
            pl.col("service_from").cast(pl.String)], separator="/").alias("_lines"),
        pl.col("procedure_code").fill_null("").alias("_codes"),
        pl.col("service_from").min().alias("_dos"),
    ).with_columns(pl.col("_lines").list.join("|"),
                   pl.col("_codes").list.sort().list.join(","))
    out = claims.select("claim_id", "payer_id", "member_id", "billing_npi", "statement_from",
                        "submitted_on", "frequency_code").join(line_sig, on="claim_id")
    return out.select(
        "claim_id", "submitted_on", "frequency_code",
        pl.concat_str([pl.col("payer_id"), pl.col("member_id"), pl.col("billing_npi"),
                       pl.coalesce("statement_from", "_dos").cast(pl.String), pl.col("_lines")],
                      separator="#").alias("exact"),
        pl.concat_str([pl.col("payer_id"), pl.col("member_id"), pl.col("_dos").cast(pl.String),
                       pl.col("_codes")], separator="#").alias("loose"),
    )


def _originals(frame: pl.LazyFrame) -> pl.LazyFrame:
    return frame.filter(~pl.col("frequency_code").is_in(["7", "8"]))


def _days(claims: pl.LazyFrame, lines: pl.LazyFrame) -> pl.LazyFrame:
    """claim_id, member_id, _day: each claim under the two dates its signatures use."""
    first = lines.group_by("claim_id").agg(pl.col("service_from").min().alias("_dos"))
    both = claims.select("claim_id", "member_id", "statement_from").join(
        first, on="claim_id", how="left")
    return pl.concat([
        both.select("claim_id", "member_id", pl.col("_dos").alias("_day")),
        both.select("claim_id", "member_id", pl.coalesce("statement_from", "_dos")
                    .alias("_day"))])


def _history_near(ctx: ScrubContext, claims: pl.LazyFrame, lines: pl.LazyFrame
                  ) -> tuple[pl.LazyFrame, pl.LazyFrame]:
    """The history claims (and lines) of the batch's members on the batch's dates: the only
    ones a claim of the batch can repeat, since both signatures hold the member and a date.
    Building signatures costs far more than this cut (a stream carrying the previous chunk
    as history spent a third more on duplicates without it)."""
    mine = _days(ctx.claims, ctx.claim_lines).select("member_id", "_day").unique()
    near = _days(claims, lines).join(mine, on=["member_id", "_day"], how="semi").select(
        "claim_id").unique()
    return (claims.join(near, on="claim_id", how="semi"),
            lines.join(near, on="claim_id", how="semi"))


def _duplicates(ctx: ScrubContext, key: str) -> pl.LazyFrame:
    """claim_id, original (the claim it repeats) for claims repeating an earlier one."""
    return ctx.shared(f"duplicates_{key}", lambda: _find_duplicates(ctx, key))


def _find_duplicates(ctx: ScrubContext, key: str) -> pl.LazyFrame:
    mine = ctx.shared("signatures", lambda: _originals(
        _signatures(ctx.claims, ctx.claim_lines))).sort("submitted_on", "claim_id",
                                                         nulls_last=True)
    within = mine.with_columns(pl.col("claim_id").first().over(key).alias("original")
                               ).filter(pl.col("claim_id") != pl.col("original"))
    parts = [within.select("claim_id", "original")]
    if ctx.history_claims is not None and ctx.history_lines is not None:
        hc, hl = ctx.history_claims, ctx.history_lines
        past = ctx.shared("history_signatures",
                          lambda: _originals(_signatures(*_history_near(ctx, hc, hl))))
        past = past.join(mine.select("claim_id"), on="claim_id", how="anti").group_by(key).agg(
            pl.col("claim_id").first().alias("original"))
        parts.append(mine.join(past, on=key).select("claim_id", "original"))
    return pl.concat(parts).unique(subset=["claim_id"], keep="first", maintain_order=True)


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

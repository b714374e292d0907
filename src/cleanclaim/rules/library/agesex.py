"""Age and sex edits: a procedure or a diagnosis the patient's age or sex rules out.

Procedures are judged against the procedure age/sex table (refdata ``procedure-agesex`` or a
payer's ``ref_procedures``), by the line's date of service; diagnoses against the ICD-10-CM
age/sex edits (Medicare Code Editor style, refdata ``icd10cm-agesex``), by the claim's first
date of service. Ages are exact whole years on that date; an unknown age, sex or bound never
fires.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from ...domain import DenialCategory, Severity
from ...refdata import applies_on
from ..api import Example, finding_frame
from ..context import ScrubContext
from ..examples import day as _day
from ..registry import rule, single
from ..single import Hit, OneClaim, Row, formatted, grouped, sequence
from ..single import applies_on as in_force_on

__all__: list[str] = []


def _age(birth: pl.Expr, day: pl.Expr) -> pl.Expr:
    """Exact age in whole years on ``day``."""
    def month_day(d: pl.Expr) -> pl.Expr:
        # dt.month() is Int8: widen before scaling, or the sum overflows.
        return d.dt.month().cast(pl.Int32) * 100 + d.dt.day().cast(pl.Int32)

    return (day.dt.year() - birth.dt.year()
            - (month_day(day) < month_day(birth)).cast(pl.Int32))


def _age_one(birth: dt.date | None, day: dt.date | None) -> int | None:
    """Exact age in whole years on ``day`` (None when either date is)."""
    if birth is None or day is None:
        return None
    return day.year - birth.year - int((day.month, day.day) < (birth.month, birth.day))


def _ages(low: str, high: str) -> pl.Expr:
    """An age range as text: ``18-39``, ``65 and over`` or ``up to 17`` (a bound may be open)."""
    lo, hi = pl.col(low).cast(pl.String), pl.col(high).cast(pl.String)
    return (pl.when(lo.is_null()).then(pl.lit("up to ") + hi)
            .when(hi.is_null()).then(lo + pl.lit(" and over"))
            .otherwise(lo + pl.lit("-") + hi))


def _ages_one(low: int | None, high: int | None) -> str | None:
    """:func:`_ages` of one row."""
    if low is None:
        return None if high is None else f"up to {high}"
    return f"{low} and over" if high is None else f"{low}-{high}"


def _outside(age: int | None, low: int | None, high: int | None) -> bool:
    """Whether ``age`` is below ``low`` or above ``high`` (an unknown bound or age: not)."""
    if age is None:
        return False
    return (low is not None and age < low) or (high is not None and age > high)


def _restricted(ctx: ScrubContext) -> pl.LazyFrame:
    assert ctx.reference.restrictions is not None
    r = ctx.reference.restrictions.select(pl.col("code").alias("procedure_code"), "sex",
                                          "min_age", "max_age", "valid_from", "valid_before")
    return ctx.claim_lines.join(r, on="procedure_code").filter(
        applies_on("service_from")).with_columns(
        _age(pl.col("patient_birth_date"), pl.col("dos")).alias("_age"))


def _restricted_one(one: OneClaim) -> list[tuple[Row, Row, int | None]]:
    """One claim's (line, restriction in force on its DOS, patient's age on the first DOS)."""
    def build() -> list[tuple[Row, Row, int | None]]:
        index = one.reference.index("restrictions", "code")
        return [(ln, r, _age_one(ln["patient_birth_date"], ln["dos"])) for ln in one.lines
                if ln["procedure_code"] is not None
                for r in index.get(ln["procedure_code"], ())
                if in_force_on(r, ln["service_from"])]
    return one.shared("coding.restricted", build)  # type: ignore[no-any-return]


@rule(
    "code.age_conflict", title="Procedure not valid for the patient's age",
    category=DenialCategory.CODING, severity=Severity.DENY, carc="6",
    fix="Bill the code of the patient's age band (age on the date of service).",
    source="procedure age/sex table (refdata procedure-agesex, or the payer's ref_procedures)",
    needs=["restrictions"],
    examples=[Example("18-39 preventive visit for a 44-year-old", True,
                      lines=({"procedure_code": "99395", "charge": "220"},), line=1),
              Example("office visit", False)],
)
def age_conflict(ctx: ScrubContext) -> pl.LazyFrame:
    """The patient's exact age on the first DOS is outside the code's age range."""
    frame = _restricted(ctx).filter(
        ((pl.col("_age") < pl.col("min_age")) | (pl.col("_age") > pl.col("max_age")))
        .fill_null(False))
    return finding_frame(frame, pl.format("{} is for ages {}; patient is {}",
                                          "procedure_code", _ages("min_age", "max_age"), "_age"),
                         "Bill the code for the patient's age band, or correct the birth date.",
                         line=pl.col("line_number"))


@single("code.age_conflict")
def _age_conflict_one(one: OneClaim) -> list[Hit]:
    """One claim: restricted lines whose patient's age is outside the code's range."""
    return [Hit(ln["line_number"],
                formatted("{} is for ages {}; patient is {}", ln["procedure_code"],
                          _ages_one(r["min_age"], r["max_age"]), age),
                "Bill the code for the patient's age band, or correct the birth date.")
            for ln, r, age in _restricted_one(one)
            if _outside(age, r["min_age"], r["max_age"])]


@rule(
    "code.sex_conflict", title="Procedure not valid for the patient's sex",
    category=DenialCategory.CODING, severity=Severity.DENY, carc="7",
    fix="Check the patient's sex on the claim; bill a code that fits it.",
    source="procedure age/sex table (refdata procedure-agesex, or the payer's ref_procedures)",
    needs=["restrictions"],
    examples=[Example("screening mammography for a male patient", True,
                      claim={"patient_sex": "M"},
                      lines=({"procedure_code": "77067", "charge": "280"},), line=1),
              Example("for a female patient", False,
                      lines=({"procedure_code": "77067", "charge": "280"},)),
              Example("modifier KX: the sex-specific service fits this patient", False,
                      claim={"patient_sex": "M"},
                      lines=({"procedure_code": "77067", "charge": "280",
                              "modifiers": ["KX"]},))],
)
def sex_conflict(ctx: ScrubContext) -> pl.LazyFrame:
    """The code is restricted to one sex and the patient's sex (M/F) is the other, and the
    line has no modifier KX (CMS's way to say a sex-specific service fits the patient, e.g.
    for a transgender patient)."""
    kx = pl.col("modifiers").list.contains("KX").fill_null(False)
    frame = _restricted(ctx).filter(
        pl.col("sex").is_not_null() & pl.col("patient_sex").is_in(["M", "F"])
        & (pl.col("patient_sex") != pl.col("sex")) & ~kx)
    return finding_frame(frame, pl.format("{} is for sex {}; patient is {}", "procedure_code",
                                          "sex", "patient_sex"),
                         "Correct the patient's sex or the procedure code.",
                         line=pl.col("line_number"))


@single("code.sex_conflict")
def _sex_conflict_one(one: OneClaim) -> list[Hit]:
    """One claim: lines restricted to the other sex, without modifier KX."""
    return [Hit(ln["line_number"],
                formatted("{} is for sex {}; patient is {}", ln["procedure_code"], r["sex"],
                      ln["patient_sex"]),
                "Correct the patient's sex or the procedure code.")
            for ln, r, _ in _restricted_one(one)
            if r["sex"] is not None and ln["patient_sex"] in ("M", "F")
            and ln["patient_sex"] != r["sex"] and "KX" not in sequence(ln["modifiers"])]


_MCE = "CMS Medicare Code Editor age/sex edits (refdata icd10cm-agesex: derived or imported)"


def _dx_restricted(ctx: ScrubContext) -> pl.LazyFrame:
    """Diagnoses with an edit in force on the claim's first DOS, with the patient's age."""
    assert ctx.reference.dx_restrictions is not None
    edits = ctx.reference_rows("dx_restrictions", "code", ctx.claim_diagnoses.select("code"))
    claims = ctx.claims.select("claim_id", "dos", "patient_sex", "patient_birth_date")
    return ctx.claim_diagnoses.select("claim_id", "sequence", "code").join(
        edits.select("code", "edit", "sex", "min_age", "max_age", "valid_from",
                     "valid_before"), on="code").join(claims, on="claim_id").filter(
        applies_on("dos")).with_columns(
        _age(pl.col("patient_birth_date"), pl.col("dos")).alias("_age"))


def _dx_restricted_one(one: OneClaim) -> list[tuple[Row, Row]]:
    """One claim's (diagnosis, edit in force on the first DOS)."""
    def build() -> list[tuple[Row, Row]]:
        edits = grouped(one.reference_rows("dx_restrictions", "code",
                                            (dx["code"] for dx in one.diagnoses)), "code")
        dos = one.claim["dos"]
        return [(dx, e) for dx in one.diagnoses for e in edits.get(dx["code"], ())
                if in_force_on(e, dos)]
    return one.shared("coding.dx_restricted", build)  # type: ignore[no-any-return]


@rule(
    "code.dx_age_conflict", title="Diagnosis not possible at the patient's age",
    category=DenialCategory.CODING, severity=Severity.DENY, carc="9",
    fix="Check the birth date and the diagnosis: one of them is wrong for this patient.",
    source=_MCE, needs=["dx_restrictions"],
    examples=[Example("pregnancy supervision for a 70-year-old", True, diagnoses=("Z3400",),
                      claim={"patient_birth_date": _day("1954-06-01")}),
              Example("pregnancy supervision for a 44-year-old", False,
                      diagnoses=("Z3400",)),
              Example("newborn exam for an adult", True, diagnoses=("Z00110",))],
)
def dx_age_conflict(ctx: ScrubContext) -> pl.LazyFrame:
    """A diagnosis's age edit (newborn 0, pediatric 0-17, maternity 9-64, adult 15-124, or
    the imported range) excludes the patient's exact age on the first DOS."""
    frame = _dx_restricted(ctx).filter(
        pl.col("sex").is_null() & ((pl.col("_age") < pl.col("min_age"))
                                   | (pl.col("_age") > pl.col("max_age"))).fill_null(False))
    return finding_frame(frame, pl.format("diagnosis {} (position {}) is a {} diagnosis (ages "
                                          "{}); patient is {}", "code", "sequence", "edit",
                                          _ages("min_age", "max_age"), "_age"),
                         "Correct the birth date or code the diagnosis that fits the patient.")


@single("code.dx_age_conflict")
def _dx_age_conflict_one(one: OneClaim) -> list[Hit]:
    """One claim: diagnoses whose age edit excludes the patient's age on the first DOS."""
    age = _age_one(one.claim["patient_birth_date"], one.claim["dos"])
    return [Hit(None, formatted("diagnosis {} (position {}) is a {} diagnosis (ages {}); "
                                "patient is {}", dx["code"], dx["sequence"], e["edit"],
                                _ages_one(e["min_age"], e["max_age"]), age),
                "Correct the birth date or code the diagnosis that fits the patient.")
            for dx, e in _dx_restricted_one(one)
            if e["sex"] is None and _outside(age, e["min_age"], e["max_age"])]


@rule(
    "code.dx_sex_conflict", title="Diagnosis not possible for the patient's sex",
    category=DenialCategory.CODING, severity=Severity.DENY, carc="10",
    fix="Check the patient's sex and the diagnosis: one of them is wrong for this patient.",
    source=_MCE, needs=["dx_restrictions"],
    examples=[Example("prostate hyperplasia for a female patient", True, diagnoses=("N400",)),
              Example("prostate hyperplasia for a male patient", False, diagnoses=("N400",),
                      claim={"patient_sex": "M"})],
)
def dx_sex_conflict(ctx: ScrubContext) -> pl.LazyFrame:
    """A diagnosis is for one sex (male / female edit in force on the first DOS) and the
    patient's sex (M/F) is the other. The derived table (the default) ends its sex edits on
    2024-10-01, when the MCE stopped them; an imported list applies for its own dates."""
    frame = _dx_restricted(ctx).filter(
        pl.col("sex").is_not_null() & pl.col("patient_sex").is_in(["M", "F"])
        & (pl.col("patient_sex") != pl.col("sex")))
    return finding_frame(frame, pl.format("diagnosis {} (position {}) is a {} diagnosis; "
                                          "patient is {}", "code", "sequence", "edit",
                                          "patient_sex"),
                         "Correct the patient's sex or the diagnosis code.")


@single("code.dx_sex_conflict")
def _dx_sex_conflict_one(one: OneClaim) -> list[Hit]:
    """One claim: diagnoses of the other sex's edit."""
    sex = one.claim["patient_sex"]
    return [Hit(None, formatted("diagnosis {} (position {}) is a {} diagnosis; patient is {}",
                            dx["code"], dx["sequence"], e["edit"], sex),
                "Correct the patient's sex or the diagnosis code.")
            for dx, e in _dx_restricted_one(one)
            if e["sex"] is not None and sex in ("M", "F") and sex != e["sex"]]

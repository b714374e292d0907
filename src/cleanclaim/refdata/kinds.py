"""The kinds of reference table the store keeps, and how their releases map to dates of service.

Every table is effective-dated. A release of a kind is in force from its ``effective_from`` until
the next release of the same kind takes over (or its own ``effective_before``, whichever comes
first): that is the release "in force on the date of service". Inside a release, tables whose
rows carry their own dates (NCCI PTP and add-on code edits, HCPCS codes) narrow that window per
row.

Releases are named by a label; :func:`release_start` reads the usual labels (``2026Q1``,
``FY2026``, ``2026-01-01``, ``2026``) so users rarely have to give dates by hand.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

__all__ = [
    "KIND_SPECS",
    "KindSpec",
    "Origin",
    "RefKind",
    "fiscal_year_window",
    "quarter_start",
    "release_start",
]


class RefKind(StrEnum):
    """A kind of importable reference table; the value is the CLI name."""

    PTP_PRACTITIONER = "ptp-practitioner"
    PTP_HOSPITAL = "ptp-hospital"
    MUE_PRACTITIONER = "mue-practitioner"
    MUE_FACILITY = "mue-facility"
    MUE_DME = "mue-dme"
    AOC = "aoc"
    ICD10CM = "icd10cm-order"
    HCPCS = "hcpcs"
    CPT = "cpt-list"
    TAXONOMY = "taxonomy"
    ICD10CM_AGE_SEX = "icd10cm-agesex"
    PROCEDURE_AGE_SEX = "procedure-agesex"
    COVERAGE_POLICY = "coverage-policy"


class Origin(StrEnum):
    """Where the content of a release came from; findings cite it."""

    IMPORTED = "imported"
    """Loaded by the user from a file (normally the official download)."""
    BUNDLED = "bundled"
    """Real public data shipped with the product or its dependencies (ICD-10-CM)."""
    SYNTHETIC = "synthetic"
    """Invented by :mod:`cleanclaim.refdata.synthetic`; never a real CMS edit or code."""
    DERIVED = "derived"
    """Built by cleanclaim from public facts with a documented rule set (ICD-10-CM age/sex
    edits from chapter and category rules, procedure age/sex from code structure); not an
    official file: import the official or the payer's own list to replace it."""
    EXAMPLE = "example"
    """A small illustrative table written by the project (coverage policies); not a payer's
    or CMS policy: import the policies that apply to replace it."""


@dataclass(frozen=True, slots=True)
class KindSpec:
    """What the store needs to know about a kind."""

    kind: RefKind
    table: str
    """Logical table the kind feeds (kinds of one table differ by ``setting``)."""
    setting: str | None
    """practitioner / hospital / facility / dme for NCCI tables, else None."""
    rows_dated: bool
    """Rows carry their own dates, so the oldest release also answers for earlier dates."""
    title: str


_P, _H = "practitioner", "hospital"
KIND_SPECS: dict[RefKind, KindSpec] = {
    s.kind: s
    for s in (
        KindSpec(RefKind.PTP_PRACTITIONER, "ptp", _P, True, "NCCI PTP edits, practitioner"),
        KindSpec(RefKind.PTP_HOSPITAL, "ptp", _H, True, "NCCI PTP edits, outpatient hospital"),
        KindSpec(RefKind.MUE_PRACTITIONER, "mue", _P, False, "MUE, practitioner"),
        KindSpec(RefKind.MUE_FACILITY, "mue", "facility", False, "MUE, outpatient hospital"),
        KindSpec(RefKind.MUE_DME, "mue", "dme", False, "MUE, DME supplier"),
        # CMS publishes one Medicare add-on code file for every setting, so no setting here.
        KindSpec(RefKind.AOC, "aoc", None, True, "NCCI add-on code edits"),
        KindSpec(RefKind.ICD10CM, "icd10cm", None, False, "ICD-10-CM code set"),
        KindSpec(RefKind.HCPCS, "hcpcs", None, True, "HCPCS Level II codes"),
        KindSpec(RefKind.CPT, "cpt", None, False, "CPT code list (codes only)"),
        KindSpec(RefKind.TAXONOMY, "taxonomy", None, True, "NUCC provider taxonomy"),
        KindSpec(RefKind.ICD10CM_AGE_SEX, "dx_agesex", None, True,
                 "ICD-10-CM age/sex edits (Medicare Code Editor style)"),
        KindSpec(RefKind.PROCEDURE_AGE_SEX, "px_agesex", None, True,
                 "Procedure age/sex restrictions"),
        KindSpec(RefKind.COVERAGE_POLICY, "coverage", None, True,
                 "Coverage policies (LCD/NCD style): diagnoses covering procedures"),
    )
}


def quarter_start(day: date) -> date:
    """First day of the calendar quarter holding ``day`` (NCCI releases start on these)."""
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def fiscal_year_window(year: int) -> tuple[date, date]:
    """Federal fiscal year ``year``: Oct 1 of ``year - 1`` up to (excluding) Oct 1 of ``year``."""
    return date(year - 1, 10, 1), date(year, 10, 1)


_QUARTER = re.compile(r"^(\d{4})[-_ ]?Q([1-4])\b", re.IGNORECASE)
_FISCAL = re.compile(r"^FY[-_ ]?(\d{4})\b", re.IGNORECASE)
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_YEAR = re.compile(r"^(\d{4})$")


def release_start(kind: RefKind, label: str) -> date | None:
    """The first day a release named ``label`` is in force, when the label says it.

    ``2026Q1`` is Jan 1, 2026; ``FY2026`` is Oct 1, 2025; ``2026-04-01`` is that day; a bare year is
    a fiscal year for ICD-10-CM and its age/sex edits (the Medicare Code Editor follows the
    fiscal year) and Jan 1 otherwise (CPT and HCPCS annual updates).
    """
    label = label.strip()
    if m := _QUARTER.match(label):
        return date(int(m[1]), 3 * (int(m[2]) - 1) + 1, 1)
    if m := _FISCAL.match(label):
        return fiscal_year_window(int(m[1]))[0]
    if m := _ISO.match(label):
        return date(int(m[1]), int(m[2]), int(m[3]))
    if m := _YEAR.match(label):
        year = int(m[1])
        fiscal = kind in (RefKind.ICD10CM, RefKind.ICD10CM_AGE_SEX)
        return fiscal_year_window(year)[0] if fiscal else date(year, 1, 1)
    return None

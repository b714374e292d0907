"""Eligibility rules: is the member known, covered on the date of service, the right person,
covered by this payer first, and is the billing provider in its network. What the plan covers
(exclusions, benefit limits) is in :mod:`.coverage`.

Every rule here resolves the claim's payer and member ID to a coverage (the shared
``ScrubContext.eligibility`` join) and judges the first date of service.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import polars as pl

from ...domain import DenialCategory, Severity
from ..api import Example, finding_frame
from ..context import ScrubContext
from ..examples import day as _day
from ..registry import rule, single
from ..single import Hit, OneClaim, formatted

__all__: list[str] = []

_ELIG = "payer eligibility file (X12 834 / 271)"


def _elig(ctx: ScrubContext) -> pl.LazyFrame:
    return ctx.eligibility.join(
        ctx.claims.select("claim_id", "payer_id", "member_id", "dos"), on="claim_id")




@rule(
    "elig.member_unknown", title="Member ID unknown to every payer",
    category=DenialCategory.ELIGIBILITY, severity=Severity.DENY, carc="31",
    fix="Check the member ID against the card or run an eligibility inquiry (270) and correct it.",
    source=_ELIG, needs=["coverages"],
    examples=[Example("member ID never issued", True, claim={"member_id": "ABC999999"}),
              Example("member ID on file", False)],
)
def member_unknown(ctx: ScrubContext) -> pl.LazyFrame:
    """The member ID matches no coverage of any payer and no member record."""
    bad = _elig(ctx).filter(~pl.col("has_coverage") & ~pl.col("known_elsewhere"))
    return finding_frame(bad, pl.format("member ID {} is not known to payer {}",
                                        "member_id", "payer_id"),
                         "Correct the member ID from the member's card or a 270 inquiry.")


@single("elig.member_unknown")
def _member_unknown_one(one: OneClaim) -> list[Hit]:
    """One claim: the member ID is known to no payer and no member record."""
    e, c = one.eligibility, one.claim
    if e["has_coverage"] or e["known_elsewhere"]:
        return []
    return [Hit(None, formatted("member ID {} is not known to payer {}", c["member_id"],
                              c["payer_id"]),
                "Correct the member ID from the member's card or a 270 inquiry.")]


@rule(
    "elig.wrong_payer", title="Claim sent to a payer the member has no coverage with",
    category=DenialCategory.ELIGIBILITY, severity=Severity.DENY, carc="109",
    fix="Send the claim to the payer that covers the member on the date of service.",
    source=_ELIG, needs=["coverages"],
    examples=[Example("ID belongs to another payer", True, claim={"payer_id": "PAY02"}),
              Example("sent to the member's payer", False)],
)
def wrong_payer(ctx: ScrubContext) -> pl.LazyFrame:
    """The member ID has no coverage with this payer but is known elsewhere."""
    bad = _elig(ctx).filter(~pl.col("has_coverage") & pl.col("known_elsewhere"))
    return finding_frame(bad, pl.format("member ID {} has no coverage with payer {}",
                                        "member_id", "payer_id"),
                         "Route the claim to the member's payer on the date of service.")


@single("elig.wrong_payer")
def _wrong_payer_one(one: OneClaim) -> list[Hit]:
    """One claim: the member ID is known, but not with this payer."""
    e, c = one.eligibility, one.claim
    if e["has_coverage"] or not e["known_elsewhere"]:
        return []
    return [Hit(None, formatted("member ID {} has no coverage with payer {}", c["member_id"],
                              c["payer_id"]),
                "Route the claim to the member's payer on the date of service.")]


@rule(
    "elig.coverage_inactive", title="Coverage ended before the date of service",
    category=DenialCategory.ELIGIBILITY, severity=Severity.DENY, carc="27",
    fix="Verify eligibility for the date of service; bill the new payer or the patient.",
    source=_ELIG, needs=["coverages"],
    examples=[
        Example("coverage ended the day before", True,
                lines=({"service_from": _day("2025-07-01")},),
                claim={"statement_from": _day("2025-07-01"),
                       "statement_to": _day("2025-07-01"), "submitted_on": _day("2025-07-02")}),
        Example("service on the last covered day", False,
                lines=({"service_from": _day("2025-06-30")},),
                claim={"statement_from": _day("2025-06-30"),
                       "statement_to": _day("2025-06-30"), "submitted_on": _day("2025-07-02")}),
    ],
)
def coverage_inactive(ctx: ScrubContext) -> pl.LazyFrame:
    """Coverage with this payer exists but none is in force on the first date of service, and
    the latest one ended before it."""
    bad = _elig(ctx).filter(pl.col("has_coverage") & ~pl.col("active")
                            & pl.col("last_end").is_not_null())
    days = (pl.col("dos") - pl.col("last_end")).dt.total_days()
    msg = pl.format("coverage ended {} ({} day(s) before the service on {})",
                    "last_end", days, "dos")
    return finding_frame(bad, msg, "Verify eligibility on the date of service; bill the "
                         "payer in force then, or the patient.")


@single("elig.coverage_inactive")
def _coverage_inactive_one(one: OneClaim) -> list[Hit]:
    """One claim: its coverage with this payer ended before the first date of service."""
    e, dos = one.eligibility, one.claim["dos"]
    if not e["has_coverage"] or e["active"] or e["last_end"] is None:
        return []
    days = (dos - e["last_end"]).days
    return [Hit(None, formatted("coverage ended {} ({} day(s) before the service on {})",
                              e["last_end"], days, dos),
                "Verify eligibility on the date of service; bill the payer in force then, "
                "or the patient.")]


@rule(
    "elig.coverage_not_started", title="Coverage not yet in force on the date of service",
    category=DenialCategory.ELIGIBILITY, severity=Severity.DENY, carc="26",
    fix="Verify the coverage start; bill the prior payer or the patient.",
    source=_ELIG, needs=["coverages"],
    examples=[
        Example("service the day before coverage starts", True,
                lines=({"service_from": _day("2024-12-31")},),
                claim={"statement_from": _day("2024-12-31"),
                       "statement_to": _day("2024-12-31"), "submitted_on": _day("2025-01-05")}),
        Example("service on the first covered day", False,
                lines=({"service_from": _day("2025-01-01")},),
                claim={"statement_from": _day("2025-01-01"),
                       "statement_to": _day("2025-01-01"), "submitted_on": _day("2025-01-05")}),
    ],
)
def coverage_not_started(ctx: ScrubContext) -> pl.LazyFrame:
    """Coverage with this payer exists but only from a later date."""
    bad = _elig(ctx).filter(pl.col("has_coverage") & ~pl.col("active")
                            & pl.col("last_end").is_null() & pl.col("next_start").is_not_null())
    msg = pl.format("coverage starts {}, service on {}", "next_start", "dos")
    return finding_frame(bad, msg, "Bill the payer in force on the date of service.")


@single("elig.coverage_not_started")
def _coverage_not_started_one(one: OneClaim) -> list[Hit]:
    """One claim: its coverage with this payer starts after the first date of service."""
    e = one.eligibility
    if (not e["has_coverage"] or e["active"] or e["last_end"] is not None
            or e["next_start"] is None):
        return []
    return [Hit(None, formatted("coverage starts {}, service on {}", e["next_start"],
                              one.claim["dos"]),
                "Bill the payer in force on the date of service.")]


def _demo(ctx: ScrubContext) -> pl.LazyFrame:
    assert ctx.members is not None
    members = ctx.members.select(
        pl.col("member_id").alias("person_id"), "first_name", "last_name", "birth_date",
        pl.col("sex").alias("member_sex"))
    claims = ctx.claims.select("claim_id", "patient_first_name", "patient_last_name",
                               "patient_birth_date", "patient_sex")
    return (ctx.eligibility.filter(pl.col("active")).select("claim_id", "person_id")
            .join(members, on="person_id").join(claims, on="claim_id"))


def _demo_one(one: OneClaim) -> list[dict[str, Any]]:
    """The member records of the person the claim's active coverage covers."""
    person = one.eligibility["person_id"]
    if not one.eligibility["active"] or person is None:
        return []
    return [m for m in one.members or () if m["member_id"] == person]


def _norm(col: str) -> pl.Expr:
    return pl.col(col).str.to_uppercase().str.replace_all(r"[^A-Z]", "")


_NOT_LETTER = re.compile(r"[^A-Z]")


def _norm_one(name: str | None) -> str | None:
    return None if name is None else _NOT_LETTER.sub("", name.upper())


def _differ(a: Any, b: Any) -> bool:
    """``(a != b).fill_null(False)``: only two present, unequal values differ."""
    return a is not None and b is not None and a != b


@rule(
    "elig.patient_name_mismatch", title="Patient name differs from enrolment",
    category=DenialCategory.ELIGIBILITY, severity=Severity.DENY, carc="140",
    fix="Bill the patient's name exactly as enrolled (check the card).",
    source=_ELIG, needs=["coverages", "members"],
    examples=[Example("last name misspelt", True, claim={"patient_last_name": "LOPES"}),
              Example("name as enrolled, other case", False,
                      claim={"patient_first_name": "Ana"})],
)
def patient_name_mismatch(ctx: ScrubContext) -> pl.LazyFrame:
    """Patient first or last name (letters only, any case) differs from the member's."""
    # Names equal as written are equal once normalized: only the others are normalized.
    frame = _demo(ctx).filter(
        (pl.col("patient_last_name") != pl.col("last_name")).fill_null(False)
        | (pl.col("patient_first_name") != pl.col("first_name")).fill_null(False)).filter(
        (_norm("patient_last_name") != _norm("last_name")).fill_null(False)
        | (_norm("patient_first_name") != _norm("first_name")).fill_null(False))
    msg = pl.format("patient {} {} is enrolled as {} {}", "patient_first_name",
                    "patient_last_name", "first_name", "last_name")
    fix = pl.format("Bill the patient as {} {} (enrolled name).", "first_name", "last_name")
    return finding_frame(frame, msg, fix)


@single("elig.patient_name_mismatch")
def _patient_name_mismatch_one(one: OneClaim) -> list[Hit]:
    """One claim: the patient's name, letters only, differs from the enrolled one."""
    c = one.claim
    first, last = c["patient_first_name"], c["patient_last_name"]
    hits = []
    for m in _demo_one(one):
        if not (_differ(last, m["last_name"]) or _differ(first, m["first_name"])):
            continue
        if not (_differ(_norm_one(last), _norm_one(m["last_name"]))
                or _differ(_norm_one(first), _norm_one(m["first_name"]))):
            continue
        hits.append(Hit(None, formatted("patient {} {} is enrolled as {} {}", first, last,
                                      m["first_name"], m["last_name"]),
                        formatted("Bill the patient as {} {} (enrolled name).",
                                m["first_name"], m["last_name"])))
    return hits


@rule(
    "elig.patient_demographics_mismatch", title="Patient birth date or sex differs from enrolment",
    category=DenialCategory.ELIGIBILITY, severity=Severity.DENY, carc="31",
    fix="Correct the birth date or sex to the enrolled values, or update enrolment.",
    source=_ELIG, needs=["coverages", "members"],
    examples=[Example("birth date off by a day", True,
                      claim={"patient_birth_date": _day("1980-05-05")}),
              Example("birth date and sex as enrolled", False)],
)
def patient_demographics_mismatch(ctx: ScrubContext) -> pl.LazyFrame:
    """Patient birth date or sex on the claim differs from the member's."""
    frame = _demo(ctx).filter(
        (pl.col("patient_birth_date") != pl.col("birth_date")).fill_null(False)
        | (pl.col("patient_sex") != pl.col("member_sex")).fill_null(False))
    msg = pl.format("patient born {} sex {}; enrolled born {} sex {}", "patient_birth_date",
                    "patient_sex", "birth_date", "member_sex")
    return finding_frame(frame, msg, pl.format(
        "Use the enrolled birth date {} and sex {} if the card confirms them.",
        "birth_date", "member_sex"))


@single("elig.patient_demographics_mismatch")
def _patient_demographics_mismatch_one(one: OneClaim) -> list[Hit]:
    """One claim: the patient's birth date or sex differs from the enrolled one."""
    c = one.claim
    born, sex = c["patient_birth_date"], c["patient_sex"]
    return [Hit(None, formatted("patient born {} sex {}; enrolled born {} sex {}", born, sex,
                              m["birth_date"], m["sex"]),
                formatted("Use the enrolled birth date {} and sex {} if the card confirms them.",
                        m["birth_date"], m["sex"]))
            for m in _demo_one(one)
            if _differ(born, m["birth_date"]) or _differ(sex, m["sex"])]


@rule(
    "elig.other_payer_primary", title="Another payer is primary (coordination of benefits)",
    category=DenialCategory.COB, severity=Severity.DENY, carc="22", rarc="MA04",
    fix="Bill the primary payer first, then this payer with the primary's payment (COB).",
    source=_ELIG, needs=["coverages"],
    examples=[Example("sent as primary to the secondary payer", True, claim={
        "member_id": "XYZ000111", "patient_first_name": "BEN", "patient_last_name": "KING",
        "patient_birth_date": _day("1970-02-01"), "patient_sex": "M"}),
              Example("sent to the primary payer", False)],
)
def other_payer_primary(ctx: ScrubContext) -> pl.LazyFrame:
    """The coverage is secondary (COB order above 1) and another payer's coverage of the same
    person with a lower order is in force on the date of service."""
    assert ctx.coverages is not None
    mine = _elig(ctx).filter(pl.col("active") & (pl.col("cob_order") > 1))
    others = ctx.coverages.select(
        pl.col("member_id").alias("person_id"), pl.col("payer_id").alias("other_payer"),
        pl.col("cob_order").alias("other_order"), "effective_date", "termination_date")
    hits = mine.join(others, on="person_id").filter(
        (pl.col("other_payer") != pl.col("payer_id"))
        & (pl.col("other_order") < pl.col("cob_order"))
        & (pl.col("effective_date") <= pl.col("dos"))
        & (pl.col("termination_date").is_null() | (pl.col("dos") <= pl.col("termination_date"))))
    hits = hits.unique(subset=["claim_id"], keep="first", maintain_order=True)
    return finding_frame(hits, pl.format("payer {} is primary on {}; {} is secondary",
                                         "other_payer", "dos", "payer_id"),
                         pl.format("Bill payer {} first, then this payer with its payment.",
                                   "other_payer"))


@single("elig.other_payer_primary")
def _other_payer_primary_one(one: OneClaim) -> list[Hit]:
    """One claim: the first other payer found primary for the person on the date of service."""
    e, c = one.eligibility, one.claim
    order, dos, payer = e["cob_order"], c["dos"], c["payer_id"]
    if not e["active"] or e["person_id"] is None or order is None or order <= 1:
        return []
    for other in one.coverages or ():
        start, end = other["effective_date"], other["termination_date"]
        if (other["member_id"] == e["person_id"] and _differ(other["payer_id"], payer)
                and other["cob_order"] is not None and other["cob_order"] < order
                and start is not None and start <= dos and (end is None or dos <= end)):
            return [Hit(None, formatted("payer {} is primary on {}; {} is secondary",
                                      other["payer_id"], dos, payer),
                        formatted("Bill payer {} first, then this payer with its payment.",
                                other["payer_id"]))]
    return []


@rule(
    "elig.provider_out_of_network", title="Billing provider not in the payer's network",
    category=DenialCategory.COVERAGE, severity=Severity.WARN, carc="242",
    fix="Check the provider's participation on the date of service; an out-of-network claim "
    "may pay less or need a referral or gap exception.",
    source="payer provider directory (providers table)", needs=["providers"],
    examples=[Example("unknown billing NPI at this payer", True,
                      claim={"billing_npi": "1987654328"}),
              Example("in-network clinic", False)],
)
def provider_out_of_network(ctx: ScrubContext) -> pl.LazyFrame:
    """The billing NPI is unknown to the payer, out of network, or its network dates do not
    cover the first date of service (a warning: out-of-network care may still be paid)."""
    assert ctx.providers is not None
    prov = ctx.providers.select(
        "payer_id", pl.col("npi").alias("billing_npi"), "network_status", "network_effective",
        "network_termination", pl.lit(True).alias("_known"))
    frame = ctx.claims.select("claim_id", "payer_id", "billing_npi", "dos").join(
        prov, on=["payer_id", "billing_npi"], how="left")
    in_net = ((pl.col("network_status") == "in_network")
              & (pl.col("network_effective").is_null()
                 | (pl.col("network_effective") <= pl.col("dos")))
              & (pl.col("network_termination").is_null()
                 | (pl.col("dos") <= pl.col("network_termination"))))
    bad = frame.filter(~in_net.fill_null(False))
    msg = pl.when(pl.col("_known").is_null()).then(
        pl.format("billing NPI {} is not known to payer {}", "billing_npi", "payer_id")
    ).otherwise(pl.format("billing NPI {} is not in network with payer {} on {}",
                          "billing_npi", "payer_id", "dos"))
    return finding_frame(bad, msg, "Confirm participation; get a referral or network "
                         "exception, or tell the patient about out-of-network costs.")


def _in_network(p: dict[str, Any], dos: dt.date | None) -> bool:
    """The plan's ``in_net`` with nulls read as not in network."""
    start, end = p["network_effective"], p["network_termination"]
    return (p["network_status"] == "in_network"
            and (start is None or (dos is not None and start <= dos))
            and (end is None or (dos is not None and dos <= end)))


@single("elig.provider_out_of_network")
def _provider_out_of_network_one(one: OneClaim) -> list[Hit]:
    """One claim: the billing NPI unknown to the payer or not in network on the DOS."""
    c = one.claim
    payer, npi, dos = c["payer_id"], c["billing_npi"], c["dos"]
    fix = ("Confirm participation; get a referral or network exception, or tell the patient "
           "about out-of-network costs.")
    known = [p for p in one.providers or ()
             if payer is not None and npi is not None
             and p["payer_id"] == payer and p["npi"] == npi]
    if not known:
        return [Hit(None, formatted("billing NPI {} is not known to payer {}", npi, payer), fix)]
    return [Hit(None, formatted("billing NPI {} is not in network with payer {} on {}",
                              npi, payer, dos), fix)
            for p in known if not _in_network(p, dos)]

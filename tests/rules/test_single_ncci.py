"""The NCCI rules' one-claim kernels on the branches the rule examples and the synthetic world
leave out: bypass modifiers on either line of a pair, lines of another provider or date, dated
edits, institutional MUE values, fractional units, per-day units from history (another
provider, a corrected claim, a history claim without a frequency code) and add-ons whose edit
or primary is on another date."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal
from typing import Any

import polars as pl
import pytest

from cleanclaim.domain import Claim, ClaimType
from cleanclaim.rules import Context, Example, Reference
from cleanclaim.rules.examples import OTHER_NPI, example_claim, example_context, example_reference

from .equivalence import kernel_findings

PTP, MUE, ADDON = "code.ptp_unbundled", "code.mue_exceeded", "code.addon_without_primary"

DOS = dt.date(2025, 3, 10)
LATER = dt.date(2025, 7, 1)
WINDOW = {"valid_from": pl.Date, "valid_before": pl.Date}


def _frame(rows: list[tuple[Any, ...]], schema: dict[str, Any]) -> pl.LazyFrame:
    return pl.DataFrame(rows, schema={**schema, **WINDOW}, orient="row").lazy()


def _reference() -> Reference:
    """The example reference with edits, values and add-ons that change on 1 June 2025."""
    june = dt.date(2025, 6, 1)
    ptp = _frame([("20610", "99213", 1, None, None), ("29881", "29880", 0, None, None),
                  ("72148", "97110", 1, None, june), ("72148", "97110", 0, june, None),
                  ("97110", "97140", 9, None, None)],
                 {"column1": pl.String, "column2": pl.String, "modifier_indicator": pl.Int64})
    mue = _frame([("99213", 1, 1, None, None), ("20610", 2, 2, None, None),
                  ("J3301", 8, 3, None, None), ("97110", 4, 1, None, june),
                  ("97110", 2, 2, june, None)],
                 {"code": pl.String, "mue_value": pl.Int64, "adjudication_indicator": pl.Int64})
    addon = _frame([("99417", "99215", None, None), ("99417", "99205", None, None),
                    ("11045", "11042", june, None)],
                   {"addon_code": pl.String, "primary_code": pl.String})
    return replace(example_reference(), ptp=ptp, mue=mue, addon=addon)


def _context() -> Context:
    return replace(example_context(), reference=_reference())


def _line(code: str, **change: Any) -> dict[str, Any]:
    return {"procedure_code": code, "charge": "100", **change}


def _claim(*lines: dict[str, Any], **header: Any) -> Claim:
    return example_claim(Example("case", True, claim=header, lines=lines))


INSTITUTIONAL = {"claim_type": ClaimType.INSTITUTIONAL, "type_of_bill": "0131"}
ON_LATER = {"statement_from": LATER, "statement_to": LATER}

CASES: list[tuple[str, str, Claim, Context | None, bool]] = [
    # (name, rule, claim, context (None: the example context), finds)
    ("bypass modifier on the column-1 line", PTP,
     _claim(_line("20610", modifiers=["59"]), _line("99213")), None, False),
    ("unknown modifier does not bypass", PTP,
     _claim(_line("20610", modifiers=["QQ"]), _line("99213")), None, True),
    ("pair of another provider", PTP,
     _claim(_line("20610"), _line("99213", rendering_npi=OTHER_NPI)), None, False),
    ("three lines, two pairs", PTP,
     _claim(_line("20610"), _line("99213"), _line("99213", line_number=3)), None, True),
    ("indicator 1 before June: modifier bypasses", PTP,
     _claim(_line("72148"), _line("97110", modifiers=["XS"])), _context(), False),
    ("indicator 0 from June: modifier does not help", PTP,
     _claim(_line("72148", service_from=LATER), _line("97110", modifiers=["XS"],
                                                     service_from=LATER), **ON_LATER),
     _context(), True),
    ("indicator 9 never fires", PTP,
     _claim(_line("97110"), _line("97140")), _context(), False),
    ("institutional pair with a bypass modifier, indicator 0", PTP,
     _claim(_line("29881"), _line("29880", modifiers=["59"]), **INSTITUTIONAL), None, True),
    ("fractional units across lines", MUE,
     _claim(_line("20610", units=Decimal("1.5")), _line("20610", units=1)), None, True),
    ("per-line MUE with the same code on two lines", MUE,
     _claim(_line("99213"), _line("99213")), None, False),
    ("institutional date-of-service MUE exceeded", MUE,
     _claim(_line("J3301", units=10), _line("J3301", units=7), **INSTITUTIONAL), None, True),
    ("per-line value before June", MUE,
     _claim(_line("97110", units=3), _line("97110", units=3)), _context(), False),
    ("per-day value from June", MUE,
     _claim(_line("97110", units=1, service_from=LATER),
            _line("97110", units=2, service_from=LATER), **ON_LATER), _context(), True),
    ("two units on a day the history already has two", MUE,
     _claim(_line("20610", units=2, service_from=dt.date(2025, 2, 24)),
            statement_from=dt.date(2025, 2, 24), statement_to=dt.date(2025, 2, 24)),
     None, True),
    ("a corrected claim of that day does not add the history", MUE,
     _claim(_line("20610", units=1, service_from=dt.date(2025, 2, 24)),
            statement_from=dt.date(2025, 2, 24), statement_to=dt.date(2025, 2, 24),
            frequency_code="7", original_claim_ref="H-2"), None, False),
    ("another provider on that day", MUE,
     _claim(_line("20610", units=1, service_from=dt.date(2025, 2, 24)),
            statement_from=dt.date(2025, 2, 24), statement_to=dt.date(2025, 2, 24),
            rendering_npi=OTHER_NPI), None, False),
    ("the history claim itself, rescrubbed", MUE,
     _claim(_line("20610", units=1, service_from=dt.date(2025, 2, 24)),
            statement_from=dt.date(2025, 2, 24), statement_to=dt.date(2025, 2, 24),
            claim_id="H-2"), None, False),
    ("add-on with one of two primaries", ADDON,
     _claim(_line("99205"), _line("99417")), _context(), False),
    ("add-on whose primary is on another date", ADDON,
     _claim(_line("99215", service_from=dt.date(2025, 3, 9)), _line("99417"),
            statement_from=dt.date(2025, 3, 9)), _context(), True),
    ("add-on before its edit is in force", ADDON,
     _claim(_line("11045")), _context(), False),
    ("add-on once its edit is in force", ADDON,
     _claim(_line("11045", service_from=LATER), **ON_LATER), _context(), True),
    ("two add-on lines, one primary", ADDON,
     _claim(_line("99215"), _line("99417"), _line("99417", service_from=dt.date(2025, 3, 11)),
            statement_to=dt.date(2025, 3, 11)), _context(), True),
]


def _both(claim: Claim, context: Context, rule: str) -> list[dict[str, Any]]:
    return kernel_findings(claim, context, [rule])


@pytest.mark.parametrize(("rule", "claim", "context", "finds"),
                         [pytest.param(*c[1:], id=c[0]) for c in CASES])
def test_kernel_equals_plan(rule: str, claim: Claim, context: Context | None,
                            finds: bool) -> None:
    found = _both(claim, context or example_context(), rule)
    assert bool(found) == finds, found


def test_fractional_units_are_written_as_polars_writes_them() -> None:
    claim = _claim(_line("20610", units=Decimal("1.5")), _line("20610", units=1))
    messages = {r["message"] for r in _both(claim, example_context(), MUE)}
    assert messages == {"2.5 units of 20610 on the date of service; MUE is 2"}


def test_history_claim_without_frequency_code_is_left_out_as_by_the_plan() -> None:
    """A null frequency code fails the plan's ``is_in`` filter either way: such a history
    claim does not count (the kernel must agree)."""
    context = example_context()
    assert context.history_claims is not None and context.history_lines is not None
    claims = context.history_claims.with_columns(
        pl.when(pl.col("claim_id") == "H-2").then(None).otherwise(pl.col("frequency_code"))
        .alias("frequency_code"))
    nulled = context.with_history(claims, context.history_lines)
    day = dt.date(2025, 2, 24)
    claim = _claim(_line("20610", units=1, service_from=day), statement_from=day,
                   statement_to=day)
    assert _both(claim, context, MUE)
    assert not _both(claim, nulled, MUE)


def test_without_history_only_the_claim_counts() -> None:
    context = replace(example_context(), history_claims=None, history_lines=None)
    day = dt.date(2025, 2, 24)
    claim = _claim(_line("20610", units=2, service_from=day), statement_from=day,
                   statement_to=day)
    assert not _both(claim, context, MUE)

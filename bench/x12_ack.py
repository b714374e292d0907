"""Acknowledging an 837P: the cost of naming loops in the 999 and of the TA1, and 277CA writing.

``python -m bench x12_ack [--claims N] [--errors K] [--repeat R]``

On one generated 837P of N claims, K of them with an element error (a bad date of birth) and
the interchange trailer miscounting its groups (a TA1 fault), with the problems found by
``validate`` once beforehand, it times:

- ``acknowledge`` (the 999 with IK303 loop IDs) against the same call with the loop tracker
  switched off (its baseline: the cost of following the guide's loops over every segment);
- ``acknowledgments`` (TA1 + 999) against ``acknowledge``: the TA1's extra cost;
- writing a 277CA of N claim acknowledgments, which adds up the batch and provider summaries
  (2200B/2200C) from the claims, against writing the same records as a 277 (005010X212),
  which has no summaries.
"""

from __future__ import annotations

import argparse
import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from unittest import mock

from tests.standards.x12.factories import make_claims

from cleanclaim.standards.x12 import (
    ClaimStatusReport,
    StatusCode,
    StatusEntry,
    WriteOptions,
    acknowledge,
    acknowledgments,
    format_277,
    format_837,
    validate,
)

from .harness import cpu_seconds, measure, report

__all__ = ["main"]

OPTIONS = WriteOptions(created=dt.datetime(2026, 11, 27, 9, 0))


def _file(claims: int, errors: int) -> str:
    text = format_837(make_claims(claims, seed=5), OPTIONS)
    parts = text.split("DMG*D8*")
    step = max(1, (len(parts) - 1) // max(errors, 1))
    for index in range(1, len(parts), step)[:errors]:
        parts[index] = "1980X" + parts[index][5:]
    return "DMG*D8*".join(parts).replace("IEA*1*", "IEA*2*")


def _reports(count: int) -> list[ClaimStatusReport]:
    reports = []
    for n in range(count):
        category, code = ("A7", "21") if n % 9 == 0 else ("A2", "20")
        reports.append(
            ClaimStatusReport(
                guide="005010X214",
                claim_id=f"CLM{n}",
                payer_id=f"P{n // 2000}",
                payer_name="PAYER",
                provider_npi=f"{1234567890 + n // 50}",
                provider_name="CLINIC",
                member_id=f"M{n}",
                patient_last_name="DOE",
                service_from=dt.date(2026, 11, 1),
                statuses=[
                    StatusEntry(
                        codes=[StatusCode(category=category, code=code, entity="PR")],
                        date=dt.date(2026, 11, 27),
                        action_code="U" if category == "A7" else "WQ",
                        charge=Decimal("125.50"),
                    )
                ],
            )
        )
    return reports


def _compare(title: str, runs: list[tuple[str, Callable[[], object]]], n: int, repeat: int) -> None:
    """Wall time (the shared harness) and CPU time of a workload and its baseline."""
    (name, fn), (base_name, base_fn) = runs
    subject = measure(name, fn, items=n, unit="claims", repeat=repeat)
    baseline = measure(base_name, base_fn, items=n, unit="claims", repeat=repeat)
    print(report(title, subject, baseline))
    cpu, base_cpu = cpu_seconds(fn, repeat), cpu_seconds(base_fn, repeat)
    print(f"CPU seconds (best of {repeat}): {name} {cpu:.3f} ({n / cpu:,.0f} claims/s), "
          f"{base_name} {base_cpu:.3f} ({n / base_cpu:,.0f} claims/s): "
          f"{cpu / base_cpu:.2f}x the baseline's time\n")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench x12_ack", description=__doc__)
    parser.add_argument("--claims", type=int, default=20_000)
    parser.add_argument("--errors", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)

    text = _file(args.claims, args.errors)
    problems = validate(text)
    groups = acknowledge(text, problems)
    named = sum(1 for g in groups for s in g.transaction_sets for e in s.segments if e.loop_id)
    print(f"{args.claims:,} claims, {len(problems)} problems, {named} IK3 with a loop ID")

    def plain() -> None:
        with mock.patch("cleanclaim.standards.x12.x999.loop_tracker", return_value=None):
            acknowledge(text, problems)

    n, repeat = args.claims, args.repeat
    _compare("999 acknowledgment of an 837P (`x12_ack`)", [
        ("999 with loop IDs", lambda: acknowledge(text, problems)),
        ("999 without loop IDs", plain),
    ], n, repeat)
    _compare("TA1 + 999 against the 999 alone", [
        ("TA1 + 999", lambda: acknowledgments(text, problems)),
        ("999 with loop IDs", lambda: acknowledge(text, problems)),
    ], n, repeat)
    reports = _reports(args.claims)
    status = [r.model_copy(update={"guide": "005010X212", "trace_number": r.claim_id})
              for r in reports]
    _compare("277CA writer against the 277 writer", [
        ("277CA with summaries", lambda: format_277(reports, OPTIONS)),
        ("277 without summaries", lambda: format_277(status, OPTIONS)),
    ], n, repeat)
    return 0

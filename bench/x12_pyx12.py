"""Does pyx12 accept what our X12 writers produce? One file per writer, checked by its validator.

``python -m bench x12_pyx12 [--count N] [--seed S] [--show N]``

Writes, from generated data (837P, 837I, 835) or the records read from the test samples (834,
270, 276, 277CA) and an acknowledgment of a generated 837P (999), one interchange per writer,
runs pyx12's validator (``pyx12.x12n_document.x12n_document``, the engine behind its
``x12valid`` script) on it and prints whether it was accepted and every distinct error it
reported, with how many times and the first line it was seen on. pyx12 has maps only for some
5010 guides (not 270/271 X279 nor 276/277 X212): those files are listed as not checked.

pyx12 is an optional peer (installed in the dev venv only): imported by name, at run time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import io
import json
import logging
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from tests.standards.x12.factories import make_claims, make_payment
from tests.standards.x12.samples import sample

from cleanclaim.domain import ClaimType, Coverage, Member
from cleanclaim.standards.x12 import (
    WriteOptions,
    acknowledge,
    format_270,
    format_276,
    format_277,
    format_834,
    format_835,
    format_837,
    format_999,
    parse_eligibility,
    parse_enrollment,
    parse_status_inquiries,
    parse_statuses,
)
from cleanclaim.standards.x12.records import EligibilityInquiry

__all__ = ["PYX12_MAPS", "PyxError", "PyxResult", "check", "main", "written_files"]

OPTIONS = WriteOptions(created=dt.datetime(2024, 12, 1, 10, 15))

PYX12_MAPS = ("837P", "837I", "835", "834", "277CA", "999")
"""The kinds whose guide (5010, the version we write) pyx12 4.0 has a map for."""


@dataclass(frozen=True, slots=True)
class PyxError:
    """One error pyx12 reported: where (segment id, file line) and what."""

    seg_id: str
    line: int | None
    code: str
    text: str
    value: str | None


@dataclass
class PyxResult:
    """pyx12's verdict on one file."""

    kind: str
    accepted: bool
    errors: list[PyxError] = field(default_factory=list)


def _enrollment() -> str:
    records = list(parse_enrollment(sample("834")))
    members = [r for r in records if isinstance(r, Member)]
    coverages = [r for r in records if isinstance(r, Coverage)]
    return format_834(members, coverages, OPTIONS)


def written_files(count: int = 20, seed: int = 1) -> Iterator[tuple[str, str]]:
    """(kind, text) of one interchange per writer."""
    rng = random.Random(seed)
    professional = format_837(make_claims(count, seed, ClaimType.PROFESSIONAL), OPTIONS)
    yield "837P", professional
    yield "837I", format_837(make_claims(count, seed, ClaimType.INSTITUTIONAL), OPTIONS)
    yield "835", format_835([make_payment(rng, i) for i in range(1, count + 1)], OPTIONS)
    yield "834", _enrollment()
    inquiries = [r for r in parse_eligibility(sample("270")) if isinstance(r, EligibilityInquiry)]
    yield "270", format_270(inquiries, OPTIONS)
    yield "276", format_276(list(parse_status_inquiries(sample("276"))), OPTIONS)
    yield "277CA", format_277(list(parse_statuses(sample("277CA"))), OPTIONS)
    yield "999", format_999(acknowledge(professional, options=OPTIONS), OPTIONS)


def _walk(node: Any, seg_id: str, line: int | None) -> Iterator[PyxError]:
    """Every error in pyx12's JSON report, with the segment it hangs on."""
    if isinstance(node, dict):
        seg_id = node.get("seg_id") or seg_id
        line = node.get("cur_line", line)
        for error in node.get("errors", []):
            yield PyxError(
                seg_id,
                line,
                str(error.get("err_cde")),
                str(error.get("err_str")),
                error.get("err_val"),
            )
        for key, value in node.items():
            if key != "errors" and isinstance(value, list | dict):
                yield from _walk(value, seg_id, line)
    elif isinstance(node, list):
        for item in node:
            yield from _walk(item, seg_id, line)


def check(kind: str, text: str) -> PyxResult:
    """Run pyx12's validator on ``text``."""
    params = importlib.import_module("pyx12.params")
    document = importlib.import_module("pyx12.x12n_document")
    # pyx12 logs every error as well; the JSON report has them all.
    logging.getLogger("pyx12").setLevel(logging.CRITICAL)
    report, ack = io.StringIO(), io.StringIO()
    accepted = document.x12n_document(params.params(), io.StringIO(text), ack, None, None, report)
    errors = list(_walk(json.loads(report.getvalue() or "{}"), "", None))
    return PyxResult(kind, bool(accepted) and not errors, errors)


def _summary(result: PyxResult, show: int) -> list[str]:
    seen: dict[tuple[str, str], list[PyxError]] = {}
    for error in result.errors:
        seen.setdefault((error.seg_id, error.text), []).append(error)
    out = [f"{result.kind}: {'ACCEPTED' if result.accepted else 'REJECTED'}"
           f" ({len(result.errors)} errors, {len(seen)} distinct)"]
    for (seg_id, text), found in list(seen.items())[:show]:
        first = found[0]
        value = "" if first.value is None else f" value {first.value!r}"
        where = f"{seg_id:<4} x{len(found):<3} line {first.line}"
        out.append(f"  {where}: [{first.code}] {text}{value}")
    if len(seen) > show:
        out.append(f"  ... {len(seen) - show} more")
    return out


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench x12_pyx12", description=__doc__)
    parser.add_argument("--count", type=int, default=20, help="claims/payments per file")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--show", type=int, default=40, help="distinct errors shown per file")
    args = parser.parse_args(argv)
    try:
        importlib.import_module("pyx12")
    except ImportError:
        print("pyx12 is not installed: nothing to check (pip install pyx12 in the dev venv)")
        return 0
    for kind, text in written_files(args.count, args.seed):
        if kind not in PYX12_MAPS:
            print(f"{kind}: not checked (pyx12 has no map for its 5010 guide)")
            continue
        print("\n".join(_summary(check(kind, text), args.show)))
    return 0
